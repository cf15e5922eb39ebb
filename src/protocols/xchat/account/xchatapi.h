#pragma once

#include "core/result.h"
#include "crypto/identitykeys.h"
#include "net/httpclient.h"
#include "protocols/xchat/signingkeydirectory.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <qcoro/qcorotask.h>

#include <optional>
#include <wire/xchat_types.h>

namespace confab::xchat {

/// A user as `includes.users` and the users endpoints describe them.
struct RemoteUser
{
    QString id;
    QString name;
    QString username;
    QString avatarUrl;
};

/// One entry of `GET /2/chat/conversations`.
struct RemoteConversation
{
    QString id; ///< canonical: `min:max` or `g…`
    bool group = false;
    QStringList memberIds;
    QStringList adminIds;
    QString title;
    QString avatarUrl;
    QString updatedAt; ///< as served; a change means news
    bool muted = false;
};

struct ConversationPage
{
    bool notModified = false; ///< 304 to If-None-Match: nothing changed anywhere
    QList<RemoteConversation> conversations;
    QList<RemoteUser> users;
    QString nextToken;
    QByteArray etag;
};

/// An upload session from `POST /2/chat/media/upload/initialize`.
struct UploadSession
{
    QString sessionId;
    QString mediaHashKey; ///< names the media in the message and in downloads
};

struct EventsPage
{
    QList<QByteArray> events;    ///< base64 MessageEvents, as served (newest first)
    QList<QByteArray> keyEvents; ///< meta.conversation_key_events
    QString nextToken;           ///< empty: no older page
};

/// The X Chat REST API of ../shared/specs/xchat-protocol.md §1, typed, over one account's
/// HttpClient. Every call is a coroutine; errors are the client's typed Errors, plus Protocol
/// errors for answers of the wrong shape.
class XChatApi
{
public:
    explicit XChatApi(net::HttpClient &http) : m_http(http) {}
    [[nodiscard]] net::HttpClient &http() { return m_http; }

    [[nodiscard]] QCoro::Task<Result<RemoteUser>> me();
    [[nodiscard]] QCoro::Task<Result<QList<RemoteUser>>> users(QStringList ids);
    [[nodiscard]] QCoro::Task<Result<RemoteUser>> userByUsername(QString username);

    [[nodiscard]] QCoro::Task<Result<ConversationPage>> conversations(QString paginationToken, QByteArray etag);
    [[nodiscard]] QCoro::Task<Result<EventsPage>> events(QString conversationId, QString paginationToken,
                                                         int maxResults);

    /// Published keys (every version) of up to 100 users each call; binding not yet checked.
    [[nodiscard]] QCoro::Task<Result<QList<PublicKeyRecord>>> publicKeys(QStringList userIds);
    /// Registers this device's keys: the version the server gave them.
    [[nodiscard]] QCoro::Task<Result<QString>> registerKeys(QString userId, crypto::KeyRegistration registration);

    /// `POST …/keys`: the canonical conversation id the server answered with.
    [[nodiscard]] QCoro::Task<Result<QString>> postKeys(QString pathId, QJsonObject body);
    [[nodiscard]] QCoro::Task<Result<QString>> initializeGroup();
    [[nodiscard]] QCoro::Task<Result<void>> createGroup(QJsonObject body);
    [[nodiscard]] QCoro::Task<Result<void>> addMembers(QString conversationId, QJsonObject body);
    /// `POST …/messages` (retried safely: the server deduplicates on message_id): the stored event.
    [[nodiscard]] QCoro::Task<Result<wire::MessageEvent>> sendMessage(QString conversationId, QJsonObject body);
    [[nodiscard]] QCoro::Task<Result<void>> markRead(QString conversationId, QString sequenceId);
    [[nodiscard]] QCoro::Task<Result<void>> typing(QString conversationId);
    /// The ciphertext of an attachment (GET /2/chat/media/{id}/{media_hash_key}) into `sink`, as
    /// it arrives. `progress` gets (received, total; -1 when unknown).
    [[nodiscard]] QCoro::Task<Result<void>> downloadMedia(QString conversationId, QString mediaHashKey, QIODevice *sink,
                                                          std::function<void(qint64, qint64)> progress);
    [[nodiscard]] QCoro::Task<Result<void>> deleteMessages(QString conversationId, QJsonObject body);

    /// Opens an upload of `totalBytes` of ciphertext to a conversation (canonical id).
    [[nodiscard]] QCoro::Task<Result<UploadSession>> initializeUpload(QString conversationId, qint64 totalBytes,
                                                                      QPointer<net::Cancellation> cancellation);
    /// Sends segment `index` (raw bytes, multipart). Safe to repeat: the server accepts the same
    /// segment again when its answer was lost, so a dropped connection is retried by the client.
    [[nodiscard]] QCoro::Task<Result<void>> appendUpload(QString conversationId, UploadSession session, int index,
                                                         QByteArray segment, QPointer<net::Cancellation> cancellation,
                                                         std::function<void(qint64, qint64)> progress);
    /// Ends the upload after `parts` segments (safe to repeat).
    [[nodiscard]] QCoro::Task<Result<void>> finalizeUpload(QString conversationId, UploadSession session, int parts,
                                                           QPointer<net::Cancellation> cancellation);

private:
    net::HttpClient &m_http;
};

} // namespace confab::xchat
