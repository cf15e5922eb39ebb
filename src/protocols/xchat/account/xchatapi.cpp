#include "protocols/xchat/account/xchatapi.h"

#include "crypto/base64.h"
#include "protocols/xchat/outgoing.h"
#include "protocols/xchat/thriftcodec.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QUuid>

namespace confab::xchat {

namespace {

/// Outside the coroutines: GCC 12 destroys a braced temporary built inside one twice.
void addHeader(net::Request &request, const QByteArray &name, const QByteArray &value)
{
    request.headers.append(std::make_pair(name, value));
}

Error shapeError(const QString &detail)
{
    return Error(ErrorKind::Protocol, QStringLiteral("X answered in a way Confab does not understand."), detail);
}

QString chatPath(const QString &conversationId, const char *suffix)
{
    return QStringLiteral("/2/chat/conversations/") + conversationPathId(conversationId) + QLatin1String(suffix);
}

RemoteUser userFrom(const QJsonObject &o)
{
    RemoteUser u;
    u.id = o.value(QLatin1String("id")).toString();
    u.name = o.value(QLatin1String("name")).toString();
    u.username = o.value(QLatin1String("username")).toString();
    u.avatarUrl = o.value(QLatin1String("profile_image_url")).toString();
    return u;
}

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        out << e.toString();
    return out;
}

/// The body of a successful answer as JSON, with `data` required to be an object or array.
Result<QJsonObject> jsonData(const Result<net::Response> &response)
{
    if (!response)
        return response.error();
    Result<QJsonObject> json = response.value().json();
    if (!json)
        return json.error();
    if (!json.value().value(QLatin1String("data")).isObject() && !json.value().value(QLatin1String("data")).isArray()) {
        // X answers "not found" for a lookup with 200 and an `errors` list instead of `data`.
        const QJsonObject first = json.value().value(QLatin1String("errors")).toArray().first().toObject();
        if (first.value(QLatin1String("type")).toString().endsWith(QLatin1String("/resource-not-found")))
            return Error(ErrorKind::NotFound, QStringLiteral("X has nothing by that name."),
                                                             first.value(QLatin1String("detail")).toString());
        return shapeError(QStringLiteral("HTTP %1 without data").arg(response.value().status));
    }
    return json;
}

} // namespace

QCoro::Task<Result<RemoteUser>> XChatApi::me()
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("user.fields"), QStringLiteral("profile_image_url"));
    auto json = jsonData(co_await m_http.send(net::Request::get(QStringLiteral("/2/users/me"), query)));
    if (!json)
        co_return json.error();
    RemoteUser u = userFrom(json.value().value(QLatin1String("data")).toObject());
    if (u.id.isEmpty())
        co_return shapeError(QStringLiteral("users/me without an id"));
    co_return u;
}

QCoro::Task<Result<QList<RemoteUser>>> XChatApi::users(QStringList ids)
{
    QList<RemoteUser> out;
    ids.removeDuplicates();
    for (qsizetype first = 0; first < ids.size(); first += 100) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("ids"), ids.mid(first, 100).join(QLatin1Char(',')));
        query.addQueryItem(QStringLiteral("user.fields"), QStringLiteral("profile_image_url"));
        auto json = jsonData(co_await m_http.send(net::Request::get(QStringLiteral("/2/users"), query)));
        if (!json)
            co_return json.error();
        for (const QJsonValue &v : json.value().value(QLatin1String("data")).toArray())
            out << userFrom(v.toObject());
    }
    co_return out;
}

QCoro::Task<Result<RemoteUser>> XChatApi::userByUsername(QString username)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("user.fields"), QStringLiteral("profile_image_url"));
    const QString path =
        QStringLiteral("/2/users/by/username/") + QString::fromLatin1(QUrl::toPercentEncoding(username));
    auto json = jsonData(co_await m_http.send(net::Request::get(path, query)));
    if (!json && json.error().kind() == ErrorKind::NotFound)
        co_return Error(ErrorKind::NotFound,
                        QCoreApplication::translate("confab::xchat", "There is no one called @%1 on X.").arg(username),
                        json.error().detail());
    if (!json)
        co_return json.error();
    RemoteUser u = userFrom(json.value().value(QLatin1String("data")).toObject());
    if (u.id.isEmpty())
        co_return shapeError(QStringLiteral("user lookup without an id"));
    co_return u;
}

QCoro::Task<Result<ConversationPage>> XChatApi::conversations(QString paginationToken, QByteArray etag)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("max_results"), QStringLiteral("100"));
    query.addQueryItem(QStringLiteral("expansions"), QStringLiteral("member_ids,admin_ids"));
    query.addQueryItem(QStringLiteral("chat_conversation.fields"),
                                      QStringLiteral("type,group_name,group_avatar_url,updated_at,is_muted"));
    query.addQueryItem(QStringLiteral("user.fields"), QStringLiteral("profile_image_url"));
    if (!paginationToken.isEmpty())
        query.addQueryItem(QStringLiteral("pagination_token"), paginationToken);
    net::Request request = net::Request::get(QStringLiteral("/2/chat/conversations"), query);
    if (paginationToken.isEmpty() && !etag.isEmpty()) {
        addHeader(request, QByteArrayLiteral("If-None-Match"), etag);
        request.acceptedStatuses.append(304);
    }
    auto response = co_await m_http.send(std::move(request));
    ConversationPage page;
    if (response && response.value().status == 304) {
        page.notModified = true;
        page.etag = etag;
        co_return page;
    }
    auto json = jsonData(response);
    if (!json)
        co_return json.error();
    page.etag = response.value().header("ETag");
    for (const QJsonValue &v : json.value().value(QLatin1String("data")).toArray()) {
        const QJsonObject o = v.toObject();
        RemoteConversation c;
        c.id = canonicalConversationId(o.value(QLatin1String("id")).toString());
        if (c.id.isEmpty())
            continue;
        c.group =
            c.id.startsWith(QLatin1Char('g')) || o.value(QLatin1String("type")).toString() == QLatin1String("group");
        c.memberIds = stringList(o.value(QLatin1String("member_ids")));
        if (c.memberIds.isEmpty())
            c.memberIds = stringList(o.value(QLatin1String("participant_ids")));
        if (c.memberIds.isEmpty() && !c.group)
            c.memberIds = c.id.split(QLatin1Char(':'));
        c.adminIds = stringList(o.value(QLatin1String("admin_ids")));
        c.title = o.value(QLatin1String("group_name")).toString();
        c.avatarUrl = o.value(QLatin1String("group_avatar_url")).toString();
        c.updatedAt = o.value(QLatin1String("updated_at")).toString();
        c.muted = o.value(QLatin1String("is_muted")).toBool();
        page.conversations << c;
    }
    for (const QJsonValue &v :
         json.value().value(QLatin1String("includes")).toObject().value(QLatin1String("users")).toArray())
        page.users << userFrom(v.toObject());
    const QJsonObject meta = json.value().value(QLatin1String("meta")).toObject();
    if (meta.value(QLatin1String("has_more")).toBool(true))
        page.nextToken = meta.value(QLatin1String("next_token")).toString();
    co_return page;
}

QCoro::Task<Result<EventsPage>> XChatApi::events(QString conversationId, QString paginationToken, int maxResults)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("max_results"), QString::number(std::clamp(maxResults, 1, 100)));
    if (!paginationToken.isEmpty())
        query.addQueryItem(QStringLiteral("pagination_token"), paginationToken);
    auto json = jsonData(co_await m_http.send(net::Request::get(chatPath(conversationId, "/events"), query)));
    if (!json)
        co_return json.error();
    EventsPage page;
    for (const QJsonValue &v : json.value().value(QLatin1String("data")).toArray())
        page.events << v.toObject().value(QLatin1String("encoded_event")).toString().toLatin1();
    const QJsonObject meta = json.value().value(QLatin1String("meta")).toObject();
    for (const QJsonValue &k : meta.value(QLatin1String("conversation_key_events")).toArray())
        page.keyEvents << k.toString().toLatin1();
    if (meta.value(QLatin1String("has_more")).toBool(true))
        page.nextToken = meta.value(QLatin1String("next_token")).toString();
    co_return page;
}

QCoro::Task<Result<QList<PublicKeyRecord>>> XChatApi::publicKeys(QStringList userIds)
{
    QList<PublicKeyRecord> out;
    userIds.removeDuplicates();
    for (qsizetype first = 0; first < userIds.size(); first += 100) {
        const QStringList batch = userIds.mid(first, 100);
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("ids"), batch.join(QLatin1Char(',')));
        query.addQueryItem(QStringLiteral("public_key.fields"),
                                          QStringLiteral("public_key,signing_public_key,identity_public_key_signature,"
                                          "public_key_version"));
        auto json = jsonData(co_await m_http.send(net::Request::get(QStringLiteral("/2/users/public_keys"), query)));
        if (!json)
            co_return json.error();
        for (const QJsonValue &value : json.value().value(QLatin1String("data")).toArray()) {
            const QJsonObject k = value.toObject();
            QString user = k.value(QLatin1String("user_id")).toString();
            if (user.isEmpty() && batch.size() == 1)
                user = batch.first();
            if (!batch.contains(user))
                continue;
            auto decode = [&k](const char *name) {
                return crypto::base64::decode(k.value(QLatin1String(name)).toString().toLatin1()).valueOr(QByteArray());
            };
            PublicKeyRecord record;
            record.userId = user;
            record.version = k.value(QLatin1String("public_key_version")).toString();
            record.identityPublicKey = decode("public_key");
            record.signingPublicKey = decode("signing_public_key");
            record.identityKeySignature = decode("identity_public_key_signature");
            out << record;
        }
    }
    co_return out;
}

QCoro::Task<Result<QString>> XChatApi::registerKeys(QString userId, crypto::KeyRegistration r)
{
    QJsonObject publicKey;
    publicKey.insert(QStringLiteral("identity_public_key_signature"),
                                    QString::fromLatin1(crypto::base64::encodePadded(r.identityKeySignature)));
    publicKey.insert(QStringLiteral("public_key"),
                                    QString::fromLatin1(crypto::base64::encodePadded(r.identityPublicKeySpki)));
    publicKey.insert(QStringLiteral("public_key_fingerprint"), QString::fromLatin1(r.fingerprint));
    publicKey.insert(QStringLiteral("registration_method"), QStringLiteral("CustomPin"));
    publicKey.insert(QStringLiteral("signing_public_key"),
                                    QString::fromLatin1(crypto::base64::encodePadded(r.signingPublicKeySpki)));
    publicKey.insert(QStringLiteral("signing_public_key_signature"),
                                    QString::fromLatin1(crypto::base64::encodePadded(r.signingKeySignature)));
    QJsonObject body;
    body.insert(QStringLiteral("public_key"), publicKey);
    body.insert(QStringLiteral("version"), QString::number(QDateTime::currentMSecsSinceEpoch()));
    body.insert(QStringLiteral("generate_version"), true);
    net::Request request = net::Request::postJson(QStringLiteral("/2/users/%1/public_keys").arg(userId), body);
    auto json = jsonData(co_await m_http.send(std::move(request)));
    if (!json)
        co_return json.error();
    const QString version =
        json.value().value(QLatin1String("data")).toObject().value(QLatin1String("public_key_version")).toString();
    if (version.isEmpty())
        co_return shapeError(QStringLiteral("key registration without public_key_version"));
    co_return version;
}

QCoro::Task<Result<QString>> XChatApi::postKeys(QString pathId, QJsonObject body)
{
    net::Request request = net::Request::postJson(QStringLiteral("/2/chat/conversations/%1/keys").arg(pathId), body);
    auto json = jsonData(co_await m_http.send(std::move(request)));
    if (!json)
        co_return json.error();
    const QString id = canonicalConversationId(
        json.value().value(QLatin1String("data")).toObject().value(QLatin1String("conversation_id")).toString());
    if (id.isEmpty())
        co_return shapeError(QStringLiteral("keys without conversation_id"));
    co_return id;
}

QCoro::Task<Result<QString>> XChatApi::initializeGroup()
{
    net::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/2/chat/conversations/group/initialize");
    auto json = jsonData(co_await m_http.send(std::move(request)));
    if (!json)
        co_return json.error();
    const QString id =
        json.value().value(QLatin1String("data")).toObject().value(QLatin1String("conversation_id")).toString();
    if (!id.startsWith(QLatin1Char('g')))
        co_return shapeError(QStringLiteral("group/initialize returned no group id"));
    co_return id;
}

QCoro::Task<Result<void>> XChatApi::createGroup(QJsonObject body)
{
    auto json =
        jsonData(co_await m_http.send(net::Request::postJson(QStringLiteral("/2/chat/conversations/group"), body)));
    if (!json)
        co_return json.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatApi::addMembers(QString conversationId, QJsonObject body)
{
    auto response = co_await m_http.send(net::Request::postJson(chatPath(conversationId, "/members"), body));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<wire::MessageEvent>> XChatApi::sendMessage(QString conversationId, QJsonObject body)
{
    net::Request request = net::Request::postJson(chatPath(conversationId, "/messages"), body);
    const QString messageId = body.value(QLatin1String("message_id")).toString();
    request.idempotencyKey = messageId;
    auto json = jsonData(co_await m_http.send(std::move(request)));
    if (!json)
        co_return json.error();
    const QString encoded =
        json.value().value(QLatin1String("data")).toObject().value(QLatin1String("encoded_message_event")).toString();
    auto event = decodeEventBase64(encoded.toLatin1());
    if (!event)
        co_return shapeError(QStringLiteral("the send answer holds no readable event: ") + event.error().detail());
    if (fromWire(event.value().message_id) != messageId) // (request was moved from)
        co_return shapeError(QStringLiteral("the send answer is for another message"));
    co_return event;
}

QCoro::Task<Result<void>> XChatApi::markRead(QString conversationId, QString sequenceId)
{
    QJsonObject body;
    body.insert(QStringLiteral("seen_until_sequence_id"), sequenceId);
    net::Request request = net::Request::postJson(chatPath(conversationId, "/read"), body);
    request.idempotencyKey = sequenceId; // marking read up to a point twice is harmless
    auto response = co_await m_http.send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatApi::typing(QString conversationId)
{
    net::Request request;
    request.method = "POST";
    request.path = chatPath(conversationId, "/typing");
    request.maxAttempts = 1; // stale a second later: never worth a retry
    auto response = co_await m_http.send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatApi::downloadMedia(QString conversationId, QString mediaHashKey, QIODevice *sink,
                                                  std::function<void(qint64, qint64)> progress)
{
    static const QRegularExpression keyPattern(QStringLiteral("^[a-zA-Z0-9]{1,50}$"));
    if (!keyPattern.match(mediaHashKey).hasMatch())
        co_return Error(ErrorKind::InvalidInput,
                        QCoreApplication::translate("confab::xchat", "This attachment has no valid media key."),
                        QStringLiteral("media_hash_key does not match ^[a-zA-Z0-9]{1,50}$"));
    net::Request request =
        net::Request::get(QStringLiteral("/2/chat/media/%1/%2") .arg(conversationPathId(conversationId), mediaHashKey));
    request.sink = sink;
    request.downloadProgress = std::move(progress);
    request.timeoutMs = 60 * 1000;
    auto response = co_await m_http.send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<UploadSession>> XChatApi::initializeUpload(QString conversationId, qint64 totalBytes,
                                                              QPointer<net::Cancellation> cancellation)
{
    QJsonObject body;
    body.insert(QStringLiteral("conversation_id"), conversationId);
    body.insert(QStringLiteral("total_bytes"), totalBytes);
    net::Request request = net::Request::postJson(QStringLiteral("/2/chat/media/upload/initialize"), body);
    request.cancellation = cancellation;
    auto json = jsonData(co_await m_http.send(std::move(request)));
    if (!json)
        co_return json.error();
    const QJsonObject data = json.value().value(QLatin1String("data")).toObject();
    UploadSession session{data.value(QLatin1String("session_id")).toString(),
                          data.value(QLatin1String("media_hash_key")).toString()};
    static const QRegularExpression idPattern(QStringLiteral("^[0-9]{1,19}$"));
    static const QRegularExpression keyPattern(QStringLiteral("^[a-zA-Z0-9]{1,50}$"));
    if (!idPattern.match(session.sessionId).hasMatch() || !keyPattern.match(session.mediaHashKey).hasMatch())
        co_return shapeError(QStringLiteral("the upload session has no usable session_id or media_hash_key"));
    co_return session;
}

QCoro::Task<Result<void>> XChatApi::appendUpload(QString conversationId, UploadSession session, int index,
                                                 QByteArray segment, QPointer<net::Cancellation> cancellation,
                                                 std::function<void(qint64, qint64)> progress)
{
    // multipart/form-data (RFC 7578) with the segment as raw bytes: a third smaller than base64.
    const QByteArray boundary = "confab-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    QByteArray body;
    body.reserve(segment.size() + 1024);
    auto field = [&body, &boundary](const QByteArray &name, const QByteArray &value, bool file) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + '"';
        if (file)
            body += "; filename=\"blob\"\r\nContent-Type: application/octet-stream";
        body += "\r\n\r\n" + value + "\r\n";
    };
    field("segment_index", QByteArray::number(index), false);
    field("conversation_id", conversationId.toUtf8(), false);
    field("media_hash_key", session.mediaHashKey.toUtf8(), false);
    field("media", segment, true);
    body += "--" + boundary + "--\r\n";
    net::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/2/chat/media/upload/%1/append").arg(session.sessionId);
    request.body = std::move(body);
    request.contentType = "multipart/form-data; boundary=" + boundary;
    request.idempotencyKey = session.sessionId + QLatin1Char('/') + QString::number(index);
    request.cancellation = cancellation;
    request.uploadProgress = std::move(progress);
    request.timeoutMs = 60 * 1000;
    auto response = co_await m_http.send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatApi::finalizeUpload(QString conversationId, UploadSession session, int parts,
                                                   QPointer<net::Cancellation> cancellation)
{
    QJsonObject body;
    body.insert(QStringLiteral("conversation_id"), conversationId);
    body.insert(QStringLiteral("media_hash_key"), session.mediaHashKey);
    body.insert(QStringLiteral("num_parts"), QString::number(parts));
    net::Request request =
        net::Request::postJson(QStringLiteral("/2/chat/media/upload/%1/finalize").arg(session.sessionId), body);
    request.idempotencyKey = session.sessionId; // a repeated finalize succeeds again
    request.cancellation = cancellation;
    auto json = jsonData(co_await m_http.send(std::move(request)));
    if (!json)
        co_return json.error();
    if (!json.value().value(QLatin1String("data")).toObject().value(QLatin1String("success")).toBool())
        co_return shapeError(QStringLiteral("finalize did not report success"));
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatApi::deleteMessages(QString conversationId, QJsonObject body)
{
    net::Request request = net::Request::postJson(chatPath(conversationId, "/messages/delete"), body);
    // Deleting the same messages twice changes nothing: safe to repeat.
    request.idempotencyKey = body.value(QLatin1String("action_signatures"))
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(QLatin1String("message_id"))
                                 .toString();
    auto response = co_await m_http.send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

} // namespace confab::xchat
