#pragma once

#include "core/result.h"
#include "crypto/identitykeys.h"
#include "net/httpclient.h"
#include "protocols/xchat/account/devicekeystore.h"
#include "protocols/xchat/account/eventnormalizer.h"
#include "protocols/xchat/account/mediaupload.h"
#include "protocols/xchat/account/xchatapi.h"
#include "protocols/xchat/conversationkeyring.h"
#include "protocols/xchat/outgoing.h"
#include "protocols/xchat/signingkeydirectory.h"
#include "store/outboxdispatcher.h"
#include "store/types.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <qcoro/qcorotask.h>

#include <coroutine>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace confab::store {
class Store;
}
namespace confab::net {
class AuthProvider;
class Cancellation;
} // namespace confab::net

namespace confab::xchat {

/// How an X Chat account syncs and polls.
struct XChatAccountConfig
{
    QUrl baseUrl = QUrl(QStringLiteral("https://api.x.com"));
    int pageSize = 100;            ///< events per page (X allows 1..100)
    int initialHistory = 200;      ///< events per conversation on its first sync; older ones on demand
    int activePollMs = 3000;       ///< while the window is active
    int idlePollMs = 30000;        ///< while it is not
    int maxPollMs = 5 * 60 * 1000; ///< backing off on errors and rate limits
    int typingThrottleMs = 3000;   ///< at most one typing indicator per conversation this often
    int typingLifetimeMs = 6000;   ///< how long a peer's typing indicator shows
    int verifyBatch = 200;         ///< events per worker batch
    net::RetryPolicy retry;
};

/// An async mutex for coroutines on one thread (FIFO). Destroying it resumes the coroutines still
/// waiting (from the event loop), which must then see that their owner is gone.
class AsyncLock
{
public:
    AsyncLock() = default;
    ~AsyncLock();
    AsyncLock(const AsyncLock &) = delete;
    AsyncLock &operator=(const AsyncLock &) = delete;

    struct Awaiter
    {
        AsyncLock &lock;
        bool await_ready() noexcept;
        void await_suspend(std::coroutine_handle<> handle) { lock.m_waiters.push_back(handle); }
        void await_resume() noexcept {}
    };
    [[nodiscard]] Awaiter acquire() { return Awaiter{*this}; }
    void release();

private:
    bool m_locked = false;
    std::deque<std::coroutine_handle<>> m_waiters;
};

/// One X Chat account: its device keys, its conversations and their keys, sync into the store,
/// live updates, and everything it sends. See docs/architecture.md, "The X Chat account engine".
///
/// Lives on the GUI thread but never blocks it: HTTP is asynchronous, verification and
/// decryption run on the worker pool in batches, the store works on its own thread. Every
/// operation is a coroutine; when the account is destroyed, pending ones end with Cancelled.
class XChatAccount : public QObject, public store::OutboxTransport
{
    Q_OBJECT
public:
    enum class Status { Stopped, Starting, Syncing, Online, Offline, RateLimited, SignInRequired, Failed };
    Q_ENUM(Status)

    XChatAccount(XChatAccountConfig config, net::AuthProvider &auth, DeviceKeyStore &keys, store::Store &store,
                 store::OutboxDispatcher &dispatcher, QObject *parent = nullptr);
    ~XChatAccount() override;

    /// Signs the account in: who am I, this device's keys (loaded, restored from `backupBlob`, or
    /// generated and registered on first use), the first sync, then live updates and sending.
    [[nodiscard]] QCoro::Task<Result<void>> start(std::optional<crypto::SecureBytes> backupBlob = std::nullopt);
    /// Stops live updates and sending (the outbox keeps what is unsent).
    void stop();

    [[nodiscard]] Status status() const { return m_status; }
    [[nodiscard]] qint64 accountId() const { return m_accountId; }
    [[nodiscard]] const QString &userId() const { return m_userId; }
    /// This account's user as the server described it (name, @username, avatar); empty before start().
    [[nodiscard]] RemoteUser self() const { return m_users.value(m_userId); }
    [[nodiscard]] const QString &keyVersion() const { return m_keyVersion; }
    /// This device's identity key fingerprint, to compare out of band.
    [[nodiscard]] QString fingerprint() const;
    /// A peer's identity key fingerprint at their newest verified key version (empty: not known yet).
    [[nodiscard]] QString peerFingerprint(const QString &userId) const;
    /// Looks a user up by @username (without the "@").
    [[nodiscard]] QCoro::Task<Result<RemoteUser>> findUser(QString username);
    [[nodiscard]] net::HttpClient &http() { return m_http; }
    /// The local id of a conversation by its X id (0: unknown).
    [[nodiscard]] qint64 conversationId(const QString &remoteId) const;

    /// Fetches what is new in every conversation.
    [[nodiscard]] QCoro::Task<Result<void>> sync();
    /// Loads up to `count` older events of a conversation from the server into the store: the
    /// number of messages added; history is complete when the server has nothing older.
    [[nodiscard]] QCoro::Task<Result<int>> loadOlder(qint64 conversationId, int count = 100);

    /// Starts (or finds) the 1:1 with `userId`: the local conversation id.
    [[nodiscard]] QCoro::Task<Result<qint64>> startDirect(QString userId);
    /// Creates a group with `memberIds` (this account is added) and `adminIds` (default: this account).
    [[nodiscard]] QCoro::Task<Result<qint64>> createGroup(QStringList memberIds, QString title,
                                                          QStringList adminIds = {});
    /// Adds members to a group, rotating its key for everyone.
    [[nodiscard]] QCoro::Task<Result<void>> addMembers(qint64 conversationId, QStringList userIds);

    /// Writes a text message (a reply when `replyToMessageId` is set) to the outbox: it shows at
    /// once and is sent, retried and confirmed by the outbox.
    [[nodiscard]] QCoro::Task<Result<store::Message>> sendText(qint64 conversationId, QString text,
                                                               qint64 replyToMessageId = 0);
    /// Writes a message with files and an optional caption to the outbox: it shows at once, and
    /// its files are encrypted and uploaded when the outbox sends it (uploadProgress), so that it
    /// waits there, across restarts, until its media is up. Each file is an Attachment as the
    /// media layer prepared it: fileName (safe), mimeType (from the content), sizeBytes,
    /// width/height, and `extra.localPath` (plus `extra.localKey` for a file Confab staged
    /// encrypted). At most 10 files, several only if all are pictures or videos.
    [[nodiscard]] QCoro::Task<Result<store::Message>> sendMedia(qint64 conversationId, QList<store::Attachment> files,
                                                                QString caption);
    /// Stops the upload of a message still in the outbox and removes the message.
    [[nodiscard]] QCoro::Task<Result<void>> cancelUpload(qint64 messageId);
    /// Adds or removes an emoji reaction (shown at once, sent through the outbox).
    [[nodiscard]] QCoro::Task<Result<void>> react(qint64 messageId, QString emoji, bool add = true);
    /// Replaces the text of one of this account's messages (shown at once, sent through the outbox).
    [[nodiscard]] QCoro::Task<Result<void>> edit(qint64 messageId, QString text);
    /// Deletes sent messages for this account only, or (own messages) for everyone.
    [[nodiscard]] QCoro::Task<Result<void>> deleteMessages(qint64 conversationId, QList<qint64> messageIds,
                                                           bool forEveryone);
    /// Marks the conversation read up to its newest message.
    [[nodiscard]] QCoro::Task<Result<void>> markRead(qint64 conversationId);
    /// An attachment's ciphertext (its media_hash_key) into `sink`.
    [[nodiscard]] QCoro::Task<Result<void>> downloadMedia(qint64 conversationId, QString mediaId, QIODevice *sink,
                                                          std::function<void(qint64, qint64)> progress);
    /// The person is typing in the conversation (throttled).
    void userTyping(qint64 conversationId);

    /// Polls fast while the window is active, slowly otherwise.
    void setWindowActive(bool active);
    /// The conversation on screen: polled for typing indicators while the window is active.
    void setFocusedConversation(qint64 conversationId);
    /// Peers typing in a conversation now.
    [[nodiscard]] QStringList typingUsers(qint64 conversationId) const;

    // store::OutboxTransport
    [[nodiscard]] QFuture<Result<store::SendReceipt>> send(const store::OutboxItem &item) override;

Q_SIGNALS:
    void statusChanged(confab::xchat::XChatAccount::Status status);
    void typingChanged(qint64 conversationId, const QStringList &userIds);
    /// A peer's signing key changed (a trust event); also written as a KeyChange row.
    void peerKeyChanged(const QString &userId, const QString &oldVersion, const QString &newVersion);
    /// Something went wrong that no single action owns (a sync, a live update).
    void problem(const confab::Error &error);
    /// A sync pass finished.
    void synced();
    /// Ciphertext bytes of a message's files the server has so far (of `total`).
    void uploadProgress(qint64 messageId, qint64 sent, qint64 total);

private:
    struct ConvState
    {
        QString id; ///< canonical
        qint64 localId = 0;
        bool group = false;
        QStringList members;
        QStringList admins;
        QString title;
        ConversationKeyRing ring;
        QHash<QString, QString> keyRecipients; ///< who the current key was wrapped for
        bool keysLoaded = false;               ///< the ring holds every key change of the server
        qint64 newest = 0;                     ///< every event up to here is in the store
        QString olderToken;                    ///< where older history continues
        bool historyComplete = false;
        QString updatedAt;
        AsyncLock lock;
        QHash<QString, qint64> typing; ///< user id -> until (ms)
    };

    [[nodiscard]] QCoro::Task<Result<void>> setUpKeys(std::optional<crypto::SecureBytes> backupBlob);
    [[nodiscard]] QCoro::Task<Result<void>> adoptKeys(crypto::IdentityKeys keys, QString version);
    [[nodiscard]] QCoro::Task<Result<void>> fetchKeys(QStringList userIds, bool force);
    [[nodiscard]] QCoro::Task<Result<QList<Participant>>> participantsFor(QStringList userIds);
    [[nodiscard]] QCoro::Task<Result<void>> syncList();
    [[nodiscard]] QCoro::Task<Result<void>> catchUp(QString id, bool older, int limit, int *added = nullptr);
    [[nodiscard]] QCoro::Task<Result<void>> process(ConvState *conv, QList<QByteArray> keyEvents,
                                                    QList<QByteArray> events, int *added);
    [[nodiscard]] QCoro::Task<Result<void>> apply(ConvState *conv, NormalizedEvents normalized, int *added);
    [[nodiscard]] QCoro::Task<Result<void>> ensureSendKey(ConvState *conv);
    [[nodiscard]] QCoro::Task<Result<void>> postKeyChange(ConvState *conv, QString pathId);
    [[nodiscard]] QCoro::Task<Result<ConvState *>> conversationFor(qint64 localId);
    [[nodiscard]] QCoro::Task<Result<store::Message>> enqueue(ConvState *conv, wire::MessageEntryHolder contents,
                                                              store::OutgoingMessage message);
    [[nodiscard]] QCoro::Task<Result<void>> saveSyncState(ConvState *conv);
    /// Uploads the files of an outbox media message (resuming earlier runs): their attachment infos.
    [[nodiscard]] QCoro::Task<Result<QList<MediaAttachmentInfo>>> uploadFiles(ConvState *conv, qint64 messageId,
                                                                              QJsonArray files);
    QCoro::Task<> sendTask(store::OutboxItem item, std::shared_ptr<QPromise<Result<store::SendReceipt>>> promise);
    QCoro::Task<> pollOnce();
    QCoro::Task<> pollFocused();
    ConvState &state(const QString &id);
    void setStatus(Status status);
    void schedulePoll(int ms);
    void expireTyping();
    [[nodiscard]] LocalIdentity identity() const;
    [[nodiscard]] int pollInterval() const;

    XChatAccountConfig m_config;
    net::AuthProvider &m_auth;
    DeviceKeyStore &m_keyStore;
    store::Store &m_store;
    store::OutboxDispatcher &m_dispatcher;
    net::HttpClient m_http;
    XChatApi m_api;
    std::shared_ptr<bool> m_alive;

    Status m_status = Status::Stopped;
    qint64 m_accountId = 0;
    QString m_userId;
    QString m_keyVersion;
    std::optional<crypto::IdentityKeys> m_keys;
    std::unique_ptr<OutgoingActions> m_actions;
    SigningKeyDirectory m_directory;
    QHash<QString, qint64> m_keyFetchedAt;
    QSet<QString> m_versionsSought;         ///< "user/version" of signers looked up once on sight
    QHash<QString, QString> m_peerVersions; ///< newest signing-key version seen per peer (persisted)
    std::map<QString, ConvState> m_conversations;
    QHash<qint64, QString> m_byLocal;
    QHash<QString, RemoteUser> m_users;
    QByteArray m_listEtag;
    QSet<qint64> m_actionRows;          ///< outbox rows of reactions and edits: removed once sent
    QHash<qint64, qint64> m_typingSent; ///< conversation -> when typing was last sent
    /// Uploads of outbox media messages, kept between attempts so that a retry resumes them.
    std::map<qint64, std::vector<std::shared_ptr<MediaUpload>>> m_uploads;
    QHash<qint64, QPointer<net::Cancellation>> m_uploadCancels; ///< of the attempt in flight
    QSet<qint64> m_cancelledUploads;                            ///< removed once their attempt has ended
    qint64 m_focused = 0;
    bool m_windowActive = true;
    bool m_syncing = false;
    int m_failures = 0;
    QTimer m_poll;
    QTimer m_focusPoll;
    QTimer m_typingExpiry;
};

} // namespace confab::xchat
