#include "store/outboxdispatcher.h"

#include "core/logging.h"
#include "store/store.h"

#include <QDateTime>

#include <algorithm>

namespace confab::store {

namespace {
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

OutboxDispatcher::OutboxDispatcher(Store &store, QObject *parent) : QObject(parent), m_store(store)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &OutboxDispatcher::pump);
    connect(&m_store, &Store::outboxChanged, this, &OutboxDispatcher::wake);
}

OutboxDispatcher::~OutboxDispatcher() = default;

int OutboxDispatcher::inFlight() const
{
    int total = 0;
    for (int n : m_sending)
        total += n;
    return total;
}

void OutboxDispatcher::setTransport(qint64 accountId, OutboxTransport *transport)
{
    if (transport)
        m_transports.insert(accountId, transport);
    else
        m_transports.remove(accountId);
    wake();
}

void OutboxDispatcher::wake()
{
    // Coalesce bursts of wake-ups (one per enqueued message) into one pump.
    if (!m_timer.isActive() || m_timer.remainingTime() > 0)
        m_timer.start(0);
}

void OutboxDispatcher::pump()
{
    if (!m_store.isOpen())
        return;
    for (auto it = m_transports.cbegin(); it != m_transports.cend(); ++it)
        if (!m_claiming.contains(it.key()) && m_sending.value(it.key()) < MaxParallelPerAccount)
            claimFor(it.key());
    schedule();
}

void OutboxDispatcher::claimFor(qint64 accountId)
{
    m_claiming.insert(accountId);
    const int room = MaxParallelPerAccount - m_sending.value(accountId);
    m_store.claimDue(nowMs(), {accountId}, room)
        .then(this, [this, accountId](const Result<QList<OutboxItem>> &claimed) {
            m_claiming.remove(accountId);
            if (!claimed || claimed.value().isEmpty()) {
                if (!claimed)
                    qCWarning(lcStore).noquote() << "could not read the outbox:" << claimed.error().toString();
                schedule();
                return;
            }
            for (const OutboxItem &item : claimed.value()) {
                OutboxTransport *transport = m_transports.value(accountId);
                m_sending[accountId] += 1;
                if (!transport) {
                    // Went offline between the claim and now: put it back as it was, no attempt counted.
                    m_store.release(item.message.id).then(this, [this, accountId](const Result<Message> &) {
                        m_sending[accountId] -= 1;
                        schedule();
                    });
                    continue;
                }
                qCDebug(lcStore) << "sending outbox message" << item.message.id << "attempt"
                                 << item.message.attempts + 1;
                transport->send(item).then(this, [this, accountId, item](const Result<SendReceipt> &result) {
                    finish(accountId, item, result);
                });
            }
        });
}

void OutboxDispatcher::finish(qint64 accountId, const OutboxItem &item, const Result<SendReceipt> &result)
{
    const qint64 messageId = item.message.id;
    const qint64 conversationId = item.message.conversationId;
    auto done = [this, accountId] {
        m_sending[accountId] -= 1;
        wake();
    };
    if (result) {
        m_store.markSent(messageId, result.value())
            .then(this, [this, messageId, conversationId, done](const Result<std::optional<Message>> &r) {
                if (r) {
                    emit messageSent(messageId, conversationId);
                    done();
                    return;
                }
                // The server has it but the store could not say so. Recording the failure shows
                // it to the person instead of resending in a loop; if even that cannot be
                // written, it stays Sending until the next start, which resends it (deduplicated).
                qCWarning(lcStore).noquote() << "could not record a sent message:" << r.error().toString();
                m_store.markFailed(messageId, r.error(), nowMs()).then(this, [done](const Result<Message> &) {
                    done();
                });
            });
        return;
    }
    const Error error = result.error();
    if (!m_transports.contains(accountId)) {
        // The account stopped during the attempt (quitting, signing out): not the message's
        // failure. It waits, unharmed, for the account's next start.
        qCInfo(lcStore).noquote() << "outbox message" << messageId << "waits: its account stopped";
        // No continuation: this often happens while everything shuts down, and the store runs
        // its jobs in order, so a later claim sees the release.
        (void)m_store.release(messageId);
        done();
        return;
    }
    qCInfo(lcStore).noquote() << "sending outbox message" << messageId << "failed:" << error.toString();
    m_store.markFailed(messageId, error, nowMs()).then(this, [this, messageId, error, done](const Result<Message> &r) {
        emit attemptFailed(messageId, error, r && r.value().delivery == DeliveryState::Pending);
        done();
    });
}

void OutboxDispatcher::schedule()
{
    if (m_scheduling)
        return;
    const QList<qint64> accounts = m_transports.keys();
    if (accounts.isEmpty())
        return;
    m_scheduling = true;
    m_store.nextAttemptMs(accounts).then(this, [this](const Result<qint64> &next) {
        m_scheduling = false;
        if (!next)
            return;
        if (next.value() == 0) {
            if (inFlight() == 0 && m_claiming.isEmpty())
                emit idle();
            return;
        }
        // Due now but not claimed: its account has an attempt in flight, whose end wakes us;
        // look again a little later anyway.
        qint64 delay = std::max<qint64>(next.value() - nowMs(), 0);
        if (delay == 0)
            delay = 250;
        if (!m_timer.isActive() || m_timer.remainingTime() > delay)
            m_timer.start(static_cast<int>(std::min<qint64>(delay, 24LL * 60 * 60 * 1000)));
    });
}

} // namespace confab::store
