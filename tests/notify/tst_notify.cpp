// Desktop notifications: DesktopNotifications against a fake org.freedesktop.Notifications on
// the test's own D-Bus session (dbus-run-session), and MessageNotifier on a real sealed store.

#include "crypto/securebytes.h"
#include "fakenotificationserver.h"
#include "notify/desktopnotifications.h"
#include "notify/messagenotifier.h"
#include "store/sealer.h"
#include "store/store.h"
#include "storewait.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::store;
using confab::notify::DesktopNotifications;
using confab::notify::MessageNotifier;

namespace {

const QStringList FullCapabilities{QStringLiteral("actions"), QStringLiteral("body"), QStringLiteral("body-markup"), QStringLiteral("inline-reply"),
                                                                                      QStringLiteral("persistence")};
constexpr int Timeout = 10000;

IncomingMessage incoming(const QString &remoteId, qint64 sequence, const QString &text, const QString &sender,
                         qint64 ageMs = 1000)
{
    IncomingMessage m;
    m.remoteId = remoteId;
    m.sequence = sequence;
    m.senderId = sender;
    m.createdMs = QDateTime::currentMSecsSinceEpoch() - ageMs;
    m.text = text;
    return m;
}

} // namespace

/// What the notifier tests share: the service's client, the notifier on the test's store, and
/// a spy on what it sent.
struct Rig
{
    explicit Rig(Store &store) : notifier(store, desktop), notified(&notifier, &MessageNotifier::notified) {}
    DesktopNotifications desktop{QStringLiteral("Confab"), QStringLiteral("im.confab.Confab")};
    MessageNotifier notifier;
    QSignalSpy notified;
};

class TestNotify : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void showsEscapesAndReportsTheServersAnswers();
    void followsTheServiceComingAndGoing();
    void noServiceIsQuiet();

    void aNewMessageRaisesOneNotification();
    void aSecondMessageReplacesIt();
    void theOpenConversationAndQuietTimesRaiseNone();
    void readElsewhereTakesItAway();
    void actionsComeOutAsRequests();

private:
    Conversation addConversation(const QString &remoteId, const QString &title, ConversationKind kind,
                                 bool muted = false);
    void insert(qint64 conversationId, const QList<IncomingMessage> &messages);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<FakeNotificationServer> m_server;
    qint64 m_account = 0;
};

void TestNotify::init()
{
    m_server = std::make_unique<FakeNotificationServer>(FullCapabilities);
    QVERIFY(m_server->start());
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<Store>();
    StoreOptions options;
    options.path = m_dir->filePath(QStringLiteral("notify.db"));
    options.housekeepingIntervalMs = 0;
    FixedSealingKey keys(crypto::SecureBytes::random(SealingKeySize));
    AWAIT_OK(m_store->open(options, keys));
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    m_account = account.id;
}

void TestNotify::cleanup()
{
    m_store.reset();
    m_dir.reset();
    m_server.reset();
}

Conversation TestNotify::addConversation(const QString &remoteId, const QString &title, ConversationKind kind,
                                         bool muted)
{
    ConversationInput in;
    in.accountId = m_account;
    in.remoteId = remoteId;
    in.kind = kind;
    in.title = title;
    in.muted = muted;
    auto made = test::settle(m_store->upsertConversation(in));
    if (!made)
        qFatal("%s", qPrintable(made.error().toString()));
    Member maya;
    maya.userId = QStringLiteral("maya");
    maya.displayName = QStringLiteral("Maya Chen");
    maya.avatarUrl = QStringLiteral("http://127.0.0.1/avatars/maya.png");
    Member ravi;
    ravi.userId = QStringLiteral("ravi");
    ravi.displayName = QStringLiteral("Ravi Patel");
    (void)test::settle(m_store->setMembers(made.value().id, {maya, ravi}));
    return made.value();
}

void TestNotify::insert(qint64 conversationId, const QList<IncomingMessage> &messages)
{
    auto done = test::settle(m_store->insertMessages(conversationId, messages));
    if (!done)
        qFatal("%s", qPrintable(done.error().toString()));
}

// ---- DesktopNotifications ---------------------------------------------------------------------

void TestNotify::showsEscapesAndReportsTheServersAnswers()
{
    DesktopNotifications desktop(QStringLiteral("Confab"), QStringLiteral("im.confab.Confab"));
    QTRY_VERIFY_WITH_TIMEOUT(desktop.available(), Timeout);
    QVERIFY(desktop.hasCapability(QStringLiteral("inline-reply")));

    notify::Notification n;
    n.summary = QStringLiteral("Maya <Chen>");
    n.body = QStringLiteral("<b>bold?</b> & more");
    n.category = QStringLiteral("im.received");
    n.actions = {{QStringLiteral("default"), QStringLiteral("Open")},
                  {QStringLiteral("mark-read"), QStringLiteral("Mark as read")}};
    n.inlineReply = true;
    n.replyPlaceholder = QStringLiteral("Reply to Maya");
    QImage avatar(40, 40, QImage::Format_ARGB32);
    avatar.fill(Qt::red);
    n.image = avatar;
    uint shownId = 0;
    desktop.show(n, [&shownId](uint id) { shownId = id; });
    QTRY_VERIFY_WITH_TIMEOUT(shownId != 0, Timeout);
    QCOMPARE(m_server->notified.size(), 1);
    const auto &call = m_server->notified.constFirst();
    QCOMPARE(call.appName, QStringLiteral("Confab"));
    QCOMPARE(call.summary, QStringLiteral("Maya <Chen>")); // the summary is plain text by the spec
    QCOMPARE(call.body, QStringLiteral("&lt;b&gt;bold?&lt;/b&gt; &amp; more"));
    QCOMPARE(FakeNotificationServer::actionKeys(call.actions),
             (QStringList{QStringLiteral("default"), QStringLiteral("mark-read"), QStringLiteral("inline-reply")}));
    QCOMPARE(call.hints.value(QStringLiteral("desktop-entry")).toString(), QStringLiteral("im.confab.Confab"));
    QCOMPARE(call.hints.value(QStringLiteral("category")).toString(), QStringLiteral("im.received"));
    QVERIFY(call.hints.contains(QStringLiteral("image-data")));
    QCOMPARE(call.hints.value(QStringLiteral("x-kde-reply-placeholder-text")).toString(),
                              QStringLiteral("Reply to Maya"));
    QVERIFY(call.hints.contains(QStringLiteral("image-data")));

    // Replacing keeps the id.
    n.replaces = shownId;
    uint again = 0;
    desktop.show(n, [&again](uint id) { again = id; });
    QTRY_COMPARE_WITH_TIMEOUT(again, shownId, Timeout);
    QCOMPARE(m_server->notified.at(1).replaces, shownId);

    // The server's signals about our notification come out; about others' they do not.
    QSignalSpy actions(&desktop, &DesktopNotifications::actionInvoked);
    QSignalSpy replies(&desktop, &DesktopNotifications::replied);
    QSignalSpy closed(&desktop, &DesktopNotifications::closed);
    m_server->invokeAction(777, QStringLiteral("default"));
    m_server->invokeAction(shownId, QStringLiteral("mark-read"));
    m_server->reply(shownId, QStringLiteral("On my way"));
    QTRY_COMPARE_WITH_TIMEOUT(replies.count(), 1, Timeout);
    QCOMPARE(actions.count(), 1);
    QCOMPARE(actions.at(0).at(0).toUInt(), shownId);
    QCOMPARE(actions.at(0).at(1).toString(), QStringLiteral("mark-read"));
    QCOMPARE(replies.at(0).at(1).toString(), QStringLiteral("On my way"));
    // Closed by us: the server hears it; closed by the person: we hear it.
    desktop.close(shownId);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->closedByApp, QList<uint>{shownId}, Timeout);
    n.replaces = 0;
    uint third = 0;
    desktop.show(n, [&third](uint id) { third = id; });
    QTRY_VERIFY_WITH_TIMEOUT(third != 0, Timeout);
    m_server->dismiss(third);
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, Timeout);
    QCOMPARE(closed.at(0).at(0).toUInt(), third);
    QCOMPARE(closed.at(0).at(1).toUInt(), 2u);
}

void TestNotify::followsTheServiceComingAndGoing()
{
    DesktopNotifications desktop(QStringLiteral("Confab"), QStringLiteral("im.confab.Confab"));
    QTRY_VERIFY_WITH_TIMEOUT(desktop.available(), Timeout);
    m_server.reset(); // the notification daemon quits
    QTRY_VERIFY_WITH_TIMEOUT(!desktop.available(), Timeout);

    // Another one without markup or inline reply takes its place: bodies go as they are.
    m_server = std::make_unique<FakeNotificationServer>(QStringList{QStringLiteral("actions"), QStringLiteral("body")},
                                                                    QStringLiteral("fake2"));
    QVERIFY(m_server->start());
    QTRY_VERIFY_WITH_TIMEOUT(desktop.available(), Timeout);
    QVERIFY(!desktop.hasCapability(QStringLiteral("inline-reply")));
    notify::Notification n;
    n.summary = QStringLiteral("Maya");
    n.body = QStringLiteral("1 < 2 & 3");
    n.inlineReply = true;
    n.actions = {{QStringLiteral("reply"), QStringLiteral("Reply")}};
    desktop.show(n);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->notified.size(), 1, Timeout);
    QCOMPARE(m_server->notified.at(0).body, QStringLiteral("1 < 2 & 3"));
    QCOMPARE(FakeNotificationServer::actionKeys(m_server->notified.at(0).actions),
             QStringList{QStringLiteral("reply")});
}

void TestNotify::noServiceIsQuiet()
{
    m_server.reset();
    DesktopNotifications desktop(QStringLiteral("Confab"), QStringLiteral("im.confab.Confab"));
    bool answered = false;
    uint shownId = 99;
    notify::Notification n;
    n.summary = QStringLiteral("Maya");
    desktop.show(n, [&](uint id) {
        answered = true;
        shownId = id;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, Timeout);
    QCOMPARE(shownId, 0u);
    QVERIFY(!desktop.available());
}

// ---- MessageNotifier --------------------------------------------------------------------------

void TestNotify::aNewMessageRaisesOneNotification()
{
    Rig rig(*m_store);
    QTRY_VERIFY_WITH_TIMEOUT(rig.desktop.available(), Timeout);
    // The sender's picture, where the window already has it.
    rig.notifier.setAvatarLookup([](const QString &url) {
        QImage picture(64, 64, QImage::Format_ARGB32);
        picture.fill(Qt::darkCyan);
        return url == QStringLiteral("http://127.0.0.1/avatars/maya.png") ? picture : QImage();
    });
    QSignalSpy &notified = rig.notified;
    const Conversation direct =
        addConversation(QStringLiteral("d1"), QStringLiteral("Maya Chen"), ConversationKind::Direct);
    insert(direct.id, {incoming(QStringLiteral("m1"), 1, QStringLiteral("Dinner at <8>?"), QStringLiteral("maya"))});
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 1, Timeout);
    QCOMPARE(m_server->notified.size(), 1);
    const auto &call = m_server->notified.constFirst();
    QCOMPARE(call.summary, QStringLiteral("Maya Chen"));
    QCOMPARE(call.body, QStringLiteral("Dinner at &lt;8&gt;?"));
    QCOMPARE(call.replaces, 0u);
    QCOMPARE(FakeNotificationServer::actionKeys(call.actions),
             (QStringList{QStringLiteral("default"), QStringLiteral("reply"), QStringLiteral("mark-read"), QStringLiteral("inline-reply")}));
    QCOMPARE(call.hints.value(QStringLiteral("category")).toString(), QStringLiteral("im.received"));

    // A group names the sender in the body and the group in the summary.
    const Conversation group =
        addConversation(QStringLiteral("g1"), QStringLiteral("Book club"), ConversationKind::Group);
    insert(group.id,
           {incoming(QStringLiteral("g-m1"), 1, QStringLiteral("Chapter 3 tonight"), QStringLiteral("ravi"))});
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 2, Timeout);
    QCOMPARE(m_server->notified.at(1).summary, QStringLiteral("Book club"));
    QCOMPARE(m_server->notified.at(1).body, QStringLiteral("Ravi Patel: Chapter 3 tonight"));
    QVERIFY(!m_server->notified.at(1).hints.contains(QStringLiteral("image-data"))); // the group has no picture
    QVERIFY(m_server->notified.at(1).id != m_server->notified.at(0).id);
}

void TestNotify::aSecondMessageReplacesIt()
{
    Rig rig(*m_store);
    QTRY_VERIFY_WITH_TIMEOUT(rig.desktop.available(), Timeout);
    QSignalSpy &notified = rig.notified;
    const Conversation direct =
        addConversation(QStringLiteral("d1"), QStringLiteral("Maya Chen"), ConversationKind::Direct);
    for (int i = 1; i <= 5; ++i) {
        insert(direct.id,
               {incoming(QStringLiteral("m%1").arg(i), i, QStringLiteral("line %1").arg(i), QStringLiteral("maya"))});
        QTRY_COMPARE_WITH_TIMEOUT(notified.count(), i, Timeout);
    }
    QCOMPARE(m_server->notified.size(), 5);
    const uint first = m_server->notified.at(0).id;
    for (int i = 1; i < 5; ++i) {
        QCOMPARE(m_server->notified.at(i).replaces, first);
        QCOMPARE(m_server->notified.at(i).id, first);
    }
    // The newest three, and how many came before them.
    QCOMPARE(m_server->notified.at(4).body, QStringLiteral("2 earlier messages\nline 3\nline 4\nline 5"));

    // Dismissed: the next message starts a new one.
    m_server->dismiss(first);
    QTest::qWait(100);
    insert(direct.id, {incoming(QStringLiteral("m6"), 6, QStringLiteral("line 6"), QStringLiteral("maya"))});
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 6, Timeout);
    QCOMPARE(m_server->notified.at(5).replaces, 0u);
    QCOMPARE(m_server->notified.at(5).body, QStringLiteral("line 6"));

    // Two messages in a row, the second before the server answered the first: still one
    // notification (the second goes out with the first's id once it is known).
    const Conversation other =
        addConversation(QStringLiteral("d2"), QStringLiteral("Ravi Patel"), ConversationKind::Direct);
    const qsizetype before = m_server->notified.size();
    (void)m_store->insertMessages(other.id,
                                  {incoming(QStringLiteral("r1"), 1, QStringLiteral("first"), QStringLiteral("ravi"))});
    (void)m_store->insertMessages(
        other.id, {incoming(QStringLiteral("r2"), 2, QStringLiteral("second"), QStringLiteral("ravi"))});
    QTRY_VERIFY_WITH_TIMEOUT(!m_server->notified.isEmpty() &&
                             m_server->notified.constLast().body == QStringLiteral("first\nsecond"), Timeout);
    QTest::qWait(200);
    const uint ravi = m_server->notified.at(before).id;
    for (qsizetype i = before; i < m_server->notified.size(); ++i)
        QCOMPARE(m_server->notified.at(i).id, ravi);

    // An older message that comes after a newer one (a late sync, or store reads that finished
    // in the other order) goes in its place: the notification reads in the conversation's order.
    const Conversation late =
        addConversation(QStringLiteral("d3"), QStringLiteral("Lena Berg"), ConversationKind::Direct);
    insert(late.id, {incoming(QStringLiteral("l2"), 2, QStringLiteral("second"), QStringLiteral("lena"))});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->notified.constLast().body == QStringLiteral("second"), Timeout);
    insert(late.id, {incoming(QStringLiteral("l1"), 1, QStringLiteral("first"), QStringLiteral("lena"))});
    QTRY_COMPARE_WITH_TIMEOUT(m_server->notified.constLast().body, QStringLiteral("first\nsecond"), Timeout);
}

void TestNotify::theOpenConversationAndQuietTimesRaiseNone()
{
    Rig rig(*m_store);
    QTRY_VERIFY_WITH_TIMEOUT(rig.desktop.available(), Timeout);
    MessageNotifier &notifier = rig.notifier;
    QSignalSpy &notified = rig.notified;
    const Conversation direct =
        addConversation(QStringLiteral("d1"), QStringLiteral("Maya Chen"), ConversationKind::Direct);
    const Conversation muted =
        addConversation(QStringLiteral("d2"), QStringLiteral("Ravi Patel"), ConversationKind::Direct, true);
    int sequence = 0;
    auto send = [&](qint64 conversationId, const QString &sender, qint64 ageMs = 1000) {
        ++sequence;
        insert(conversationId, {incoming(QStringLiteral("q%1").arg(sequence), sequence,
                                                        QStringLiteral("text %1").arg(sequence), sender, ageMs)});
    };
    // Open in the active window: nothing.
    notifier.setFocus(direct.id, true);
    send(direct.id, QStringLiteral("maya"));
    // Muted: nothing.
    send(muted.id, QStringLiteral("ravi"));
    // Do not disturb, notifications off: nothing.
    notifier.setFocus(0, true);
    notifier.setDoNotDisturb(true);
    send(direct.id, QStringLiteral("maya"));
    notifier.setDoNotDisturb(false);
    notifier.setEnabled(false);
    send(direct.id, QStringLiteral("maya"));
    notifier.setEnabled(true);
    // History from an hour ago (a sync after a night offline): nothing.
    send(direct.id, QStringLiteral("maya"), 60 * 60 * 1000);
    // One's own message from another device: nothing.
    IncomingMessage own = incoming(QStringLiteral("own"), 100, QStringLiteral("mine"), QStringLiteral("me"));
    own.outgoing = true;
    insert(direct.id, {own});
    QTest::qWait(300);
    QCOMPARE(notified.count(), 0);
    QCOMPARE(m_server->notified.size(), 0);

    // Open but the window is in the background: it does.
    notifier.setFocus(direct.id, false);
    send(direct.id, QStringLiteral("maya"));
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 1, Timeout);
    // Coming back to the window takes it away.
    notifier.setFocus(direct.id, true);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->closedByApp.size(), 1, Timeout);

    // A photo: said so, with its caption when it has one.
    notifier.setFocus(0, true);
    IncomingMessage photo = incoming(QStringLiteral("photo1"), 200, QString(), QStringLiteral("maya"));
    photo.kind = MessageKind::Media;
    Attachment picture;
    picture.mediaId = QStringLiteral("abc123");
    picture.extra.insert(QStringLiteral("claimedType"), QStringLiteral("image"));
    photo.attachments = {picture};
    insert(direct.id, {photo});
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 2, Timeout);
    QVERIFY(m_server->notified.constLast().body.endsWith(QStringLiteral("Photo")));
    notifier.setFocus(direct.id, true); // read: the next notification starts afresh
    notifier.setFocus(0, true);

    // Text hidden: what shows is that something came.
    notifier.setFocus(0, true);
    notifier.setShowText(false);
    send(direct.id, QStringLiteral("maya"));
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 3, Timeout);
    QCOMPARE(m_server->notified.constLast().body, QStringLiteral("New message"));
}

void TestNotify::readElsewhereTakesItAway()
{
    Rig rig(*m_store);
    QTRY_VERIFY_WITH_TIMEOUT(rig.desktop.available(), Timeout);
    QSignalSpy &notified = rig.notified;
    const Conversation direct =
        addConversation(QStringLiteral("d1"), QStringLiteral("Maya Chen"), ConversationKind::Direct);
    insert(direct.id, {incoming(QStringLiteral("m1"), 1, QStringLiteral("hello"), QStringLiteral("maya"))});
    QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 1, Timeout);
    const uint id = m_server->notified.at(0).id;
    // Read on the phone: the read marker comes in with the next sync.
    AWAIT(latest, m_store->newestMessages(direct.id, 1));
    AWAIT_OK(m_store->markRead(direct.id, latest.constFirst().key.sortKey));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->closedByApp, QList<uint>{id}, Timeout);

    // Read in the same sync that brought it (the marker is written before anything is shown):
    // never shown.
    (void)m_store->insertMessages(direct.id,
                                  {incoming(QStringLiteral("m2"), 2, QStringLiteral("again"), QStringLiteral("maya"))});
    AWAIT_OK(m_store->markRead(direct.id, 2));
    QTest::qWait(300);
    QCOMPARE(m_server->notified.size(), 1);
}

void TestNotify::actionsComeOutAsRequests()
{
    Rig rig(*m_store);
    QSignalSpy &notified = rig.notified;
    QSignalSpy opened(&rig.notifier, &MessageNotifier::openRequested);
    QSignalSpy replied(&rig.notifier, &MessageNotifier::replyRequested);
    QSignalSpy markedRead(&rig.notifier, &MessageNotifier::markReadRequested);
    QTRY_VERIFY_WITH_TIMEOUT(rig.desktop.available(), Timeout);
    const Conversation direct =
        addConversation(QStringLiteral("d1"), QStringLiteral("Maya Chen"), ConversationKind::Direct);
    auto raise = [&](int n) -> uint {
        insert(direct.id,
               {incoming(QStringLiteral("a%1").arg(n), n, QStringLiteral("ping %1").arg(n), QStringLiteral("maya"))});
        if (!QTest::qWaitFor([&] { return notified.count() == n; }, Timeout))
            return 0;
        return m_server->notified.constLast().id;
    };
    const uint first = raise(1);
    QVERIFY(first != 0);
    m_server->reply(first, QStringLiteral("  On my way  "));
    QTRY_COMPARE_WITH_TIMEOUT(replied.count(), 1, Timeout);
    QCOMPARE(replied.at(0).at(0).toLongLong(), direct.id);
    QCOMPARE(replied.at(0).at(1).toString(), QStringLiteral("On my way"));

    const uint second = raise(2);
    QVERIFY(second != 0);
    m_server->invokeAction(second, QStringLiteral("mark-read"));
    QTRY_COMPARE_WITH_TIMEOUT(markedRead.count(), 1, Timeout);
    QCOMPARE(markedRead.at(0).at(0).toLongLong(), direct.id);

    const uint third = raise(3);
    QVERIFY(third != 0);
    m_server->invokeAction(third, QStringLiteral("default"));
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, Timeout);
    QCOMPARE(opened.at(0).at(0).toLongLong(), direct.id);
}

QTEST_GUILESS_MAIN(TestNotify)
#include "tst_notify.moc"
