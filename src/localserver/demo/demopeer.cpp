#include "localserver/demo/demopeer.h"

#include "core/logging.h"
#include "crypto/base64.h"
#include "crypto/mediastream.h"
#include "localserver/demo/apiclient.h"
#include "protocols/xchat/thriftcodec.h"

#include <QBuffer>
#include <QJsonArray>
#include <QUuid>

#include <algorithm>

namespace confab::localserver::demo {

using xchat::fromWire;

namespace {

constexpr qsizetype RememberedMessages = 400;
constexpr qsizetype UploadSegmentBytes = 1024 * 1024;
constexpr int MaxPages = 200;
constexpr qint64 KeyRefetchMsecs = 10000;

Error protocolError(const QString &detail)
{
    return Error(ErrorKind::Protocol, QStringLiteral("The local server answered a demo peer unexpectedly."), detail);
}

/// Sequence ids compare as numbers.
bool sequenceLess(const QString &a, const QString &b)
{
    return xchat::compareVersions(a, b).value_or(0) < 0;
}

QString pathFor(const QString &conversationId, const char *suffix)
{
    return QStringLiteral("/2/chat/conversations/") + xchat::conversationPathId(conversationId) + QLatin1String(suffix);
}

/// Refusals of the demo backdating header: worth one retry without it.
bool backdatingRefused(const Error &error)
{
    return error.kind() == ErrorKind::InvalidInput &&
           error.detail().contains(QLatin1String("x-confab-demo-created-at"));
}

} // namespace

QString PeerMessage::text() const
{
    const auto &c = contents.contents;
    if (c.__isset.message)
        return fromWire(c.message.message_text);
    if (c.__isset.message_edit)
        return fromWire(c.message_edit.updated_text);
    return {};
}

bool PeerMessage::hasMedia() const
{
    const auto &c = contents.contents;
    return c.__isset.message && std::any_of(c.message.attachments.begin(), c.message.attachments.end(),
                                            [](const auto &a) { return a.__isset.media; });
}

DemoPeer::DemoPeer(QString userId, QString username, QString displayName, QUrl baseUrl, QString accessToken,
                   QObject *parent)
    : QObject(parent)
    , m_userId(std::move(userId))
    , m_username(std::move(username))
    , m_displayName(std::move(displayName))
    , m_api(new ApiClient(std::move(baseUrl), std::move(accessToken), this))
{
    connect(&m_poll, &QTimer::timeout, this, &DemoPeer::requestSync);
}

DemoPeer::~DemoPeer()
{
    // Cancel everything in flight while this object is still whole: the coroutines waiting on
    // requests resume with Cancelled and return without touching it again.
    m_stopping = true;
    m_poll.stop();
    m_inbox.clear();
    m_api->shutDown();
}

QCoro::Task<Result<ApiResponse>> DemoPeer::sendDated(ApiRequest request, QString conversationId,
                                                     std::optional<qint64> createdAt)
{
    // The demo backdating header, unless the server refused it for this conversation before (it
    // does when the conversation already has a later event, e.g. the person wrote meanwhile).
    if (createdAt && !m_backdatingRefused.contains(conversationId))
        request.headers = {{QByteArrayLiteral("x-confab-demo-created-at"), QByteArray::number(*createdAt)}};
    auto response = co_await m_api->send(request);
    if (!response && !request.headers.isEmpty() && backdatingRefused(response.error())) {
        // History still goes in, dated now; said once per conversation.
        m_backdatingRefused.insert(conversationId);
        qCWarning(lcLocalServer) << "demo: the server does not backdate" << conversationId
                                 << "so its history is dated now:" << response.error().detail();
        request.headers.clear();
        response = co_await m_api->send(request);
    }
    co_return response;
}

xchat::LocalIdentity DemoPeer::identity() const
{
    return {m_userId, m_keyVersion, m_keys->identity()};
}

PeerConversation &DemoPeer::conversationState(const QString &id)
{
    auto [it, inserted] = m_conversations.try_emplace(id);
    if (inserted) {
        it->second.id = id;
        it->second.group = id.startsWith(QLatin1Char('g'));
        if (!it->second.group)
            it->second.memberIds = id.split(QLatin1Char(':'));
    }
    return it->second;
}

QStringList DemoPeer::conversationIds() const
{
    QStringList out;
    for (const auto &[id, conv] : m_conversations)
        out << id;
    return out;
}

const PeerConversation *DemoPeer::conversation(const QString &id) const
{
    const auto it = m_conversations.find(id);
    return it == m_conversations.end() ? nullptr : &it->second;
}

const PeerMessage *DemoPeer::message(const QString &conversationId, const QString &sequenceId) const
{
    const PeerConversation *conv = conversation(conversationId);
    if (!conv)
        return nullptr;
    for (auto it = conv->messages.rbegin(); it != conv->messages.rend(); ++it) {
        if (it->sequenceId == sequenceId)
            return &*it;
    }
    return nullptr;
}

// ---- keys -------------------------------------------------------------------------------------

QCoro::Task<Result<void>> DemoPeer::registerKeys()
{
    auto generated = crypto::IdentityKeys::generate();
    if (!generated)
        co_return generated.error();
    auto registration = generated.value().registration();
    if (!registration)
        co_return registration.error();
    const crypto::KeyRegistration &r = registration.value();
    const QJsonObject publicKey{
        {QStringLiteral("identity_public_key_signature"),
                        QString::fromLatin1(crypto::base64::encodePadded(r.identityKeySignature))},
         {QStringLiteral("public_key"), QString::fromLatin1(crypto::base64::encodePadded(r.identityPublicKeySpki))},
          {QStringLiteral("public_key_fingerprint"), QString::fromLatin1(r.fingerprint)},
           {QStringLiteral("registration_method"), QStringLiteral("CustomPin")},
            {QStringLiteral("signing_public_key"),
                            QString::fromLatin1(crypto::base64::encodePadded(r.signingPublicKeySpki))},
             {QStringLiteral("signing_public_key_signature"),
                             QString::fromLatin1(crypto::base64::encodePadded(r.signingKeySignature))},
            };
    ApiRequest request;
    request.method = "POST";
    request.path = QStringLiteral("/2/users/%1/public_keys").arg(m_userId);
    request.body = QJsonObject{{QStringLiteral("public_key"), publicKey},
                                {QStringLiteral("version"), QString::number(QDateTime::currentMSecsSinceEpoch())},
                                 {QStringLiteral("generate_version"), true}};
    auto response = co_await m_api->send(std::move(request));
    if (!response)
        co_return response.error();
    const QString version = response.value()
                                .json.value(QLatin1String("data"))
                                .toObject()
                                .value(QLatin1String("public_key_version"))
                                .toString();
    if (version.isEmpty())
        co_return protocolError(QStringLiteral("public key registration returned no public_key_version"));
    m_keyVersion = version;
    m_keys = std::move(generated).value();
    m_actions = std::make_unique<xchat::OutgoingActions>(m_userId, xchat::ActionSigner(m_keys->signing(), version));
    // Our own record as the server serves it, so our own events verify like everyone else's.
    // (Named lists: GCC 12 cannot keep an initializer list's array across a suspension.)
    const QStringList self{m_userId};
    auto own = co_await fetchKeys(self);
    if (!own)
        co_return own.error();
    if (!m_directory.find(m_userId, m_keyVersion))
        co_return protocolError(QStringLiteral("the registered key is not served back"));
    qCInfo(lcLocalServer) << "demo:" << m_username << "registered key version" << m_keyVersion;
    co_return Result<void>();
}

QCoro::Task<Result<void>> DemoPeer::fetchKeys(QStringList userIds)
{
    userIds.removeDuplicates();
    // GET /2/users/public_keys?ids= takes up to 100 users at a time.
    for (qsizetype first = 0; first < userIds.size(); first += 100) {
        const QStringList batch = userIds.mid(first, 100);
        ApiRequest request;
        request.path = QStringLiteral("/2/users/public_keys");
        request.query.addQueryItem(QStringLiteral("ids"), batch.join(QLatin1Char(',')));
        request.query.addQueryItem(QStringLiteral("public_key.fields"), QStringLiteral("public_key,signing_public_key,identity_public_key_signature,"
                                                  "public_key_version"));
        auto response = co_await m_api->send(std::move(request));
        if (!response)
            co_return response.error();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const QString &id : batch)
            m_keyFetchedAt.insert(id, now);
        for (const QJsonValue &value : response.value().json.value(QLatin1String("data")).toArray()) {
            const QJsonObject k = value.toObject();
            // Each record names its user; a single-user answer may leave that implicit.
            QString user = k.value(QLatin1String("user_id")).toString();
            if (user.isEmpty() && batch.size() == 1)
                user = batch.first();
            if (!batch.contains(user))
                continue;
            auto decode = [&k](const char *name) {
                return crypto::base64::decode(k.value(QLatin1String(name)).toString().toLatin1()).valueOr(QByteArray());
            };
            xchat::PublicKeyRecord record{user,
                                          k.value(QLatin1String("public_key_version")).toString(),
                                          decode("public_key"),
                                          decode("signing_public_key"),
                                          decode("identity_public_key_signature"),
                                          {}};
            if (m_directory.find(user, record.version))
                continue;
            // Only records whose key binding verifies are kept (spec §2.1, §2.4 rule 1).
            if (auto added = m_directory.addRecord(record); !added)
                qCWarning(lcLocalServer) << "demo: refusing a key of user" << user << "version" << record.version
                                         << added.error().toString();
        }
    }
    co_return Result<void>();
}

QCoro::Task<Result<bool>> DemoPeer::hasPublishedKey(QString userId)
{
    ApiRequest request;
    request.path = QStringLiteral("/2/users/%1/public_keys").arg(userId);
    auto response = co_await m_api->send(std::move(request));
    if (!response)
        co_return response.error();
    co_return !response.value().json.value(QLatin1String("data")).toArray().isEmpty();
}

QCoro::Task<Result<void>> DemoPeer::ensureSigningKeys(QHash<QString, QString> versions)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QStringList missing;
    for (auto it = versions.cbegin(); it != versions.cend(); ++it) {
        if (it.key().isEmpty() || m_directory.find(it.key(), it.value()))
            continue;
        if (now - m_keyFetchedAt.value(it.key(), 0) < KeyRefetchMsecs)
            continue; // fetched just now: the version is not published (yet)
        missing << it.key();
    }
    if (missing.isEmpty())
        co_return Result<void>();
    co_return co_await fetchKeys(missing);
}

QCoro::Task<Result<QList<xchat::Participant>>> DemoPeer::participantsFor(QStringList memberIds)
{
    auto fetched = co_await fetchKeys(memberIds);
    if (!fetched)
        co_return fetched.error();
    QList<xchat::Participant> out;
    for (const QString &id : std::as_const(memberIds)) {
        const auto version = m_directory.newestVersion(id);
        if (!version) {
            co_return Error(ErrorKind::NotFound,
                            QStringLiteral("Someone in this conversation has no encryption keys yet."),
                                           QStringLiteral("user %1 has no binding-verified key").arg(id));
        }
        out.append({id, *version, m_directory.find(id, *version)->identityKey});
    }
    co_return out;
}

// ---- conversations ----------------------------------------------------------------------------

QCoro::Task<Result<void>> DemoPeer::postKeyChange(QString conversationId, QString pathId, QStringList memberIds,
                                                  std::optional<qint64> createdAt)
{
    if (!m_actions)
        co_return Error(ErrorKind::Internal, QStringLiteral("Register keys first."));
    auto participants = co_await participantsFor(memberIds);
    if (!participants)
        co_return participants.error();
    auto change = m_actions->prepareConversationKeyChange(conversationId, participants.value());
    if (!change)
        co_return change.error();
    ApiRequest request;
    request.method = "POST";
    request.path = QStringLiteral("/2/chat/conversations/%1/keys").arg(pathId);
    request.body = change.value().requestBody;
    auto response = co_await sendDated(request, conversationId, createdAt);
    if (!response)
        co_return response.error();
    const QString returned = response.value()
                                 .json.value(QLatin1String("data"))
                                 .toObject()
                                 .value(QLatin1String("conversation_id"))
                                 .toString();
    if (xchat::canonicalConversationId(returned) != conversationId)
        co_return protocolError(QStringLiteral("keys returned conversation %1 for %2").arg(returned, conversationId));
    PeerConversation &conv = conversationState(conversationId);
    conv.keys.add(change.value().keyVersion, change.value().conversationKey,
                  xchat::ConversationKeyRing::Trust::Verified);
    conv.currentKeyRecipients.clear();
    for (const xchat::Participant &p : std::as_const(participants.value()))
        conv.currentKeyRecipients.insert(p.userId, p.publicKeyVersion);
    co_return Result<void>();
}

QCoro::Task<Result<QString>> DemoPeer::startDirect(QString recipientId, std::optional<qint64> createdAt)
{
    const QString id = xchat::directConversationId(m_userId, recipientId);
    if (const PeerConversation *existing = conversation(id); existing && existing->keys.currentKey())
        co_return id;
    const QStringList members{m_userId, recipientId};
    auto posted = co_await postKeyChange(id, recipientId, members, createdAt);
    if (!posted)
        co_return posted.error();
    co_return id;
}

QCoro::Task<Result<QString>> DemoPeer::createGroup(QStringList memberIds, QString title,
                                                   std::optional<qint64> createdAt)
{
    if (!m_actions)
        co_return Error(ErrorKind::Internal, QStringLiteral("Register keys first."));
    ApiRequest init;
    init.method = "POST";
    init.path = QStringLiteral("/2/chat/conversations/group/initialize");
    auto initialized = co_await m_api->send(std::move(init));
    if (!initialized)
        co_return initialized.error();
    const QString groupId = initialized.value()
                                .json.value(QLatin1String("data"))
                                .toObject()
                                .value(QLatin1String("conversation_id"))
                                .toString();
    if (!groupId.startsWith(QLatin1Char('g')))
        co_return protocolError(QStringLiteral("group/initialize returned '%1'").arg(groupId));

    QStringList members{m_userId};
    for (const QString &m : std::as_const(memberIds)) {
        if (!members.contains(m))
            members << m;
    }
    auto participants = co_await participantsFor(members);
    if (!participants)
        co_return participants.error();
    const std::optional<QString> name = title.isEmpty() ? std::nullopt : std::optional<QString>(title);
    auto created = m_actions->prepareGroupCreate(groupId, members, {m_userId}, name, participants.value());
    if (!created)
        co_return created.error();
    ApiRequest request;
    request.method = "POST";
    request.path = QStringLiteral("/2/chat/conversations/group");
    request.body = created.value().requestBody;
    auto response = co_await sendDated(request, groupId, createdAt);
    if (!response)
        co_return response.error();
    PeerConversation &conv = conversationState(groupId);
    conv.title = title;
    conv.memberIds = members;
    conv.keys.add(created.value().keyVersion, created.value().conversationKey,
                  xchat::ConversationKeyRing::Trust::Verified);
    conv.currentKeyRecipients.clear();
    for (const xchat::Participant &p : std::as_const(participants.value()))
        conv.currentKeyRecipients.insert(p.userId, p.publicKeyVersion);
    co_return groupId;
}

QCoro::Task<Result<void>> DemoPeer::rotateKey(QString conversationId)
{
    const PeerConversation &conv = conversationState(conversationId);
    QStringList members = conv.memberIds;
    if (!members.contains(m_userId))
        members.prepend(m_userId);
    co_return co_await postKeyChange(conversationId, xchat::conversationPathId(conversationId), members, std::nullopt);
}

QCoro::Task<Result<void>> DemoPeer::ensureSendKey(QString conversationId)
{
    const QStringList members = conversationState(conversationId).memberIds;
    auto fetched = co_await fetchKeys(members);
    if (!fetched)
        co_return fetched.error();
    const PeerConversation &conv = conversationState(conversationId);
    bool stale = !conv.keys.currentKey();
    for (const QString &m : members) {
        const auto newest = m_directory.newestVersion(m);
        const QString wrappedFor = conv.currentKeyRecipients.value(m);
        if (newest && !wrappedFor.isEmpty() && xchat::compareVersions(*newest, wrappedFor).value_or(0) > 0)
            stale = true;
    }
    if (!stale)
        co_return Result<void>();
    qCInfo(lcLocalServer) << "demo:" << m_username << "rotates the key of" << conversationId;
    co_return co_await rotateKey(conversationId);
}

// ---- sending ----------------------------------------------------------------------------------

QCoro::Task<Result<PeerMessage>> DemoPeer::send(QString conversationId, xchat::wire::MessageEntryHolder contents,
                                                std::optional<qint64> createdAt)
{
    const auto version = conversationState(conversationId).keys.currentVersion();
    if (!version) {
        co_return Error(ErrorKind::Crypto, QStringLiteral("This conversation has no key to send with yet."),
                                                          QStringLiteral("no current key in %1").arg(conversationId));
    }
    co_return co_await sendWithKey(conversationId, std::move(contents), *version, createdAt);
}

QCoro::Task<Result<PeerMessage>> DemoPeer::sendWithKey(QString conversationId, xchat::wire::MessageEntryHolder contents,
                                                       QString keyVersion, std::optional<qint64> createdAt)
{
    if (!m_actions)
        co_return Error(ErrorKind::Internal, QStringLiteral("Register keys first."));
    const crypto::SecureBytes *key = conversationState(conversationId).keys.key(keyVersion);
    if (!key) {
        co_return Error(ErrorKind::Crypto,
                        QStringLiteral("The conversation key is missing."),
                                       QStringLiteral("no key version %1 in %2").arg(keyVersion, conversationId));
    }
    auto encrypted = m_actions->encryptMessage(conversationId, *key, keyVersion, contents);
    if (!encrypted)
        co_return encrypted.error();
    ApiRequest request;
    request.method = "POST";
    request.path = pathFor(conversationId, "/messages");
    request.body = encrypted.value().requestBody();
    auto response = co_await sendDated(request, conversationId, createdAt);
    if (!response)
        co_return response.error();
    const QString encoded = response.value()
                                .json.value(QLatin1String("data"))
                                .toObject()
                                .value(QLatin1String("encoded_message_event"))
                                .toString();
    auto event = xchat::decodeEventBase64(encoded.toLatin1());
    if (!event)
        co_return protocolError(QStringLiteral("the send response holds no event: ") + event.error().detail());
    PeerMessage sent;
    sent.sequenceId = fromWire(event.value().sequence_id);
    sent.messageId = fromWire(event.value().message_id);
    sent.senderId = m_userId;
    sent.keyVersion = keyVersion;
    sent.createdAtMsec = fromWire(event.value().created_at_msec).toLongLong();
    sent.event = std::move(event).value();
    sent.contents = std::move(contents);
    const auto &c = sent.contents.contents;
    sent.contentType = c.__isset.message           ? xchat::ContentType::Text
                       : c.__isset.reaction_add    ? xchat::ContentType::Reaction
                       : c.__isset.reaction_remove ? xchat::ContentType::ReactionRemoved
                       : c.__isset.message_edit    ? xchat::ContentType::Edit
                                                   : xchat::ContentType::Unknown;
    if (sent.messageId != encrypted.value().messageId)
        co_return protocolError(QStringLiteral("the send response is for another message"));
    PeerConversation &conv = conversationState(conversationId);
    conv.seen.insert(sent.sequenceId);
    remember(conv, sent);
    co_return sent;
}

QCoro::Task<Result<PeerMessage>> DemoPeer::sendText(QString conversationId, QString text,
                                                    std::optional<qint64> createdAt)
{
    co_return co_await send(conversationId, xchat::textContent(text), createdAt);
}

QCoro::Task<Result<PeerMessage>> DemoPeer::sendReply(QString conversationId, QString targetSequenceId, QString text,
                                                     std::optional<qint64> createdAt)
{
    const PeerMessage *target = message(conversationId, targetSequenceId);
    if (!target || !target->contents.contents.__isset.message) {
        co_return Error(ErrorKind::NotFound,
                        QStringLiteral("The message to reply to is not known."),
                                       QStringLiteral("no message %1 in %2").arg(targetSequenceId, conversationId));
    }
    auto holder = xchat::replyContent(text, target->event, target->contents.contents.message);
    if (!holder)
        co_return holder.error();
    co_return co_await send(conversationId, std::move(holder).value(), createdAt);
}

QCoro::Task<Result<PeerMessage>> DemoPeer::sendImage(QString conversationId, QImage image, QString filename,
                                                     QString caption, std::optional<qint64> createdAt)
{
    const auto version = conversationState(conversationId).keys.currentVersion();
    if (!version) {
        co_return Error(ErrorKind::Crypto, QStringLiteral("This conversation has no key to send with yet."),
                                                          QStringLiteral("no current key in %1").arg(conversationId));
    }
    QByteArray png;
    {
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        if (!image.save(&buffer, "PNG"))
            co_return Error(ErrorKind::Internal, QStringLiteral("The demo picture could not be encoded."));
    }
    xchat::MediaAttachmentInfo info;
    info.width = image.width();
    info.height = image.height();
    info.type = xchat::MediaType::Image;
    info.filesizeBytes = png.size();
    info.filename = filename;
    auto uploaded = co_await uploadMedia(conversationId, png, *version);
    if (!uploaded)
        co_return uploaded.error();
    info.mediaHashKey = uploaded.value();
    const QList<xchat::MediaAttachmentInfo> media{info};
    co_return co_await sendWithKey(conversationId, xchat::mediaContent(media, caption), *version, createdAt);
}

QCoro::Task<Result<QString>> DemoPeer::uploadMedia(QString conversationId, QByteArray plaintext, QString keyVersion)
{
    const crypto::SecureBytes *key = conversationState(conversationId).keys.key(keyVersion);
    if (!key) {
        co_return Error(ErrorKind::Crypto,
                        QStringLiteral("The conversation key is missing."),
                                       QStringLiteral("no key version %1 in %2").arg(keyVersion, conversationId));
    }
    QByteArray ciphertext;
    {
        QBuffer in(&plaintext);
        QBuffer out(&ciphertext);
        in.open(QIODevice::ReadOnly);
        out.open(QIODevice::WriteOnly);
        auto written = crypto::encryptMedia(in, out, *key);
        if (!written)
            co_return written.error();
    }
    ApiRequest init;
    init.method = "POST";
    init.path = QStringLiteral("/2/chat/media/upload/initialize");
    init.body = QJsonObject{{QStringLiteral("conversation_id"), conversationId},
                             {QStringLiteral("total_bytes"), double(ciphertext.size())}};
    auto initialized = co_await m_api->send(std::move(init));
    if (!initialized)
        co_return initialized.error();
    const QJsonObject data = initialized.value().json.value(QLatin1String("data")).toObject();
    const QString session = data.value(QLatin1String("session_id")).toString();
    const QString hashKey = data.value(QLatin1String("media_hash_key")).toString();
    if (session.isEmpty() || hashKey.isEmpty())
        co_return protocolError(QStringLiteral("media initialize returned no session or hash key"));

    int parts = 0;
    for (qsizetype offset = 0; offset < ciphertext.size(); offset += UploadSegmentBytes, ++parts) {
        ApiRequest append;
        append.method = "POST";
        append.path = QStringLiteral("/2/chat/media/upload/%1/append").arg(session);
        append.body =
            QJsonObject{{QStringLiteral("media"), QString::fromLatin1(crypto::base64::encodePadded(
                                                      ciphertext.mid(offset, UploadSegmentBytes)))},
                         {QStringLiteral("segment_index"), parts}, {QStringLiteral("conversation_id"), conversationId},
                                                                    {QStringLiteral("media_hash_key"), hashKey}};
        auto appended = co_await m_api->send(std::move(append));
        if (!appended)
            co_return appended.error();
    }
    ApiRequest finalize;
    finalize.method = "POST";
    finalize.path = QStringLiteral("/2/chat/media/upload/%1/finalize").arg(session);
    finalize.body = QJsonObject{{QStringLiteral("conversation_id"), conversationId},
                                 {QStringLiteral("media_hash_key"), hashKey},
                                  {QStringLiteral("num_parts"), QString::number(parts)}};
    auto finalized = co_await m_api->send(std::move(finalize));
    if (!finalized)
        co_return finalized.error();
    co_return hashKey;
}

QCoro::Task<Result<QByteArray>> DemoPeer::downloadMedia(QString conversationId, QString keyVersion,
                                                        QString mediaHashKey)
{
    ApiRequest request;
    request.path = QStringLiteral("/2/chat/media/%1/%2").arg(xchat::conversationPathId(conversationId), mediaHashKey);
    auto response = co_await m_api->send(std::move(request));
    if (!response)
        co_return response.error();
    const crypto::SecureBytes *key = conversationState(conversationId).keys.key(keyVersion);
    if (!key) {
        co_return Error(ErrorKind::Crypto,
                        QStringLiteral("The conversation key is missing."),
                                       QStringLiteral("no key version %1 in %2").arg(keyVersion, conversationId));
    }
    QByteArray ciphertext = std::move(response.value().body);
    QByteArray plaintext;
    QBuffer in(&ciphertext);
    QBuffer out(&plaintext);
    in.open(QIODevice::ReadOnly);
    out.open(QIODevice::WriteOnly);
    auto decrypted = crypto::decryptMedia(in, out, *key);
    if (!decrypted)
        co_return decrypted.error();
    co_return plaintext;
}

QCoro::Task<Result<void>> DemoPeer::sendTyping(QString conversationId)
{
    ApiRequest request;
    request.method = "POST";
    request.path = pathFor(conversationId, "/typing");
    auto response = co_await m_api->send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> DemoPeer::markRead(QString conversationId, QString sequenceId)
{
    ApiRequest request;
    request.method = "POST";
    request.path = pathFor(conversationId, "/read");
    request.body = QJsonObject{{QStringLiteral("seen_until_sequence_id"), sequenceId}};
    auto response = co_await m_api->send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

// ---- receiving --------------------------------------------------------------------------------

QCoro::Task<Result<void>> DemoPeer::subscribe(QString eventType)
{
    ApiRequest request;
    request.method = "POST";
    request.path = QStringLiteral("/2/activity/subscriptions");
    request.body = QJsonObject{{QStringLiteral("event_type"), eventType},
                                {QStringLiteral("filter"), QJsonObject{{QStringLiteral("user_id"), m_userId}}}};
    auto response = co_await m_api->send(std::move(request));
    if (!response)
        co_return response.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> DemoPeer::sync()
{
    if (!m_keys)
        co_return Error(ErrorKind::Internal, QStringLiteral("Register keys first."));
    QStringList changed;
    QString token;
    bool single = true;
    QByteArray etag;
    for (int page = 0; page < MaxPages; ++page) {
        ApiRequest request;
        request.path = QStringLiteral("/2/chat/conversations");
        request.query.addQueryItem(QStringLiteral("max_results"), QStringLiteral("100"));
        request.query.addQueryItem(QStringLiteral("expansions"), QStringLiteral("member_ids"));
        request.query.addQueryItem(QStringLiteral("chat_conversation.fields"),
                                                  QStringLiteral("type,group_name,updated_at"));
        if (!token.isEmpty())
            request.query.addQueryItem(QStringLiteral("pagination_token"), token);
        else if (!m_listEtag.isEmpty())
            request.headers.append({QByteArrayLiteral("If-None-Match"), m_listEtag});
        request.acceptedStatuses = {304};
        auto response = co_await m_api->send(std::move(request));
        if (!response)
            co_return response.error();
        if (response.value().status == 304)
            co_return Result<void>(); // nothing new in any conversation
        if (page == 0)
            etag = response.value().etag;
        for (const QJsonValue &value : response.value().json.value(QLatin1String("data")).toArray()) {
            const QJsonObject o = value.toObject();
            const QString id = xchat::canonicalConversationId(o.value(QLatin1String("id")).toString());
            if (id.isEmpty())
                continue;
            PeerConversation &conv = conversationState(id);
            conv.title = o.value(QLatin1String("group_name")).toString();
            QStringList members;
            for (const QJsonValue &m : o.value(QLatin1String("member_ids")).toArray())
                members << m.toString();
            if (!members.isEmpty())
                conv.memberIds = members;
            const QString updated = o.value(QLatin1String("updated_at")).toString();
            if (updated.isEmpty() || updated != conv.updatedAt || conv.syncedUpTo.isEmpty()) {
                conv.updatedAt = updated;
                changed << id;
            }
        }
        const QJsonObject meta = response.value().json.value(QLatin1String("meta")).toObject();
        token = meta.value(QLatin1String("next_token")).toString();
        if (!meta.value(QLatin1String("has_more")).toBool() || token.isEmpty())
            break;
        single = false;
    }
    for (const QString &id : std::as_const(changed)) {
        auto synced = co_await catchUp(id);
        if (!synced)
            co_return synced.error();
    }
    // Only a complete single-page answer can vouch for "nothing changed" next time.
    m_listEtag = single ? etag : QByteArray();
    co_return Result<void>();
}

QCoro::Task<Result<void>> DemoPeer::catchUp(QString conversationId)
{
    QList<QByteArray> keyEvents;
    std::vector<std::pair<xchat::wire::MessageEvent, QByteArray>> fetched;
    QString token;
    const QString floor = conversationState(conversationId).syncedUpTo;
    for (int page = 0; page < MaxPages; ++page) {
        ApiRequest request;
        request.path = pathFor(conversationId, "/events");
        request.query.addQueryItem(QStringLiteral("max_results"), QStringLiteral("100"));
        if (!token.isEmpty())
            request.query.addQueryItem(QStringLiteral("pagination_token"), token);
        auto response = co_await m_api->send(std::move(request));
        if (!response)
            co_return response.error();
        const QJsonObject meta = response.value().json.value(QLatin1String("meta")).toObject();
        if (page == 0) {
            for (const QJsonValue &k : meta.value(QLatin1String("conversation_key_events")).toArray())
                keyEvents << k.toString().toLatin1();
        }
        bool reachedKnown = false;
        bool ascending = false;
        QString previous;
        for (const QJsonValue &value : response.value().json.value(QLatin1String("data")).toArray()) {
            const QByteArray encoded = value.toObject().value(QLatin1String("encoded_event")).toString().toLatin1();
            auto event = xchat::decodeEventBase64(encoded);
            if (!event) {
                qCWarning(lcLocalServer) << "demo: undecodable event in" << conversationId << event.error().toString();
                continue;
            }
            const QString seq = fromWire(event.value().sequence_id);
            if (!previous.isEmpty() && sequenceLess(previous, seq))
                ascending = true;
            previous = seq;
            if (!floor.isEmpty() && !sequenceLess(floor, seq))
                reachedKnown = true;
            fetched.emplace_back(std::move(event).value(), encoded);
        }
        token = meta.value(QLatin1String("next_token")).toString();
        const bool more = meta.value(QLatin1String("has_more")).toBool() && !token.isEmpty();
        // Newest first (as X and confab-localserver page): stop at what is known already.
        if (!more || (reachedKnown && !ascending))
            break;
    }

    std::sort(fetched.begin(), fetched.end(), [](const auto &a, const auto &b) {
        return sequenceLess(fromWire(a.first.sequence_id), fromWire(b.first.sequence_id));
    });
    PeerConversation &conv = conversationState(conversationId);
    QHash<QString, QString> signers;
    QList<QByteArray> events;
    QString newest = conv.syncedUpTo;
    for (const auto &[event, encoded] : fetched) {
        const QString seq = fromWire(event.sequence_id);
        if (!event.detail.__isset.message_typing_event && (newest.isEmpty() || sequenceLess(newest, seq)))
            newest = seq;
        if (conv.seen.contains(seq))
            continue;
        if (event.__isset.message_event_signature)
            signers.insert(fromWire(event.sender_id), fromWire(event.message_event_signature.public_key_version));
        events << encoded;
    }
    for (const QByteArray &k : std::as_const(keyEvents)) {
        if (auto event = xchat::decodeEventBase64(k); event && event.value().__isset.message_event_signature)
            signers.insert(fromWire(event.value().sender_id),
                           fromWire(event.value().message_event_signature.public_key_version));
    }
    auto keys = co_await ensureSigningKeys(signers);
    if (!keys)
        co_return keys.error();
    PeerConversation &after = conversationState(conversationId);
    accept(after, keyEvents, events);
    after.syncedUpTo = newest;
    co_return Result<void>();
}

void DemoPeer::handleActivity(const QJsonObject &payload)
{
    if (m_stopping)
        return;
    m_inbox.push_back({false, payload});
    pump();
}

void DemoPeer::requestSync()
{
    if (m_stopping || !m_keys)
        return;
    // One pending catch-up is enough.
    if (std::any_of(m_inbox.begin(), m_inbox.end(), [](const InboxItem &i) { return i.sync; }))
        return;
    m_inbox.push_back({true, {}});
    pump();
}

void DemoPeer::setPolling(int msecs)
{
    if (msecs <= 0) {
        m_poll.stop();
        return;
    }
    m_poll.start(msecs);
}

QCoro::Task<> DemoPeer::pump()
{
    if (m_pumping)
        co_return;
    m_pumping = true;
    while (!m_inbox.empty() && !m_stopping) {
        InboxItem item = std::move(m_inbox.front());
        m_inbox.pop_front();
        Result<void> done;
        if (item.sync)
            done = co_await sync();
        else
            done = co_await processActivity(std::move(item.activity));
        if (!done && done.error().kind() == ErrorKind::Cancelled)
            co_return; // shutting down: this object must not be touched any more
        if (!done)
            qCInfo(lcLocalServer) << "demo:" << m_username << "could not process news:" << done.error().toString();
    }
    m_pumping = false;
}

QCoro::Task<Result<void>> DemoPeer::processActivity(QJsonObject payload)
{
    if (!m_keys)
        co_return Result<void>();
    const QString id = xchat::canonicalConversationId(payload.value(QLatin1String("conversation_id")).toString());
    if (id.isEmpty())
        co_return protocolError(QStringLiteral("an activity without conversation_id"));
    const QByteArray encoded = payload.value(QLatin1String("encoded_event")).toString().toLatin1();
    auto event = xchat::decodeEventBase64(encoded);
    if (!event)
        co_return event.error();
    const bool known = m_conversations.count(id) > 0;
    PeerConversation &conv = conversationState(id);
    if (conv.seen.contains(fromWire(event.value().sequence_id)))
        co_return Result<void>();

    // A conversation seen for the first time, or a message whose key this peer lacks: catch up
    // through the events endpoint, which carries every key change meant for us.
    const auto &detail = event.value().detail;
    const bool needsKey = detail.__isset.message_create_event &&
                          !conv.keys.key(fromWire(detail.message_create_event.conversation_key_version)) &&
                          !payload.contains(QLatin1String("conversation_key_change_event"));
    if (!known || conv.syncedUpTo.isEmpty() || needsKey) {
        if (!known || conv.memberIds.isEmpty())
            m_listEtag.clear(); // the conversation list changed too
        co_return co_await catchUp(id);
    }

    QList<QByteArray> keyEvents;
    QHash<QString, QString> signers;
    const QJsonValue change = payload.value(QLatin1String("conversation_key_change_event"));
    const QJsonArray changes = change.isArray() ? change.toArray() : QJsonArray{change};
    for (const QJsonValue &c : changes) {
        if (!c.isString())
            continue;
        keyEvents << c.toString().toLatin1();
        if (auto k = xchat::decodeEventBase64(keyEvents.last()); k && k.value().__isset.message_event_signature)
            signers.insert(fromWire(k.value().sender_id),
                           fromWire(k.value().message_event_signature.public_key_version));
    }
    if (event.value().__isset.message_event_signature)
        signers.insert(fromWire(event.value().sender_id),
                       fromWire(event.value().message_event_signature.public_key_version));
    auto keys = co_await ensureSigningKeys(signers);
    if (!keys)
        co_return keys.error();
    accept(conversationState(id), keyEvents, {encoded});
    co_return Result<void>();
}

void DemoPeer::accept(PeerConversation &conv, const QList<QByteArray> &keyEvents, const QList<QByteArray> &events)
{
    xchat::EventVerifier verifier(identity(), m_directory, conv.keys);
    auto batch = verifier.processBatch(keyEvents, events);
    if (const auto current = conv.keys.currentVersion()) {
        for (const QByteArray &k : keyEvents) {
            auto event = xchat::decodeEventBase64(k);
            if (event && event.value().detail.__isset.conversation_key_change_event &&
                fromWire(event.value().detail.conversation_key_change_event.conversation_key_version) == *current)
                noteKeyRecipients(conv, event.value());
        }
    }
    for (const auto &[index, error] : batch.keyErrors) {
        if (error.kind() != ErrorKind::NotFound) // keys for other devices or older identities are normal
            qCInfo(lcLocalServer) << "demo:" << m_username << "refused a key change in" << conv.id << error.toString();
    }
    for (const auto &[index, error] : batch.eventErrors) {
        auto event = xchat::decodeEventBase64(events.at(index));
        if (event) {
            conv.seen.insert(fromWire(event.value().sequence_id)); // a permanent failure: a tombstone
            // The REST read endpoint takes no signature, so read markers arrive unsigned (spec
            // §8): not an attack, just nothing to trust.
            const auto &d = event.value().detail;
            if ((d.__isset.mark_conversation_read_event || d.__isset.mark_conversation_unread_event) &&
                !event.value().__isset.message_event_signature)
                continue;
        }
        qCInfo(lcLocalServer) << "demo:" << m_username << "refused an event in" << conv.id << error.toString();
        Q_EMIT eventRejected(conv.id, error);
    }
    const QString id = conv.id;
    for (xchat::VerifiedEvent &e : batch.events) {
        PeerConversation &c = conversationState(id);
        if (c.seen.contains(e.sequenceId))
            continue;
        c.seen.insert(e.sequenceId);
        if (e.type == xchat::EventType::KeyChange && e.keyBecameCurrent)
            noteKeyRecipients(c, e.event);
        if (e.type == xchat::EventType::Message) {
            PeerMessage m;
            m.sequenceId = e.sequenceId;
            m.messageId = e.messageId;
            m.senderId = e.senderId;
            m.keyVersion = e.keyVersion;
            m.createdAtMsec = e.createdAtMsec;
            m.contentType = e.contentType;
            m.event = e.event;
            m.contents = e.contents;
            remember(c, std::move(m));
        }
        if (e.senderId != m_userId)
            Q_EMIT eventReceived(id, e);
    }
}

void DemoPeer::remember(PeerConversation &conv, PeerMessage message)
{
    conv.messages.push_back(std::move(message));
    while (qsizetype(conv.messages.size()) > RememberedMessages)
        conv.messages.pop_front();
}

void DemoPeer::noteKeyRecipients(PeerConversation &conv, const xchat::wire::MessageEvent &keyChange)
{
    conv.currentKeyRecipients.clear();
    for (const auto &k : keyChange.detail.conversation_key_change_event.conversation_participant_keys)
        conv.currentKeyRecipients.insert(fromWire(k.user_id), fromWire(k.public_key_version));
}

} // namespace confab::localserver::demo
