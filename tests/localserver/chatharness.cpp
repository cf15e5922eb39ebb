#include "chatharness.h"

#include "crypto/base64.h"
#include "protocols/xchat/thriftcodec.h"

#include <QDateTime>
#include <QJsonArray>

namespace confab::localserver::test {

namespace {

Error failure(const QString &what, const ApiResponse &response = {})
{
    return Error(ErrorKind::Protocol, what, response.status ? response.describe() : QString());
}

QString padded(const QByteArray &bytes)
{
    return QString::fromLatin1(crypto::base64::encodePadded(bytes));
}

} // namespace

QStringList allScopes()
{
    return {
        QStringLiteral("dm.read"),    QStringLiteral("dm.write"),    QStringLiteral("users.read"),
                                                                                    QStringLiteral("tweet.read"), QStringLiteral("media.write"), QStringLiteral("offline.access")};
}

ServerOptions devOptions()
{
    ServerOptions o;
    o.dev = true;
    o.port = 0;
    return o;
}

Result<wire::MessageEvent> decodeEvent(const QString &base64)
{
    return xchat::decodeEventBase64(base64.toLatin1());
}

// --- ChatUser ------------------------------------------------------------------------------------

ChatUser::ChatUser(const UserInfo &info, ApiClient client, crypto::IdentityKeys deviceKeys)
    : id(info.id)
    , username(info.username)
    , name(info.name)
    , api(std::move(client))
    , keys(std::move(deviceKeys))
{}

xchat::LocalIdentity ChatUser::identity() const
{
    return {id, keyVersion, keys.identity()};
}

// --- EventsPage ----------------------------------------------------------------------------------

QStringList EventsPage::sequenceIds() const
{
    QStringList out;
    for (const wire::MessageEvent &e : decoded)
        out.append(QString::fromStdString(e.sequence_id));
    return out;
}

QStringList EventsPage::texts() const
{
    QStringList out;
    for (const xchat::VerifiedEvent &e : batch.events)
        if (e.type == xchat::EventType::Message && e.contentType == xchat::ContentType::Text)
            out.append(QString::fromStdString(e.contents.contents.message.message_text));
    return out;
}

// --- Harness -------------------------------------------------------------------------------------

Harness::Harness(ServerOptions options)
    : m_options(std::move(options))
    , m_server(std::make_unique<LocalServer>(m_options))
{}

Harness::~Harness() = default;

Result<void> Harness::start()
{
    auto port = m_server->start();
    if (!port)
        return port.error();
    return {};
}

ApiClient Harness::api() const
{
    return ApiClient(m_server->baseUrl());
}

Result<ChatUser *> Harness::addUser(const QString &username, const QStringList &scopes, bool withKeys)
{
    QString name = username;
    name[0] = name.at(0).toUpper();
    auto info = m_server->createUser(username, name);
    if (!info)
        return info.error();
    auto token = m_server->issueAccessToken(info.value().id, scopes);
    if (!token)
        return token.error();
    auto keys = crypto::IdentityKeys::generate();
    if (!keys)
        return keys.error();
    m_users.push_back(std::make_unique<ChatUser>(info.value(), ApiClient(m_server->baseUrl(), token.value()),
                                                 std::move(keys).value()));
    ChatUser *user = m_users.back().get();
    if (withKeys) {
        if (auto registered = registerKeys(*user); !registered)
            return registered.error();
    }
    return user;
}

Result<void> Harness::registerKeys(ChatUser &user)
{
    auto registration = user.keys.registration();
    if (!registration)
        return registration.error();
    const crypto::KeyRegistration &r = registration.value();
    const QJsonObject body{
        {QStringLiteral("public_key"),
                        QJsonObject{
                            {QStringLiteral("public_key"), padded(r.identityPublicKeySpki)},
                             {QStringLiteral("signing_public_key"), padded(r.signingPublicKeySpki)},
                              {QStringLiteral("identity_public_key_signature"), padded(r.identityKeySignature)},
                               {QStringLiteral("signing_public_key_signature"), padded(r.signingKeySignature)},
                                {QStringLiteral("public_key_fingerprint"), QString::fromLatin1(r.fingerprint)},
                                 {QStringLiteral("registration_method"), QStringLiteral("CustomPin")},
                                }},
                               {QStringLiteral("version"), QString::number(QDateTime::currentMSecsSinceEpoch())},
                                {QStringLiteral("generate_version"), true},
                               };
    const ApiResponse response = user.api.postJson(QStringLiteral("/2/users/%1/public_keys").arg(user.id), body);
    const QString version = response.data().value(QLatin1String("public_key_version")).toString();
    if (response.status != 200 || version.isEmpty())
        return failure(QStringLiteral("registering %1's keys").arg(user.username), response);
    user.keyVersion = version;
    user.out.emplace(user.id, xchat::ActionSigner(user.keys.signing(), version));
    return {};
}

Result<void> Harness::learnKeys(ChatUser &viewer, const QList<ChatUser *> &users)
{
    QStringList ids;
    for (const ChatUser *u : users)
        ids.append(u->id);
    const ApiResponse response = viewer.api.get(
        QStringLiteral("/2/users/public_keys"), QUrlQuery{{QStringLiteral("ids"), ids.join(QLatin1Char(','))}});
    if (response.status != 200)
        return failure(QStringLiteral("fetching public keys"), response);
    for (const QJsonValue &v : response.dataArray()) {
        const QJsonObject o = v.toObject();
        auto decode = [&o](const char *field) {
            return crypto::base64::decode(o.value(QLatin1String(field)).toString().toLatin1()).valueOr(QByteArray());
        };
        xchat::PublicKeyRecord record{o.value(QLatin1String("user_id")).toString(),
                                      o.value(QLatin1String("public_key_version")).toString(),
                                      decode("public_key"),
                                      decode("signing_public_key"),
                                      decode("identity_public_key_signature"),
                                      {}};
        if (auto added = viewer.directory.addRecord(record); !added)
            return added.error();
    }
    return {};
}

Result<QList<xchat::Participant>> Harness::participants(const ChatUser &viewer, const QList<ChatUser *> &users) const
{
    QList<xchat::Participant> out;
    for (const ChatUser *u : users) {
        const auto version = viewer.directory.newestVersion(u->id);
        const auto *entry = version ? viewer.directory.find(u->id, *version) : nullptr;
        if (!entry)
            return Error(ErrorKind::NotFound,
                         QStringLiteral("%1 has no verified key for %2").arg(viewer.username, u->username));
        out.append({u->id, *version, entry->identityKey});
    }
    return out;
}

Result<Conversation> Harness::startDirect(ChatUser &from, ChatUser &to)
{
    for (ChatUser *viewer : {&from, &to})
        if (auto learned = learnKeys(*viewer, {&from, &to}); !learned)
            return learned.error();
    auto people = participants(from, {&from, &to});
    if (!people)
        return people.error();
    const QString canonical = xchat::directConversationId(from.id, to.id);
    auto change = from.out->prepareConversationKeyChange(canonical, people.value());
    if (!change)
        return change.error();
    const ApiResponse response =
        from.api.postJson(QStringLiteral("/2/chat/conversations/%1/keys").arg(to.id), change.value().requestBody);
    if (response.status != 200 || response.data().value(QLatin1String("conversation_id")).toString() != canonical)
        return failure(QStringLiteral("starting %1").arg(canonical), response);
    return Conversation{canonical, xchat::conversationPathId(canonical), change.value().keyVersion,
                        change.value().conversationKey, response.data().value(QLatin1String("sequence_id")).toString()};
}

Result<Conversation> Harness::createGroup(ChatUser &creator, const QList<ChatUser *> &others, const QString &title)
{
    QList<ChatUser *> everyone{&creator};
    everyone.append(others);
    for (ChatUser *viewer : everyone)
        if (auto learned = learnKeys(*viewer, everyone); !learned)
            return learned.error();
    auto people = participants(creator, everyone);
    if (!people)
        return people.error();
    const ApiResponse init = creator.api.postRaw(QStringLiteral("/2/chat/conversations/group/initialize"), {});
    const QString groupId = init.data().value(QLatin1String("conversation_id")).toString();
    if (init.status != 200 || !groupId.startsWith(QLatin1Char('g')))
        return failure(QStringLiteral("initializing a group"), init);
    QStringList memberIds;
    for (const ChatUser *u : everyone)
        memberIds.append(u->id);
    auto change = creator.out->prepareGroupCreate(groupId, memberIds, {}, title, people.value());
    if (!change)
        return change.error();
    const ApiResponse created =
        creator.api.postJson(QStringLiteral("/2/chat/conversations/group"), change.value().requestBody);
    if (created.status != 201)
        return failure(QStringLiteral("creating group %1").arg(groupId), created);
    return Conversation{groupId, groupId, change.value().keyVersion, change.value().conversationKey,
                        created.data().value(QLatin1String("conversation_key_change_sequence_id")).toString()};
}

Result<xchat::EncryptedMessage> Harness::encryptText(const ChatUser &from, const Conversation &c,
                                                     const QString &text) const
{
    return from.out->encryptMessage(c.id, c.key, c.keyVersion, xchat::textContent(text));
}

ApiResponse Harness::postMessage(const ChatUser &from, const QString &pathId, const QJsonObject &body) const
{
    return from.api.postJson(QStringLiteral("/2/chat/conversations/%1/messages").arg(pathId), body);
}

Result<SentMessage> Harness::sendText(ChatUser &from, const Conversation &c, const QString &text)
{
    auto message = encryptText(from, c, text);
    if (!message)
        return message.error();
    SentMessage out{message.value(), postMessage(from, c.pathId, message.value().requestBody()), {}};
    if (out.response.status != 201)
        return failure(QStringLiteral("sending to %1").arg(c.id), out.response);
    auto event = decodeEvent(out.response.data().value(QLatin1String("encoded_message_event")).toString());
    if (!event)
        return event.error();
    out.event = std::move(event).value();
    return out;
}

Result<EventsPage> Harness::events(ChatUser &viewer, const QString &canonicalId, const QUrlQuery &query,
                                   const QString &pathId)
{
    EventsPage page;
    const QString path = pathId.isEmpty() ? xchat::conversationPathId(canonicalId) : pathId;
    page.response = viewer.api.get(QStringLiteral("/2/chat/conversations/%1/events").arg(path), query);
    if (page.response.status != 200)
        return failure(QStringLiteral("reading the events of %1").arg(path), page.response);
    page.data = page.response.json().value(QLatin1String("data")).toArray();
    page.meta = page.response.meta();
    QList<QByteArray> keyEvents;
    for (const QJsonValue &v : page.meta.value(QLatin1String("conversation_key_events")).toArray())
        keyEvents.append(v.toString().toLatin1());
    QList<QByteArray> events;
    for (const QJsonValue &v : std::as_const(page.data)) {
        const QString encoded = v.toObject().value(QLatin1String("encoded_event")).toString();
        if (encoded.isEmpty())
            continue;
        auto event = decodeEvent(encoded);
        if (!event)
            return event.error();
        page.decoded.append(event.value());
        events.append(encoded.toLatin1());
    }
    xchat::EventVerifier verifier(viewer.identity(), viewer.directory, viewer.rings[canonicalId]);
    page.batch = verifier.processBatch(keyEvents, events);
    return page;
}

} // namespace confab::localserver::test
