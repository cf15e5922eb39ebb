// confab-localserver's chat endpoints over real HTTP: conversations (pagination, fields,
// expansions, ETags), events (order, pagination, key events in meta, previous ids, path forms),
// keys, groups, members, messages, deletes, read markers and typing. Every signed request is
// built by Confab's OutgoingActions; everything that comes back goes through EventVerifier.

#include "chatharness.h"
#include "crypto/base64.h"
#include "protocols/xchat/jsonwire.h"
#include "protocols/xchat/thriftcodec.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace confab;
using namespace confab::localserver;
using namespace confab::localserver::test;
using xchat::EventType;

namespace {

QString str(const std::string &s)
{
    return QString::fromStdString(s);
}

/// Numeric order of decimal id strings.
bool numericLess(const QString &a, const QString &b)
{
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

bool isDecimal(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[0-9]{1,19}$"));
    return re.match(s).hasMatch();
}

/// Waits until the millisecond clock has moved on, so that the next event is strictly newer.
void nextMillisecond()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (QDateTime::currentMSecsSinceEpoch() == now)
        QTest::qWait(1);
}

/// A signature string with one character changed (still valid base64).
std::string tampered(std::string signature)
{
    signature[4] = signature[4] == 'A' ? 'B' : 'A';
    return signature;
}

QJsonObject withTamperedSignature(const xchat::EncryptedMessage &message)
{
    auto sig = xchat::decodeThrift<wire::MessageEventSignature>(
        crypto::base64::decode(message.encodedMessageEventSignature).value(), "signature");
    sig.value().__set_signature(tampered(sig.value().signature));
    QJsonObject body = message.requestBody();
    body.insert(QStringLiteral("encoded_message_event_signature"),
                               QString::fromLatin1(crypto::base64::encodePadded(xchat::encodeThrift(sig.value()))));
    return body;
}

/// The action signature at `index` of a prepared body, with its signature changed.
QJsonObject withTamperedAction(QJsonObject body, qsizetype index)
{
    QJsonArray actions = body.value(QLatin1String("action_signatures")).toArray();
    QJsonObject action = actions.at(index).toObject();
    QJsonObject sig = action.value(QLatin1String("message_event_signature")).toObject();
    sig.insert(QStringLiteral("signature"), QString::fromStdString(tampered(sig.value(QLatin1String("signature")).toString().toStdString())));
    action.insert(QStringLiteral("message_event_signature"), sig);
    actions.replace(index, action);
    body.insert(QStringLiteral("action_signatures"), actions);
    return body;
}

QJsonObject without(QJsonObject body, const char *key)
{
    body.remove(QLatin1String(key));
    return body;
}

QStringList idsOf(const QJsonArray &data)
{
    QStringList out;
    for (const QJsonValue &v : data)
        out.append(v.toObject().value(QLatin1String("id")).toString());
    return out;
}

QSet<QString> setOf(const QJsonArray &strings)
{
    QSet<QString> out;
    for (const QJsonValue &v : strings)
        out.insert(v.toString());
    return out;
}

int countOf(const std::vector<xchat::VerifiedEvent> &events, EventType type)
{
    return int(std::count_if(events.begin(), events.end(), [type](const auto &e) { return e.type == type; }));
}

QString errorsOf(const EventsPage &page)
{
    QStringList out;
    for (const auto &[index, error] : page.batch.keyErrors)
        out.append(QStringLiteral("key event %1: %2").arg(index).arg(error.toString()));
    for (const auto &[index, error] : page.batch.eventErrors)
        out.append(QStringLiteral("event %1: %2").arg(index).arg(error.toString()));
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestLocalServerChat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void conversationsPaginateWithFieldsAndExpansions()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        CONFAB_VERIFY_OK(alice);
        ChatUser &a = *alice.value();
        QList<ChatUser *> peers;
        QList<Conversation> conversations;
        QStringList expected;
        for (const char *name : {"bob", "carol", "dave"}) {
            auto peer = h.addUser(QString::fromLatin1(name));
            CONFAB_VERIFY_OK(peer);
            peers.append(peer.value());
            auto conv = h.startDirect(a, *peer.value());
            CONFAB_VERIFY_OK(conv);
            nextMillisecond();
            CONFAB_VERIFY_OK(h.sendText(*peer.value(), conv.value(), QStringLiteral("hi")));
            expected.prepend(conv.value().id); // the newest first
            conversations.append(conv.value());
            nextMillisecond();
        }

        // Two pages of two: every conversation once, most recently active first.
        const QUrlQuery shape{{QStringLiteral("max_results"), QStringLiteral("2")},
                               {QStringLiteral("chat_conversation.fields"),
                                               QStringLiteral("type,created_at,updated_at,message_ttl_ms,is_muted")},
                                {QStringLiteral("expansions"), QStringLiteral("member_ids,participant_ids,admin_ids")},
                                 {QStringLiteral("user.fields"), QStringLiteral("username,name,profile_image_url")}};
        const ApiResponse first = a.api.get(QStringLiteral("/2/chat/conversations"), shape);
        CONFAB_EXPECT_STATUS(first, 200);
        QCOMPARE(first.dataArray().size(), 2);
        QCOMPARE(first.meta().value(QLatin1String("result_count")).toInt(), 2);
        QCOMPARE(first.meta().value(QLatin1String("has_more")).toBool(), true);
        const QString next = first.meta().value(QLatin1String("next_token")).toString();
        QVERIFY(!next.isEmpty());

        QUrlQuery second = shape;
        second.addQueryItem(QStringLiteral("pagination_token"), next);
        const ApiResponse last = a.api.get(QStringLiteral("/2/chat/conversations"), second);
        CONFAB_EXPECT_STATUS(last, 200);
        QCOMPARE(last.dataArray().size(), 1);
        QCOMPARE(last.meta().value(QLatin1String("result_count")).toInt(), 1);
        QCOMPARE(last.meta().value(QLatin1String("has_more")).toBool(), false);
        QVERIFY(!last.meta().contains(QLatin1String("next_token")));

        QJsonArray all = first.dataArray();
        for (const QJsonValue &v : last.dataArray())
            all.append(v);
        QCOMPARE(idsOf(all), expected);

        QString previousUpdate;
        QSet<QString> userIds;
        for (const QJsonValue &v : std::as_const(all)) {
            const QJsonObject c = v.toObject();
            QCOMPARE(c.value(QLatin1String("type")).toString(), QStringLiteral("direct"));
            const QDateTime created =
                QDateTime::fromString(c.value(QLatin1String("created_at")).toString(), Qt::ISODateWithMs);
            const QDateTime updated =
                QDateTime::fromString(c.value(QLatin1String("updated_at")).toString(), Qt::ISODateWithMs);
            QVERIFY(created.isValid() && updated.isValid());
            QVERIFY(created <= updated);
            if (!previousUpdate.isEmpty())
                QVERIFY(updated <= QDateTime::fromString(previousUpdate, Qt::ISODateWithMs));
            previousUpdate = c.value(QLatin1String("updated_at")).toString();
            QCOMPARE(c.value(QLatin1String("message_ttl_ms")).toInt(-1), 0);
            QCOMPARE(c.value(QLatin1String("is_muted")).toBool(true), false);
            // A 1:1 has two members and participants, and no admins.
            const QSet<QString> members = setOf(c.value(QLatin1String("member_ids")).toArray());
            QCOMPARE(members.size(), 2);
            QVERIFY(members.contains(a.id));
            QCOMPARE(setOf(c.value(QLatin1String("participant_ids")).toArray()), members);
            QVERIFY(!c.contains(QLatin1String("admin_ids")));
            userIds.unite(members);
        }

        // includes.users hydrates the expanded ids with the requested user fields.
        QSet<QString> included;
        for (const ApiResponse *page : {&first, &last}) {
            const QJsonArray users =
                page->json().value(QLatin1String("includes")).toObject().value(QLatin1String("users")).toArray();
            QVERIFY(!users.isEmpty());
            for (const QJsonValue &u : users) {
                const QJsonObject user = u.toObject();
                included.insert(user.value(QLatin1String("id")).toString());
                QVERIFY(!user.value(QLatin1String("username")).toString().isEmpty());
                QVERIFY(!user.value(QLatin1String("name")).toString().isEmpty());
                QVERIFY(user.value(QLatin1String("profile_image_url")).toString().startsWith(QLatin1String("http")));
            }
        }
        QCOMPARE(included, userIds);

        // Without expansions there are neither member ids nor includes; without fields, id and type.
        const ApiResponse plain = a.api.get(QStringLiteral("/2/chat/conversations"));
        CONFAB_EXPECT_STATUS(plain, 200);
        QCOMPARE(plain.dataArray().size(), 3); // the default page holds 10
        QVERIFY(!plain.json().contains(QLatin1String("includes")));
        for (const QJsonValue &v : plain.dataArray()) {
            QVERIFY(!v.toObject().contains(QLatin1String("member_ids")));
            QVERIFY(v.toObject().contains(QLatin1String("id")));
        }

        // A conversation with new activity moves to the top.
        CONFAB_VERIFY_OK(h.sendText(*peers.first(), conversations.first(), QStringLiteral("news")));
        const ApiResponse moved = a.api.get(
            QStringLiteral("/2/chat/conversations"), QUrlQuery{{QStringLiteral("max_results"), QStringLiteral("1")}});
        CONFAB_EXPECT_STATUS(moved, 200);
        QCOMPARE(idsOf(moved.dataArray()), QStringList{conversations.first().id});
    }

    void conversationsRefuseBadQueries()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        CONFAB_VERIFY_OK(alice);
        const QList<QPair<QString, QString>> bad{
            {QStringLiteral("max_results"), QStringLiteral("0")},
             {QStringLiteral("max_results"), QStringLiteral("101")},
              {QStringLiteral("max_results"), QStringLiteral("ten")},
               {QStringLiteral("pagination_token"), QStringLiteral("not a token")},
                {QStringLiteral("pagination_token"), QStringLiteral("ZTo1")}, // an events cursor ("e:5")
                 {QStringLiteral("chat_conversation.fields"), QStringLiteral("id,bogus")},
                  {QStringLiteral("chat_conversation.fields"), QStringLiteral("type,type")},
                   {QStringLiteral("expansions"), QStringLiteral("sender_id")},
                    {QStringLiteral("user.fields"), QStringLiteral("password")},
                   };
        for (const auto &[key, value] : bad) {
            const ApiResponse r =
                alice.value()->api.get(QStringLiteral("/2/chat/conversations"), QUrlQuery{{key, value}});
            CONFAB_EXPECT_PROBLEM(r, 400, "invalid-request");
            QCOMPARE(r.json().value(QLatin1String("parameter")).toString(), key);
        }
    }

    void conversationsAnswerNotModifiedUntilSomethingHappens()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        auto dave = h.addUser(QStringLiteral("dave"));
        for (const auto *u : {&alice, &bob, &carol, &dave})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);
        auto other = h.startDirect(*carol.value(), *dave.value());
        CONFAB_VERIFY_OK(other);

        const ApiResponse first = a.api.get(QStringLiteral("/2/chat/conversations"));
        CONFAB_EXPECT_STATUS(first, 200);
        const QByteArray etag = first.header("etag");
        QVERIFY(!etag.isEmpty());

        const Headers conditional{{"If-None-Match", etag}};
        const ApiResponse same = a.api.get(QStringLiteral("/2/chat/conversations"), {}, conditional);
        CONFAB_EXPECT_STATUS(same, 304);
        QVERIFY(same.body.isEmpty());
        QCOMPARE(same.header("etag"), etag);

        // Activity elsewhere does not touch Alice's inbox.
        CONFAB_VERIFY_OK(h.sendText(*carol.value(), other.value(), QStringLiteral("not for alice")));
        CONFAB_EXPECT_STATUS(a.api.get(QStringLiteral("/2/chat/conversations"), {}, conditional), 304);

        // A new event in her conversation does.
        CONFAB_VERIFY_OK(h.sendText(*bob.value(), conv.value(), QStringLiteral("hello")));
        const ApiResponse changed = a.api.get(QStringLiteral("/2/chat/conversations"), {}, conditional);
        CONFAB_EXPECT_STATUS(changed, 200);
        const QByteArray newTag = changed.header("etag");
        QVERIFY(!newTag.isEmpty());
        QVERIFY(newTag != etag);
        QCOMPARE(changed.dataArray().size(), 1);
        CONFAB_EXPECT_STATUS(a.api.get(QStringLiteral("/2/chat/conversations"), {}, {{"If-None-Match", newTag}}), 304);

        // The tag belongs to the query: another page shape is answered in full.
        const ApiResponse otherShape = a.api.get(
            QStringLiteral("/2/chat/conversations"), QUrlQuery{{QStringLiteral("max_results"), QStringLiteral("5")}},
                                                               {{"If-None-Match", newTag}});
        CONFAB_EXPECT_STATUS(otherShape, 200);
    }

    void oneConversation()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        auto direct = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(direct);
        auto group = h.createGroup(a, {bob.value(), carol.value()}, QStringLiteral("Team"));
        CONFAB_VERIFY_OK(group);

        const QUrlQuery shape{
            {QStringLiteral("chat_conversation.fields"), QStringLiteral("type,created_at,updated_at,group_name")},
             {QStringLiteral("expansions"), QStringLiteral("member_ids,admin_ids")},
              {QStringLiteral("user.fields"), QStringLiteral("username")}};
        for (const QString &path : {direct.value().pathId, bob.value()->id}) {
            const ApiResponse r = a.api.get(QStringLiteral("/2/chat/conversations/") + path, shape);
            CONFAB_EXPECT_STATUS(r, 200);
            QCOMPARE(r.data().value(QLatin1String("id")).toString(), direct.value().id);
            QCOMPARE(r.data().value(QLatin1String("type")).toString(), QStringLiteral("direct"));
            QVERIFY(!r.data().contains(QLatin1String("group_name")));
            QCOMPARE(setOf(r.data().value(QLatin1String("member_ids")).toArray()),
                     (QSet<QString>{a.id, bob.value()->id}));
            const QJsonArray users =
                r.json().value(QLatin1String("includes")).toObject().value(QLatin1String("users")).toArray();
            QCOMPARE(users.size(), 2);
        }

        const ApiResponse g = bob.value()->api.get(QStringLiteral("/2/chat/conversations/") + group.value().id, shape);
        CONFAB_EXPECT_STATUS(g, 200);
        QCOMPARE(g.data().value(QLatin1String("id")).toString(), group.value().id);
        QCOMPARE(g.data().value(QLatin1String("type")).toString(), QStringLiteral("group"));
        QCOMPARE(g.data().value(QLatin1String("group_name")).toString(), QStringLiteral("Team"));
        QCOMPARE(setOf(g.data().value(QLatin1String("admin_ids")).toArray()), QSet<QString>{a.id});
        QCOMPARE(setOf(g.data().value(QLatin1String("member_ids")).toArray()),
                 (QSet<QString>{a.id, bob.value()->id, carol.value()->id}));

        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/g123")), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/") + carol.value()->id), 404,
                                        "resource-not-found"); // no conversation with Carol yet
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/1234567")), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/abc")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/") + a.id), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/") + direct.value().pathId,
            QUrlQuery{{QStringLiteral("expansions"), QStringLiteral("nobody")}}), 400, "invalid-request");
    }

    void eventsComeNewestFirstAcrossPages()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(*alice.value(), b);
        CONFAB_VERIFY_OK(conv);
        QStringList sent;
        for (int i = 1; i <= 5; ++i) {
            sent.prepend(QStringLiteral("message %1").arg(i));
            CONFAB_VERIFY_OK(h.sendText(*alice.value(), conv.value(), sent.first()));
        }

        QJsonArray data;
        QList<wire::MessageEvent> decoded;
        QStringList texts;
        QList<int> sizes;
        QString token;
        do {
            QUrlQuery query{{QStringLiteral("max_results"), QStringLiteral("2")}};
            if (!token.isEmpty())
                query.addQueryItem(QStringLiteral("pagination_token"), token);
            auto page = h.events(b, conv.value().id, query);
            CONFAB_VERIFY_OK(page);
            QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
            const QJsonObject meta = page.value().meta;
            QCOMPARE(meta.value(QLatin1String("result_count")).toInt(), page.value().data.size());
            // Key changes come only in meta, on every page that needs them.
            QVERIFY(!meta.value(QLatin1String("conversation_key_events")).toArray().isEmpty());
            QCOMPARE(countOf(page.value().batch.events, EventType::KeyChange), 0);
            sizes.append(int(page.value().data.size()));
            for (const QJsonValue &v : page.value().data)
                data.append(v);
            decoded.append(page.value().decoded);
            texts.append(page.value().texts());
            token = meta.value(QLatin1String("has_more")).toBool() ? meta.value(QLatin1String("next_token")).toString()
                                                                   : QString();
            QCOMPARE(meta.contains(QLatin1String("next_token")), !token.isEmpty());
        } while (!token.isEmpty() && sizes.size() < 10);

        QCOMPARE(sizes, (QList<int>{2, 2, 1}));
        QCOMPARE(texts, sent); // newest first, none twice, all verified and decrypted
        for (qsizetype i = 0; i + 1 < decoded.size(); ++i) {
            const QString newer = str(decoded.at(i).sequence_id);
            const QString older = str(decoded.at(i + 1).sequence_id);
            QVERIFY(numericLess(older, newer));
            // The chain: each event points at the one before it, by sequence id and by message id.
            QCOMPARE(str(decoded.at(i).previous_sequence_id), older);
            QCOMPARE(data.at(i).toObject().value(QLatin1String("previous_id")).toString(),
                     data.at(i + 1).toObject().value(QLatin1String("id")).toString());
        }
        // The oldest message follows the key change.
        auto keyChange = decodeEvent(h.events(b, conv.value().id)
                                         .value()
                                         .meta.value(QLatin1String("conversation_key_events"))
                                         .toArray()
                                         .at(0)
                                         .toString());
        CONFAB_VERIFY_OK(keyChange);
        QCOMPARE(str(decoded.last().previous_sequence_id), str(keyChange.value().sequence_id));
        QCOMPARE(str(keyChange.value().sequence_id), conv.value().keySequenceId);
        QCOMPARE(data.last().toObject().value(QLatin1String("previous_id")).toString(),
                 str(keyChange.value().message_id));

        // The JSON fields agree with the signed event they carry.
        for (qsizetype i = 0; i < data.size(); ++i) {
            const QJsonObject e = data.at(i).toObject();
            const wire::MessageEvent &w = decoded.at(i);
            QCOMPARE(e.value(QLatin1String("id")).toString(), str(w.message_id));
            QCOMPARE(e.value(QLatin1String("sender_id")).toString(), alice.value()->id);
            QCOMPARE(e.value(QLatin1String("conversation_id")).toString(), conv.value().id);
            QCOMPARE(e.value(QLatin1String("conversation_token")).toString(), str(w.conversation_token));
            QCOMPARE(QDateTime::fromString(e.value(QLatin1String("created_at")).toString(), Qt::ISODateWithMs)
                         .toMSecsSinceEpoch(),
                     str(w.created_at_msec).toLongLong());
            QCOMPARE(e.value(QLatin1String("message_event_signature"))
                         .toObject()
                         .value(QLatin1String("public_key_version"))
                         .toString(),
                     alice.value()->keyVersion);
        }

        // Field selection.
        const ApiResponse some = b.api.get(
            QStringLiteral("/2/chat/conversations/%1/events").arg(conv.value().pathId),
                           QUrlQuery{{QStringLiteral("chat_message_event.fields"), QStringLiteral("id,sender_id")}});
        CONFAB_EXPECT_STATUS(some, 200);
        QCOMPARE(some.dataArray().size(), 5);
        for (const QJsonValue &v : some.dataArray())
            QCOMPARE(v.toObject().keys(), (QStringList{QStringLiteral("id"), QStringLiteral("sender_id")}));

        // Refused queries.
        const QString path = QStringLiteral("/2/chat/conversations/%1/events").arg(conv.value().pathId);
        for (const auto &[key, value] :
             QList<QPair<QString, QString>>{{QStringLiteral("max_results"), QStringLiteral("0")},
                                             {QStringLiteral("max_results"), QStringLiteral("101")},
                                              {QStringLiteral("pagination_token"), QStringLiteral("garbage!")},
                                               {QStringLiteral("chat_message_event.fields"), QStringLiteral("text")}}) {
            const ApiResponse r = b.api.get(path, QUrlQuery{{key, value}});
            CONFAB_EXPECT_PROBLEM(r, 400, "invalid-request");
            QCOMPARE(r.json().value(QLatin1String("parameter")).toString(), key);
        }
    }

    void eventsAcceptEveryPathForm()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        auto sent = h.sendText(a, conv.value(), QStringLiteral("one conversation, four names"));
        CONFAB_VERIFY_OK(sent);

        const QList<QPair<ChatUser *, QString>> forms{
            {&a, b.id},                                       // the bare recipient id
            {&b, a.id},                                       // the same from the other side
            {&a, a.id + QLatin1Char('-') + b.id},             // A-B
            {&a, b.id + QLatin1Char('-') + a.id},             // B-A
            {&b, xchat::conversationPathId(conv.value().id)}, // min-max
        };
        for (const auto &[viewer, path] : forms) {
            auto page = h.events(*viewer, conv.value().id, {}, path);
            CONFAB_VERIFY_OK(page);
            QCOMPARE(idsOf(page.value().data), QStringList{sent.value().message.messageId});
            QCOMPARE(page.value().data.at(0).toObject().value(QLatin1String("conversation_id")).toString(),
                     conv.value().id);
            QCOMPARE(page.value().texts(), QStringList{QStringLiteral("one conversation, four names")});
        }
        // The canonical id is min:max, numerically.
        const QStringList parts = conv.value().id.split(QLatin1Char(':'));
        QCOMPARE(parts.size(), 2);
        QVERIFY(numericLess(parts.at(0), parts.at(1)));
    }

    void keysStartADirectConversation()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        CONFAB_VERIFY_OK(h.learnKeys(a, {&a, &b}));
        CONFAB_VERIFY_OK(h.learnKeys(b, {&a, &b}));
        auto people = h.participants(a, {&a, &b});
        CONFAB_VERIFY_OK(people);
        const QString canonical = xchat::directConversationId(a.id, b.id);
        auto change = a.out->prepareConversationKeyChange(canonical, people.value());
        CONFAB_VERIFY_OK(change);

        const ApiResponse r =
            a.api.postJson(QStringLiteral("/2/chat/conversations/%1/keys").arg(b.id), change.value().requestBody);
        CONFAB_EXPECT_STATUS(r, 200);
        QCOMPARE(r.data().value(QLatin1String("conversation_id")).toString(), canonical);
        const QString sequence = r.data().value(QLatin1String("sequence_id")).toString();
        QVERIFY(isDecimal(sequence));

        // A resend of the same signed key change (its response was lost) changes nothing.
        for (const QString &path : {b.id, xchat::conversationPathId(canonical)}) {
            const ApiResponse again =
                a.api.postJson(QStringLiteral("/2/chat/conversations/%1/keys").arg(path), change.value().requestBody);
            CONFAB_EXPECT_STATUS(again, 200);
            QCOMPARE(again.data().value(QLatin1String("conversation_id")).toString(), canonical);
            QCOMPARE(again.data().value(QLatin1String("sequence_id")).toString(), sequence);
        }

        // Bob gets the key exactly once, verified, and it becomes his current key.
        auto page = h.events(b, canonical);
        CONFAB_VERIFY_OK(page);
        QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
        QCOMPARE(page.value().meta.value(QLatin1String("conversation_key_events")).toArray().size(), 1);
        QCOMPARE(page.value().data.size(), 0); // key changes are not events of the list
        const auto &ring = b.rings[canonical];
        QCOMPARE(ring.currentVersion().value_or(QString()), change.value().keyVersion);
        QVERIFY(*ring.currentKey() == change.value().conversationKey);
        auto keyEvent =
            decodeEvent(page.value().meta.value(QLatin1String("conversation_key_events")).toArray().at(0).toString());
        CONFAB_VERIFY_OK(keyEvent);
        QCOMPARE(str(keyEvent.value().sequence_id), sequence);
        QCOMPARE(str(keyEvent.value().sender_id), a.id);
        QCOMPARE(str(keyEvent.value().conversation_id), canonical);
    }

    void keysRefuseInvalidChanges()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        ChatUser &c = *carol.value();
        CONFAB_VERIFY_OK(h.learnKeys(a, {&a, &b, &c}));
        const QString canonical = xchat::directConversationId(a.id, b.id);
        const QString path = QStringLiteral("/2/chat/conversations/%1/keys").arg(b.id);
        auto prepare = [&](const QList<xchat::Participant> &people) {
            return a.out->prepareConversationKeyChange(canonical, people);
        };
        auto both = h.participants(a, {&a, &b});
        auto three = h.participants(a, {&a, &b, &c});
        CONFAB_VERIFY_OK(both);
        CONFAB_VERIFY_OK(three);

        auto good = prepare(both.value());
        CONFAB_VERIFY_OK(good);
        const QJsonObject body = good.value().requestBody;

        // Unsigned.
        ApiResponse r = a.api.postJson(path, without(body, "action_signatures"));
        CONFAB_EXPECT_PROBLEM(r, 400, "invalid-request");
        QCOMPARE(r.json().value(QLatin1String("parameter")).toString(), QStringLiteral("action_signatures"));
        QJsonObject empty = body;
        empty.insert(QStringLiteral("action_signatures"), QJsonArray());
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, empty), 400, "invalid-request");

        // A key wrapped for someone who is not in the conversation.
        auto withCarol = prepare(three.value());
        CONFAB_VERIFY_OK(withCarol);
        r = a.api.postJson(path, withCarol.value().requestBody);
        CONFAB_EXPECT_PROBLEM(r, 400, "invalid-request");
        QCOMPARE(r.json().value(QLatin1String("parameter")).toString(),
                 QStringLiteral("conversation_participant_keys"));
        QCOMPARE(r.json().value(QLatin1String("value")).toString(), c.id);

        // A member left out.
        auto aliceOnly = prepare({both.value().at(0)});
        CONFAB_VERIFY_OK(aliceOnly);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, aliceOnly.value().requestBody), 400, "invalid-request");

        // A public key version Bob never registered.
        QList<xchat::Participant> unregistered = both.value();
        unregistered[1].publicKeyVersion = QStringLiteral("1");
        auto stale = prepare(unregistered);
        CONFAB_VERIFY_OK(stale);
        r = a.api.postJson(path, stale.value().requestBody);
        CONFAB_EXPECT_PROBLEM(r, 400, "invalid-request");
        QCOMPARE(r.json().value(QLatin1String("parameter")).toString(), QStringLiteral("public_key_version"));

        // A signature made with a key version Alice never registered.
        xchat::OutgoingActions unknownSigner(a.id, xchat::ActionSigner(a.keys.signing(), QStringLiteral("1")));
        auto unknownVersion = unknownSigner.prepareConversationKeyChange(canonical, both.value());
        CONFAB_VERIFY_OK(unknownVersion);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, unknownVersion.value().requestBody), 400, "invalid-request");

        // The request must say what was signed.
        QJsonObject otherVersion = body;
        otherVersion.insert(QStringLiteral("conversation_key_version"), QStringLiteral("1700000000000"));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, otherVersion), 400, "invalid-request");
        QJsonObject otherKeys = body;
        otherKeys.insert(QStringLiteral("conversation_participant_keys"),
            prepare(both.value()).value().requestBody.value(QLatin1String("conversation_participant_keys")));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, otherKeys), 400, "invalid-request");

        // Malformed bodies and ids.
        CONFAB_EXPECT_PROBLEM(a.api.postRaw(path, "{\"conversation_key_version\":"), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(QStringLiteral("/2/chat/conversations/%1/keys").arg(a.id), body), 400,
                                             "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(QStringLiteral("/2/chat/conversations/99999/keys"), body), 404,
                                             "resource-not-found");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(QStringLiteral("/2/chat/conversations/x1/keys"), body), 400,
                                             "invalid-request");

        // None of it started a conversation.
        const ApiResponse list = a.api.get(QStringLiteral("/2/chat/conversations"));
        CONFAB_EXPECT_STATUS(list, 200);
        QCOMPARE(list.dataArray().size(), 0);
        // The valid change still goes through.
        CONFAB_EXPECT_STATUS(a.api.postJson(path, body), 200);
    }

    void keysRotate()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("with the first key")));

        auto people = h.participants(a, {&a, &b});
        CONFAB_VERIFY_OK(people);
        auto rotation = a.out->prepareConversationKeyChange(conv.value().id, people.value());
        CONFAB_VERIFY_OK(rotation);
        const ApiResponse r = a.api.postJson(QStringLiteral("/2/chat/conversations/%1/keys").arg(conv.value().pathId),
                                                            rotation.value().requestBody);
        CONFAB_EXPECT_STATUS(r, 200);
        QCOMPARE(r.data().value(QLatin1String("conversation_id")).toString(), conv.value().id);
        QVERIFY(numericLess(conv.value().keySequenceId, r.data().value(QLatin1String("sequence_id")).toString()));

        Conversation rotated = conv.value();
        rotated.key = rotation.value().conversationKey;
        rotated.keyVersion = rotation.value().keyVersion;
        CONFAB_VERIFY_OK(h.sendText(a, rotated, QStringLiteral("with the second key")));

        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
        QCOMPARE(page.value().meta.value(QLatin1String("conversation_key_events")).toArray().size(), 2);
        QCOMPARE(page.value().texts(),
                 (QStringList{QStringLiteral("with the second key"), QStringLiteral("with the first key")}));
        QCOMPARE(b.rings[conv.value().id].currentVersion().value_or(QString()), rotation.value().keyVersion);
    }

    void groupsAreInitializedThenCreated()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        ChatUser &c = *carol.value();
        for (ChatUser *viewer : {&a, &b, &c})
            CONFAB_VERIFY_OK(h.learnKeys(*viewer, {&a, &b, &c}));

        const ApiResponse init = a.api.postRaw(QStringLiteral("/2/chat/conversations/group/initialize"), {});
        CONFAB_EXPECT_STATUS(init, 200);
        const QString groupId = init.data().value(QLatin1String("conversation_id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^g[0-9]{1,19}$")).match(groupId).hasMatch());

        auto people = h.participants(a, {&a, &b, &c});
        CONFAB_VERIFY_OK(people);
        auto create =
            a.out->prepareGroupCreate(groupId, {a.id, b.id, c.id}, {}, QStringLiteral("Team"), people.value());
        CONFAB_VERIFY_OK(create);
        QCOMPARE(create.value().requestBody.value(QLatin1String("action_signatures")).toArray().size(), 2);
        const ApiResponse r = a.api.postJson(QStringLiteral("/2/chat/conversations/group"), create.value().requestBody);
        CONFAB_EXPECT_STATUS(r, 201);
        QCOMPARE(r.data().value(QLatin1String("conversation_id")).toString(), groupId);
        const QString keySequence = r.data().value(QLatin1String("conversation_key_change_sequence_id")).toString();
        QVERIFY(isDecimal(keySequence));

        // A resend is answered the same way.
        const ApiResponse again =
            a.api.postJson(QStringLiteral("/2/chat/conversations/group"), create.value().requestBody);
        CONFAB_EXPECT_STATUS(again, 201);
        QCOMPARE(again.data().value(QLatin1String("conversation_key_change_sequence_id")).toString(), keySequence);

        const Conversation group{groupId, groupId, create.value().keyVersion, create.value().conversationKey,
                                 keySequence};
        CONFAB_VERIFY_OK(h.sendText(a, group, QStringLiteral("hello team")));
        for (ChatUser *member : {&b, &c}) {
            auto page = h.events(*member, groupId);
            CONFAB_VERIFY_OK(page);
            QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
            QCOMPARE(page.value().texts(), QStringList{QStringLiteral("hello team")});
            QCOMPARE(countOf(page.value().batch.events, EventType::GroupChange), 1);
            const auto created = std::find_if(page.value().batch.events.begin(), page.value().batch.events.end(),
                                              [](const auto &e) { return e.type == EventType::GroupChange; });
            QVERIFY(created->verified);
            QCOMPARE(created->senderId, a.id);
            QCOMPARE(member->rings[groupId].currentVersion().value_or(QString()), create.value().keyVersion);
        }
    }

    void groupCreateRefusesBadSignaturesAndIds()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        CONFAB_VERIFY_OK(h.learnKeys(a, {&a, &b}));
        auto people = h.participants(a, {&a, &b});
        CONFAB_VERIFY_OK(people);
        const QString createPath = QStringLiteral("/2/chat/conversations/group");
        const ApiResponse init = a.api.postRaw(QStringLiteral("/2/chat/conversations/group/initialize"), {});
        CONFAB_EXPECT_STATUS(init, 200);
        const QString groupId = init.data().value(QLatin1String("conversation_id")).toString();
        auto create = a.out->prepareGroupCreate(groupId, {a.id, b.id}, {}, QStringLiteral("Pair"), people.value());
        CONFAB_VERIFY_OK(create);
        const QJsonObject body = create.value().requestBody;

        // Both signatures are required.
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, without(body, "action_signatures")), 400, "invalid-request");
        QJsonObject onlyKey = body;
        onlyKey.insert(QStringLiteral("action_signatures"),
                                      QJsonArray{body.value(QLatin1String("action_signatures")).toArray().at(0)});
        const ApiResponse one = a.api.postJson(createPath, onlyKey);
        CONFAB_EXPECT_PROBLEM(one, 400, "invalid-request");
        QCOMPARE(one.json().value(QLatin1String("parameter")).toString(), QStringLiteral("action_signatures"));

        // The group create signature is verified against Alice's registered signing key.
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, withTamperedAction(body, 1)), 400, "invalid-request");
        auto impostorKeys = crypto::P256KeyPair::generate();
        CONFAB_VERIFY_OK(impostorKeys);
        xchat::OutgoingActions impostor(a.id, xchat::ActionSigner(impostorKeys.value(), a.keyVersion));
        auto forged = impostor.prepareGroupCreate(groupId, {a.id, b.id}, {}, QStringLiteral("Pair"), people.value());
        CONFAB_VERIFY_OK(forged);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, forged.value().requestBody), 400, "invalid-request");

        // The name must be the one that was signed.
        QJsonObject renamed = body;
        renamed.insert(QStringLiteral("group_name"), QStringLiteral("Other"));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, renamed), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, without(body, "group_members")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, without(body, "conversation_id")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postRaw(createPath, "[]"), 400, "invalid-request");

        // Only an initialized id, and only by whoever initialized it.
        QJsonObject unknown = body;
        unknown.insert(QStringLiteral("conversation_id"), QStringLiteral("g42"));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, unknown), 404, "resource-not-found");
        const ApiResponse bobsInit = b.api.postRaw(QStringLiteral("/2/chat/conversations/group/initialize"), {});
        CONFAB_EXPECT_STATUS(bobsInit, 200);
        const QString bobsId = bobsInit.data().value(QLatin1String("conversation_id")).toString();
        auto taken = a.out->prepareGroupCreate(bobsId, {a.id, b.id}, {}, QStringLiteral("Pair"), people.value());
        CONFAB_VERIFY_OK(taken);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(createPath, taken.value().requestBody), 403,
                              "not-authorized-for-resource");

        // Nothing exists yet; then the valid request creates the group.
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/chat/conversations/") + groupId), 404, "resource-not-found");
        CONFAB_EXPECT_STATUS(a.api.postJson(createPath, body), 201);
    }

    void membersAreAddedByAdminsWithANewKey()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        auto dave = h.addUser(QStringLiteral("dave"));
        for (const auto *u : {&alice, &bob, &carol, &dave})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        ChatUser &c = *carol.value();
        ChatUser &d = *dave.value();
        auto group = h.createGroup(a, {&b, &c}, QStringLiteral("Team"));
        CONFAB_VERIFY_OK(group);
        const QString groupId = group.value().id;
        CONFAB_VERIFY_OK(h.sendText(a, group.value(), QStringLiteral("before dave")));
        for (ChatUser *viewer : {&a, &b, &c, &d})
            CONFAB_VERIFY_OK(h.learnKeys(*viewer, {&a, &b, &c, &d}));
        const xchat::GroupRoster roster{{a.id, b.id, c.id}, {a.id}, QStringLiteral("Team"), {}, {}, {}};
        const QString path = QStringLiteral("/2/chat/conversations/%1/members").arg(groupId);

        // Only an admin adds members.
        auto bobsPeople = h.participants(b, {&a, &b, &c, &d});
        CONFAB_VERIFY_OK(bobsPeople);
        auto bobsAdd = b.out->prepareMemberAdd(groupId, roster, {d.id}, bobsPeople.value());
        CONFAB_VERIFY_OK(bobsAdd);
        CONFAB_EXPECT_PROBLEM(b.api.postJson(path, bobsAdd.value().requestBody), 403, "not-authorized-for-resource");

        auto people = h.participants(a, {&a, &b, &c, &d});
        CONFAB_VERIFY_OK(people);
        auto add = a.out->prepareMemberAdd(groupId, roster, {d.id}, people.value());
        CONFAB_VERIFY_OK(add);
        // Both signatures are needed.
        QJsonObject onlyKey = add.value().requestBody;
        onlyKey.insert(QStringLiteral("action_signatures"),
                                      QJsonArray{onlyKey.value(QLatin1String("action_signatures")).toArray().at(0)});
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, onlyKey), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, withTamperedAction(add.value().requestBody, 1)), 400,
                              "invalid-request");
        // The new key must reach everyone, Dave included.
        auto oldPeople = h.participants(a, {&a, &b, &c});
        CONFAB_VERIFY_OK(oldPeople);
        auto notForDave = a.out->prepareMemberAdd(groupId, roster, {d.id}, oldPeople.value());
        CONFAB_VERIFY_OK(notForDave);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, notForDave.value().requestBody), 400, "invalid-request");

        const ApiResponse added = a.api.postJson(path, add.value().requestBody);
        CONFAB_EXPECT_STATUS(added, 200);
        QVERIFY(added.isJsonObject());

        // Adding him twice, adding nobody, and adding to a 1:1 are refused.
        auto twice = a.out->prepareMemberAdd(
            groupId, {{a.id, b.id, c.id, d.id}, {a.id}, QStringLiteral("Team"), {}, {}, {}}, {d.id}, people.value());
        CONFAB_VERIFY_OK(twice);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, twice.value().requestBody), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, without(add.value().requestBody, "user_ids")), 400,
                              "invalid-request");
        auto direct = h.startDirect(a, b);
        CONFAB_VERIFY_OK(direct);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(
            QStringLiteral("/2/chat/conversations/%1/members").arg(direct.value().pathId), add.value().requestBody),
            400, "invalid-request");

        // The rotated key: everyone reads the next message, Dave sees nothing from before he joined.
        Conversation rotated = group.value();
        rotated.key = add.value().conversationKey;
        rotated.keyVersion = add.value().keyVersion;
        CONFAB_VERIFY_OK(h.sendText(a, rotated, QStringLiteral("welcome dave")));
        auto davesPage = h.events(d, groupId);
        CONFAB_VERIFY_OK(davesPage);
        QVERIFY2(errorsOf(davesPage.value()).isEmpty(), qPrintable(errorsOf(davesPage.value())));
        QCOMPARE(davesPage.value().texts(), QStringList{QStringLiteral("welcome dave")});
        QCOMPARE(davesPage.value().meta.value(QLatin1String("conversation_key_events")).toArray().size(), 1);
        QCOMPARE(countOf(davesPage.value().batch.events, EventType::GroupChange), 1); // the member add
        QCOMPARE(d.rings[groupId].currentVersion().value_or(QString()), add.value().keyVersion);
        for (ChatUser *member : {&b, &c}) {
            auto page = h.events(*member, groupId);
            CONFAB_VERIFY_OK(page);
            QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
            QCOMPARE(page.value().texts(),
                     (QStringList{QStringLiteral("welcome dave"), QStringLiteral("before dave")}));
            QCOMPARE(page.value().meta.value(QLatin1String("conversation_key_events")).toArray().size(), 2);
            QCOMPARE(member->rings[groupId].currentVersion().value_or(QString()), add.value().keyVersion);
        }
        const ApiResponse members =
            d.api.get(QStringLiteral("/2/chat/conversations/") + groupId,
                                     QUrlQuery{{QStringLiteral("expansions"), QStringLiteral("member_ids")}});
        CONFAB_EXPECT_STATUS(members, 200);
        QCOMPARE(setOf(members.data().value(QLatin1String("member_ids")).toArray()),
                 (QSet<QString>{a.id, b.id, c.id, d.id}));
    }

    void messagesAreStoredAsSignedEvents()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);

        QList<SentMessage> sent;
        QString previous = conv.value().keySequenceId;
        for (const auto &[from, text] : QList<QPair<ChatUser *, QString>>{
                 {&a, QStringLiteral("one")}, {&a, QStringLiteral("two")}, {&b, QStringLiteral("three")}}) {
            const qint64 before = QDateTime::currentMSecsSinceEpoch();
            auto message = h.sendText(*from, conv.value(), text);
            const qint64 after = QDateTime::currentMSecsSinceEpoch();
            CONFAB_VERIFY_OK(message);
            const wire::MessageEvent &e = message.value().event;
            QCOMPARE(message.value().response.contentType(), QByteArray("application/json"));
            QVERIFY(isDecimal(str(e.sequence_id)));
            QVERIFY(numericLess(previous, str(e.sequence_id)));
            QCOMPARE(str(e.previous_sequence_id), previous);
            previous = str(e.sequence_id);
            const qint64 created = str(e.created_at_msec).toLongLong();
            QVERIFY(before <= created && created <= after);
            QCOMPARE(str(e.sender_id), from->id); // from the token, never from the body
            QCOMPARE(str(e.message_id), message.value().message.messageId);
            QCOMPARE(str(e.conversation_id), conv.value().id);
            QVERIFY(!e.conversation_token.empty());
            if (!sent.isEmpty())
                QCOMPARE(str(e.conversation_token), str(sent.first().event.conversation_token));
            QVERIFY(e.detail.__isset.message_create_event);
            QCOMPARE(str(e.detail.message_create_event.conversation_key_version), conv.value().keyVersion);
            QCOMPARE(str(e.message_event_signature.public_key_version), from->keyVersion);
            sent.append(message.value());
        }

        // The receiver's rules accept what the server returned, byte for byte the stored event.
        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
        QCOMPARE(page.value().texts(),
                 (QStringList{QStringLiteral("three"), QStringLiteral("two"), QStringLiteral("one")}));
        for (const QJsonValue &v : page.value().data)
            QCOMPARE(v.toObject().value(QLatin1String("conversation_token")).toString(),
                     str(sent.first().event.conversation_token));
        QCOMPARE(page.value().data.at(2).toObject().value(QLatin1String("encoded_event")).toString(),
                 sent.first().response.data().value(QLatin1String("encoded_message_event")).toString());
        // The conversation token is accepted back from a client.
        auto withToken = h.encryptText(a, conv.value(), QStringLiteral("four"));
        CONFAB_VERIFY_OK(withToken);
        QJsonObject body = withToken.value().requestBody();
        body.insert(QStringLiteral("conversation_token"), str(sent.first().event.conversation_token));
        CONFAB_EXPECT_STATUS(h.postMessage(a, conv.value().pathId, body), 201);
        body.insert(QStringLiteral("conversation_token"), QStringLiteral("someone-elses"));
        body.insert(QStringLiteral("message_id"), xchat::newMessageId());
        CONFAB_EXPECT_PROBLEM(h.postMessage(a, conv.value().pathId, body), 400, "invalid-request");
    }

    void messageResendsReturnTheSameEvent()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        auto first = h.sendText(a, conv.value(), QStringLiteral("only once"));
        CONFAB_VERIFY_OK(first);
        const QString encoded = first.value().response.data().value(QLatin1String("encoded_message_event")).toString();
        CONFAB_VERIFY_OK(h.sendText(b, conv.value(), QStringLiteral("in between")));

        for (const QString &path : {conv.value().pathId, b.id}) {
            const ApiResponse again = h.postMessage(a, path, first.value().message.requestBody());
            CONFAB_EXPECT_STATUS(again, 201);
            QCOMPARE(again.data().value(QLatin1String("encoded_message_event")).toString(), encoded);
        }
        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QCOMPARE(page.value().texts(), (QStringList{QStringLiteral("in between"), QStringLiteral("only once")}));
        QCOMPARE(idsOf(page.value().data).count(first.value().message.messageId), 1);

        // Someone else cannot take over that message id.
        auto bobs = h.encryptText(b, conv.value(), QStringLiteral("hijack"));
        CONFAB_VERIFY_OK(bobs);
        QJsonObject hijack = bobs.value().requestBody();
        hijack.insert(QStringLiteral("message_id"), first.value().message.messageId);
        const ApiResponse refused = h.postMessage(b, conv.value().pathId, hijack);
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.contentType(), QByteArray("application/problem+json"));
    }

    void messagesRefuseWhatDoesNotVerify()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        auto other = h.startDirect(a, *carol.value());
        CONFAB_VERIFY_OK(other);
        const QString path = conv.value().pathId;
        auto good = h.encryptText(a, conv.value(), QStringLiteral("valid"));
        CONFAB_VERIFY_OK(good);
        const QJsonObject body = good.value().requestBody();

        auto expectRefused = [&](const QJsonObject &request, const char *parameter) {
            const ApiResponse r = h.postMessage(a, path, request);
            QVERIFY2(r.status == 400, qPrintable(r.describe()));
            QCOMPARE(r.contentType(), QByteArray("application/problem+json"));
            QCOMPARE(r.problemType(), QStringLiteral("invalid-request"));
            if (parameter)
                QCOMPARE(r.json().value(QLatin1String("parameter")).toString(), QString::fromLatin1(parameter));
        };

        expectRefused(withTamperedSignature(good.value()), "message_event_signature");
        auto impostorKeys = crypto::P256KeyPair::generate();
        CONFAB_VERIFY_OK(impostorKeys);
        xchat::OutgoingActions impostor(a.id, xchat::ActionSigner(impostorKeys.value(), a.keyVersion));
        auto forged = impostor.encryptMessage(conv.value().id, conv.value().key, conv.value().keyVersion,
                                              xchat::textContent(QStringLiteral("forged")));
        CONFAB_VERIFY_OK(forged);
        expectRefused(forged.value().requestBody(), "message_event_signature");

        auto unknownKey = a.out->encryptMessage(
            conv.value().id, conv.value().key, QStringLiteral("123"), xchat::textContent(QStringLiteral("which key?")));
        CONFAB_VERIFY_OK(unknownKey);
        expectRefused(unknownKey.value().requestBody(), "conversation_key_version");

        // Signed for one conversation, replayed into another.
        auto elsewhere = h.encryptText(a, other.value(), QStringLiteral("for carol"));
        CONFAB_VERIFY_OK(elsewhere);
        expectRefused(elsewhere.value().requestBody(), nullptr);

        QJsonObject badBase64 = body;
        badBase64.insert(QStringLiteral("encoded_message_create_event"), QStringLiteral("%%% not base64 %%%"));
        expectRefused(badBase64, "encoded_message_create_event");
        QJsonObject notThrift = body;
        notThrift.insert(QStringLiteral("encoded_message_create_event"), QStringLiteral("AAAAAAAAAAAAAA=="));
        expectRefused(notThrift, "encoded_message_create_event");
        wire::MessageCreateEvent unencrypted;
        unencrypted.__set_should_notify(true);
        QJsonObject plain = body;
        plain.insert(QStringLiteral("encoded_message_create_event"), QString::fromLatin1(crypto::base64::encodePadded(
                                                                         xchat::encodeThrift(unencrypted))));
        expectRefused(plain, "encoded_message_create_event");
        QJsonObject badSignature = body;
        badSignature.insert(QStringLiteral("encoded_message_event_signature"), QStringLiteral("!!"));
        expectRefused(badSignature, "encoded_message_event_signature");
        expectRefused(without(body, "encoded_message_event_signature"), "encoded_message_event_signature");
        expectRefused(without(body, "message_id"), "message_id");
        expectRefused(without(body, "encoded_message_create_event"), "encoded_message_create_event");

        const ApiResponse notJson =
            a.api.postRaw(QStringLiteral("/2/chat/conversations/%1/messages").arg(path), "{\"message_id\": ");
        CONFAB_EXPECT_PROBLEM(notJson, 400, "invalid-request");

        // Nothing was stored; the valid message still goes through.
        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QCOMPARE(page.value().data.size(), 0);
        CONFAB_EXPECT_STATUS(h.postMessage(a, path, body), 201);
    }

    void deletesHideForAllOrForSelf()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        auto m1 = h.sendText(a, conv.value(), QStringLiteral("m1"));
        auto m2 = h.sendText(a, conv.value(), QStringLiteral("m2"));
        auto m3 = h.sendText(b, conv.value(), QStringLiteral("m3"));
        for (const auto *m : {&m1, &m2, &m3})
            CONFAB_VERIFY_OK(*m);
        const QString seq1 = str(m1.value().event.sequence_id);
        const QString seq2 = str(m2.value().event.sequence_id);
        const QString seq3 = str(m3.value().event.sequence_id);
        const QString path = QStringLiteral("/2/chat/conversations/%1/messages/delete").arg(conv.value().pathId);
        auto texts = [&](ChatUser &viewer) {
            auto page = h.events(viewer, conv.value().id);
            return page ? page.value().texts() : QStringList{QStringLiteral("error")};
        };

        // For everyone.
        auto forAll = a.out->prepareMessageDelete(conv.value().id, {seq1}, true);
        CONFAB_VERIFY_OK(forAll);
        const ApiResponse deleted = a.api.postJson(path, forAll.value());
        CONFAB_EXPECT_STATUS(deleted, 200);
        QCOMPARE(deleted.data().value(QLatin1String("deleted")).toBool(), true);
        QCOMPARE(texts(a), (QStringList{QStringLiteral("m3"), QStringLiteral("m2")}));
        QCOMPARE(texts(b), (QStringList{QStringLiteral("m3"), QStringLiteral("m2")}));
        auto bobsPage = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(bobsPage);
        QVERIFY2(errorsOf(bobsPage.value()).isEmpty(), qPrintable(errorsOf(bobsPage.value())));
        QCOMPARE(countOf(bobsPage.value().batch.events, EventType::MessageDeleted), 1);
        QVERIFY(bobsPage.value().batch.events.front().verified); // the signed delete is the newest event

        // For herself only.
        auto forSelf = a.out->prepareMessageDelete(conv.value().id, {seq2}, false);
        CONFAB_VERIFY_OK(forSelf);
        CONFAB_EXPECT_STATUS(a.api.postJson(path, forSelf.value()), 200);
        QCOMPARE(texts(a), QStringList{QStringLiteral("m3")});
        QCOMPARE(texts(b), (QStringList{QStringLiteral("m3"), QStringLiteral("m2")}));
        bobsPage = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(bobsPage);
        QCOMPARE(countOf(bobsPage.value().batch.events, EventType::MessageDeleted), 1); // not Alice's own one

        // Bob cannot delete Alice's message for everyone, but may hide it for himself.
        auto bobsForAll = b.out->prepareMessageDelete(conv.value().id, {seq2}, true);
        CONFAB_VERIFY_OK(bobsForAll);
        CONFAB_EXPECT_PROBLEM(b.api.postJson(path, bobsForAll.value()), 403, "not-authorized-for-resource");
        QCOMPARE(texts(b), (QStringList{QStringLiteral("m3"), QStringLiteral("m2")}));
        auto bobsForSelf = b.out->prepareMessageDelete(conv.value().id, {seq2}, false);
        CONFAB_VERIFY_OK(bobsForSelf);
        CONFAB_EXPECT_STATUS(b.api.postJson(path, bobsForSelf.value()), 200);
        QCOMPARE(texts(b), QStringList{QStringLiteral("m3")});

        // Refused requests.
        auto signedFor3 = a.out->prepareMessageDelete(conv.value().id, {seq3}, false);
        CONFAB_VERIFY_OK(signedFor3);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, without(signedFor3.value(), "action_signatures")), 400,
                              "invalid-request");
        QJsonObject mismatch = signedFor3.value();
        mismatch.insert(QStringLiteral("sequence_ids"), QJsonArray{seq2, seq3});
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, mismatch), 400, "invalid-request");
        QJsonObject otherAction = signedFor3.value();
        otherAction.insert(QStringLiteral("delete_message_action"), QStringLiteral("delete_for_all"));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, otherAction), 403, "not-authorized-for-resource");
        QJsonObject badAction = signedFor3.value();
        badAction.insert(QStringLiteral("delete_message_action"), QStringLiteral("shred"));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, badAction), 400, "invalid-request");
        QJsonObject none = signedFor3.value();
        none.insert(QStringLiteral("sequence_ids"), QJsonArray());
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, none), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, withTamperedAction(signedFor3.value(), 0)), 400, "invalid-request");
        auto unknown = a.out->prepareMessageDelete(conv.value().id, {QStringLiteral("12345")}, false);
        CONFAB_VERIFY_OK(unknown);
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, unknown.value()), 404, "resource-not-found");
        QCOMPARE(texts(a), QStringList{QStringLiteral("m3")});
    }

    void deleteResendsKeepTheEventChain()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        auto m1 = h.sendText(a, conv.value(), QStringLiteral("m1"));
        CONFAB_VERIFY_OK(m1);
        auto del = a.out->prepareMessageDelete(conv.value().id, {str(m1.value().event.sequence_id)}, true);
        CONFAB_VERIFY_OK(del);
        const QString path = QStringLiteral("/2/chat/conversations/%1/messages/delete").arg(conv.value().pathId);
        CONFAB_EXPECT_STATUS(a.api.postJson(path, del.value()), 200);
        // The response was lost; the client resends the same signed delete.
        CONFAB_EXPECT_STATUS(a.api.postJson(path, del.value()), 200);
        auto m2 = h.sendText(a, conv.value(), QStringLiteral("m2"));
        CONFAB_VERIFY_OK(m2);

        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));
        QCOMPARE(countOf(page.value().batch.events, EventType::MessageDeleted), 1);
        QCOMPARE(page.value().texts(), QStringList{QStringLiteral("m2")});
        // Every event points at the event before it: no sequence id that was never stored.
        const QList<wire::MessageEvent> &events = page.value().decoded;
        QCOMPARE(events.size(), 2);
        QCOMPARE(str(events.at(0).previous_sequence_id), str(events.at(1).sequence_id));
    }

    void readMarkersOnlyMoveForward()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        auto other = h.startDirect(a, *carol.value());
        CONFAB_VERIFY_OK(other);
        auto m1 = h.sendText(a, conv.value(), QStringLiteral("m1"));
        auto m2 = h.sendText(a, conv.value(), QStringLiteral("m2"));
        auto elsewhere = h.sendText(a, other.value(), QStringLiteral("for carol"));
        for (const auto *m : {&m1, &m2, &elsewhere})
            CONFAB_VERIFY_OK(*m);
        const QString path = QStringLiteral("/2/chat/conversations/%1/read").arg(conv.value().pathId);
        auto readEvents = [&]() {
            QList<wire::MessageEvent> out;
            auto page = h.events(a, conv.value().id);
            if (page)
                for (const wire::MessageEvent &e : page.value().decoded)
                    if (e.detail.__isset.mark_conversation_read_event)
                        out.append(e);
            return out;
        };

        const ApiResponse r =
            b.api.postJson(path, {{QStringLiteral("seen_until_sequence_id"), str(m2.value().event.sequence_id)}});
        CONFAB_EXPECT_STATUS(r, 200);
        QCOMPARE(r.data().value(QLatin1String("success")).toBool(), true);
        auto seen = readEvents();
        QCOMPARE(seen.size(), 1);
        QCOMPARE(str(seen.first().sender_id), b.id);
        QCOMPARE(str(seen.first().detail.mark_conversation_read_event.seen_until_sequence_id),
                 str(m2.value().event.sequence_id));
        QVERIFY(seen.first().detail.mark_conversation_read_event.seen_at_millis > 0);

        // Going back, or staying put, is accepted and changes nothing.
        for (const auto *m : {&m1, &m2})
            CONFAB_EXPECT_STATUS(b.api.postJson(
                path, {{QStringLiteral("seen_until_sequence_id"), str(m->value().event.sequence_id)}}), 200);
        QCOMPARE(readEvents().size(), 1);

        CONFAB_EXPECT_PROBLEM(b.api.postJson(path, {}), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(b.api.postJson(path, {{QStringLiteral("seen_until_sequence_id"), QStringLiteral("12")}}),
                                             400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(b.api.postJson(
            path, {{QStringLiteral("seen_until_sequence_id"), str(elsewhere.value().event.sequence_id)}}), 400,
            "invalid-request");
        CONFAB_EXPECT_PROBLEM(b.api.postRaw(path, "seen"), 400, "invalid-request");
        QCOMPARE(readEvents().size(), 1);
    }

    void typingIsShownThenExpires()
    {
        ServerOptions options = devOptions();
        options.typingLifetimeMsecs = 300;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("first")));
        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("second")));
        const QString path = QStringLiteral("/2/chat/conversations/%1/typing").arg(conv.value().pathId);
        auto typingIn = [&](ChatUser &viewer, const QUrlQuery &query = {}) {
            int n = 0;
            auto page = h.events(viewer, conv.value().id, query);
            if (!page)
                return -1;
            for (const wire::MessageEvent &e : page.value().decoded)
                n += e.detail.__isset.message_typing_event ? 1 : 0;
            return n;
        };

        const ApiResponse r = a.api.postRaw(path, {});
        CONFAB_EXPECT_STATUS(r, 200);
        QCOMPARE(r.data().value(QLatin1String("success")).toBool(), true);

        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QVERIFY(!page.value().decoded.isEmpty());
        const wire::MessageEvent &typing = page.value().decoded.first(); // the newest event
        QVERIFY(typing.detail.__isset.message_typing_event);
        QCOMPARE(str(typing.sender_id), a.id);
        QCOMPARE(str(typing.conversation_id), conv.value().id);
        QCOMPARE(str(typing.detail.message_typing_event.conversation_id), conv.value().id);
        QVERIFY(!typing.__isset.message_event_signature); // typing is never signed
        QVERIFY(
            page.value().data.at(0).toObject().value(QLatin1String("message_event_signature")).toObject().isEmpty());
        QCOMPARE(page.value().batch.events.front().type, EventType::Typing);
        QVERIFY(!page.value().batch.events.front().verified);
        QVERIFY2(errorsOf(page.value()).isEmpty(), qPrintable(errorsOf(page.value())));

        // Not shown to the typist, and not on later pages.
        QCOMPARE(typingIn(a), 0);
        auto first = h.events(b, conv.value().id, QUrlQuery{{QStringLiteral("max_results"), QStringLiteral("1")}});
        CONFAB_VERIFY_OK(first);
        const qsizetype firstPageSize = first.value().data.size();
        const QString next = first.value().meta.value(QLatin1String("next_token")).toString();
        QVERIFY(!next.isEmpty());
        QCOMPARE(typingIn(b, QUrlQuery{{QStringLiteral("pagination_token"), next}}), 0);

        // It expires by itself.
        QTRY_COMPARE(typingIn(b), 0);

        // Sending a message ends it at once.
        CONFAB_EXPECT_STATUS(a.api.postRaw(path, {}), 200);
        QCOMPARE(typingIn(b), 1);
        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("done typing")));
        QCOMPARE(typingIn(b), 0);

        // A typing indicator counts towards max_results like any other event.
        QVERIFY2(firstPageSize <= 1, qPrintable(QStringLiteral("max_results=1 gave %1 events").arg(firstPageSize)));
    }
};

QTEST_GUILESS_MAIN(TestLocalServerChat)
#include "tst_localserver_chat.moc"
