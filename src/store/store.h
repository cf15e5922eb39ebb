#pragma once

#include "core/result.h"
#include "store/changeset.h"
#include "store/sealer.h"
#include "store/searchrun.h"
#include "store/storeoptions.h"
#include "store/types.h"

#include <QFuture>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPromise>
#include <QString>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace confab::store {

class Database;

/// The single source of truth between the protocols and the UI: an offline-first, sealed SQLite
/// cache with a durable outbox (docs/architecture.md, "The store").
///
/// Every call returns at once with a future; the work runs on the store's own thread, in order,
/// through its one connection. Continue on a future with `.then(context, ...)` or co_await it
/// (QCoro); never wait for one on the GUI thread. After each write commits, the store emits typed
/// change signals on the thread it lives in, carrying the new data, so that models apply it
/// without reading again.
class Store : public QObject
{
    Q_OBJECT
public:
    explicit Store(QObject *parent = nullptr);
    /// Finishes the queued work, checkpoints and closes.
    ~Store() override;

    /// Asks `keys` for the sealing key, then opens the database (creating or migrating it). An
    /// unusable file is moved aside and a fresh one started; the report says so and why.
    QFuture<Result<OpenReport>> open(const StoreOptions &options, SealingKeySource &keys);
    QFuture<Result<void>> close();
    [[nodiscard]] bool isOpen() const { return m_open.load(); }
    [[nodiscard]] QString path() const { return m_options.path; }

    // ---- accounts
    QFuture<Result<Account>> upsertAccount(AccountKind kind, const QString &remoteId,
                                           const std::optional<QString> &displayName = std::nullopt,
                                           const std::optional<QJsonObject> &syncState = std::nullopt);
    QFuture<Result<QList<Account>>> accounts();
    QFuture<Result<void>> removeAccount(qint64 accountId);

    // ---- conversations
    QFuture<Result<Conversation>> upsertConversation(const ConversationInput &input);
    QFuture<Result<Conversation>> conversation(qint64 conversationId);
    QFuture<Result<std::optional<Conversation>>> conversationByRemoteId(qint64 accountId, const QString &remoteId);
    /// The conversation list: newest activity first, with unread counts and previews.
    QFuture<Result<QList<Conversation>>> conversations(qint64 accountId = 0, int limit = -1, int offset = 0);
    QFuture<Result<void>> removeConversation(qint64 conversationId);
    QFuture<Result<void>> setMembers(qint64 conversationId, const QList<Member> &members);
    QFuture<Result<QList<Member>>> members(qint64 conversationId);
    QFuture<Result<void>> setMemberReadMarker(qint64 conversationId, const QString &userId, qint64 marker);
    QFuture<Result<Conversation>> markRead(qint64 conversationId, qint64 marker);

    // ---- messages
    QFuture<Result<InsertReport>> insertMessages(qint64 conversationId, const QList<IncomingMessage> &messages);
    QFuture<Result<QList<Message>>> newestMessages(qint64 conversationId, int count);
    /// The conversation, its account's own id, its members and newest `count` messages in one job:
    /// one trip to the store thread to open a conversation instead of four.
    QFuture<Result<ConversationOpening>> opening(qint64 conversationId, int count);
    QFuture<Result<QList<Message>>> messagesBefore(qint64 conversationId, MessageKey before, int count);
    QFuture<Result<QList<Message>>> messagesAfter(qint64 conversationId, MessageKey after, int count);
    QFuture<Result<Message>> message(qint64 messageId);
    /// The newest `count` messages of a conversation that have attachments, oldest first (the
    /// media viewer's list).
    QFuture<Result<QList<Message>>> messagesWithAttachments(qint64 conversationId, int count);
    QFuture<Result<std::optional<Message>>> messageByRemoteId(qint64 conversationId, const QString &remoteId);
    /// The sent or received message at the server's `sequence` (X reactions, edits and deletes
    /// name their target by sequence id).
    QFuture<Result<std::optional<Message>>> messageBySequence(qint64 conversationId, qint64 sequence);
    /// Runs `mutate` on the store thread inside a transaction (see Database::modifyMessage). It
    /// must only touch the message it is given.
    QFuture<Result<std::optional<Message>>> modifyMessage(qint64 conversationId, const QString &remoteId,
                                                          std::function<bool(Message &)> mutate);
    QFuture<Result<int>> removeMessages(qint64 conversationId, const QStringList &remoteIds);

    // ---- outbox
    QFuture<Result<Message>> enqueue(qint64 conversationId, const OutgoingMessage &message);
    QFuture<Result<QList<OutboxItem>>> claimDue(qint64 nowMs, const QList<qint64> &accountIds, int limit);
    QFuture<Result<std::optional<Message>>> markSent(qint64 messageId, const SendReceipt &receipt);
    QFuture<Result<Message>> markFailed(qint64 messageId, const Error &error, qint64 nowMs);
    QFuture<Result<Message>> release(qint64 messageId);
    QFuture<Result<Message>> retry(qint64 messageId, qint64 nowMs);
    QFuture<Result<void>> discard(qint64 messageId);
    QFuture<Result<qint64>> nextAttemptMs(const QList<qint64> &accountIds = {});
    QFuture<Result<QList<Message>>> unsent();

    // ---- search and housekeeping
    /// Starts a search; the run reports hits as it finds them. Null when the store is not open.
    [[nodiscard]] SearchRun *search(const SearchQuery &query, QObject *parent = nullptr);
    QFuture<Result<HousekeepingReport>> housekeep();
    QFuture<Result<void>> checkIntegrity();

signals:
    void conversationAdded(const confab::store::Conversation &conversation);
    void conversationChanged(const confab::store::Conversation &conversation);
    void conversationRemoved(qint64 conversationId);
    /// New rows (from a service or the outbox). `range` spans their keys.
    void messagesInserted(qint64 conversationId, const QList<confab::store::Message> &messages,
                          const confab::store::MessageKeyRange &range);
    /// Rows that changed in place or moved; `range` spans old and new keys.
    void messagesChanged(qint64 conversationId, const QList<confab::store::MessageChange> &changes,
                         const confab::store::MessageKeyRange &range);
    void messagesRemoved(qint64 conversationId, const QList<confab::store::MessageKey> &keys,
                         const confab::store::MessageKeyRange &range);
    /// Housekeeping dropped the conversation's cached sent messages up to `through` (inclusive);
    /// they come back from the service on scroll-back (the conversation's historyComplete is off).
    void historyPruned(qint64 conversationId, const confab::store::MessageKey &through);
    void membersChanged(qint64 conversationId);
    void accountsChanged();
    /// Outbox work was added or rescheduled (the dispatcher wakes up).
    void outboxChanged();
    /// The database turned out damaged while in use and was replaced by an empty one: reload
    /// everything; `report.reason` is for the person.
    void databaseRecreated(const confab::store::OpenReport &report);
    /// A write failed for a reason the person should hear about (disk full, read-only, ...).
    /// Reads report their errors through their futures only.
    void storageFailed(const confab::Error &error);

private:
    enum class Access { Read, Write };
    template<typename T>
    QFuture<Result<T>> submit(std::function<Result<T>(Database &)> job, Access access = Access::Write);
    void afterJob();
    void emitChanges(const ChangeSet &changes);
    void startHousekeepingTimer();

    QThread m_thread;
    QObject *m_context = nullptr;   ///< lives on m_thread; jobs are queued to it
    std::unique_ptr<Database> m_db; ///< only touched on m_thread
    StoreOptions m_options;
    std::atomic<bool> m_open{false};
    mutable QMutex m_sealerMutex;
    Sealer m_searchSealer; ///< a copy of the key for search threads, set when opened
};

} // namespace confab::store

Q_DECLARE_METATYPE(confab::store::OpenReport)
