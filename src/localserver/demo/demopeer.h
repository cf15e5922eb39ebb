#pragma once

#include "core/result.h"
#include "crypto/identitykeys.h"
#include "localserver/demo/apiclient.h"
#include "protocols/xchat/conversationkeyring.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/outgoing.h"
#include "protocols/xchat/signingkeydirectory.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QImage>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <qcoro/qcorotask.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace confab::localserver::demo {

class ApiClient;

/// A message of a conversation as a peer knows it: received and verified, or sent by itself.
struct PeerMessage
{
    QString sequenceId;
    QString messageId;
    QString senderId;
    QString keyVersion;
    qint64 createdAtMsec = 0;
    xchat::ContentType contentType = xchat::ContentType::Unknown;
    xchat::wire::MessageEvent event;          ///< the signed event, as the server stores it
    xchat::wire::MessageEntryHolder contents; ///< decrypted

    [[nodiscard]] QString text() const;
    [[nodiscard]] bool hasMedia() const;
};

/// What a peer knows about one conversation.
struct PeerConversation
{
    QString id; ///< canonical: `min:max` or `g…`
    bool group = false;
    QString title;
    QStringList memberIds;
    xchat::ConversationKeyRing keys;
    /// Who the current key was wrapped for (user id -> identity key version), when known.
    QHash<QString, QString> currentKeyRecipients;
    QSet<QString> seen;               ///< sequence ids already processed
    QString syncedUpTo;               ///< every stored event up to this sequence id has been fetched
    QString updatedAt;                ///< as the conversation list last said
    std::deque<PeerMessage> messages; ///< the most recent messages, oldest first
};

/// A demo participant: a real X Chat client that talks to the server only over HTTP with its own
/// Bearer token and Confab's protocol code. It generates and registers identity keys, verifies
/// everyone's key bindings, starts 1:1s and groups, sends encrypted text, replies, reactions,
/// edits and images, sends typing and read markers, and receives: from the activity stream (fed
/// in by handleActivity) or by polling, key changes first, every event verified and decrypted.
///
/// All operations are coroutines that never block the event loop. Destroying the peer cancels
/// them: awaiting callers get ErrorKind::Cancelled.
class DemoPeer : public QObject
{
    Q_OBJECT
public:
    DemoPeer(QString userId, QString username, QString displayName, QUrl baseUrl, QString accessToken,
             QObject *parent = nullptr);
    ~DemoPeer() override;

    [[nodiscard]] const QString &userId() const { return m_userId; }
    [[nodiscard]] const QString &username() const { return m_username; }
    [[nodiscard]] const QString &displayName() const { return m_displayName; }
    [[nodiscard]] const QString &keyVersion() const { return m_keyVersion; }
    [[nodiscard]] bool hasKeys() const { return m_actions != nullptr; }

    // ---- keys ----------------------------------------------------------------------------------
    /// Generates identity and signing keys and registers them (POST /2/users/{id}/public_keys).
    [[nodiscard]] QCoro::Task<Result<void>> registerKeys();
    /// Fetches users' published keys and keeps those whose binding verifies.
    [[nodiscard]] QCoro::Task<Result<void>> fetchKeys(QStringList userIds);
    /// Whether `userId` has published at least one key (cheap: one GET).
    [[nodiscard]] QCoro::Task<Result<bool>> hasPublishedKey(QString userId);

    // ---- conversations -------------------------------------------------------------------------
    /// Starts (or, if it exists already, returns) the 1:1 with `recipientId`: the canonical id.
    [[nodiscard]] QCoro::Task<Result<QString>> startDirect(QString recipientId,
                                                           std::optional<qint64> createdAt = std::nullopt);
    /// Creates a group with `memberIds` (this peer is added and becomes its admin): the `g…` id.
    [[nodiscard]] QCoro::Task<Result<QString>> createGroup(QStringList memberIds, QString title,
                                                           std::optional<qint64> createdAt = std::nullopt);
    /// Gives the conversation a fresh key for its members' newest identity keys.
    [[nodiscard]] QCoro::Task<Result<void>> rotateKey(QString conversationId);
    /// Rotates when there is no current key, or a member has a newer identity key than the
    /// current key was wrapped for.
    [[nodiscard]] QCoro::Task<Result<void>> ensureSendKey(QString conversationId);

    // ---- sending -------------------------------------------------------------------------------
    /// Encrypts and sends `contents` with the current key; `createdAt` backdates demo history.
    [[nodiscard]] QCoro::Task<Result<PeerMessage>> send(QString conversationId,
                                                        xchat::wire::MessageEntryHolder contents,
                                                        std::optional<qint64> createdAt = std::nullopt);
    [[nodiscard]] QCoro::Task<Result<PeerMessage>> sendText(QString conversationId, QString text,
                                                            std::optional<qint64> createdAt = std::nullopt);
    /// Replies to a message this peer knows (by sequence id), quoting it with the signed original.
    [[nodiscard]] QCoro::Task<Result<PeerMessage>> sendReply(QString conversationId, QString targetSequenceId,
                                                             QString text,
                                                             std::optional<qint64> createdAt = std::nullopt);
    /// Encrypts `image` as PNG (secretstream), uploads it and sends it with `caption`.
    [[nodiscard]] QCoro::Task<Result<PeerMessage>> sendImage(QString conversationId, QImage image, QString filename,
                                                             QString caption,
                                                             std::optional<qint64> createdAt = std::nullopt);
    /// Encrypts and uploads media bytes with the key of `keyVersion`: the media hash key.
    [[nodiscard]] QCoro::Task<Result<QString>> uploadMedia(QString conversationId, QByteArray plaintext,
                                                           QString keyVersion);
    /// Downloads and decrypts media with the key of `keyVersion`.
    [[nodiscard]] QCoro::Task<Result<QByteArray>> downloadMedia(QString conversationId, QString keyVersion,
                                                                QString mediaHashKey);
    [[nodiscard]] QCoro::Task<Result<void>> sendTyping(QString conversationId);
    [[nodiscard]] QCoro::Task<Result<void>> markRead(QString conversationId, QString sequenceId);

    // ---- receiving -----------------------------------------------------------------------------
    /// Subscribes this user to `eventType` deliveries on the activity stream of the client its
    /// token was issued to.
    [[nodiscard]] QCoro::Task<Result<void>> subscribe(QString eventType = QStringLiteral("chat.received"));
    /// Fetches the conversation list and every conversation's new events, and processes them.
    [[nodiscard]] QCoro::Task<Result<void>> sync();
    /// Fetches one conversation's new events (GET …/events, pages until known ground) and
    /// processes them, key changes from `meta.conversation_key_events` first.
    [[nodiscard]] QCoro::Task<Result<void>> catchUp(QString conversationId);
    /// Hands over one activity-stream delivery; processed in order with everything else received.
    void handleActivity(const QJsonObject &payload);
    /// Asks for a catch-up (sync) through the same ordered inbox.
    void requestSync();
    /// Polls (sync) every `msecs`; 0 stops polling.
    void setPolling(int msecs);

    [[nodiscard]] QStringList conversationIds() const;
    [[nodiscard]] const PeerConversation *conversation(const QString &id) const;
    [[nodiscard]] const xchat::SigningKeyDirectory &directory() const { return m_directory; }
    /// A message this peer knows, by sequence id.
    [[nodiscard]] const PeerMessage *message(const QString &conversationId, const QString &sequenceId) const;

Q_SIGNALS:
    /// A new event in a conversation, verified (where signed) and decrypted. Own messages are not
    /// reported.
    void eventReceived(const QString &conversationId, const confab::xchat::VerifiedEvent &event);
    /// An event that failed the receiver rules (logged without contents).
    void eventRejected(const QString &conversationId, const confab::Error &error);

private:
    struct InboxItem
    {
        bool sync = false;
        QJsonObject activity;
    };

    PeerConversation &conversationState(const QString &id);
    [[nodiscard]] QCoro::Task<Result<void>> ensureSigningKeys(QHash<QString, QString> versions);
    [[nodiscard]] QCoro::Task<Result<void>> processActivity(QJsonObject payload);
    [[nodiscard]] QCoro::Task<Result<void>> postKeyChange(QString conversationId, QString pathId, QStringList memberIds,
                                                          std::optional<qint64> createdAt);
    [[nodiscard]] QCoro::Task<Result<PeerMessage>> sendWithKey(QString conversationId,
                                                               xchat::wire::MessageEntryHolder contents,
                                                               QString keyVersion, std::optional<qint64> createdAt);
    [[nodiscard]] QCoro::Task<Result<QList<xchat::Participant>>> participantsFor(QStringList memberIds);
    QCoro::Task<> pump();
    /// Processes decoded events (ascending) and key changes of one conversation.
    void accept(PeerConversation &conv, const QList<QByteArray> &keyEvents, const QList<QByteArray> &events);
    void remember(PeerConversation &conv, PeerMessage message);
    void noteKeyRecipients(PeerConversation &conv, const xchat::wire::MessageEvent &keyChange);
    [[nodiscard]] xchat::LocalIdentity identity() const;
    /// Sends `request` dated `createdAt` (seeded history); if the server refuses to backdate
    /// this conversation, sends it again undated and stops dating the conversation.
    [[nodiscard]] QCoro::Task<Result<ApiResponse>> sendDated(ApiRequest request, QString conversationId,
                                                             std::optional<qint64> createdAt);

    QString m_userId;
    QString m_username;
    QString m_displayName;
    QString m_keyVersion;
    std::optional<crypto::IdentityKeys> m_keys;
    std::unique_ptr<xchat::OutgoingActions> m_actions;
    xchat::SigningKeyDirectory m_directory;
    std::map<QString, PeerConversation> m_conversations;
    QHash<QString, qint64> m_keyFetchedAt; ///< user id -> when its keys were last fetched
    QByteArray m_listEtag;
    QSet<QString> m_backdatingRefused; ///< conversations whose history the server would not backdate
    std::deque<InboxItem> m_inbox;
    bool m_pumping = false;
    bool m_stopping = false;
    QTimer m_poll;
    ApiClient *m_api = nullptr;
};

} // namespace confab::localserver::demo
