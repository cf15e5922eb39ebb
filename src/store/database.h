#pragma once

#include "core/result.h"
#include "store/changeset.h"
#include "store/sealer.h"
#include "store/storeoptions.h"
#include "store/types.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <unordered_map>

namespace confab::store {

/// The store's SQLite connection and every query, for the one thread that owns it (the store
/// thread). Not thread-safe: `Store` serialises all calls onto that thread. Each write runs in
/// one transaction and records what it changed; `takeChanges()` hands that to the store, which
/// emits it after the commit.
class Database
{
public:
    explicit Database(QString connectionName);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    /// Opens (creating or migrating) the file. An unusable file (damaged, not a database, sealed
    /// with another key) is moved aside and a fresh database started; the report says so.
    Result<OpenReport> open(const StoreOptions &options, crypto::SecureBytes key);
    void close();
    [[nodiscard]] bool isOpen() const { return m_open; }
    [[nodiscard]] const Sealer &sealer() const { return m_sealer; }
    [[nodiscard]] const StoreOptions &options() const { return m_options; }

    // ---- accounts
    Result<Account> upsertAccount(AccountKind kind, const QString &remoteId, const std::optional<QString> &displayName,
                                  const std::optional<QJsonObject> &syncState);
    Result<QList<Account>> accounts();
    /// Removes the account and everything cached for it (conversations, messages, outbox).
    Result<void> removeAccount(qint64 accountId);

    // ---- conversations
    Result<Conversation> upsertConversation(const ConversationInput &input);
    Result<Conversation> conversation(qint64 conversationId);
    Result<std::optional<Conversation>> conversationByRemoteId(qint64 accountId, const QString &remoteId);
    /// Newest activity first; `accountId` 0 means every account.
    Result<QList<Conversation>> conversations(qint64 accountId, int limit, int offset);
    Result<void> removeConversation(qint64 conversationId);
    /// Replaces the member list (read markers of members who stay are kept).
    Result<void> setMembers(qint64 conversationId, const QList<Member> &members);
    Result<QList<Member>> members(qint64 conversationId);
    /// Moves a member's read marker forward (never back).
    Result<void> setMemberReadMarker(qint64 conversationId, const QString &userId, qint64 marker);
    /// Moves this account's read marker forward and recounts the unread messages after it.
    Result<Conversation> markRead(qint64 conversationId, qint64 marker);

    // ---- messages
    /// Inserts what a service delivered. Already-known ids are no-ops, except this account's
    /// pending messages, which the echo confirms (they become sent and move to their sequence).
    Result<InsertReport> insertMessages(qint64 conversationId, const QList<IncomingMessage> &messages);
    /// The newest `count` messages, newest first.
    Result<QList<Message>> newestMessages(qint64 conversationId, int count);
    /// Up to `count` messages older than `before`, newest first.
    Result<QList<Message>> messagesBefore(qint64 conversationId, MessageKey before, int count);
    /// The newest `count` messages with attachments, oldest first.
    Result<QList<Message>> messagesWithAttachments(qint64 conversationId, int count);
    /// Up to `count` messages newer than `after`, oldest first.
    Result<QList<Message>> messagesAfter(qint64 conversationId, MessageKey after, int count);
    Result<Message> message(qint64 messageId);
    Result<std::optional<Message>> messageByRemoteId(qint64 conversationId, const QString &remoteId);
    /// The sent or received message at the server's `sequence` (its key is {false, sequence}).
    Result<std::optional<Message>> messageBySequence(qint64 conversationId, qint64 sequence);
    /// The first message a prepared message query (MessageColumns) returns, if any.
    Result<std::optional<Message>> firstMessage(QSqlQuery &q);
    /// Read-modify-write of one message in a transaction (edits, reactions, delete for
    /// everyone, verification results). The mutator returns false when it changed nothing. Its
    /// id, conversation, key and delivery are not the mutator's to change.
    using Mutator = std::function<bool(Message &)>;
    Result<std::optional<Message>> modifyMessage(qint64 conversationId, const QString &remoteId, const Mutator &mutate);
    /// Deletes messages for this device only (rows and attachments gone). Returns how many.
    Result<int> removeMessages(qint64 conversationId, const QStringList &remoteIds);

    // ---- outbox
    /// Writes an outgoing message (sealed, Pending) before any network I/O.
    Result<Message> enqueue(qint64 conversationId, const OutgoingMessage &message);
    /// Marks up to `limit` due entries of `accountIds` (empty: any) Sending and returns them,
    /// oldest first; only each conversation's oldest waiting message, so they leave in order.
    Result<QList<OutboxItem>> claimDue(qint64 nowMs, const QList<qint64> &accountIds, int limit);
    /// The server accepted it: Sent, moved to its sequence, out of the outbox.
    Result<std::optional<Message>> markSent(qint64 messageId, const SendReceipt &receipt);
    /// An attempt failed: scheduled again (transient error, attempts left) or Failed.
    Result<Message> markFailed(qint64 messageId, const Error &error, qint64 nowMs);
    /// A claimed (Sending) entry goes back to waiting without counting an attempt: it never went
    /// out (the account went offline), or whether it did is unknown and the resend is safe.
    Result<Message> release(qint64 messageId);
    /// The person asked to try a Failed (or waiting) message again now.
    Result<Message> retry(qint64 messageId, qint64 nowMs);
    /// The person gave up on an unsent message: it is removed. Refused while it is on the wire.
    Result<void> discard(qint64 messageId);
    /// When the earliest waiting entry is due (0: nothing waits).
    Result<qint64> nextAttemptMs(const QList<qint64> &accountIds);
    /// Every message not sent yet (pending, sending, failed), oldest first.
    Result<QList<Message>> unsent();

    // ---- housekeeping
    Result<HousekeepingReport> housekeep();
    /// `PRAGMA quick_check`: ok, or a Storage error naming the first problem.
    Result<void> checkIntegrity();

    /// What the writes since the last call changed (conversation records re-read).
    ChangeSet takeChanges();
    /// True after an operation hit a damaged file; the store then recovers.
    [[nodiscard]] bool sawCorruption() const { return m_sawCorruption; }
    /// Closes, moves the damaged file aside and opens a fresh one.
    Result<OpenReport> recoverFromCorruption();

private:
    class Transaction;
    friend class Transaction;

    QSqlQuery &prepared(const char *sql);
    bool exec(QSqlQuery &query);
    Error failure(const QSqlQuery &query, const char *doing);
    /// After a `while (query.next())` loop: a step that failed (a damaged page, an I/O error) ends
    /// the loop like the last row does, so it is only seen here. Finishes the query.
    Result<void> rowsDone(QSqlQuery &query, const char *doing);
    Result<void> execAll(const QStringList &statements, const char *doing);
    Result<OpenReport> openFile(bool allowRecreate, const QString &recreateReason);
    Result<void> configureConnection();
    Result<void> checkSealingKey();
    Result<int> recoverInterruptedSends();
    QString moveAside(const QString &why);
    /// Moves the file aside and opens a fresh one, carrying over the unsent messages that read.
    Result<OpenReport> replaceUnusable(const QString &why);
    struct SalvagedSend
    {
        AccountKind accountKind = AccountKind::XChat;
        QString accountRemoteId;
        QString conversationRemoteId;
        ConversationKind conversationKind = ConversationKind::Direct;
        OutgoingMessage message;
    };
    QList<SalvagedSend> salvageOutbox();
    int restoreOutbox(const QList<SalvagedSend> &salvaged);
    void dropConnection();

    Message readMessage(const QSqlQuery &query) const;
    Result<void> loadAttachments(Message &message);
    Result<QList<Message>> readMessages(QSqlQuery &query, const char *doing);
    /// A page of `sql` whose parameters are (conversation, key.pending, key.sortKey, count).
    Result<QList<Message>> keyedPage(const char *sql, qint64 conversationId, MessageKey key, int count,
                                     const char *doing);
    Result<Message> messageRow(qint64 messageId);
    Conversation readConversation(const QSqlQuery &query) const;
    Result<void> writeAttachments(qint64 messageId, const QList<Attachment> &attachments);
    QByteArray sealContent(const QString &text, const QJsonObject &extra) const;
    Result<qint64> nextLocalOrder();
    /// The end of an outbox transition: the message's delivery state, the change noted, commit.
    Result<Message> commitDelivery(Transaction &tx, qint64 messageId, DeliveryState delivery, const char *doing);
    Result<qint64> conversationAccount(qint64 conversationId);
    /// After messages changed: the newest message's preview and the activity time.
    Result<void> refreshPreview(qint64 conversationId);
    void touchConversation(qint64 conversationId);
    void mergeUncommitted();
    void noteInserted(const Message &message);
    void noteChanged(const Message &message, MessageKey previousKey);
    void noteRemoved(qint64 conversationId, MessageKey key);

    QString m_connectionName;
    QSqlDatabase m_db;
    StoreOptions m_options;
    Sealer m_sealer;
    bool m_open = false;
    bool m_sawCorruption = false;
    /// Node-based: a reference prepared() returned stays valid when later statements are added
    /// (QHash moves its values when it grows).
    std::unordered_map<const char *, QSqlQuery> m_queries;
    ChangeSet m_changes;                ///< committed, not yet taken
    ChangeSet m_uncommitted;            ///< of the transaction in progress
    QList<qint64> m_added, m_dirty;     ///< conversations added / changed, committed
    QList<qint64> m_txAdded, m_txDirty; ///< ... in the transaction in progress
};

} // namespace confab::store
