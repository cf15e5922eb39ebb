#include "store/store.h"

#include "core/logging.h"
#include "store/database.h"

#include <QDateTime>
#include <QTimer>

namespace confab::store {

namespace {

QString connectionName(const void *owner)
{
    return QStringLiteral("confab-store-%1").arg(reinterpret_cast<quintptr>(owner), 0, 16);
}

Error notOpen()
{
    return Error(ErrorKind::Storage, QStringLiteral("The message cache is not open."));
}

template<typename T>
bool isStorageFailure(const Result<T> &r)
{
    return r.hasError() && r.error().kind() == ErrorKind::Storage;
}

} // namespace

Store::Store(QObject *parent) : QObject(parent), m_db(std::make_unique<Database>(connectionName(this)))
{
    qRegisterMetaType<ChangeSet>();
    qRegisterMetaType<OpenReport>();
    m_thread.setObjectName(QStringLiteral("confab-store"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
}

Store::~Store()
{
    // Close on the store thread (its connection lives there), after every queued job.
    Database *db = m_db.get();
    QMetaObject::invokeMethod(
        m_context, [db] { db->close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

template<typename T>
QFuture<Result<T>> Store::submit(std::function<Result<T>(Database &)> job, Access access)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    QFuture<Result<T>> future = promise->future();
    promise->start();
    Database *db = m_db.get();
    QMetaObject::invokeMethod(
        m_context,
        [this, db, promise, access, job = std::move(job)] {
            const bool wasOpen = db->isOpen();
            Result<T> result = wasOpen ? job(*db) : Result<T>(notOpen());
            if (access == Access::Write && wasOpen && isStorageFailure(result))
                QMetaObject::invokeMethod(
                    this, [this, error = result.error()] { emit storageFailed(error); }, Qt::QueuedConnection);
            afterJob();
            promise->addResult(std::move(result));
            promise->finish();
        },
        Qt::QueuedConnection);
    return future;
}

void Store::afterJob()
{
    // Runs on the store thread after every job.
    if (m_db->sawCorruption()) {
        Result<OpenReport> report = m_db->recoverFromCorruption();
        m_open.store(report.ok());
        if (report) {
            QMetaObject::invokeMethod(
                this, [this, r = report.value()] { emit databaseRecreated(r); }, Qt::QueuedConnection);
        } else {
            QMetaObject::invokeMethod(
                this, [this, e = report.error()] { emit storageFailed(e); }, Qt::QueuedConnection);
            return;
        }
    }
    ChangeSet changes = m_db->takeChanges();
    if (!changes.isEmpty())
        QMetaObject::invokeMethod(
            this, [this, changes = std::move(changes)] { emitChanges(changes); }, Qt::QueuedConnection);
}

void Store::emitChanges(const ChangeSet &changes)
{
    for (const Conversation &c : changes.conversationsAdded)
        emit conversationAdded(c);
    for (const auto &[conversationId, batch] : changes.messages) {
        if (!batch.inserted.isEmpty()) {
            QList<MessageKey> keys;
            for (const Message &m : batch.inserted)
                keys.append(m.key);
            emit messagesInserted(conversationId, batch.inserted, rangeOf(keys));
        }
        if (!batch.changed.isEmpty()) {
            QList<MessageKey> keys;
            for (const MessageChange &c : batch.changed)
                keys << c.message.key << c.previousKey;
            emit messagesChanged(conversationId, batch.changed, rangeOf(keys));
        }
        if (!batch.removed.isEmpty())
            emit messagesRemoved(conversationId, batch.removed, rangeOf(batch.removed));
        if (batch.prunedThrough)
            emit historyPruned(conversationId, *batch.prunedThrough);
    }
    for (const Conversation &c : changes.conversationsChanged)
        emit conversationChanged(c);
    for (qint64 id : changes.conversationsRemoved)
        emit conversationRemoved(id);
    for (qint64 id : changes.membersChanged)
        emit membersChanged(id);
    if (changes.accountsChanged)
        emit accountsChanged();
    if (changes.outboxChanged)
        emit outboxChanged();
}

QFuture<Result<OpenReport>> Store::open(const StoreOptions &options, SealingKeySource &keys)
{
    m_options = options;
    Database *db = m_db.get();
    return keys.sealingKey().then(m_context,
                                  [this, db, options](Result<crypto::SecureBytes> key) -> Result<OpenReport> {
                                      if (!key)
                                          return key.error();
                                      {
                                          QMutexLocker lock(&m_sealerMutex);
                                          m_searchSealer = Sealer(key.value());
                                      }
                                      Result<OpenReport> report = db->open(options, std::move(key).value());
                                      m_open.store(report.ok());
                                      if (report && options.housekeepingIntervalMs > 0)
                                          startHousekeepingTimer();
                                      return report;
                                  });
}

void Store::startHousekeepingTimer()
{
    // On the store thread: a first pass shortly after opening, then every interval.
    auto *timer = m_context->findChild<QTimer *>(QStringLiteral("housekeeping"));
    if (!timer) {
        timer = new QTimer(m_context);
        timer->setObjectName(QStringLiteral("housekeeping"));
        connect(timer, &QTimer::timeout, m_context, [this, timer] {
            if (m_db->isOpen()) {
                Result<HousekeepingReport> report = m_db->housekeep();
                if (!report)
                    qCWarning(lcStore).noquote() << "housekeeping failed:" << report.error().toString();
                afterJob();
            }
            timer->setInterval(m_options.housekeepingIntervalMs);
        });
    }
    timer->start(std::min(m_options.housekeepingIntervalMs, 60 * 1000));
}

QFuture<Result<void>> Store::close()
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    QFuture<Result<void>> future = promise->future();
    promise->start();
    Database *db = m_db.get();
    QMetaObject::invokeMethod(
        m_context,
        [this, db, promise] {
            if (auto *timer = m_context->findChild<QTimer *>(QStringLiteral("housekeeping")))
                timer->stop();
            db->close();
            m_open.store(false);
            promise->addResult(Result<void>());
            promise->finish();
        },
        Qt::QueuedConnection);
    return future;
}

// ---- forwarding -----------------------------------------------------------------------------

QFuture<Result<Account>> Store::upsertAccount(AccountKind kind, const QString &remoteId,
                                              const std::optional<QString> &displayName,
                                              const std::optional<QJsonObject> &syncState)
{
    return submit<Account>([=](Database &db) { return db.upsertAccount(kind, remoteId, displayName, syncState); });
}

QFuture<Result<QList<Account>>> Store::accounts()
{
    return submit<QList<Account>>([](Database &db) { return db.accounts(); }, Access::Read);
}

QFuture<Result<void>> Store::removeAccount(qint64 accountId)
{
    return submit<void>([=](Database &db) { return db.removeAccount(accountId); });
}

QFuture<Result<Conversation>> Store::upsertConversation(const ConversationInput &input)
{
    return submit<Conversation>([=](Database &db) { return db.upsertConversation(input); });
}

QFuture<Result<Conversation>> Store::conversation(qint64 conversationId)
{
    return submit<Conversation>([=](Database &db) { return db.conversation(conversationId); }, Access::Read);
}

QFuture<Result<std::optional<Conversation>>> Store::conversationByRemoteId(qint64 accountId, const QString &remoteId)
{
    return submit<std::optional<Conversation>>(
        [=](Database &db) { return db.conversationByRemoteId(accountId, remoteId); }, Access::Read);
}

QFuture<Result<QList<Conversation>>> Store::conversations(qint64 accountId, int limit, int offset)
{
    return submit<QList<Conversation>>([=](Database &db) { return db.conversations(accountId, limit, offset); },
                                       Access::Read);
}

QFuture<Result<void>> Store::removeConversation(qint64 conversationId)
{
    return submit<void>([=](Database &db) { return db.removeConversation(conversationId); });
}

QFuture<Result<void>> Store::setMembers(qint64 conversationId, const QList<Member> &members)
{
    return submit<void>([=](Database &db) { return db.setMembers(conversationId, members); });
}

QFuture<Result<QList<Member>>> Store::members(qint64 conversationId)
{
    return submit<QList<Member>>([=](Database &db) { return db.members(conversationId); }, Access::Read);
}

QFuture<Result<void>> Store::setMemberReadMarker(qint64 conversationId, const QString &userId, qint64 marker)
{
    return submit<void>([=](Database &db) { return db.setMemberReadMarker(conversationId, userId, marker); });
}

QFuture<Result<Conversation>> Store::markRead(qint64 conversationId, qint64 marker)
{
    return submit<Conversation>([=](Database &db) { return db.markRead(conversationId, marker); });
}

QFuture<Result<InsertReport>> Store::insertMessages(qint64 conversationId, const QList<IncomingMessage> &messages)
{
    return submit<InsertReport>([=](Database &db) { return db.insertMessages(conversationId, messages); });
}

QFuture<Result<ConversationOpening>> Store::opening(qint64 conversationId, int count)
{
    return submit<ConversationOpening>(
        [=](Database &db) -> Result<ConversationOpening> {
            // Jobs run one after the other on the store thread: no write comes between these reads.
            ConversationOpening out;
            Result<Conversation> conversation = db.conversation(conversationId);
            if (!conversation)
                return conversation.error();
            out.conversation = std::move(conversation.value());
            Result<QList<Account>> accounts = db.accounts();
            if (!accounts)
                return accounts.error();
            for (const Account &a : accounts.value()) {
                if (a.id == out.conversation.accountId)
                    out.selfUserId = a.remoteId;
            }
            Result<QList<Member>> members = db.members(conversationId);
            if (!members)
                return members.error();
            out.members = std::move(members.value());
            Result<QList<Message>> newest = db.newestMessages(conversationId, count);
            if (!newest)
                return newest.error();
            out.newest = std::move(newest.value());
            return out;
        },
        Access::Read);
}

QFuture<Result<QList<Message>>> Store::newestMessages(qint64 conversationId, int count)
{
    return submit<QList<Message>>([=](Database &db) { return db.newestMessages(conversationId, count); }, Access::Read);
}

QFuture<Result<QList<Message>>> Store::messagesWithAttachments(qint64 conversationId, int count)
{
    return submit<QList<Message>>([=](Database &db) { return db.messagesWithAttachments(conversationId, count); },
                                  Access::Read);
}

QFuture<Result<QList<Message>>> Store::messagesBefore(qint64 conversationId, MessageKey before, int count)
{
    return submit<QList<Message>>([=](Database &db) { return db.messagesBefore(conversationId, before, count); },
                                  Access::Read);
}

QFuture<Result<QList<Message>>> Store::messagesAfter(qint64 conversationId, MessageKey after, int count)
{
    return submit<QList<Message>>([=](Database &db) { return db.messagesAfter(conversationId, after, count); },
                                  Access::Read);
}

QFuture<Result<Message>> Store::message(qint64 messageId)
{
    return submit<Message>([=](Database &db) { return db.message(messageId); }, Access::Read);
}

QFuture<Result<std::optional<Message>>> Store::messageByRemoteId(qint64 conversationId, const QString &remoteId)
{
    return submit<std::optional<Message>>([=](Database &db) { return db.messageByRemoteId(conversationId, remoteId); },
                                          Access::Read);
}

QFuture<Result<std::optional<Message>>> Store::messageBySequence(qint64 conversationId, qint64 sequence)
{
    return submit<std::optional<Message>>([=](Database &db) { return db.messageBySequence(conversationId, sequence); },
                                          Access::Read);
}

QFuture<Result<std::optional<Message>>> Store::modifyMessage(qint64 conversationId, const QString &remoteId,
                                                             std::function<bool(Message &)> mutate)
{
    return submit<std::optional<Message>>([conversationId, remoteId, mutate = std::move(mutate)](Database &db) {
        return db.modifyMessage(conversationId, remoteId, mutate);
    });
}

QFuture<Result<int>> Store::removeMessages(qint64 conversationId, const QStringList &remoteIds)
{
    return submit<int>([=](Database &db) { return db.removeMessages(conversationId, remoteIds); });
}

QFuture<Result<Message>> Store::enqueue(qint64 conversationId, const OutgoingMessage &message)
{
    return submit<Message>([=](Database &db) { return db.enqueue(conversationId, message); });
}

QFuture<Result<QList<OutboxItem>>> Store::claimDue(qint64 nowMs, const QList<qint64> &accountIds, int limit)
{
    return submit<QList<OutboxItem>>([=](Database &db) { return db.claimDue(nowMs, accountIds, limit); });
}

QFuture<Result<std::optional<Message>>> Store::markSent(qint64 messageId, const SendReceipt &receipt)
{
    return submit<std::optional<Message>>([=](Database &db) { return db.markSent(messageId, receipt); });
}

QFuture<Result<Message>> Store::markFailed(qint64 messageId, const Error &error, qint64 nowMs)
{
    return submit<Message>([=](Database &db) { return db.markFailed(messageId, error, nowMs); });
}

QFuture<Result<Message>> Store::release(qint64 messageId)
{
    return submit<Message>([=](Database &db) { return db.release(messageId); });
}

QFuture<Result<Message>> Store::retry(qint64 messageId, qint64 nowMs)
{
    return submit<Message>([=](Database &db) { return db.retry(messageId, nowMs); });
}

QFuture<Result<void>> Store::discard(qint64 messageId)
{
    return submit<void>([=](Database &db) { return db.discard(messageId); });
}

QFuture<Result<qint64>> Store::nextAttemptMs(const QList<qint64> &accountIds)
{
    return submit<qint64>([=](Database &db) { return db.nextAttemptMs(accountIds); }, Access::Read);
}

QFuture<Result<QList<Message>>> Store::unsent()
{
    return submit<QList<Message>>([](Database &db) { return db.unsent(); }, Access::Read);
}

QFuture<Result<HousekeepingReport>> Store::housekeep()
{
    return submit<HousekeepingReport>([](Database &db) { return db.housekeep(); });
}

QFuture<Result<void>> Store::checkIntegrity()
{
    return submit<void>([](Database &db) { return db.checkIntegrity(); }, Access::Read);
}

SearchRun *Store::search(const SearchQuery &query, QObject *parent)
{
    if (!isOpen())
        return nullptr;
    QMutexLocker lock(&m_sealerMutex);
    return new SearchRun(m_options.path, m_searchSealer, query, parent);
}

} // namespace confab::store
