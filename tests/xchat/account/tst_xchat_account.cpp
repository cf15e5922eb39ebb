// The X Chat account engine end to end, over real HTTP against confab-localserver in this process.
// Every engine has its own store (SQLite file), outbox dispatcher, token and device key store;
// its user is created without keys, so the engine generates and registers them in start().
//
// - direct: a 1:1 between two engines: messages, replies (validated), reactions, edits, read
//   markers, delete for everyone; the reaction and edit rows leave the outbox once sent.
// - group: three engines in a group, then a fourth added (key rotation) reads what follows.
// - demoPeerAnswers: the demo director's peer answers what the engine writes.
// - historyPages: 320 messages, a fresh engine gets the newest page, then loadOlder to the start.
// - peerKeyChange: a peer registers new keys: peerKeyChanged and a KeyChange row.
// - typing: indicators arrive, expire, and sending them is throttled.
// - faults: latency, 5xx, drops, truncation and 429 bursts while syncing and sending 50 messages.
// - badInput: forged signatures, wrong ciphertext, undecodable events and problem details.
// - restart: a new engine on the same store file and key store syncs incrementally and sends.
// - media: files go up encrypted in segments (progress), through dropped connections, and come
//   down to the peer byte for byte (a small file and 50 MB); other conversations' messages do not
//   wait for an upload; a cancelled upload leaves nothing;
//   an upload cut off by quitting starts again at the next start and arrives whole.

#include "chatharness.h"
#include "crypto/base64.h"
#include "crypto/identitykeys.h"
#include "crypto/mediastream.h"
#include "engine.h"
#include "localserver/demo/demodirector.h"
#include "localserver/demo/demopeer.h"
#include "localserver/localserver.h"
#include "protocols/xchat/account/verifyjob.h"
#include "protocols/xchat/account/xchataccount.h"
#include "protocols/xchat/thriftcodec.h"
#include "store/sealer.h"
#include "wait.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace confab;
using namespace confab::localserver::test;
using confab::test::take;
using confab::test::waitTask;
using confab::xchat::XChatAccount;
using confab::xchat::XChatAccountConfig;
using confab::xchat::test::Engine;
namespace st = confab::store;

namespace {

/// QVERIFY that a Result holds a value and yields it (the test function returns otherwise).
#define TAKE_OK(var, expression)                                                                                       \
    auto var##Result_ = (expression);                                                                                  \
    QVERIFY2(var##Result_.ok(), qPrintable(var##Result_.ok() ? QString() : var##Result_.error().toString()));          \
    auto var = std::move(var##Result_).value()

constexpr int Timeout = 15000;

XChatAccountConfig fastConfig(const QUrl &baseUrl)
{
    XChatAccountConfig c;
    c.baseUrl = baseUrl;
    c.activePollMs = 200;
    c.idlePollMs = 1000;
    c.maxPollMs = 1000;
    c.typingThrottleMs = 3000;
    c.typingLifetimeMs = 800;
    c.retry.initialDelayMs = 20;
    c.retry.maxDelayMs = 200;
    c.retry.maxAttempts = 6;
    c.retry.maxRateLimitWaitMs = 5000;
    return c;
}

QStringList textsOf(const QList<st::Message> &rows, st::MessageKind kind = st::MessageKind::Text)
{
    QStringList out;
    for (const st::Message &m : rows) {
        if (m.kind == kind)
            out << m.text;
    }
    return out;
}

/// The kind of a failed Result's error, or "ok".
template<typename R>
QString kindOf(const R &result)
{
    return result.ok() ? QStringLiteral("ok") : errorKindName(result.error().kind());
}

QStringList listOf(const QString &a)
{
    QStringList out;
    out << a;
    return out;
}

/// Stores `message` as `senderId`'s event in the conversation through /_local/events, bypassing
/// the server's checks (what a forger with a compromised server could deliver).
Result<void> injectEvent(Harness &harness, const QString &conversationId, const QString &senderId,
                         const xchat::EncryptedMessage &message)
{
    auto create = crypto::base64::decode(message.encodedMessageCreateEvent);
    auto signature = crypto::base64::decode(message.encodedMessageEventSignature);
    if (!create || !signature)
        return Error(ErrorKind::InvalidInput, QStringLiteral("not base64"));
    auto mce = xchat::decodeThrift<xchat::wire::MessageCreateEvent>(create.value(), "MessageCreateEvent");
    auto sig = xchat::decodeThrift<xchat::wire::MessageEventSignature>(signature.value(), "MessageEventSignature");
    if (!mce)
        return mce.error();
    if (!sig)
        return sig.error();
    xchat::wire::MessageEvent event;
    event.__set_message_id(message.messageId.toStdString());
    event.__set_sender_id(senderId.toStdString());
    xchat::wire::MessageEventDetail detail;
    detail.__set_message_create_event(mce.value());
    event.__set_detail(detail);
    event.__set_message_event_signature(sig.value());
    QJsonObject body;
    body.insert(QStringLiteral("conversation_id"), conversationId);
    body.insert(QStringLiteral("event"), QString::fromLatin1(xchat::encodeThrift(event).toBase64()));
    const auto response = harness.api().postJson(QStringLiteral("/_local/events"), body);
    if (response.status != 201)
        return Error(ErrorKind::Server, QStringLiteral("/_local/events answered %1").arg(response.status));
    return {};
}

/// The message ids of every message event of a conversation on the server (all pages).
Result<QHash<QString, int>> serverMessageIds(Harness &harness, ChatUser &viewer, const QString &conversationId)
{
    QHash<QString, int> counts;
    QString token;
    for (int page = 0; page < 1000; ++page) {
        QUrlQuery query{{QStringLiteral("max_results"), QStringLiteral("100")}};
        if (!token.isEmpty())
            query.addQueryItem(QStringLiteral("pagination_token"), token);
        auto events = harness.events(viewer, conversationId, query);
        if (!events)
            return events.error();
        for (const auto &e : events.value().decoded) {
            if (e.detail.__isset.message_create_event)
                ++counts[xchat::fromWire(e.message_id)];
        }
        token = events.value().meta.value(QLatin1String("next_token")).toString();
        if (token.isEmpty())
            break;
    }
    return counts;
}

} // namespace

class XChatAccountTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void direct();
    void group();
    void demoPeerAnswers();
    void historyPages();
    void peerKeyChange();
    void typing();
    void faults();
    void badInput();
    void restart();
    void media();
    void mediaCancel();
    void mediaAfterAQuitMidUpload();

private:
    /// A file of `size` random bytes in the test's folder, as the media layer describes it.
    st::Attachment randomFile(const QString &name, qint64 size, QByteArray *bytes);

    /// A user on the server without keys, and an engine for it (started).
    struct Person
    {
        ChatUser *user = nullptr;
        std::unique_ptr<xchat::SessionDeviceKeyStore> keys;
        crypto::SecureBytes sealingKey;
        QString storePath;
        std::unique_ptr<Engine> engine;
        XChatAccount &account() { return engine->account(); }
    };
    std::unique_ptr<Person> person(const QString &name, XChatAccountConfig config = {});
    /// What `p` downloads and decrypts for the attachment `a` of its message in `conversationId`.
    Result<QByteArray> fetchPlain(Person &p, qint64 conversationId, const st::Attachment &a);
    std::unique_ptr<Engine> engineFor(Person &p, const XChatAccountConfig &config);
    void setFaults(const QJsonObject &fault);
    void clearFaults();
    /// The conversation as `p` knows it, once it appeared in p's store.
    qint64 waitForConversation(Person &p, const QString &remoteId);

    std::unique_ptr<Harness> m_harness;
    QTemporaryDir m_dir;
    int m_people = 0;
};

void XChatAccountTest::initTestCase()
{
    qRegisterMetaType<confab::Error>();
    qRegisterMetaType<XChatAccount::Status>();
    QVERIFY(m_dir.isValid());
    m_harness = std::make_unique<Harness>();
    CONFAB_VERIFY_OK(m_harness->start());
}

void XChatAccountTest::cleanup()
{
    clearFaults();
}

std::unique_ptr<Engine> XChatAccountTest::engineFor(Person &p, const XChatAccountConfig &config)
{
    XChatAccountConfig c = config;
    if (c.baseUrl.host() != QLatin1String("127.0.0.1") && c.baseUrl.host() != QLatin1String("localhost"))
        c = fastConfig(m_harness->server().baseUrl());
    return std::make_unique<Engine>(p.storePath, p.sealingKey, *p.keys, p.user->token(), c);
}

std::unique_ptr<XChatAccountTest::Person> XChatAccountTest::person(const QString &name, XChatAccountConfig config)
{
    auto p = std::make_unique<Person>();
    auto user = m_harness->addUser(QStringLiteral("%1%2").arg(name).arg(++m_people), allScopes(), false);
    if (!user) {
        qWarning() << user.error().toString();
        return nullptr;
    }
    p->user = user.value();
    p->keys = std::make_unique<xchat::SessionDeviceKeyStore>();
    p->sealingKey = crypto::SecureBytes::random(st::SealingKeySize);
    p->storePath = m_dir.filePath(p->user->username + QStringLiteral(".db"));
    p->engine = engineFor(*p, config);
    auto started = p->engine->start();
    if (!started) {
        qWarning() << "starting" << name << "failed:" << started.error().toString();
        return nullptr;
    }
    return p;
}

void XChatAccountTest::setFaults(const QJsonObject &fault)
{
    CONFAB_EXPECT_STATUS(m_harness->api().postJson(QStringLiteral("/_local/faults"), fault), 201);
}

void XChatAccountTest::clearFaults()
{
    if (m_harness)
        CONFAB_EXPECT_STATUS(m_harness->api().deleteResource(QStringLiteral("/_local/faults")), 200);
}

qint64 XChatAccountTest::waitForConversation(Person &p, const QString &remoteId)
{
    (void)QTest::qWaitFor([&] { return p.account().conversationId(remoteId) != 0; }, Timeout);
    return p.account().conversationId(remoteId);
}

// ---- (1) a 1:1 --------------------------------------------------------------------------------

void XChatAccountTest::direct()
{
    auto alice = person(QStringLiteral("alice"));
    auto bob = person(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    // Online once started (a poll may be syncing at this moment: it ends Online too).
    QTRY_COMPARE_WITH_TIMEOUT(alice->account().status(), XChatAccount::Status::Online, Timeout);
    QVERIFY(!alice->account().keyVersion().isEmpty());
    QVERIFY(!alice->account().fingerprint().isEmpty());

    TAKE_OK(convA, waitTask(alice->account().startDirect(bob->user->id)));
    const QString canonical = xchat::directConversationId(alice->user->id, bob->user->id);
    QCOMPARE(alice->account().conversationId(canonical), convA);

    TAKE_OK(hello, waitTask(alice->account().sendText(convA, QStringLiteral("Hello Bob"))));
    QVERIFY(hello.key.pending);
    QTRY_VERIFY_WITH_TIMEOUT(alice->engine->row(convA, hello.remoteId).delivery == st::DeliveryState::Sent, Timeout);

    // Bob's engine polls: the conversation and the message, verified and decrypted.
    const qint64 convB = waitForConversation(*bob, canonical);
    QVERIFY(convB != 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob->engine->byRemoteId(convB, hello.remoteId).has_value(), Timeout);
    const st::Message helloB = *bob->engine->byRemoteId(convB, hello.remoteId);
    QCOMPARE(helloB.text, QStringLiteral("Hello Bob"));
    QCOMPARE(helloB.kind, st::MessageKind::Text);
    QCOMPARE(helloB.senderId, alice->user->id);
    QVERIFY(!helloB.outgoing);

    // Bob replies; Alice sees the quote validated.
    TAKE_OK(reply, waitTask(bob->account().sendText(convB, QStringLiteral("Hi Alice"), helloB.id)));
    QTRY_VERIFY_WITH_TIMEOUT(alice->engine->byRemoteId(convA, reply.remoteId).has_value(), Timeout);
    const st::Message replyA = *alice->engine->byRemoteId(convA, reply.remoteId);
    QCOMPARE(replyA.text, QStringLiteral("Hi Alice"));
    const QJsonObject quote = replyA.extra.value(QLatin1String("reply")).toObject();
    QCOMPARE(quote.value(QLatin1String("validation")).toString(), QStringLiteral("valid"));
    QCOMPARE(quote.value(QLatin1String("messageId")).toString(), hello.remoteId);

    // Alice reacts to the reply and edits her message: both show at once, reach Bob, and the
    // Action rows leave Alice's outbox once sent.
    QList<qint64> actionRows;
    connect(&alice->engine->store(), &st::Store::messagesInserted, this,
            [&actionRows](qint64, const QList<st::Message> &rows, const st::MessageKeyRange &) {
                for (const st::Message &m : rows) {
                    if (m.kind == st::MessageKind::Action)
                        actionRows << m.id;
                }
            });
    const QString thumbs = QStringLiteral("👍");
    CONFAB_VERIFY_OK(waitTask(alice->account().react(replyA.id, thumbs)));
    {
        auto shown = take(alice->engine->store().message(replyA.id));
        CONFAB_VERIFY_OK(shown);
        QCOMPARE(shown.value().extra.value(QLatin1String("reactions")).toObject().value(thumbs).toArray(),
                 QJsonArray{alice->user->id});
    }
    const st::Message helloSent = *alice->engine->byRemoteId(convA, hello.remoteId);
    CONFAB_VERIFY_OK(waitTask(alice->account().edit(helloSent.id, QStringLiteral("Hello Bob (edited)"))));
    // The store announces rows after the call that made them returns (both are queued to this thread).
    QTRY_COMPARE_WITH_TIMEOUT(actionRows.size(), 2, Timeout);

    QTRY_VERIFY_WITH_TIMEOUT(bob->engine->row(convB, reply.remoteId)
                                     .extra.value(QLatin1String("reactions"))
                                     .toObject()
                                     .value(thumbs)
                                     .toArray() == QJsonArray{alice->user->id},
                             Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bob->engine->row(convB, hello.remoteId).text, QStringLiteral("Hello Bob (edited)"),
                                                                                           Timeout);
    QVERIFY(bob->engine->row(convB, hello.remoteId).editedMs > 0);
    for (qint64 id : std::as_const(actionRows))
        QTRY_VERIFY_WITH_TIMEOUT(!take(alice->engine->store().message(id)).ok(), Timeout);
    // Neither side shows the actions as messages.
    QCOMPARE(textsOf(alice->engine->messages(convA), st::MessageKind::Action), QStringList());
    QCOMPARE(textsOf(bob->engine->messages(convB), st::MessageKind::Action), QStringList());
    QCOMPARE(textsOf(bob->engine->messages(convB)),
             QStringList({QStringLiteral("Hello Bob (edited)"), QStringLiteral("Hi Alice")}));

    // Bob reads: Alice's copy of Bob's read marker moves to the newest message.
    const qint64 newest = bob->engine->row(convB, reply.remoteId).key.sortKey;
    QTRY_VERIFY_WITH_TIMEOUT(bob->engine->row(convB, reply.remoteId).delivery == st::DeliveryState::Sent, Timeout);
    CONFAB_VERIFY_OK(waitTask(bob->account().markRead(convB)));
    auto bobMarker = [&]() -> qint64 {
        auto members = take(alice->engine->store().members(convA));
        if (!members)
            return -1;
        for (const st::Member &m : members.value()) {
            if (m.userId == bob->user->id)
                return m.readMarker;
        }
        return -2;
    };
    QTRY_VERIFY_WITH_TIMEOUT(bobMarker() >= newest, Timeout);

    // Alice deletes her message for everyone: a marker on both sides.
    CONFAB_VERIFY_OK(waitTask(alice->account().deleteMessages(convA, QList<qint64>{helloSent.id}, true)));
    QVERIFY(alice->engine->row(convA, hello.remoteId).deleted);
    QTRY_VERIFY_WITH_TIMEOUT(bob->engine->row(convB, hello.remoteId).deleted, Timeout);
    QVERIFY(bob->engine->row(convB, hello.remoteId).text.isEmpty());
    // Bob may not delete Alice's message for everyone.
    auto refused = waitTask(bob->account().deleteMessages(convB, QList<qint64>{helloB.id}, true));
    QVERIFY(!refused.ok());
}

// ---- (2) a group ------------------------------------------------------------------------------

void XChatAccountTest::group()
{
    auto ann = person(QStringLiteral("ann"));
    auto ben = person(QStringLiteral("ben"));
    auto cat = person(QStringLiteral("cat"));
    auto dan = person(QStringLiteral("dan"));
    QVERIFY(ann && ben && cat && dan);

    QStringList members;
    members << ben->user->id << cat->user->id;
    TAKE_OK(groupA, waitTask(ann->account().createGroup(members, QStringLiteral("Trio"))));
    TAKE_OK(first, waitTask(ann->account().sendText(groupA, QStringLiteral("Hello group"))));
    auto conv = take(ann->engine->store().conversation(groupA));
    CONFAB_VERIFY_OK(conv);
    const QString gid = conv.value().remoteId;
    QVERIFY(gid.startsWith(QLatin1Char('g')));
    QCOMPARE(conv.value().title, QStringLiteral("Trio"));

    const qint64 groupB = waitForConversation(*ben, gid);
    const qint64 groupC = waitForConversation(*cat, gid);
    QVERIFY(groupB && groupC);
    QTRY_COMPARE_WITH_TIMEOUT(ben->engine->row(groupB, first.remoteId).text, QStringLiteral("Hello group"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(cat->engine->row(groupC, first.remoteId).text, QStringLiteral("Hello group"), Timeout);
    TAKE_OK(second, waitTask(ben->account().sendText(groupB, QStringLiteral("Ben here"))));
    QTRY_COMPARE_WITH_TIMEOUT(ann->engine->row(groupA, second.remoteId).text, QStringLiteral("Ben here"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(cat->engine->row(groupC, second.remoteId).text, QStringLiteral("Ben here"), Timeout);
    auto roster = take(cat->engine->store().members(groupC));
    CONFAB_VERIFY_OK(roster);
    QCOMPARE(roster.value().size(), 3);

    // Dan joins: the key rotates, and he reads what is written afterwards, by anyone.
    CONFAB_VERIFY_OK(waitTask(ann->account().addMembers(groupA, listOf(dan->user->id))));
    TAKE_OK(welcome, waitTask(ann->account().sendText(groupA, QStringLiteral("Welcome Dan"))));
    const qint64 groupD = waitForConversation(*dan, gid);
    QVERIFY(groupD);
    QTRY_COMPARE_WITH_TIMEOUT(dan->engine->row(groupD, welcome.remoteId).text, QStringLiteral("Welcome Dan"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(ben->engine->row(groupB, welcome.remoteId).text, QStringLiteral("Welcome Dan"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(cat->engine->row(groupC, welcome.remoteId).text, QStringLiteral("Welcome Dan"), Timeout);
    // Cat's engine learns the new roster and sends with the rotated key: Dan reads it.
    TAKE_OK(fromCat, waitTask(cat->account().sendText(groupC, QStringLiteral("Hi Dan, Cat here"))));
    QTRY_COMPARE_WITH_TIMEOUT(dan->engine->row(groupD, fromCat.remoteId).text, QStringLiteral("Hi Dan, Cat here"),
                                                                                              Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(take(ann->engine->store().members(groupA)).value().size(), 4, Timeout);
    for (const st::Message &m : dan->engine->messages(groupD))
        QVERIFY2(m.kind != st::MessageKind::Failure, qPrintable(m.text));
}

// ---- (3) the demo ----------------------------------------------------------------------------

void XChatAccountTest::demoPeerAnswers()
{
    localserver::LocalServer server(localserver::ServerOptions{});
    CONFAB_VERIFY_OK(server.start());
    localserver::demo::DemoDirector::Options options;
    options.keyPollMsecs = 100;
    options.fallbackPollMsecs = 200;
    options.minReplyDelayMsecs = 50;
    options.maxReplyDelayMsecs = 100;
    options.seedHistory = false;
    options.peerChat = false;
    options.useStream = false;
    options.seed = 7;
    localserver::demo::DemoDirector director(server, options);
    QSignalSpy peersReady(&director, &localserver::demo::DemoDirector::peersReady);
    QSignalSpy keyboardReady(&director, &localserver::demo::DemoDirector::keyboardUserReady);
    QSignalSpy answered(&director, &localserver::demo::DemoDirector::answered);
    director.start();
    QTRY_COMPARE_WITH_TIMEOUT(peersReady.size(), 1, Timeout);

    const localserver::UserInfo sam = director.keyboardUser();
    CONFAB_VERIFY_OK(server.registerClient(QStringLiteral("tst-xchat-account"), QStringLiteral("secret")));
    auto token = server.issueAccessToken(sam.id, allScopes(), QStringLiteral("tst-xchat-account"));
    CONFAB_VERIFY_OK(token);
    xchat::SessionDeviceKeyStore keys;
    Engine engine(m_dir.filePath(QStringLiteral("demo.db")), crypto::SecureBytes::random(st::SealingKeySize), keys,
                                 token.value(), fastConfig(server.baseUrl()));
    CONFAB_VERIFY_OK(engine.start());
    QTRY_COMPARE_WITH_TIMEOUT(keyboardReady.size(), 1, Timeout);

    localserver::demo::DemoPeer *maya = director.peer(QStringLiteral("maya"));
    QVERIFY(maya);
    const QString withMaya = xchat::directConversationId(sam.id, maya->userId());
    QTRY_VERIFY_WITH_TIMEOUT(engine.account().conversationId(withMaya) != 0, Timeout);
    const qint64 conv = engine.account().conversationId(withMaya);
    TAKE_OK(hi, waitTask(engine.account().sendText(conv, QStringLiteral("Hi Maya, are you around?"))));
    QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, Timeout);
    auto fromMaya = [&]() -> QList<st::Message> {
        QList<st::Message> out;
        for (const st::Message &m : engine.messages(conv)) {
            if (m.senderId == maya->userId() && m.kind == st::MessageKind::Text && m.key.sortKey > 0)
                out << m;
        }
        return out;
    };
    QTRY_VERIFY_WITH_TIMEOUT(!fromMaya().isEmpty(), Timeout);
    const st::Message answer = fromMaya().constLast();
    QVERIFY(!answer.text.isEmpty());
    QVERIFY(answer.key.sortKey > engine.row(conv, hi.remoteId).key.sortKey);
    for (const st::Message &m : engine.messages(conv))
        QVERIFY2(m.kind != st::MessageKind::Failure, qPrintable(m.text));
}

// ---- (4) history ------------------------------------------------------------------------------

void XChatAccountTest::historyPages()
{
    auto reader = person(QStringLiteral("reader"));
    QVERIFY(reader);
    auto writer = m_harness->addUser(QStringLiteral("writer%1").arg(++m_people));
    CONFAB_VERIFY_OK(writer);
    // The reader's engine registered keys; the harness needs them to start the 1:1.
    auto direct = m_harness->startDirect(*writer.value(), *reader->user);
    CONFAB_VERIFY_OK(direct);
    constexpr int Count = 320;
    for (int i = 0; i < Count; ++i)
        CONFAB_VERIFY_OK(m_harness->sendText(*writer.value(), direct.value(), QStringLiteral("m%1").arg(i)));

    // A fresh store (a new device with the same keys) that only fetches the newest page at first.
    reader->engine.reset();
    reader->storePath = m_dir.filePath(QStringLiteral("reader-fresh.db"));
    XChatAccountConfig config = fastConfig(m_harness->server().baseUrl());
    config.initialHistory = 100;
    reader->engine = engineFor(*reader, config);
    CONFAB_VERIFY_OK(reader->engine->start());
    const qint64 conv = reader->account().conversationId(direct.value().id);
    QVERIFY(conv != 0);
    const qsizetype initial = textsOf(reader->engine->messages(conv)).size();
    QVERIFY2(initial >= 100 && initial <= 110, qPrintable(QString::number(initial)));
    auto state = take(reader->engine->store().conversation(conv));
    CONFAB_VERIFY_OK(state);
    QVERIFY(!state.value().historyComplete);

    int rounds = 0;
    while (!take(reader->engine->store().conversation(conv)).value().historyComplete) {
        QVERIFY2(++rounds <= 10, "history never completes");
        TAKE_OK(added, waitTask(reader->account().loadOlder(conv, 100)));
        QVERIFY(added >= 0);
    }
    QVERIFY(rounds >= 2);
    TAKE_OK(none, waitTask(reader->account().loadOlder(conv, 100)));
    QCOMPARE(none, 0);

    // Every message exactly once, in order, read the way the timeline pages back (each page
    // newest first, the next one before its oldest row).
    QList<st::Message> all;
    TAKE_OK(page, take(reader->engine->store().newestMessages(conv, 50)));
    while (!page.isEmpty()) {
        all += page;
        auto older = take(reader->engine->store().messagesBefore(conv, page.constLast().key, 50));
        CONFAB_VERIFY_OK(older);
        page = older.value();
    }
    std::reverse(all.begin(), all.end());
    QStringList expected;
    for (int i = 0; i < Count; ++i)
        expected << QStringLiteral("m%1").arg(i);
    QCOMPARE(textsOf(all), expected);
    QSet<QString> ids;
    for (const st::Message &m : std::as_const(all)) {
        QVERIFY(!ids.contains(m.remoteId));
        ids.insert(m.remoteId);
        QVERIFY2(m.kind != st::MessageKind::Failure, qPrintable(m.text));
    }
}

// ---- (5) a peer's new key --------------------------------------------------------------------

void XChatAccountTest::peerKeyChange()
{
    auto me = person(QStringLiteral("keen"));
    QVERIFY(me);
    auto peerUser = m_harness->addUser(QStringLiteral("rekey%1").arg(++m_people));
    CONFAB_VERIFY_OK(peerUser);
    ChatUser &peer = *peerUser.value();
    auto direct = m_harness->startDirect(peer, *me->user);
    CONFAB_VERIFY_OK(direct);
    auto before = m_harness->sendText(peer, direct.value(), QStringLiteral("before"));
    CONFAB_VERIFY_OK(before);
    const qint64 conv = waitForConversation(*me, direct.value().id);
    QVERIFY(conv);
    QTRY_VERIFY_WITH_TIMEOUT(me->engine->byText(conv, QStringLiteral("before")).has_value(), Timeout);
    const QString oldVersion = peer.keyVersion;

    QSignalSpy changed(&me->account(), &XChatAccount::peerKeyChanged);
    // A new device: new identity and signing keys, a new key for the 1:1, a message.
    auto fresh = crypto::IdentityKeys::generate();
    CONFAB_VERIFY_OK(fresh);
    peer.keys = std::move(fresh).value();
    CONFAB_VERIFY_OK(m_harness->registerKeys(peer));
    QVERIFY(peer.keyVersion != oldVersion);
    auto rekeyed = m_harness->startDirect(peer, *me->user);
    CONFAB_VERIFY_OK(rekeyed);
    auto after = m_harness->sendText(peer, rekeyed.value(), QStringLiteral("after"));
    CONFAB_VERIFY_OK(after);

    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), Timeout);
    QCOMPARE(changed.first().at(0).toString(), peer.id);
    QCOMPARE(changed.first().at(1).toString(), oldVersion);
    QCOMPARE(changed.first().at(2).toString(), peer.keyVersion);
    QTRY_VERIFY_WITH_TIMEOUT(me->engine->byText(conv, QStringLiteral("after")).has_value(), Timeout);
    const st::Message afterRow = *me->engine->byText(conv, QStringLiteral("after"));
    QCOMPARE(afterRow.kind, st::MessageKind::Text);
    QList<st::Message> trust;
    for (const st::Message &m : me->engine->messages(conv)) {
        QVERIFY2(m.kind != st::MessageKind::Failure,
                 qPrintable(QString::fromUtf8(QJsonDocument(m.extra).toJson(QJsonDocument::Compact))));
        if (m.kind == st::MessageKind::KeyChange)
            trust << m;
    }
    QCOMPARE(trust.size(), 1);
    QCOMPARE(trust.first().extra.value(QLatin1String("newVersion")).toString(), peer.keyVersion);
    QVERIFY(trust.first().key.sortKey < afterRow.key.sortKey);
    QCOMPARE(changed.size(), 1);

    // And the engine answers with a key the new device can read.
    TAKE_OK(answer, waitTask(me->account().sendText(conv, QStringLiteral("welcome back"))));
    QTRY_VERIFY_WITH_TIMEOUT(me->engine->row(conv, answer.remoteId).delivery == st::DeliveryState::Sent, Timeout);
    auto page = m_harness->events(peer, direct.value().id);
    CONFAB_VERIFY_OK(page);
    QVERIFY2(page.value().texts().contains(QStringLiteral("welcome back")),
                                           qPrintable(page.value().texts().join(QLatin1Char(','))));
}

// ---- (6) typing -------------------------------------------------------------------------------

void XChatAccountTest::typing()
{
    auto tia = person(QStringLiteral("tia"));
    auto tom = person(QStringLiteral("tom"));
    QVERIFY(tia && tom);
    TAKE_OK(convA, waitTask(tia->account().startDirect(tom->user->id)));
    TAKE_OK(hello, waitTask(tia->account().sendText(convA, QStringLiteral("are you there?"))));
    const QString canonical = xchat::directConversationId(tia->user->id, tom->user->id);
    const qint64 convB = waitForConversation(*tom, canonical);
    QVERIFY(convB);
    QTRY_VERIFY_WITH_TIMEOUT(tom->engine->byRemoteId(convB, hello.remoteId).has_value(), Timeout);

    int typingRequests = 0;
    tom->account().http().setObserver([&typingRequests](const net::Outcome &o) {
        if (o.what.endsWith(QLatin1String("/typing")))
            ++typingRequests;
    });
    tia->account().setFocusedConversation(convA);
    QSignalSpy typingA(&tia->account(), &XChatAccount::typingChanged);
    tom->account().userTyping(convB);
    tom->account().userTyping(convB);
    tom->account().userTyping(convB);
    QTRY_VERIFY_WITH_TIMEOUT(!typingA.isEmpty(), Timeout);
    QCOMPARE(typingA.first().at(0).toLongLong(), convA);
    QCOMPARE(typingA.first().at(1).toStringList(), listOf(tom->user->id));
    QCOMPARE(tia->account().typingUsers(convA), listOf(tom->user->id));
    // It expires after typingLifetimeMs.
    QTRY_VERIFY_WITH_TIMEOUT(typingA.size() >= 2 && typingA.last().at(1).toStringList().isEmpty(), Timeout);
    QVERIFY(tia->account().typingUsers(convA).isEmpty());
    QCOMPARE(typingRequests, 1);
    tia->account().setFocusedConversation(0);
}

// ---- (7) faults -------------------------------------------------------------------------------

void XChatAccountTest::faults()
{
    auto fay = person(QStringLiteral("fay"));
    auto fin = person(QStringLiteral("fin"));
    QVERIFY(fay && fin);
    TAKE_OK(convA, waitTask(fay->account().startDirect(fin->user->id)));
    const QString canonical = xchat::directConversationId(fay->user->id, fin->user->id);
    TAKE_OK(first, waitTask(fay->account().sendText(convA, QStringLiteral("before the storm"))));
    const qint64 convB = waitForConversation(*fin, canonical);
    QVERIFY(convB);
    QTRY_VERIFY_WITH_TIMEOUT(fin->engine->byRemoteId(convB, first.remoteId).has_value(), Timeout);

    // Everything but the administration API: slow, failing, dropped, cut short, rate limited.
    QJsonObject storm;
    storm.insert(QStringLiteral("route"), QStringLiteral("*"));
    storm.insert(QStringLiteral("latency_ms"), 10);
    storm.insert(QStringLiteral("error_status"), 503);
    storm.insert(QStringLiteral("error_rate"), 0.15);
    storm.insert(QStringLiteral("drop_rate"), 0.1);
    storm.insert(QStringLiteral("truncate_rate"), 0.1);
    setFaults(storm);
    QJsonObject burst;
    burst.insert(QStringLiteral("route"), QStringLiteral("chat.send"));
    burst.insert(QStringLiteral("burst_429"), 3);
    setFaults(burst);

    // What both engines met on the wire, to prove the storm was real.
    QHash<QString, int> met;
    auto observe = [&met](const net::Outcome &o) {
        if (o.status == 429)
            ++met[QStringLiteral("429")];
        else if (o.status >= 500)
            ++met[QStringLiteral("5xx")];
        else if (o.status == 0)
            ++met[QStringLiteral("dropped")];
        else if (o.status >= 200 && o.status < 300 && o.networkError != QNetworkReply::NoError)
            ++met[QStringLiteral("cut short")];
    };
    fay->account().http().setObserver(observe);
    fin->account().http().setObserver(observe);

    constexpr int Count = 50;
    QStringList sentIds;
    for (int i = 0; i < Count; ++i) {
        TAKE_OK(m, waitTask(fay->account().sendText(convA, QStringLiteral("storm %1").arg(i))));
        sentIds << m.remoteId;
    }
    // Fin's engine keeps syncing through the storm; Fay's outbox keeps sending.
    QSignalSpy problems(&fin->account(), &XChatAccount::problem);
    auto allSent = [&] {
        for (const QString &id : std::as_const(sentIds)) {
            auto row = fay->engine->byRemoteId(convA, id);
            if (!row || row->delivery != st::DeliveryState::Sent)
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allSent(), 40000);
    qInfo() << "met in the storm:" << met;
    QVERIFY(met.value(QStringLiteral("429")) >= 1);
    QVERIFY(met.value(QStringLiteral("5xx")) >= 1);
    QVERIFY(met.value(QStringLiteral("cut short")) >= 1);
    // Qt resends a request on its own once when a kept-alive connection drops, so the engines
    // see only some of the drops; the server counts them all.
    const auto struck = m_harness->api().get(QStringLiteral("/_local/faults"));
    QCOMPARE(struck.status, 200);
    const QJsonObject injected =
        struck.json().value(QLatin1String("data")).toObject().value(QLatin1String("injected")).toObject();
    qInfo() << "the server injected:" << injected;
    QVERIFY(injected.value(QLatin1String("dropped")).toInt() >= 1);
    QCOMPARE(injected.value(QLatin1String("rate_limited")).toInt(), 3);
    clearFaults();

    QTRY_VERIFY_WITH_TIMEOUT(textsOf(fin->engine->messages(convB)).size() == Count + 1, Timeout);
    // Each message once, in the order written, in both stores and on the server.
    QStringList expected;
    expected << QStringLiteral("before the storm");
    for (int i = 0; i < Count; ++i)
        expected << QStringLiteral("storm %1").arg(i);
    QCOMPARE(textsOf(fin->engine->messages(convB)), expected);
    QCOMPARE(textsOf(fay->engine->messages(convA)), expected);
    auto server = serverMessageIds(*m_harness, *fay->user, canonical);
    CONFAB_VERIFY_OK(server);
    QCOMPARE(server.value().size(), Count + 1);
    for (const QString &id : std::as_const(sentIds))
        QCOMPARE(server.value().value(id), 1);
    for (const st::Message &m : fin->engine->messages(convB))
        QVERIFY2(m.kind != st::MessageKind::Failure, qPrintable(m.text));
    QTRY_COMPARE_WITH_TIMEOUT(fin->account().status(), XChatAccount::Status::Online, Timeout);
    qInfo() << "problems reported while syncing in the storm:" << problems.size();
}

// ---- (8) bad input ----------------------------------------------------------------------------

void XChatAccountTest::badInput()
{
    auto vic = person(QStringLiteral("vic"));
    QVERIFY(vic);
    auto malloryUser = m_harness->addUser(QStringLiteral("mallory%1").arg(++m_people));
    CONFAB_VERIFY_OK(malloryUser);
    ChatUser &mallory = *malloryUser.value();
    auto direct = m_harness->startDirect(mallory, *vic->user);
    CONFAB_VERIFY_OK(direct);
    CONFAB_VERIFY_OK(m_harness->sendText(mallory, direct.value(), QStringLiteral("honest")));

    // Signed with a key that is not Mallory's registered one (under her version). The server
    // refuses to store it; one that did not (or a compromised one) is modelled by /_local/events.
    // The receiver must notice.
    auto wrongKeys = crypto::IdentityKeys::generate();
    CONFAB_VERIFY_OK(wrongKeys);
    xchat::OutgoingActions forger(mallory.id, xchat::ActionSigner(wrongKeys.value().signing(), mallory.keyVersion));
    auto forged = forger.encryptMessage(direct.value().id, direct.value().key, direct.value().keyVersion,
                                        xchat::textContent(QStringLiteral("forged")));
    CONFAB_VERIFY_OK(forged);
    QCOMPARE(m_harness->postMessage(mallory, direct.value().pathId, forged.value().requestBody()).status, 400);
    CONFAB_VERIFY_OK(injectEvent(*m_harness, direct.value().id, mallory.id, forged.value()));
    // Correctly signed, but under a conversation key version that does not exist.
    auto unknownVersion =
        mallory.out->encryptMessage(direct.value().id, direct.value().key,
                                    QStringLiteral("42"), xchat::textContent(QStringLiteral("unknown version")));
    CONFAB_VERIFY_OK(unknownVersion);
    CONFAB_VERIFY_OK(injectEvent(*m_harness, direct.value().id, mallory.id, unknownVersion.value()));
    // Bytes that are no Thrift MessageEvent at all.
    QSignalSpy problems(&vic->account(), &XChatAccount::problem);
    QJsonObject raw;
    raw.insert(QStringLiteral("conversation_id"), direct.value().id);
    raw.insert(QStringLiteral("sender_id"), mallory.id);
    raw.insert(QStringLiteral("raw_event"), QString::fromLatin1(QByteArray("\x0b\x00\x01garbage").toBase64()));
    CONFAB_EXPECT_STATUS(m_harness->api().postJson(QStringLiteral("/_local/events"), raw), 201);
    // Correctly signed, but encrypted with a key nobody was given (under the current version).
    auto garbled =
        mallory.out->encryptMessage(direct.value().id, crypto::SecureBytes::random(32), direct.value().keyVersion,
                                    xchat::textContent(QStringLiteral("garbled")));
    CONFAB_VERIFY_OK(garbled);
    CONFAB_EXPECT_STATUS(m_harness->postMessage(mallory, direct.value().pathId, garbled.value().requestBody()), 201);
    CONFAB_VERIFY_OK(m_harness->sendText(mallory, direct.value(), QStringLiteral("honest again")));

    const qint64 conv = waitForConversation(*vic, direct.value().id);
    QVERIFY(conv);
    QTRY_VERIFY_WITH_TIMEOUT(vic->engine->byText(conv, QStringLiteral("honest again")).has_value(), Timeout);
    const QList<st::Message> rows = vic->engine->messages(conv);
    QCOMPARE(textsOf(rows), QStringList({QStringLiteral("honest"), QStringLiteral("honest again")}));
    const auto forgedRow = vic->engine->byRemoteId(conv, forged.value().messageId);
    QVERIFY(forgedRow);
    QCOMPARE(forgedRow->kind, st::MessageKind::Failure);
    QVERIFY(!forgedRow->text.contains(QLatin1String("forged")));
    const QJsonObject forgedWhy = forgedRow->extra.value(QLatin1String("failure")).toObject();
    QCOMPARE(forgedWhy.value(QLatin1String("source")).toString(), QStringLiteral("verification"));
    QVERIFY(!forgedWhy.value(QLatin1String("kind")).toString().isEmpty());
    const auto unknownRow = vic->engine->byRemoteId(conv, unknownVersion.value().messageId);
    QVERIFY(unknownRow);
    QCOMPARE(unknownRow->kind, st::MessageKind::Failure);
    QVERIFY(!unknownRow->text.contains(QLatin1String("unknown version")));
    QVERIFY(!unknownRow->failureReason.isEmpty() || !unknownRow->extra.value(QLatin1String("failure")).isUndefined());
    const auto garbledRow = vic->engine->byRemoteId(conv, garbled.value().messageId);
    QVERIFY(garbledRow);
    QCOMPARE(garbledRow->kind, st::MessageKind::Failure);
    QVERIFY(!garbledRow->text.contains(QLatin1String("garbled")));
    QCOMPARE(garbledRow->extra.value(QLatin1String("failure")).toObject().value(QLatin1String("source")).toString(),
             QStringLiteral("verification"));
    // The engine stays online after all that.
    QTRY_COMPARE_WITH_TIMEOUT(vic->account().status(), XChatAccount::Status::Online, Timeout);

    // The undecodable event arrived too: the account reports it, and it changed nothing.
    QCOMPARE(vic->engine->messages(conv).size(), rows.size());
    bool reported = false;
    for (const QList<QVariant> &args : std::as_const(problems))
        reported = reported || args.at(0).value<confab::Error>().kind() == ErrorKind::Protocol;
    QVERIFY(reported);

    // Undecodable events straight to the worker: counted as unreadable, nothing else happens.
    xchat::VerifyJob job;
    job.myUserId = vic->user->id;
    job.events << QByteArray("not base64 at all!") << QByteArray("AAAA");
    auto verified = take(xchat::verifyOnWorker(std::move(job)).then([](xchat::VerifyOutput out) {
        return Result<xchat::VerifyOutput>(std::move(out));
    }));
    CONFAB_VERIFY_OK(verified);
    QCOMPARE(verified.value().normalized.unreadable, 2);

    // Problem details: a refusal (400) of sending fails the message for good, with a reason; a
    // refused read marker is a typed error.
    QJsonObject refuse;
    refuse.insert(QStringLiteral("route"), QStringLiteral("chat.send"));
    refuse.insert(QStringLiteral("error_status"), 400);
    setFaults(refuse);
    TAKE_OK(doomed, waitTask(vic->account().sendText(conv, QStringLiteral("refused"))));
    QTRY_VERIFY_WITH_TIMEOUT(vic->engine->row(conv, doomed.remoteId).delivery == st::DeliveryState::Failed, Timeout);
    QVERIFY(!vic->engine->row(conv, doomed.remoteId).failureReason.isEmpty());
    QJsonObject refuseRead;
    refuseRead.insert(QStringLiteral("route"), QStringLiteral("chat.read"));
    refuseRead.insert(QStringLiteral("error_status"), 403);
    setFaults(refuseRead);
    auto read = waitTask(vic->account().markRead(conv));
    QCOMPARE(kindOf(read), errorKindName(ErrorKind::Forbidden));
    clearFaults();

    // And some input the engine refuses itself.
    QCOMPARE(kindOf(waitTask(vic->account().sendText(conv, QStringLiteral("   ")))),
                    errorKindName(ErrorKind::InvalidInput));
    QCOMPARE(kindOf(waitTask(vic->account().sendText(987654, QStringLiteral("x")))),
                    errorKindName(ErrorKind::NotFound));
    QCOMPARE(kindOf(waitTask(vic->account().startDirect(vic->user->id))), errorKindName(ErrorKind::InvalidInput));
    auto keyless = m_harness->addUser(QStringLiteral("keyless%1").arg(++m_people), allScopes(), false);
    CONFAB_VERIFY_OK(keyless);
    QCOMPARE(kindOf(waitTask(vic->account().startDirect(keyless.value()->id))), errorKindName(ErrorKind::NotFound));
    QCOMPARE(kindOf(waitTask(vic->account().edit(forgedRow->id, QStringLiteral("mine now")))),
                    errorKindName(ErrorKind::InvalidInput));
}

// ---- (9) restart ------------------------------------------------------------------------------

void XChatAccountTest::restart()
{
    auto rae = person(QStringLiteral("rae"));
    auto rob = person(QStringLiteral("rob"));
    QVERIFY(rae && rob);
    TAKE_OK(convA, waitTask(rae->account().startDirect(rob->user->id)));
    const QString canonical = xchat::directConversationId(rae->user->id, rob->user->id);
    TAKE_OK(one, waitTask(rae->account().sendText(convA, QStringLiteral("one"))));
    const qint64 convB = waitForConversation(*rob, canonical);
    QVERIFY(convB);
    QTRY_VERIFY_WITH_TIMEOUT(rob->engine->byRemoteId(convB, one.remoteId).has_value(), Timeout);
    TAKE_OK(two, waitTask(rob->account().sendText(convB, QStringLiteral("two"))));
    QTRY_VERIFY_WITH_TIMEOUT(rae->engine->byRemoteId(convA, two.remoteId).has_value(), Timeout);
    const QString version = rae->account().keyVersion();
    const qsizetype rowsBefore = rae->engine->messages(convA).size();

    // Rae quits; Rob writes meanwhile; Rae comes back on the same file and keys.
    rae->engine.reset();
    TAKE_OK(three, waitTask(rob->account().sendText(convB, QStringLiteral("three"))));
    TAKE_OK(four, waitTask(rob->account().sendText(convB, QStringLiteral("four"))));
    QTRY_VERIFY_WITH_TIMEOUT(rob->engine->row(convB, four.remoteId).delivery == st::DeliveryState::Sent, Timeout);

    int eventRequests = 0;
    rae->engine = engineFor(*rae, fastConfig(m_harness->server().baseUrl()));
    CONFAB_VERIFY_OK(rae->engine->open());
    rae->account().http().setObserver([&eventRequests](const net::Outcome &o) {
        if (o.what.endsWith(QLatin1String("/events")))
            ++eventRequests;
    });
    QSignalSpy inserted(&rae->engine->store(), &st::Store::messagesInserted);
    CONFAB_VERIFY_OK(rae->engine->start());
    QCOMPARE(rae->account().keyVersion(), version);
    QCOMPARE(rae->account().conversationId(canonical), convA);
    QTRY_VERIFY_WITH_TIMEOUT(rae->engine->byRemoteId(convA, four.remoteId).has_value(), Timeout);
    QCOMPARE(
        textsOf(rae->engine->messages(convA)),
        QStringList({QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three"), QStringLiteral("four")}));
    QCOMPARE(rae->engine->messages(convA).size(), rowsBefore + 2);
    // Only what was new was inserted (the store's signals are queued: they may come after the rows
    // can be read).
    const auto insertedIds = [&inserted] {
        QStringList ids;
        for (const QList<QVariant> &args : std::as_const(inserted)) {
            for (const st::Message &m : args.at(1).value<QList<st::Message>>())
                ids.append(m.remoteId);
        }
        return ids;
    };
    QTRY_COMPARE_WITH_TIMEOUT(insertedIds(), QStringList({three.remoteId, four.remoteId}), Timeout);
    QVERIFY(eventRequests >= 1);

    // The keys are back: Rae sends, Rob reads.
    TAKE_OK(five, waitTask(rae->account().sendText(convA, QStringLiteral("five"))));
    QTRY_COMPARE_WITH_TIMEOUT(rob->engine->row(convB, five.remoteId).text, QStringLiteral("five"), Timeout);
    QVERIFY(!rob->engine->row(convB, five.remoteId).outgoing);
    // Meanwhile nothing old came again.
    QStringList later = insertedIds();
    later.removeAll(five.remoteId);
    QCOMPARE(later, QStringList({three.remoteId, four.remoteId}));
}

st::Attachment XChatAccountTest::randomFile(const QString &name, qint64 size, QByteArray *bytes)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator rng(static_cast<quint32>(size));
    rng.fillRange(reinterpret_cast<quint32 *>(data.data()), static_cast<qsizetype>(size / 4));
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != size)
        qWarning() << "could not write" << path;
    st::Attachment a;
    a.fileName = name;
    a.mimeType = QStringLiteral("application/octet-stream");
    a.sizeBytes = size;
    a.extra.insert(QStringLiteral("localPath"), path);
    *bytes = data;
    return a;
}

Result<QByteArray> XChatAccountTest::fetchPlain(Person &p, qint64 conversationId, const st::Attachment &a)
{
    QBuffer cipher;
    cipher.open(QIODevice::WriteOnly);
    auto fetched = waitTask(p.account().downloadMedia(conversationId, a.mediaId, &cipher, {}), 60000);
    if (!fetched)
        return fetched.error();
    cipher.close();
    cipher.open(QIODevice::ReadOnly);
    QBuffer plain;
    plain.open(QIODevice::WriteOnly);
    auto opened = crypto::decryptMedia(cipher, plain, crypto::SecureBytes(QByteArrayView(a.mediaKey)));
    if (!opened)
        return opened.error();
    return plain.data();
}

void XChatAccountTest::media()
{
    auto ann = person(QStringLiteral("ann"));
    auto ben = person(QStringLiteral("ben"));
    QVERIFY(ann && ben);
    TAKE_OK(convA, waitTask(ann->account().startDirect(ben->user->id)));
    const QString canonical = xchat::directConversationId(ann->user->id, ben->user->id);
    QSignalSpy progress(&ann->account(), &XChatAccount::uploadProgress);

    // A small file with a caption: in the outbox at once, up, sent, and identical at Ben's.
    QByteArray small;
    const st::Attachment notes = randomFile(QStringLiteral("notes.bin"), 5000, &small);
    TAKE_OK(queued, waitTask(ann->account().sendMedia(convA, {notes}, QStringLiteral("the notes"))));
    QVERIFY(queued.key.pending);
    QCOMPARE(queued.kind, st::MessageKind::Media);
    QCOMPARE(queued.attachments.size(), 1);
    QCOMPARE(queued.attachments.first().fileName, QStringLiteral("notes.bin"));
    QTRY_VERIFY_WITH_TIMEOUT(ann->engine->row(convA, queued.remoteId).delivery == st::DeliveryState::Sent, Timeout);
    const st::Message sentA = ann->engine->row(convA, queued.remoteId);
    QVERIFY(!sentA.attachments.first().mediaId.isEmpty());
    QVERIFY(!sentA.attachments.first().mediaKey.isEmpty());
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toLongLong(), queued.id);
    QCOMPARE(progress.last().at(1).toLongLong(), crypto::mediaCiphertextSize(5000));
    QCOMPARE(progress.last().at(2).toLongLong(), crypto::mediaCiphertextSize(5000));

    const qint64 convB = waitForConversation(*ben, canonical);
    QVERIFY(convB);
    QTRY_VERIFY_WITH_TIMEOUT(ben->engine->byRemoteId(convB, queued.remoteId).has_value(), Timeout);
    const st::Message gotB = *ben->engine->byRemoteId(convB, queued.remoteId);
    QCOMPARE(gotB.kind, st::MessageKind::Media);
    QCOMPARE(gotB.text, QStringLiteral("the notes"));
    QCOMPARE(gotB.attachments.size(), 1);
    QCOMPARE(gotB.attachments.first().fileName, QStringLiteral("notes.bin"));
    QCOMPARE(gotB.attachments.first().sizeBytes, 5000);
    QCOMPARE(gotB.attachments.first().mediaId, sentA.attachments.first().mediaId);
    TAKE_OK(plainSmall, fetchPlain(*ben, convB, gotB.attachments.first()));
    QCOMPARE(plainSmall, small);

    // 50 MB while the connection drops a fifth of the upload requests: the segments are sent
    // again and the upload goes on; progress climbs to the whole ciphertext.
    QByteArray big;
    const st::Attachment film = randomFile(QStringLiteral("film.bin"), 50LL * 1024 * 1024, &big);
    QJsonObject drops;
    drops.insert(QStringLiteral("route"), QStringLiteral("media.upload"));
    drops.insert(QStringLiteral("drop_rate"), 0.2);
    setFaults(drops);
    progress.clear();
    QElapsedTimer clock;
    clock.start();
    // Waited for with a plain event loop: QTRY_*'s pauses would slow the upload down (Qt's HTTP
    // thread fetches the body from this thread piece by piece).
    QSignalSpy sent(&ann->engine->dispatcher(), &st::OutboxDispatcher::messageSent);
    TAKE_OK(bigQueued, waitTask(ann->account().sendMedia(convA, {film}, QString())));
    auto isSent = [&] {
        return std::any_of(sent.cbegin(), sent.cend(),
                           [&](const QList<QVariant> &args) { return args.at(0).toLongLong() == bigQueued.id; });
    };
    while (!isSent() && sent.wait(120000)) {
    }
    QVERIFY(isSent());
    // Qt resends a request once by itself when a kept-alive connection drops, so the engine sees
    // only some of the drops; the server counts them all.
    const auto struck = m_harness->api().get(QStringLiteral("/_local/faults"));
    const int dropped = struck.json()
                            .value(QLatin1String("data"))
                            .toObject()
                            .value(QLatin1String("injected"))
                            .toObject()
                            .value(QLatin1String("dropped"))
                            .toInt();
    qInfo("50 MB encrypted, uploaded (%d requests dropped) and sent in %lld ms", dropped,
          static_cast<long long>(clock.elapsed()));
    clearFaults();
    QVERIFY2(dropped > 0, "no upload request was dropped");
    const qint64 total = crypto::mediaCiphertextSize(big.size());
    QVERIFY(progress.size() >= 50);
    qint64 previous = 0;
    bool monotonic = true;
    for (const QList<QVariant> &args : std::as_const(progress)) {
        QCOMPARE(args.at(2).toLongLong(), total);
        monotonic = monotonic && args.at(1).toLongLong() >= previous;
        previous = std::max(previous, args.at(1).toLongLong());
    }
    QVERIFY(monotonic);
    QCOMPARE(progress.last().at(1).toLongLong(), total);
    QTRY_VERIFY_WITH_TIMEOUT(ben->engine->byRemoteId(convB, bigQueued.remoteId).has_value(), Timeout);
    const st::Message bigB = *ben->engine->byRemoteId(convB, bigQueued.remoteId);
    clock.restart();
    TAKE_OK(plainBig, fetchPlain(*ben, convB, bigB.attachments.first()));
    qInfo("50 MB downloaded and decrypted in %lld ms", static_cast<long long>(clock.elapsed()));
    QCOMPARE(plainBig.size(), big.size());
    QVERIFY(plainBig == big);

    // Too large, several files of which one is not a picture, nothing at all: refused up front.
    st::Attachment huge = notes;
    huge.sizeBytes = xchat::MaxMediaBytes + 1;
    QCOMPARE(kindOf(waitTask(ann->account().sendMedia(convA, {huge}, QString()))), QStringLiteral("InvalidInput"));
    QCOMPARE(kindOf(waitTask(ann->account().sendMedia(convA, {notes, notes}, QString()))),
             QStringLiteral("InvalidInput"));
    QCOMPARE(kindOf(waitTask(ann->account().sendMedia(convA, {}, QString()))), QStringLiteral("InvalidInput"));
}

void XChatAccountTest::mediaCancel()
{
    auto cy = person(QStringLiteral("cy"));
    auto dee = person(QStringLiteral("dee"));
    auto gus = person(QStringLiteral("gus"));
    QVERIFY(cy && dee && gus);
    TAKE_OK(convA, waitTask(cy->account().startDirect(dee->user->id)));
    // Slow appends, so that the cancel comes while the upload is under way.
    QJsonObject slow;
    slow.insert(QStringLiteral("route"), QStringLiteral("media.upload"));
    slow.insert(QStringLiteral("latency_ms"), 150);
    setFaults(slow);
    int appends = 0;
    cy->account().http().setObserver([&appends](const net::Outcome &o) {
        if (o.what.contains(QLatin1String("/append")))
            ++appends;
    });
    QSignalSpy progress(&cy->account(), &XChatAccount::uploadProgress);
    QByteArray bytes;
    const st::Attachment file = randomFile(QStringLiteral("cancelled.bin"), 20LL * 1024 * 1024, &bytes);
    TAKE_OK(queued, waitTask(cy->account().sendMedia(convA, {file}, QString())));
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(1).toLongLong() > 0, Timeout);
    // Meanwhile another conversation's message does not wait for the upload.
    TAKE_OK(convC, waitTask(cy->account().startDirect(gus->user->id)));
    TAKE_OK(meanwhile, waitTask(cy->account().sendText(convC, QStringLiteral("meanwhile"))));
    QTRY_VERIFY_WITH_TIMEOUT(cy->engine->row(convC, meanwhile.remoteId).delivery == st::DeliveryState::Sent, Timeout);
    QCOMPARE(cy->engine->row(convA, queued.remoteId).delivery, st::DeliveryState::Sending);
    QVERIFY(progress.last().at(1).toLongLong() < progress.last().at(2).toLongLong());
    CONFAB_VERIFY_OK(waitTask(cy->account().cancelUpload(queued.id)));
    // The message goes, and no more of the file does.
    QTRY_VERIFY_WITH_TIMEOUT(!take(cy->engine->store().message(queued.id)).ok(), Timeout);
    const int after = appends;
    QTest::qWait(600);
    QVERIFY(appends <= after + 1);
    QVERIFY(appends < 20);
    QCOMPARE(take(cy->engine->store().unsent()).value().size(), 0);
    clearFaults();
    cy->account().http().setObserver({});

    // The account still sends.
    TAKE_OK(text, waitTask(cy->account().sendText(convA, QStringLiteral("never mind"))));
    QTRY_VERIFY_WITH_TIMEOUT(cy->engine->row(convA, text.remoteId).delivery == st::DeliveryState::Sent, Timeout);
}

void XChatAccountTest::mediaAfterAQuitMidUpload()
{
    auto eve = person(QStringLiteral("eve"));
    auto fox = person(QStringLiteral("fox"));
    QVERIFY(eve && fox);
    TAKE_OK(convA, waitTask(eve->account().startDirect(fox->user->id)));
    const QString canonical = xchat::directConversationId(eve->user->id, fox->user->id);
    QJsonObject slow;
    slow.insert(QStringLiteral("route"), QStringLiteral("media.upload"));
    slow.insert(QStringLiteral("latency_ms"), 100);
    setFaults(slow);
    QByteArray bytes;
    const st::Attachment file = randomFile(QStringLiteral("interrupted.bin"), 12LL * 1024 * 1024, &bytes);
    QSignalSpy progress(&eve->account(), &XChatAccount::uploadProgress);
    TAKE_OK(queued, waitTask(eve->account().sendMedia(convA, {file}, QStringLiteral("take two"))));
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(1).toLongLong() > 2 * 1024 * 1024, Timeout);

    // Eve quits (or Confab is killed) halfway: the message waits in the outbox.
    eve->engine.reset();
    clearFaults();
    eve->engine = engineFor(*eve, fastConfig(m_harness->server().baseUrl()));
    CONFAB_VERIFY_OK(eve->engine->start());
    QTRY_VERIFY_WITH_TIMEOUT(eve->engine->row(convA, queued.remoteId).delivery == st::DeliveryState::Sent, 60000);
    const qint64 convB = waitForConversation(*fox, canonical);
    QVERIFY(convB);
    QTRY_VERIFY_WITH_TIMEOUT(fox->engine->byRemoteId(convB, queued.remoteId).has_value(), Timeout);
    const st::Message got = *fox->engine->byRemoteId(convB, queued.remoteId);
    QCOMPARE(got.text, QStringLiteral("take two"));
    TAKE_OK(plain, fetchPlain(*fox, convB, got.attachments.first()));
    QVERIFY(plain == bytes);
}

QTEST_GUILESS_MAIN(XChatAccountTest)
#include "tst_xchat_account.moc"
