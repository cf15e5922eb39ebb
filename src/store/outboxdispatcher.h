#pragma once

#include "core/result.h"
#include "store/types.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace confab::store {

class Store;

/// Sends one outbox entry for an account kind: an engine builds the request from the item's
/// payload and answers with the server's receipt, or an Error (transient ones are retried).
/// The item's message keeps its remote id on every attempt, so the service can deduplicate.
class OutboxTransport
{
public:
    virtual ~OutboxTransport() = default;
    [[nodiscard]] virtual QFuture<Result<SendReceipt>> send(const OutboxItem &item) = 0;
};

/// Drains the store's outbox: claims due entries for the accounts that have a transport (one per
/// conversation at a time, so a conversation's messages leave in the order they were written;
/// up to MaxParallelPerAccount conversations of an account at once), hands each to its transport, and records the
/// outcome (sent, or failed and scheduled again with backoff and jitter, or failed for good). Wakes up when the store
/// says there is new work and when the earliest scheduled retry is due. Lives on the thread of the store's owner.
class OutboxDispatcher : public QObject
{
    Q_OBJECT
public:
    explicit OutboxDispatcher(Store &store, QObject *parent = nullptr);
    ~OutboxDispatcher() override;

    /// `transport` sends for `accountId` from now on; nullptr stops sending for it (signed out,
    /// offline). The dispatcher does not own transports.
    void setTransport(qint64 accountId, OutboxTransport *transport);
    /// Looks for due work now (also after the network came back).
    void wake();
    /// Attempts under way, over every account.
    [[nodiscard]] int inFlight() const;
    /// Attempts one account may have under way at once, each in a different conversation (a
    /// conversation's messages always leave one at a time, in the order they were written), so
    /// that a large upload does not hold back the other conversations.
    static constexpr int MaxParallelPerAccount = 4;

signals:
    void messageSent(qint64 messageId, qint64 conversationId);
    /// An attempt failed; `willRetry` says whether the outbox tries again by itself.
    void attemptFailed(qint64 messageId, const confab::Error &error, bool willRetry);
    /// Nothing is in flight and nothing is due right now.
    void idle();

private:
    void pump();
    void claimFor(qint64 accountId);
    void finish(qint64 accountId, const OutboxItem &item, const Result<SendReceipt> &result);
    void schedule();

    Store &m_store;
    QHash<qint64, OutboxTransport *> m_transports;
    QSet<qint64> m_claiming;      ///< accounts with a claim on its way to the store
    QHash<qint64, int> m_sending; ///< attempts in flight by account
    QTimer m_timer;
    bool m_scheduling = false;
};

} // namespace confab::store
