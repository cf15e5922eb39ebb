// The chat operations of ../shared/specs/x-chat-openapi.json: conversations, events, keys, groups,
// members, messages, deletes, read markers and typing. The server stores opaque, signed
// MessageEvents; it verifies what it can verify without keys (message, group and delete
// signatures) and matches key changes against the request, as X's service does.

#include "core/logging.h"
#include "crypto/base64.h"
#include "crypto/p256.h"
#include "localserver/service.h"
#include "protocols/xchat/signedpayload.h"
#include "protocols/xchat/thriftcodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>
#include <QUuid>

namespace confab::localserver {

using xchat::fromWire;

namespace {

const QRegularExpression &conversationIdPattern()
{
    static const QRegularExpression re(QStringLiteral("^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$"));
    return re;
}

bool isDecimal(const QString &s, int maxDigits = 19)
{
    if (s.isEmpty() || s.size() > maxDigits)
        return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
}

/// Numeric order of decimal id strings without converting (ids may exceed 2^63 in theory).
bool numericLess(const QString &a, const QString &b)
{
    if (a.size() != b.size())
        return a.size() < b.size();
    return a < b;
}

std::string str(const QString &s)
{
    return s.toStdString();
}

QString iso(qint64 msec)
{
    return QDateTime::fromMSecsSinceEpoch(msec, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString pageToken(char kind, const QString &cursor)
{
    const QByteArray raw = QByteArray(1, kind) + ':' + cursor.toUtf8();
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<QString> parsePageToken(char kind, const QString &token)
{
    const auto decoded = QByteArray::fromBase64Encoding(token.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                              QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < 3 || decoded.decoded.at(0) != kind || decoded.decoded.at(1) != ':')
        return std::nullopt;
    return QString::fromUtf8(decoded.decoded.mid(2));
}

/// The first action signature whose detail `matches`, or null.
template<typename Actions, typename Predicate>
auto findAction(const Actions &actions, Predicate matches) -> decltype(&*actions.begin())
{
    const auto it = std::find_if(actions.begin(), actions.end(), [&](const auto &a) { return matches(a.detail); });
    return it == actions.end() ? nullptr : &*it;
}

bool isKeyChange(const wire::MessageEventDetail &d)
{
    return d.__isset.conversation_key_change_event;
}

bool isGroupCreate(const wire::MessageEventDetail &d)
{
    return d.__isset.group_change_event && d.group_change_event.group_change.__isset.group_create;
}

bool isMemberAdd(const wire::MessageEventDetail &d)
{
    return d.__isset.group_change_event && d.group_change_event.group_change.__isset.group_member_add;
}

std::optional<QJsonObject> jsonBody(const HttpRequest &r)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

QStringList stringList(const QJsonValue &v, bool *ok)
{
    QStringList out;
    *ok = v.isArray();
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString()) {
            *ok = false;
            return {};
        }
        out.append(item.toString());
    }
    return out;
}

} // namespace

// --- shared lookups ------------------------------------------------------------------------------

Result<QString> Service::canonicalId(const QString &pathId, const QString &me, Problem *problem) const
{
    if (!conversationIdPattern().match(pathId).hasMatch()) {
        *problem = invalid(tr("The `id` path parameter value [%1] does not match "
                              "^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$")
                               .arg(pathId),
                           QStringLiteral("id"), pathId);
        return Error(ErrorKind::InvalidInput, problem->detail);
    }
    if (pathId.startsWith(QLatin1Char('g'))) {
        if (!conversation(pathId)) {
            *problem = notFound(QStringLiteral("conversation"), pathId);
            return Error(ErrorKind::NotFound, problem->detail);
        }
        if (!member(pathId, me)) {
            *problem =
                forbidden(QStringLiteral("conversation"), pathId, tr("You are not a member of this conversation."));
            return Error(ErrorKind::Forbidden, problem->detail);
        }
        return pathId;
    }
    QString a = me;
    QString b = pathId;
    if (pathId.contains(QLatin1Char('-'))) {
        a = pathId.section(QLatin1Char('-'), 0, 0);
        b = pathId.section(QLatin1Char('-'), 1, 1);
        if (a != me && b != me) {
            *problem =
                forbidden(QStringLiteral("conversation"), pathId, tr("You are not a member of this conversation."));
            return Error(ErrorKind::Forbidden, problem->detail);
        }
    }
    if (a == b) {
        *problem = invalid(tr("A conversation needs two different users."), QStringLiteral("id"), pathId);
        return Error(ErrorKind::InvalidInput, problem->detail);
    }
    const QString other = a == me ? b : a;
    if (!userById(other)) {
        *problem = notFound(QStringLiteral("user"), other);
        return Error(ErrorKind::NotFound, problem->detail);
    }
    return numericLess(a, b) ? QString(a + QLatin1Char(':') + b) : QString(b + QLatin1Char(':') + a);
}

std::optional<Service::Conversation> Service::conversation(const QString &id) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id, is_group, created_at, updated_at, group_name, group_avatar_url,"
                             " group_description, ttl_msec, token, last_seq FROM conversations WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    Conversation c;
    c.id = q.value(0).toString();
    c.group = q.value(1).toInt() != 0;
    c.createdAt = q.value(2).toLongLong();
    c.updatedAt = q.value(3).toLongLong();
    c.groupName = q.value(4).toString();
    c.groupAvatarUrl = q.value(5).toString();
    c.groupDescription = q.value(6).toString();
    c.ttlMsec = q.value(7).toLongLong();
    c.token = q.value(8).toString();
    c.lastSeq = q.value(9).toLongLong();
    return c;
}

QList<Service::Member> Service::members(const QString &conversationId) const
{
    QList<Member> out;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT user_id, is_admin, joined_seq, read_seq, muted FROM members"
                             " WHERE conversation_id = ? ORDER BY rowid"));
    q.addBindValue(conversationId);
    q.exec();
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toInt() != 0, q.value(2).toLongLong(), q.value(3).toLongLong(),
                    q.value(4).toInt() != 0});
    return out;
}

std::optional<Service::Member> Service::member(const QString &conversationId, const QString &userId) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT user_id, is_admin, joined_seq, read_seq, muted FROM members"
                             " WHERE conversation_id = ? AND user_id = ?"));
    q.addBindValue(conversationId);
    q.addBindValue(userId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Member{q.value(0).toString(), q.value(1).toInt() != 0, q.value(2).toLongLong(), q.value(3).toLongLong(),
                  q.value(4).toInt() != 0};
}

bool Service::requireMember(const QString &conversationId, const QString &userId, Problem *problem) const
{
    if (!conversation(conversationId)) {
        *problem = notFound(QStringLiteral("conversation"), conversationId);
        return false;
    }
    if (!member(conversationId, userId)) {
        *problem =
            forbidden(QStringLiteral("conversation"), conversationId, tr("You are not a member of this conversation."));
        return false;
    }
    return true;
}

qint64 Service::eventTime(const Context &c, const QString &conversationId, Problem *problem) const
{
    const qint64 now = nowMsec();
    const QByteArray header = c.request.header("x-confab-demo-created-at");
    if (header.isEmpty())
        return now;
    // Demo history only: the in-process demo peers may date their seeded history in the past.
    bool ok = false;
    const qint64 at = header.toLongLong(&ok);
    if (!c.principal.demoPeer || !ok || at > now || at <= 0) {
        *problem = invalid(tr("x-confab-demo-created-at is only accepted from demo peers, for times in the past."),
                           QStringLiteral("x-confab-demo-created-at"), QString::fromLatin1(header));
        return -1;
    }
    if (auto conv = conversation(conversationId); conv && at < conv->updatedAt) {
        *problem = invalid(tr("x-confab-demo-created-at must not go back in time within a conversation."),
                           QStringLiteral("x-confab-demo-created-at"), QString::fromLatin1(header));
        return -1;
    }
    return at;
}

wire::MessageEvent Service::appendEvent(const QString &conversationId, wire::MessageEvent event, qint64 createdAt,
                                        const QString &kind, const QString &visibleTo)
{
    const auto conv = conversation(conversationId);
    const qint64 seq = nextSnowflake();
    event.__set_sequence_id(QString::number(seq).toStdString());
    event.__set_conversation_id(str(conversationId));
    event.__set_conversation_token(str(conv ? conv->token : QString()));
    event.__set_created_at_msec(QString::number(createdAt).toStdString());
    event.__set_is_trusted(true);
    QString previousMessageId;
    if (conv && conv->lastSeq > 0) {
        event.__set_previous_sequence_id(QString::number(conv->lastSeq).toStdString());
        QSqlQuery p(m_db);
        p.prepare(QStringLiteral("SELECT message_id FROM events WHERE seq = ?"));
        p.addBindValue(conv->lastSeq);
        if (p.exec() && p.next())
            previousMessageId = p.value(0).toString();
    }
    QString keyVersion;
    if (event.detail.__isset.message_create_event)
        keyVersion = fromWire(event.detail.message_create_event.conversation_key_version);
    else if (event.detail.__isset.conversation_key_change_event)
        keyVersion = fromWire(event.detail.conversation_key_change_event.conversation_key_version);

    QString audience;
    if (event.detail.__isset.conversation_key_change_event) {
        QStringList ids;
        for (const auto &k : event.detail.conversation_key_change_event.conversation_participant_keys)
            ids.append(fromWire(k.user_id));
        audience = QLatin1Char(' ') + ids.join(QLatin1Char(' ')) + QLatin1Char(' ');
    }

    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO events (seq, conversation_id, message_id, sender_id, kind, key_version,"
                             " created_at, encoded, visible_to, prev_message_id, audience)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(seq);
    q.addBindValue(conversationId);
    q.addBindValue(fromWire(event.message_id));
    q.addBindValue(fromWire(event.sender_id));
    q.addBindValue(kind);
    q.addBindValue(keyVersion.isEmpty() ? QVariant() : QVariant(keyVersion));
    q.addBindValue(createdAt);
    q.addBindValue(xchat::encodeThrift(event));
    q.addBindValue(visibleTo.isEmpty() ? QVariant() : QVariant(visibleTo));
    q.addBindValue(previousMessageId);
    q.addBindValue(audience.isEmpty() ? QVariant() : QVariant(audience));
    if (!q.exec()) {
        qCWarning(lcLocalServer) << "could not store an event:" << q.lastError().text();
        return event;
    }
    QSqlQuery u(m_db);
    u.prepare(QStringLiteral("UPDATE conversations SET last_seq = ?, updated_at = MAX(updated_at, ?) WHERE id = ?"));
    u.addBindValue(seq);
    u.addBindValue(createdAt);
    u.addBindValue(conversationId);
    u.exec();
    touchInboxes(conversationId, seq);

    // Fan out to the activity stream: chat.sent for the sender, chat.received for the others.
    const QString encoded = QString::fromLatin1(crypto::base64::encodePadded(xchat::encodeThrift(event)));
    QJsonObject payload{{QStringLiteral("conversation_token"), fromWire(event.conversation_token)},
                         {QStringLiteral("id"), fromWire(event.message_id)},
                          {QStringLiteral("created_at_msec"), QString::number(createdAt)},
                           {QStringLiteral("sender_id"), fromWire(event.sender_id)},
                            {QStringLiteral("conversation_id"), conversationId},
                             {QStringLiteral("encoded_event"), encoded}};
    if (!keyVersion.isEmpty())
        payload.insert(QStringLiteral("conversation_key_version"), keyVersion);
    if (event.__isset.message_event_signature) {
        const auto &s = event.message_event_signature;
        payload.insert(
            QStringLiteral("message_event_signature"),
                           QJsonObject{{QStringLiteral("public_key_version"), fromWire(s.public_key_version)},
                                        {QStringLiteral("signature"), fromWire(s.signature)},
                                         {QStringLiteral("signature_version"), fromWire(s.signature_version)},
                                          {QStringLiteral("signing_public_key"), fromWire(s.signing_public_key)}});
    }
    const QString sender = fromWire(event.sender_id);
    for (const Member &m : members(conversationId)) {
        if (!visibleTo.isEmpty() && m.userId != visibleTo)
            continue;
        if (!audience.isEmpty() && !audience.contains(QLatin1Char(' ') + m.userId + QLatin1Char(' ')))
            continue;
        QJsonObject p = payload;
        if (kind == QLatin1String("msg")) {
            // The key the message needs, so a client that missed the key change can still read it.
            QSqlQuery k(m_db);
            k.prepare(QStringLiteral("SELECT encoded FROM events WHERE conversation_id = ? AND kind = 'key'"
                                     " AND key_version = ? AND audience LIKE ? ORDER BY seq DESC LIMIT 1"));
            k.addBindValue(conversationId);
            k.addBindValue(keyVersion);
            k.addBindValue(QString(QStringLiteral("% ") + m.userId + QStringLiteral(" %")));
            if (k.exec() && k.next())
                p.insert(QStringLiteral("conversation_key_change_event"),
                                        QString::fromLatin1(crypto::base64::encodePadded(k.value(0).toByteArray())));
        }
        publishActivity(m.userId,
                        m.userId == sender ? QStringLiteral("chat.sent") : QStringLiteral("chat.received"), p);
    }
    return event;
}

qint64 Service::appendRawEvent(const QString &conversationId, const QString &senderId, const QByteArray &bytes)
{
    const auto conv = conversation(conversationId);
    if (!conv)
        return 0;
    const qint64 seq = nextSnowflake();
    const qint64 at = nowMsec();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO events (seq, conversation_id, message_id, sender_id, kind, key_version,"
                             " created_at, encoded, visible_to, prev_message_id, audience)"
                             " VALUES (?, ?, ?, ?, 'msg', NULL, ?, ?, NULL, '', NULL)"));
    q.addBindValue(seq);
    q.addBindValue(conversationId);
    q.addBindValue(QString::number(seq));
    q.addBindValue(senderId);
    q.addBindValue(at);
    q.addBindValue(bytes);
    if (!q.exec()) {
        qCWarning(lcLocalServer) << "could not store a raw event:" << q.lastError().text();
        return 0;
    }
    QSqlQuery u(m_db);
    u.prepare(QStringLiteral("UPDATE conversations SET last_seq = ?, updated_at = MAX(updated_at, ?) WHERE id = ?"));
    u.addBindValue(seq);
    u.addBindValue(at);
    u.addBindValue(conversationId);
    u.exec();
    touchInboxes(conversationId, seq);
    return seq;
}

void Service::touchInboxes(const QString &conversationId, qint64 seq)
{
    for (const Member &m : members(conversationId))
        m_inboxVersion[m.userId] = seq;
}

QJsonObject Service::eventJson(const wire::MessageEvent &event, const QString &previousMessageId,
                               const QByteArray &encoded) const
{
    QJsonObject o{{QStringLiteral("id"), fromWire(event.message_id)},
                   {QStringLiteral("conversation_id"), fromWire(event.conversation_id)},
                    {QStringLiteral("sender_id"), fromWire(event.sender_id)},
                     {QStringLiteral("created_at"), iso(fromWire(event.created_at_msec).toLongLong())},
                      {QStringLiteral("encoded_event"), QString::fromLatin1(crypto::base64::encodePadded(
                                                            encoded.isEmpty() ? xchat::encodeThrift(event) : encoded))},
                       {QStringLiteral("conversation_token"), fromWire(event.conversation_token)},
                        {QStringLiteral("is_trusted"), event.is_trusted}};
    QJsonObject sig;
    if (event.__isset.message_event_signature) {
        const auto &s = event.message_event_signature;
        sig.insert(QStringLiteral("signature"), fromWire(s.signature));
        sig.insert(QStringLiteral("public_key_version"), fromWire(s.public_key_version));
        sig.insert(QStringLiteral("signature_version"), fromWire(s.signature_version));
        if (s.__isset.signing_public_key)
            sig.insert(QStringLiteral("signing_public_key"), fromWire(s.signing_public_key));
    }
    o.insert(QStringLiteral("message_event_signature"), sig);
    if (!previousMessageId.isEmpty())
        o.insert(QStringLiteral("previous_id"), previousMessageId);
    return o;
}

QJsonObject Service::conversationJson(const Conversation &conv, const QSet<QString> &fields,
                                      const QSet<QString> &expansions) const
{
    QJsonObject o{{QStringLiteral("id"), conv.id}};
    auto want = [&](const char *f) { return fields.contains(QLatin1String(f)); };
    if (fields.isEmpty() || want("type"))
        o.insert(QStringLiteral("type"), conv.group ? QStringLiteral("group") : QStringLiteral("direct"));
    if (want("created_at"))
        o.insert(QStringLiteral("created_at"), iso(conv.createdAt));
    if (want("updated_at"))
        o.insert(QStringLiteral("updated_at"), iso(conv.updatedAt));
    if (conv.group && want("group_name") && !conv.groupName.isEmpty())
        o.insert(QStringLiteral("group_name"), conv.groupName);
    if (conv.group && want("group_avatar_url") && !conv.groupAvatarUrl.isEmpty())
        o.insert(QStringLiteral("group_avatar_url"), conv.groupAvatarUrl);
    if (want("message_ttl_ms"))
        o.insert(QStringLiteral("message_ttl_ms"), conv.ttlMsec);
    if (want("screen_capture_blocking_enabled"))
        o.insert(QStringLiteral("screen_capture_blocking_enabled"), false);
    if (want("screen_capture_detection_enabled"))
        o.insert(QStringLiteral("screen_capture_detection_enabled"), false);
    if (!expansions.isEmpty()) {
        QJsonArray memberIds, admins;
        for (const Member &m : members(conv.id)) {
            memberIds.append(m.userId);
            if (m.admin)
                admins.append(m.userId);
        }
        if (expansions.contains(QStringLiteral("member_ids")))
            o.insert(QStringLiteral("member_ids"), memberIds);
        if (expansions.contains(QStringLiteral("participant_ids")))
            o.insert(QStringLiteral("participant_ids"), memberIds);
        if (expansions.contains(QStringLiteral("admin_ids")) && conv.group)
            o.insert(QStringLiteral("admin_ids"), admins);
    }
    return o;
}

QString Service::signingKeyFor(const QString &userId, const QString &version) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT signing_public_key FROM public_keys WHERE user_id = ? AND version = ?"));
    q.addBindValue(userId);
    q.addBindValue(version);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

std::optional<qint64> Service::storedSequence(const QString &conversationId, const QString &messageId,
                                              const QString &kind) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT seq FROM events WHERE conversation_id = ? AND message_id = ? AND kind = ?"));
    q.addBindValue(conversationId);
    q.addBindValue(messageId);
    q.addBindValue(kind);
    if (q.exec() && q.next())
        return q.value(0).toLongLong();
    return std::nullopt;
}

bool Service::hasKeyVersion(const QString &conversationId, const QString &version) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT 1 FROM events WHERE conversation_id = ? AND kind = 'key' AND key_version = ?"));
    q.addBindValue(conversationId);
    q.addBindValue(version);
    return q.exec() && q.next();
}

Result<wire::MessageEventSignature> Service::parseSignatureJson(const QJsonObject &o, Problem *problem) const
{
    static const QRegularExpression sigRe(QStringLiteral("^[A-Za-z0-9+/=_-]+$"));
    static const QRegularExpression numRe(QStringLiteral("^[0-9]+$"));
    const QString signature = o.value(QStringLiteral("signature")).toString();
    const QString keyVersion = o.value(QStringLiteral("public_key_version")).toString();
    const QString sigVersion = o.value(QStringLiteral("signature_version")).toString();
    if (!sigRe.match(signature).hasMatch() || !numRe.match(keyVersion).hasMatch() ||
        !numRe.match(sigVersion).hasMatch()) {
        *problem = invalid(tr("message_event_signature needs signature, public_key_version and signature_version "
                              "in their documented forms."),
                           QStringLiteral("message_event_signature"));
        return Error(ErrorKind::InvalidInput, problem->detail);
    }
    wire::MessageEventSignature s;
    s.__set_signature(str(signature));
    s.__set_public_key_version(str(keyVersion));
    s.__set_signature_version(str(sigVersion));
    if (o.contains(QStringLiteral("signing_public_key")))
        s.__set_signing_public_key(str(o.value(QStringLiteral("signing_public_key")).toString()));
    return s;
}

Result<std::vector<Service::ActionSignature>> Service::parseActionSignatures(const QJsonValue &value,
                                                                             Problem *problem) const
{
    std::vector<ActionSignature> out;
    if (!value.isArray() || value.toArray().isEmpty()) {
        *problem = invalid(tr("action_signatures is missing: this action must be signed."),
                           QStringLiteral("action_signatures"));
        return Error(ErrorKind::InvalidInput, problem->detail);
    }
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject o = item.toObject();
        ActionSignature a;
        a.messageId = o.value(QStringLiteral("message_id")).toString();
        const QString detail = o.value(QStringLiteral("encoded_message_event_detail")).toString();
        if (a.messageId.isEmpty() || a.messageId.size() > 64 || detail.isEmpty()) {
            *problem = invalid(tr("Each action signature needs message_id and encoded_message_event_detail."),
                               QStringLiteral("action_signatures"));
            return Error(ErrorKind::InvalidInput, problem->detail);
        }
        const auto bytes = crypto::base64::decode(detail.toLatin1());
        auto decoded = bytes ? xchat::decodeThrift<wire::MessageEventDetail>(bytes.value(), "MessageEventDetail")
                             : Result<wire::MessageEventDetail>(bytes.error());
        if (!decoded) {
            *problem = invalid(tr("encoded_message_event_detail is not a base64 Thrift MessageEventDetail: %1")
                                   .arg(decoded.error().message()),
                               QStringLiteral("encoded_message_event_detail"));
            return Error(ErrorKind::InvalidInput, problem->detail);
        }
        a.detail = std::move(decoded.value());
        auto sig = parseSignatureJson(o.value(QStringLiteral("message_event_signature")).toObject(), problem);
        if (!sig)
            return sig.error();
        a.signature = std::move(sig.value());
        out.push_back(std::move(a));
    }
    return out;
}

wire::MessageEvent Service::eventFromAction(const ActionSignature &action, const QString &sender,
                                            const QString &conversationId) const
{
    // The decoded detail has exactly the one union member the client signed.
    wire::MessageEvent e;
    e.__set_message_id(str(action.messageId));
    e.__set_sender_id(str(sender));
    e.__set_conversation_id(str(conversationId));
    e.__set_detail(action.detail);
    wire::MessageEventSignature signature = action.signature;
    if (!signature.__isset.signing_public_key)
        signature.__set_signing_public_key(str(signingKeyFor(sender, fromWire(signature.public_key_version))));
    e.__set_message_event_signature(signature);
    return e;
}

bool Service::verifySigned(const wire::MessageEvent &event, Problem *problem) const
{
    const QString sender = fromWire(event.sender_id);
    const QString version = fromWire(event.message_event_signature.public_key_version);
    const QString spki = signingKeyFor(sender, version);
    if (spki.isEmpty()) {
        *problem = invalid(tr("The signature names public key version %1, which you have not registered.").arg(version),
                           QStringLiteral("public_key_version"), version);
        return false;
    }
    const auto payload = xchat::payloadForEvent(event);
    const auto spkiBytes = crypto::base64::decode(spki.toLatin1());
    const auto key = spkiBytes ? crypto::P256PublicKey::fromBytes(spkiBytes.value())
                               : Result<crypto::P256PublicKey>(spkiBytes.error());
    const auto signature = crypto::base64::decode(QByteArray::fromStdString(event.message_event_signature.signature));
    if (!payload || !key || !signature || !key.value().verify(payload.value(), signature.value())) {
        *problem = invalid(tr("The action signature does not verify with your registered signing key."),
                           QStringLiteral("message_event_signature"));
        return false;
    }
    return true;
}

bool Service::checkParticipantKeys(const QJsonValue &keys, const QStringList &memberIds, const QString &keyVersion,
                                   const wire::ConversationKeyChangeEvent &signedChange, Problem *problem) const
{
    static const QRegularExpression numRe(QStringLiteral("^[0-9]{1,19}$"));
    if (!numRe.match(keyVersion).hasMatch()) {
        *problem = invalid(tr("conversation_key_version must be a millisecond timestamp."),
                           QStringLiteral("conversation_key_version"), keyVersion);
        return false;
    }
    if (!keys.isArray()) {
        *problem =
            invalid(tr("conversation_participant_keys is required."), QStringLiteral("conversation_participant_keys"));
        return false;
    }
    QHash<QString, QPair<QString, QString>> fromBody;
    for (const QJsonValue &v : keys.toArray()) {
        const QJsonObject o = v.toObject();
        const QString user = o.value(QStringLiteral("user_id")).toString();
        const QString wrapped = o.value(QStringLiteral("encrypted_conversation_key")).toString();
        const QString version = o.value(QStringLiteral("public_key_version")).toString();
        const auto bytes = crypto::base64::decode(wrapped.toLatin1());
        if (user.isEmpty() || version.isEmpty() || !bytes || bytes.value().size() != 113) {
            *problem = invalid(tr("Each participant key needs user_id, public_key_version and a 113-byte "
                                  "encrypted_conversation_key."),
                               QStringLiteral("conversation_participant_keys"));
            return false;
        }
        if (!memberIds.contains(user)) {
            *problem = invalid(tr("User %1 is not a member of this conversation.").arg(user),
                               QStringLiteral("conversation_participant_keys"), user);
            return false;
        }
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT 1 FROM public_keys WHERE user_id = ? AND version = ?"));
        q.addBindValue(user);
        q.addBindValue(version);
        if (!q.exec() || !q.next()) {
            *problem = invalid(tr("User %1 has no public key version %2.").arg(user, version),
                               QStringLiteral("public_key_version"), version);
            return false;
        }
        fromBody.insert(user, {wrapped, version});
    }
    for (const QString &m : memberIds) {
        if (!fromBody.contains(m)) {
            *problem = invalid(tr("The new conversation key is not wrapped for member %1.").arg(m),
                               QStringLiteral("conversation_participant_keys"), m);
            return false;
        }
    }
    // The signed description must say exactly what the request says.
    bool same = fromWire(signedChange.conversation_key_version) == keyVersion &&
                qsizetype(signedChange.conversation_participant_keys.size()) == fromBody.size();
    for (const auto &k : signedChange.conversation_participant_keys) {
        const auto it = fromBody.constFind(fromWire(k.user_id));
        same = same && it != fromBody.cend() && it->first == fromWire(k.encrypted_conversation_key) &&
               it->second == fromWire(k.public_key_version);
    }
    if (!same) {
        *problem = invalid(tr("The signed key change does not match conversation_participant_keys."),
                           QStringLiteral("action_signatures"));
        return false;
    }
    return true;
}

// --- routes --------------------------------------------------------------------------------------

void Service::registerChatRoutes()
{
    const QStringList read{QStringLiteral("dm.read"), QStringLiteral("users.read")};
    const QStringList readAll{QStringLiteral("dm.read"), QStringLiteral("users.read"), QStringLiteral("tweet.read")};
    const QStringList write{QStringLiteral("dm.write"), QStringLiteral("users.read"), QStringLiteral("tweet.read")};
    const QStringList conversationFields{QStringLiteral("created_at"),
        QStringLiteral("group_avatar_url"),
            QStringLiteral("group_name"),
                QStringLiteral("id"), QStringLiteral("is_muted"),
                                          QStringLiteral("message_ttl_ms"),
                                              QStringLiteral("screen_capture_blocking_enabled"),
                                                  QStringLiteral("screen_capture_detection_enabled"),
                                                                 QStringLiteral("type"), QStringLiteral("updated_at")};
    const QStringList expansionValues{QStringLiteral("admin_ids"), QStringLiteral("member_ids"),
                                                                                  QStringLiteral("participant_ids")};
    const QStringList userFields{QStringLiteral("confirmed_email"),
        QStringLiteral("connection_status"),
            QStringLiteral("created_at"),
                QStringLiteral("description"),
                    QStringLiteral("entities"),
                        QStringLiteral("id"),
                            QStringLiteral("is_identity_verified"),
                                QStringLiteral("location"),
                                    QStringLiteral("name"),
                                        QStringLiteral("parody"),
                                            QStringLiteral("profile_banner_url"),
                                                QStringLiteral("profile_image_url"),
                                                    QStringLiteral("protected"),
                                                        QStringLiteral("public_metrics"),
                                                            QStringLiteral("receives_your_dm"),
                                                                QStringLiteral("subscribes_to_you"),
                                                                    QStringLiteral("subscription"),
                                                                        QStringLiteral("subscription_type"),
                                                                            QStringLiteral("url"),
                                                                                QStringLiteral("username"),
                                                                                    QStringLiteral("verified"),
                                                                                        QStringLiteral("verified_followers_count"),
                                                                                            QStringLiteral("verified_type"),
                                                                                                QStringLiteral("withheld")};

    // Shared by the list and the single-conversation routes.
    struct Shape
    {
        QSet<QString> fields, expansions, userFields;
    };
    auto shape = [this, conversationFields, expansionValues, userFields](const HttpRequest &r,
                                                                         Problem *p) -> std::optional<Shape> {
        Shape s;
        auto f = listParameter(r, QStringLiteral("chat_conversation.fields"), conversationFields, p);
        auto e = listParameter(r, QStringLiteral("expansions"), expansionValues, p);
        auto u = listParameter(r, QStringLiteral("user.fields"), userFields, p);
        if (!f || !e || !u)
            return std::nullopt;
        s.fields = f.value();
        s.expansions = e.value();
        s.userFields = u.value();
        return s;
    };
    auto withIncludes = [this](QJsonObject &body, const QStringList &userIds, const Shape &s) {
        if (s.expansions.isEmpty() || userIds.isEmpty())
            return;
        auto users = usersJson(userIds, s.userFields);
        if (users)
            body.insert(QStringLiteral("includes"), QJsonObject{{QStringLiteral("users"), users.value()}});
    };

    addRoute(
        "GET",
        QStringLiteral("/2/chat/conversations"),
            QStringLiteral("chat.conversations"), AuthMode::User, read, [this, shape, withIncludes](Context &c) {
                Problem p;
                const auto max = maxResults(c.request, 10, 100, &p);
                const auto s = shape(c.request, &p);
                if (!max || !s)
                    return problem(p);
                const QString me = c.principal.userId;
                // Cheap polling: an unchanged inbox answers 304 without touching the database.
                const QByteArray etag =
                    "W/\"" + m_instanceTag.toLatin1() + '-' + QByteArray::number(m_inboxVersion.value(me, 0)) + '-' +
                    QCryptographicHash::hash(c.request.query.toString().toUtf8(), QCryptographicHash::Md5)
                        .toHex()
                        .left(12) +
                    '"';
                if (c.request.header("if-none-match") == etag) {
                    HttpResponse r = HttpResponse::empty(304);
                    r.header("ETag", etag);
                    return r;
                }
                QString sql = QStringLiteral(
                     "SELECT c.id, c.updated_at FROM conversations c JOIN members m ON m.conversation_id = c.id"
                     " WHERE m.user_id = ? AND c.last_seq > 0");
                qint64 cursorTime = 0;
                QString cursorId;
                if (c.request.hasQuery(QStringLiteral("pagination_token"))) {
                    const QString token = c.request.queryValue(QStringLiteral("pagination_token"));
                    const auto cursor = parsePageToken('c', token);
                    if (!cursor || !cursor->contains(QLatin1Char('/')))
                        return problem(
                            invalid(tr("The `pagination_token` query parameter value [%1] is not valid.").arg(token),
                                    QStringLiteral("pagination_token"), token));
                    cursorTime = cursor->section(QLatin1Char('/'), 0, 0).toLongLong();
                    cursorId = cursor->section(QLatin1Char('/'), 1);
                    sql += QStringLiteral(" AND (c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))");
                }
                sql += QStringLiteral(" ORDER BY c.updated_at DESC, c.id DESC LIMIT ?");
                QSqlQuery q(m_db);
                q.prepare(sql);
                q.addBindValue(me);
                if (!cursorId.isEmpty()) {
                    q.addBindValue(cursorTime);
                    q.addBindValue(cursorTime);
                    q.addBindValue(cursorId);
                }
                q.addBindValue(*max + 1);
                q.exec();
                QStringList ids;
                while (q.next())
                    ids.append(q.value(0).toString());
                const bool more = ids.size() > *max;
                if (more)
                    ids.removeLast();
                QJsonArray data;
                QStringList userIds;
                QString lastCursor;
                for (const QString &id : ids) {
                    const auto conv = conversation(id);
                    if (!conv)
                        continue;
                    QJsonObject o = conversationJson(*conv, s->fields, s->expansions);
                    if (s->fields.contains(QStringLiteral("is_muted")))
                        o.insert(QStringLiteral("is_muted"), member(id, me)->muted);
                    data.append(o);
                    for (const Member &m : members(id))
                        if (!userIds.contains(m.userId))
                            userIds.append(m.userId);
                    lastCursor = QString::number(conv->updatedAt) + QLatin1Char('/') + conv->id;
                }
                QJsonObject meta{{QStringLiteral("result_count"), data.size()},
                                  {QStringLiteral("has_more"), more}, {QStringLiteral("has_message_requests"), false}};
                if (more)
                    meta.insert(QStringLiteral("next_token"), pageToken('c', lastCursor));
                QJsonObject body{{QStringLiteral("data"), data}, {QStringLiteral("meta"), meta}};
                withIncludes(body, userIds, *s);
                HttpResponse r = HttpResponse::json(body);
                r.header("ETag", etag).header("Cache-Control", "private, no-cache");
                return r;
            });

    addRoute(
        "GET",
        QStringLiteral("/2/chat/conversations/{id}"),
            QStringLiteral("chat.conversations"), AuthMode::User, readAll, [this, shape, withIncludes](Context &c) {
                Problem p;
                const auto s = shape(c.request, &p);
                if (!s)
                    return problem(p);
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), c.principal.userId, &p);
                if (!id || !requireMember(id.value(), c.principal.userId, &p))
                    return problem(p);
                const auto conv = conversation(id.value());
                QJsonObject o = conversationJson(*conv, s->fields, s->expansions);
                if (s->fields.contains(QStringLiteral("is_muted")))
                    o.insert(QStringLiteral("is_muted"), member(id.value(), c.principal.userId)->muted);
                QJsonObject body{{QStringLiteral("data"), o}};
                QStringList userIds;
                for (const Member &m : members(id.value()))
                    userIds.append(m.userId);
                withIncludes(body, userIds, *s);
                return HttpResponse::json(body);
            });

    const QStringList eventFields{QStringLiteral("conversation_id"),
        QStringLiteral("conversation_token"),
            QStringLiteral("created_at"),
                QStringLiteral("encoded_event"),
                               QStringLiteral("id"),
                                              QStringLiteral("is_trusted"),
                                                             QStringLiteral("message_event_signature"),
                                                                            QStringLiteral("previous_id"),
                                                                                           QStringLiteral("sender_id")};
    addRoute(
        "GET",
        QStringLiteral("/2/chat/conversations/{id}/events"),
            QStringLiteral("chat.events"), AuthMode::User, readAll, [this, eventFields](Context &c) {
                Problem p;
                const auto max = maxResults(c.request, 10, 100, &p);
                if (!max)
                    return problem(p);
                const auto fields =
                    listParameter(c.request, QStringLiteral("chat_message_event.fields"), eventFields, &p);
                if (!fields)
                    return problem(p);
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id || !requireMember(id.value(), me, &p))
                    return problem(p);
                const Member self = *member(id.value(), me);
                qint64 before = std::numeric_limits<qint64>::max();
                const bool firstPage = !c.request.hasQuery(QStringLiteral("pagination_token"));
                if (!firstPage) {
                    const QString token = c.request.queryValue(QStringLiteral("pagination_token"));
                    const auto cursor = parsePageToken('e', token);
                    bool ok = false;
                    if (cursor)
                        before = cursor->toLongLong(&ok);
                    if (!ok)
                        return problem(
                            invalid(tr("The `pagination_token` query parameter value [%1] is not valid.").arg(token),
                                    QStringLiteral("pagination_token"), token));
                }
                QSqlQuery q(m_db);
                q.prepare(QStringLiteral(
                "SELECT seq, encoded, prev_message_id, message_id, sender_id, created_at FROM events"
                " WHERE conversation_id = ? AND kind <> 'key'"
                " AND deleted = 0 AND (visible_to IS NULL OR visible_to = ?) AND seq >= ? AND seq < ?"
                " AND seq NOT IN (SELECT seq FROM hidden_events WHERE user_id = ?) ORDER BY seq DESC LIMIT ?"));
                q.addBindValue(id.value());
                q.addBindValue(me);
                q.addBindValue(self.joinedSeq);
                q.addBindValue(before);
                q.addBindValue(me);
                q.addBindValue(*max + 1);
                q.exec();
                QJsonArray data;
                qint64 newest = 0;
                qint64 oldest = 0;
                int rows = 0;
                bool more = false;
                auto filtered = [&](QJsonObject o) {
                    if (fields.value().isEmpty())
                        return o;
                    QJsonObject out;
                    for (const QString &f : fields.value())
                        if (o.contains(f))
                            out.insert(f, o.value(f));
                    return out;
                };
                if (firstPage) {
                    // Live typing indicators of the others come first: they are the newest events.
                    auto &typing = m_typing[id.value()];
                    const qint64 now = nowMsec();
                    std::erase_if(typing, [now](const Typing &t) { return t.expiresAt <= now; });
                    for (auto it = typing.rbegin(); it != typing.rend() && data.size() < *max; ++it)
                        if (fromWire(it->event.sender_id) != me)
                            data.append(filtered(eventJson(it->event, {})));
                }
                const int budget = *max - int(data.size());
                while (q.next()) {
                    if (rows == budget) {
                        more = true;
                        break;
                    }
                    ++rows;
                    const qint64 seq = q.value(0).toLongLong();
                    newest = std::max(newest, seq);
                    oldest = seq;
                    const QByteArray stored = q.value(1).toByteArray();
                    auto event = xchat::decodeThrift<wire::MessageEvent>(stored, "MessageEvent");
                    if (event) {
                        data.append(filtered(eventJson(event.value(), q.value(2).toString(), stored)));
                    } else {
                        // Only /_local/events stores what does not decode: served as it is.
                        data.append(filtered(QJsonObject{
                            {QStringLiteral("id"), q.value(3).toString()},
                             {QStringLiteral("conversation_id"), id.value()},
                              {QStringLiteral("sender_id"), q.value(4).toString()},
                               {QStringLiteral("created_at"), iso(q.value(5).toLongLong())},
                                {QStringLiteral("encoded_event"),
                                                QString::fromLatin1(crypto::base64::encodePadded(stored))}}));
                    }
                }
                // Key changes only in meta: those that wrap a key for this user, up to the newest
                // event of the page (all of them on the first page).
                QSqlQuery k(m_db);
                k.prepare(QStringLiteral("SELECT encoded FROM events WHERE conversation_id = ? AND kind = 'key'"
                                     " AND audience LIKE ? AND seq <= ? ORDER BY seq"));
                k.addBindValue(id.value());
                k.addBindValue(QString(QStringLiteral("% ") + me + QStringLiteral(" %")));
                k.addBindValue(firstPage ? std::numeric_limits<qint64>::max() : newest);
                k.exec();
                QJsonArray keyEvents;
                while (k.next())
                    keyEvents.append(QString::fromLatin1(crypto::base64::encodePadded(k.value(0).toByteArray())));
                QJsonObject meta{{QStringLiteral("result_count"), data.size()},
                                  {QStringLiteral("has_more"), more},
                                   {QStringLiteral("conversation_key_events"), keyEvents}};
                if (more)
                    meta.insert(QStringLiteral("next_token"),
                                               pageToken('e', QString::number(rows > 0 ? oldest : before)));
                return HttpResponse::json({{QStringLiteral("data"), data}, {QStringLiteral("meta"), meta}});
            });

    // POST …/keys: start a 1:1 (bare recipient id) or rotate a conversation's key.
    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/{id}/keys"), QStringLiteral("chat.keys"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id)
                    return problem(p);
                const auto body = jsonBody(c.request);
                if (!body)
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const bool group = id.value().startsWith(QLatin1Char('g'));
                if (group && !requireMember(id.value(), me, &p))
                    return problem(p);
                auto actions = parseActionSignatures(body->value(QStringLiteral("action_signatures")), &p);
                if (!actions)
                    return problem(p);
                const auto *change = findAction(actions.value(), isKeyChange);
                if (!change)
                    return problem(invalid(tr("action_signatures has no signed key change."),
                                           QStringLiteral("action_signatures")));
                // A resent request (same signed message id) returns the original result.
                if (const auto seq = storedSequence(id.value(), change->messageId, QStringLiteral("key")))
                    return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("conversation_id"), id.value()},
                                              {QStringLiteral("sequence_id"), QString::number(*seq)}}}});
                QStringList memberIds;
                if (group) {
                    for (const Member &m : members(id.value()))
                        memberIds.append(m.userId);
                } else {
                    memberIds = id.value().split(QLatin1Char(':'));
                }
                const QString keyVersion = body->value(QStringLiteral("conversation_key_version")).toString();
                if (!checkParticipantKeys(body->value(QStringLiteral("conversation_participant_keys")), memberIds,
                                                      keyVersion, change->detail.conversation_key_change_event, &p))
                    return problem(p);
                if (signingKeyFor(me, fromWire(change->signature.public_key_version)).isEmpty())
                    return problem(invalid(tr("The signature names a public key version you have not registered."),
                                           QStringLiteral("public_key_version")));
                if (hasKeyVersion(id.value(), keyVersion)) {
                    Problem conflict = invalid(tr("Conversation key version %1 exists already.").arg(keyVersion),
                                               QStringLiteral("conversation_key_version"), keyVersion);
                    conflict.status = 409;
                    return problem(conflict);
                }
                const qint64 at = eventTime(c, id.value(), &p);
                if (at < 0)
                    return problem(p);
                if (!group && !conversation(id.value())) {
                    QSqlQuery ins(m_db);
                    ins.prepare(QStringLiteral("INSERT INTO conversations (id, is_group, created_at, updated_at, token,"
                                           " creator) VALUES (?, 0, ?, ?, ?, ?)"));
                    ins.addBindValue(id.value());
                    ins.addBindValue(at);
                    ins.addBindValue(at);
                    ins.addBindValue(QUuid::createUuid().toString(QUuid::Id128));
                    ins.addBindValue(me);
                    ins.exec();
                    for (const QString &m : memberIds) {
                        QSqlQuery mi(m_db);
                        mi.prepare(QStringLiteral("INSERT INTO members (conversation_id, user_id) VALUES (?, ?)"));
                        mi.addBindValue(id.value());
                        mi.addBindValue(m);
                        mi.exec();
                    }
                }
                const auto stored =
                    appendEvent(id.value(), eventFromAction(*change, me, id.value()), at, QStringLiteral("key"));
                return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("conversation_id"), id.value()},
                                          {QStringLiteral("sequence_id"), fromWire(stored.sequence_id)}}}});
            });

    addRoute("POST",
             QStringLiteral("/2/chat/conversations/group/initialize"),
                 QStringLiteral("chat.groups"), AuthMode::User, {QStringLiteral("dm.write")}, [this](Context &c) {
                     const QString id = QStringLiteral("g") + QString::number(nextSnowflake());
                     QSqlQuery q(m_db);
                     q.prepare(QStringLiteral("INSERT INTO pending_groups (id, creator, created_at) VALUES (?, ?, ?)"));
                     q.addBindValue(id);
                     q.addBindValue(c.principal.userId);
                     q.addBindValue(nowMsec());
                     q.exec();
                     return HttpResponse::json(
                         {{QStringLiteral("data"), QJsonObject{{QStringLiteral("conversation_id"), id}}}});
                 });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/group"), QStringLiteral("chat.groups"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto body = jsonBody(c.request);
                if (!body)
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const QString id = body->value(QStringLiteral("conversation_id")).toString();
                if (id.isEmpty())
                    return problem(invalid(tr("conversation_id is required."), QStringLiteral("conversation_id")));
                auto actions = parseActionSignatures(body->value(QStringLiteral("action_signatures")), &p);
                if (!actions)
                    return problem(p);
                const auto *change = findAction(actions.value(), isKeyChange);
                const auto *create = findAction(actions.value(), isGroupCreate);
                if (!change || !create)
                    return problem(invalid(tr("A group needs two action signatures: the key change and the group "
                                              "create."),
                                           QStringLiteral("action_signatures")));
                if (auto existing = conversation(id)) {
                    if (const auto seq = storedSequence(id, change->messageId, QStringLiteral("key")))
                        return HttpResponse::json(
                            {{QStringLiteral("data"),
                                             QJsonObject{{QStringLiteral("conversation_id"), id},
                                                          {QStringLiteral("conversation_key_change_sequence_id"),
                                                                          QString::number(*seq)}}}},
                             201);
                    Problem conflict =
                        invalid(tr("The group %1 exists already.").arg(id), QStringLiteral("conversation_id"), id);
                    conflict.status = 409;
                    return problem(conflict);
                }
                QSqlQuery pg(m_db);
                pg.prepare(QStringLiteral("SELECT creator FROM pending_groups WHERE id = ?"));
                pg.addBindValue(id);
                if (!pg.exec() || !pg.next())
                    return problem(notFound(QStringLiteral("conversation"), id, tr("Unknown group id %1: call group/initialize first.").arg(id)));
                if (pg.value(0).toString() != me)
                    return problem(forbidden(QStringLiteral("conversation"), id,
                                                            tr("This group id was initialized by someone else.")));
                bool ok = false;
                QStringList memberIds = stringList(body->value(QStringLiteral("group_members")), &ok);
                if (!ok || memberIds.isEmpty())
                    return problem(invalid(tr("group_members must be a non-empty list of user ids."),
                                           QStringLiteral("group_members")));
                if (!memberIds.contains(me))
                    memberIds.prepend(me);
                memberIds.removeDuplicates();
                if (memberIds.size() > 256)
                    return problem(invalid(tr("A group has at most 256 members."), QStringLiteral("group_members")));
                for (const QString &m : memberIds)
                    if (!userById(m))
                        return problem(notFound(QStringLiteral("user"), m));
                QStringList admins{me};
                if (body->contains(QStringLiteral("group_admins"))) {
                    admins = stringList(body->value(QStringLiteral("group_admins")), &ok);
                    if (!ok || admins.isEmpty())
                        return problem(
                            invalid(tr("group_admins must be a list of member ids."), QStringLiteral("group_admins")));
                    for (const QString &a : admins)
                        if (!memberIds.contains(a))
                            return problem(
                                invalid(tr("Admin %1 is not a member.").arg(a), QStringLiteral("group_admins"), a));
                }
                const QString keyVersion = body->value(QStringLiteral("conversation_key_version")).toString();
                if (!checkParticipantKeys(body->value(QStringLiteral("conversation_participant_keys")), memberIds,
                                                      keyVersion, change->detail.conversation_key_change_event, &p))
                    return problem(p);
                const auto &gc = create->detail.group_change_event.group_change.group_create;
                QStringList signedMembers;
                for (const auto &m : gc.member_ids)
                    signedMembers.append(fromWire(m));
                signedMembers.removeDuplicates();
                QStringList sortedMembers = memberIds;
                sortedMembers.sort();
                signedMembers.sort();
                QStringList withoutMe = sortedMembers;
                withoutMe.removeAll(me);
                const QString name = body->value(QStringLiteral("group_name")).toString();
                const QString avatar = body->value(QStringLiteral("group_avatar_url")).toString();
                if ((signedMembers != sortedMembers && signedMembers != withoutMe) ||
                    fromWire(gc.conversation_key_version) != keyVersion ||
                    (gc.__isset.title && fromWire(gc.title) != name) ||
                    (gc.__isset.avatar_url && fromWire(gc.avatar_url) != avatar))
                    return problem(invalid(tr("The signed group create does not match the request."),
                                           QStringLiteral("action_signatures")));
                qint64 ttl = 0;
                if (body->contains(QStringLiteral("ttl_msec"))) {
                    const QString raw = body->value(QStringLiteral("ttl_msec")).toString();
                    ttl = raw.toLongLong(&ok);
                    if (!ok || ttl < 0)
                        return problem(
                            invalid(tr("ttl_msec must be a numeric string."), QStringLiteral("ttl_msec"), raw));
                }
                // The group create signature can be checked here: its payload holds no secret.
                wire::MessageEvent ce = eventFromAction(*create, me, id);
                if (!verifySigned(ce, &p))
                    return problem(p);
                const qint64 at = eventTime(c, id, &p);
                if (at < 0)
                    return problem(p);
                QSqlQuery ins(m_db);
                ins.prepare(
                    QStringLiteral("INSERT INTO conversations (id, is_group, created_at, updated_at, group_name,"
                                       " group_avatar_url, group_description, ttl_msec, token, creator)"
                                       " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"));
                ins.addBindValue(id);
                ins.addBindValue(at);
                ins.addBindValue(at);
                ins.addBindValue(name);
                ins.addBindValue(avatar);
                ins.addBindValue(body->value(QStringLiteral("group_description")).toString());
                ins.addBindValue(ttl);
                ins.addBindValue(QUuid::createUuid().toString(QUuid::Id128));
                ins.addBindValue(me);
                ins.exec();
                for (const QString &m : memberIds) {
                    QSqlQuery mi(m_db);
                    mi.prepare(
                        QStringLiteral("INSERT INTO members (conversation_id, user_id, is_admin) VALUES (?, ?, ?)"));
                    mi.addBindValue(id);
                    mi.addBindValue(m);
                    mi.addBindValue(admins.contains(m) ? 1 : 0);
                    mi.exec();
                }
                QSqlQuery del(m_db);
                del.prepare(QStringLiteral("DELETE FROM pending_groups WHERE id = ?"));
                del.addBindValue(id);
                del.exec();

                const auto key = appendEvent(id, eventFromAction(*change, me, id), at, QStringLiteral("key"));
                appendEvent(id, std::move(ce), at, QStringLiteral("group"));
                return HttpResponse::json({{QStringLiteral("data"),
                    QJsonObject{{QStringLiteral("conversation_id"), id},
                                 {QStringLiteral("conversation_key_change_sequence_id"), fromWire(key.sequence_id)}}}},
                                           201);
            });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/{id}/members"),
            QStringLiteral("chat.groups"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id)
                    return problem(p);
                if (!id.value().startsWith(QLatin1Char('g')))
                    return problem(
                        invalid(tr("Members can only be added to a group."), QStringLiteral("id"), id.value()));
                const auto self = member(id.value(), me);
                if (!self->admin)
                    return problem(forbidden(QStringLiteral("conversation"), id.value(),
                                                            tr("Only a group admin can add members.")));
                const auto body = jsonBody(c.request);
                if (!body)
                    return problem(invalid(tr("The request body is not a JSON object.")));
                bool ok = false;
                const QStringList added = stringList(body->value(QStringLiteral("user_ids")), &ok);
                if (!ok || added.isEmpty())
                    return problem(
                        invalid(tr("user_ids must be a non-empty list of user ids."), QStringLiteral("user_ids")));
                QStringList all;
                for (const Member &m : members(id.value()))
                    all.append(m.userId);
                for (const QString &u : added) {
                    if (!userById(u))
                        return problem(notFound(QStringLiteral("user"), u));
                    if (all.contains(u))
                        return problem(
                            invalid(tr("User %1 is a member already.").arg(u), QStringLiteral("user_ids"), u));
                }
                auto actions = parseActionSignatures(body->value(QStringLiteral("action_signatures")), &p);
                if (!actions)
                    return problem(p);
                const auto *change = findAction(actions.value(), isKeyChange);
                const auto *add = findAction(actions.value(), isMemberAdd);
                if (!change || !add)
                    return problem(invalid(tr("Adding members needs two action signatures: the key change and the "
                                              "member add."),
                                           QStringLiteral("action_signatures")));
                const QStringList everyone = all + added;
                const QString keyVersion = body->value(QStringLiteral("conversation_key_version")).toString();
                if (!checkParticipantKeys(body->value(QStringLiteral("conversation_participant_keys")), everyone,
                                                      keyVersion, change->detail.conversation_key_change_event, &p))
                    return problem(p);
                QStringList signedNew;
                for (const auto &m : add->detail.group_change_event.group_change.group_member_add.member_ids)
                    signedNew.append(fromWire(m));
                QStringList sortedAdded = added;
                sortedAdded.sort();
                signedNew.sort();
                if (signedNew != sortedAdded)
                    return problem(invalid(tr("The signed member add does not match user_ids."),
                                           QStringLiteral("action_signatures")));
                wire::MessageEvent ae = eventFromAction(*add, me, id.value());
                if (!verifySigned(ae, &p))
                    return problem(p);
                const qint64 at = eventTime(c, id.value(), &p);
                if (at < 0)
                    return problem(p);
                for (const QString &u : added) {
                    QSqlQuery mi(m_db);
                    mi.prepare(
                        QStringLiteral("INSERT INTO members (conversation_id, user_id, joined_seq) VALUES (?, ?, ?)"));
                    mi.addBindValue(id.value());
                    mi.addBindValue(u);
                    mi.addBindValue(m_lastSnowflake + 1); // the key change below is the first event they see
                    mi.exec();
                }
                if (body->contains(QStringLiteral("encrypted_title")) ||
                                   body->contains(QStringLiteral("encrypted_avatar_url"))) {
                    QSqlQuery up(m_db);
                    up.prepare(QStringLiteral("UPDATE conversations SET group_name = COALESCE(?, group_name),"
                                          " group_avatar_url = COALESCE(?, group_avatar_url) WHERE id = ?"));
                    const QJsonValue t = body->value(QStringLiteral("encrypted_title"));
                    const QJsonValue a = body->value(QStringLiteral("encrypted_avatar_url"));
                    up.addBindValue(t.isString() ? QVariant(t.toString()) : QVariant());
                    up.addBindValue(a.isString() ? QVariant(a.toString()) : QVariant());
                    up.addBindValue(id.value());
                    up.exec();
                }
                const auto key =
                    appendEvent(id.value(), eventFromAction(*change, me, id.value()), at, QStringLiteral("key"));
                QSqlQuery fix(m_db);
                fix.prepare(
                    QStringLiteral("UPDATE members SET joined_seq = ? WHERE conversation_id = ? AND joined_seq > ?"));
                fix.addBindValue(fromWire(key.sequence_id).toLongLong());
                fix.addBindValue(id.value());
                fix.addBindValue(fromWire(key.sequence_id).toLongLong());
                fix.exec();
                const auto stored = appendEvent(id.value(), std::move(ae), at, QStringLiteral("group"));
                // The documented 200 schema is a Post (a spec bug); clients treat the body as opaque.
                return HttpResponse::json(
                    {{QStringLiteral("data"), QJsonObject{{QStringLiteral("id"), fromWire(stored.sequence_id)}}}});
            });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/{id}/messages"),
            QStringLiteral("chat.send"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id || !requireMember(id.value(), me, &p))
                    return problem(p);
                const auto body = jsonBody(c.request);
                if (!body)
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const QString messageId = body->value(QStringLiteral("message_id")).toString();
                static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9-]{1,64}$"));
                if (!idRe.match(messageId).hasMatch())
                    return problem(invalid(tr("message_id is required: the client's UUID for this message."),
                                           QStringLiteral("message_id"), messageId));
                // A resend of the same message id returns the original event, never a duplicate.
                QSqlQuery d(m_db);
                d.prepare(QStringLiteral("SELECT sender_id, encoded FROM events WHERE conversation_id = ?"
                                     " AND message_id = ? AND kind = 'msg'"));
                d.addBindValue(id.value());
                d.addBindValue(messageId);
                if (d.exec() && d.next()) {
                    if (d.value(0).toString() != me) {
                        Problem conflict = invalid(tr("message_id %1 is used by another sender.").arg(messageId),
                                                   QStringLiteral("message_id"), messageId);
                        conflict.status = 409;
                        return problem(conflict);
                    }
                    return HttpResponse::json(
                        {{QStringLiteral("data"),
                                         QJsonObject{{QStringLiteral("encoded_message_event"),
                                                                     QString::fromLatin1(crypto::base64::encodePadded(
                                                                         d.value(1).toByteArray()))}}}},
                         201);
                }
                const QString encoded = body->value(QStringLiteral("encoded_message_create_event")).toString();
                const auto bytes = crypto::base64::decode(encoded.toLatin1());
                auto mce = bytes ? xchat::decodeThrift<wire::MessageCreateEvent>(bytes.value(), "MessageCreateEvent")
                                 : Result<wire::MessageCreateEvent>(bytes.error());
                if (!mce)
                    return problem(
                        invalid(tr("encoded_message_create_event is not a base64 Thrift MessageCreateEvent."),
                                QStringLiteral("encoded_message_create_event")));
                if (mce.value().contents.empty() || mce.value().conversation_key_version.empty())
                    return problem(invalid(tr("Only encrypted messages are allowed: contents and "
                                              "conversation_key_version are required."),
                                           QStringLiteral("encoded_message_create_event")));
                if (mce.value().contents.size() > 256 * 1024)
                    return problem(invalid(tr("The message is too large (at most 256 KiB of ciphertext)."),
                                           QStringLiteral("encoded_message_create_event")));
                const QString keyVersion = fromWire(mce.value().conversation_key_version);
                if (!hasKeyVersion(id.value(), keyVersion))
                    return problem(invalid(tr("The conversation has no key version %1.").arg(keyVersion),
                                           QStringLiteral("conversation_key_version"), keyVersion));
                const QString token = body->value(QStringLiteral("conversation_token")).toString();
                if (!token.isEmpty() && token != conversation(id.value())->token)
                    return problem(invalid(tr("conversation_token does not belong to this conversation."),
                                           QStringLiteral("conversation_token")));
                const QString sigText = body->value(QStringLiteral("encoded_message_event_signature")).toString();
                const auto sigBytes = crypto::base64::decode(sigText.toLatin1());
                auto sig = sigBytes ? xchat::decodeThrift<wire::MessageEventSignature>(sigBytes.value(),
                                                                                       "MessageEventSignature")
                                    : Result<wire::MessageEventSignature>(sigBytes.error());
                if (!sig || sig.value().signature.empty() || sig.value().public_key_version.empty())
                    return problem(invalid(tr("encoded_message_event_signature is missing or malformed: messages "
                                              "must be signed."),
                                           QStringLiteral("encoded_message_event_signature")));
                wire::MessageEvent e;
                e.__set_message_id(str(messageId));
                e.__set_sender_id(str(me));
                e.__set_conversation_id(str(id.value()));
                wire::MessageEventDetail detail;
                detail.__set_message_create_event(mce.value());
                e.__set_detail(detail);
                if (!sig.value().__isset.signing_public_key)
                    sig.value().__set_signing_public_key(
                        str(signingKeyFor(me, fromWire(sig.value().public_key_version))));
                e.__set_message_event_signature(sig.value());
                if (!verifySigned(e, &p))
                    return problem(p);
                const qint64 at = eventTime(c, id.value(), &p);
                if (at < 0)
                    return problem(p);
                // Sending ends the sender's typing indicator.
                std::erase_if(m_typing[id.value()],
                              [&me](const Typing &t) { return fromWire(t.event.sender_id) == me; });
                const auto stored = appendEvent(id.value(), std::move(e), at, QStringLiteral("msg"));
                return HttpResponse::json(
                    {{QStringLiteral("data"),
                                     QJsonObject{{QStringLiteral("encoded_message_event"),
                                                                 QString::fromLatin1(crypto::base64::encodePadded(
                                                                     xchat::encodeThrift(stored)))}}}},
                     201);
            });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/{id}/messages/delete"),
            QStringLiteral("chat.send"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id || !requireMember(id.value(), me, &p))
                    return problem(p);
                const auto body = jsonBody(c.request);
                if (!body)
                    return problem(invalid(tr("The request body is not a JSON object.")));
                bool ok = false;
                const QStringList seqs = stringList(body->value(QStringLiteral("sequence_ids")), &ok);
                if (!ok || seqs.isEmpty())
                    return problem(invalid(tr("sequence_ids must list at least one sequence id."),
                                           QStringLiteral("sequence_ids")));
                const QString action = body->value(QStringLiteral("delete_message_action")).toString();
                if (action != QLatin1String("delete_for_all") && action != QLatin1String("delete_for_self"))
                    return problem(invalid(tr("delete_message_action must be delete_for_all or delete_for_self."),
                                           QStringLiteral("delete_message_action"), action));
                const bool forAll = action == QLatin1String("delete_for_all");
                for (const QString &s : seqs) {
                    QSqlQuery q(m_db);
                    q.prepare(QStringLiteral("SELECT sender_id FROM events WHERE seq = ? AND conversation_id = ?"
                                         " AND kind = 'msg'"));
                    q.addBindValue(s.toLongLong());
                    q.addBindValue(id.value());
                    if (!isDecimal(s) || !q.exec() || !q.next())
                        return problem(notFound(QStringLiteral("message"), s));
                    if (forAll && q.value(0).toString() != me)
                        return problem(forbidden(
                            QStringLiteral("message"), s, tr("Only the sender can delete a message for everyone.")));
                }
                auto actions = parseActionSignatures(body->value(QStringLiteral("action_signatures")), &p);
                if (!actions)
                    return problem(p);
                const auto &a = actions.value().front();
                if (!a.detail.__isset.message_delete_event)
                    return problem(invalid(tr("The action signature does not describe a delete."),
                                           QStringLiteral("action_signatures")));
                if (storedSequence(id.value(), a.messageId, QStringLiteral("delete")))
                    return HttpResponse::json(
                        {{QStringLiteral("data"), QJsonObject{{QStringLiteral("deleted"), true}}}});
                QStringList signedSeqs;
                for (const auto &s : a.detail.message_delete_event.sequence_ids)
                    signedSeqs.append(fromWire(s));
                QStringList sortedSeqs = seqs;
                sortedSeqs.sort();
                signedSeqs.sort();
                if (signedSeqs != sortedSeqs || a.detail.message_delete_event.delete_message_action != (forAll ? 2 : 1))
                    return problem(invalid(tr("The signed delete does not match the request."),
                                           QStringLiteral("action_signatures")));
                wire::MessageEvent e = eventFromAction(a, me, id.value());
                if (!verifySigned(e, &p))
                    return problem(p);
                const qint64 at = eventTime(c, id.value(), &p);
                if (at < 0)
                    return problem(p);
                for (const QString &s : seqs) {
                    QSqlQuery q(m_db);
                    q.prepare(forAll
                              ? QStringLiteral("UPDATE events SET deleted = 1 WHERE seq = ?")
                              : QStringLiteral("INSERT OR IGNORE INTO hidden_events (seq, user_id) VALUES (?, ?)"));
                    q.addBindValue(s.toLongLong());
                    if (!forAll)
                        q.addBindValue(me);
                    q.exec();
                }
                if (forAll) {
                    bool listOk = false;
                    for (const QString &key : stringList(body->value(QStringLiteral("media_hash_keys")), &listOk)) {
                        QSqlQuery q(m_db);
                        q.prepare(QStringLiteral("DELETE FROM media WHERE conversation_id = ? AND media_hash_key = ?"
                                             " AND uploader = ?"));
                        q.addBindValue(id.value());
                        q.addBindValue(key);
                        q.addBindValue(me);
                        q.exec();
                    }
                }
                appendEvent(id.value(), std::move(e), at, QStringLiteral("delete"), forAll ? QString() : me);
                return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("deleted"), true}}}});
            });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/{id}/read"), QStringLiteral("chat.read"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id || !requireMember(id.value(), me, &p))
                    return problem(p);
                const auto body = jsonBody(c.request);
                if (!body)
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const QString seen = body->value(QStringLiteral("seen_until_sequence_id")).toString();
                QSqlQuery q(m_db);
                q.prepare(QStringLiteral("SELECT 1 FROM events WHERE seq = ? AND conversation_id = ?"));
                q.addBindValue(seen.toLongLong());
                q.addBindValue(id.value());
                if (!isDecimal(seen) || !q.exec() || !q.next())
                    return problem(invalid(tr("seen_until_sequence_id must be the sequence id of an event in this "
                                              "conversation."),
                                           QStringLiteral("seen_until_sequence_id"), seen));
                const auto self = member(id.value(), me);
                if (seen.toLongLong() > self->readSeq) {
                    // Read markers only move forward; each move is an event the other devices and
                    // members see.
                    QSqlQuery u(m_db);
                    u.prepare(
                        QStringLiteral("UPDATE members SET read_seq = ? WHERE conversation_id = ? AND user_id = ?"));
                    u.addBindValue(seen.toLongLong());
                    u.addBindValue(id.value());
                    u.addBindValue(me);
                    u.exec();
                    wire::MessageEvent e;
                    e.__set_message_id(str(QUuid::createUuid().toString(QUuid::WithoutBraces)));
                    e.__set_sender_id(str(me));
                    wire::MarkConversationReadEvent mark;
                    mark.__set_seen_until_sequence_id(str(seen));
                    mark.__set_seen_at_millis(nowMsec());
                    wire::MessageEventDetail detail;
                    detail.__set_mark_conversation_read_event(mark);
                    e.__set_detail(detail);
                    appendEvent(id.value(), std::move(e), nowMsec(), QStringLiteral("read"));
                }
                return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("success"), true}}}});
            });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/conversations/{id}/typing"),
            QStringLiteral("chat.typing"), AuthMode::User, write, [this](Context &c) {
                Problem p;
                const QString me = c.principal.userId;
                const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), me, &p);
                if (!id || !requireMember(id.value(), me, &p))
                    return problem(p);
                auto &typing = m_typing[id.value()];
                const qint64 now = nowMsec();
                std::erase_if(typing, [now](const Typing &t) { return t.expiresAt <= now; });
                const auto mine = std::find_if(typing.begin(), typing.end(),
                                               [&me](const Typing &t) { return fromWire(t.event.sender_id) == me; });
                // Within a second of the last one the indicator is only extended, not fanned out again.
                if (mine != typing.end() && mine->expiresAt - m_options.typingLifetimeMsecs + 1000 > now) {
                    mine->expiresAt = now + m_options.typingLifetimeMsecs;
                } else {
                    if (mine != typing.end())
                        typing.erase(mine);
                    const auto conv = conversation(id.value());
                    wire::MessageEvent e;
                    e.__set_sequence_id(QString::number(nextSnowflake()).toStdString());
                    e.__set_sender_id(str(me));
                    e.__set_conversation_id(str(id.value()));
                    e.__set_conversation_token(str(conv->token));
                    e.__set_created_at_msec(QString::number(now).toStdString());
                    if (conv->lastSeq > 0)
                        e.__set_previous_sequence_id(QString::number(conv->lastSeq).toStdString());
                    wire::MessageTypingEvent t;
                    t.__set_conversation_id(str(id.value()));
                    wire::MessageEventDetail detail;
                    detail.__set_message_typing_event(t);
                    e.__set_detail(detail);
                    const QString encoded = QString::fromLatin1(crypto::base64::encodePadded(xchat::encodeThrift(e)));
                    for (const Member &m : members(id.value())) {
                        if (m.userId == me)
                            continue;
                        publishActivity(m.userId,
                                        QStringLiteral("chat.received"),
                                                       {{QStringLiteral("conversation_token"), conv->token},
                                                         {QStringLiteral("id"), QString()},
                                                          {QStringLiteral("created_at_msec"), QString::number(now)},
                                                           {QStringLiteral("sender_id"), me},
                                                            {QStringLiteral("conversation_id"), id.value()},
                                                             {QStringLiteral("encoded_event"), encoded}});
                    }
                    typing.push_back({std::move(e), now + m_options.typingLifetimeMsecs});
                }
                return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("success"), true}}}});
            });
}

} // namespace confab::localserver
