// Notifications end to end: a real AppSession signed in as the demo's "sam" on confab-localserver,
// the Chat controller and the app's NotificationsController, with a fake
// org.freedesktop.Notifications on the test's own D-Bus session. A demo peer's answer raises
// exactly one notification with her name and the actions; answering it from the notification
// sends the reply through the X Chat engine and marks the conversation read; a muted
// conversation raises none.

#include "accounts/accountmanager.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/notificationscontroller.h"
#include "demosession.h"
#include "fakenotificationserver.h"
#include "localserverprocess.h"
#include "store/store.h"
#include "wait.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using confab::test::take;

namespace {
constexpr int Timeout = 60'000;
} // namespace

class AppNotifyTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void anAnswerNotifiesAndIsAnsweredFromTheNotification();
    void aMutedConversationStaysQuiet();

private:
    store::Conversation conversationWith(const QString &name)
    {
        return confab::test::directConversationWith(*m_session->store(), name);
    }
    /// Whether an incoming text from the peer arrived in the conversation (per the spy).
    static bool peerAnswered(const QSignalSpy &inserted, qint64 conversationId)
    {
        for (const QList<QVariant> &args : inserted) {
            if (args.at(0).toLongLong() != conversationId)
                continue;
            for (const store::Message &m : args.at(1).value<QList<store::Message>>()) {
                if (!m.outgoing && m.kind == store::MessageKind::Text && !m.text.isEmpty())
                    return true;
            }
        }
        return false;
    }
    QList<FakeNotificationServer::Call> callsAbout(const QString &summary) const
    {
        QList<FakeNotificationServer::Call> out;
        for (const auto &call : m_notifications->notified) {
            if (call.summary == summary)
                out.append(call);
        }
        return out;
    }

    confab::test::LocalServerProcess m_serverProcess;
    std::unique_ptr<FakeNotificationServer> m_notifications;
    QTemporaryDir m_dir;
    std::unique_ptr<AppSession> m_session;
    std::unique_ptr<ChatController> m_chat;
    std::unique_ptr<NotificationsController> m_controller;
};

void AppNotifyTest::initTestCase()
{
    m_notifications = std::make_unique<FakeNotificationServer>(
        QStringList{QStringLiteral("actions"), QStringLiteral("body"), QStringLiteral("inline-reply")});
    QVERIFY(m_notifications->start());
    const QUrl server =
        m_serverProcess.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve"), QStringLiteral("--dev")});
    QVERIFY2(!server.isEmpty(), m_serverProcess.log().constData());

    const AppSession::Config config = confab::test::demoSessionConfig(m_dir, server, QStringLiteral("notify"));
    m_session = std::make_unique<AppSession>(config);
    m_chat = std::make_unique<ChatController>(*m_session);
    m_controller = std::make_unique<NotificationsController>(*m_session, *m_chat, config.settingsFile);
    m_session->start();
    QTRY_VERIFY_WITH_TIMEOUT(m_session->isSettled() && m_session->accountCount() == 1, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(m_serverProcess.log().contains("demo: seeded"), Timeout);
    for (const char *peer : {"Maya", "Jonas"})
        QTRY_VERIFY_WITH_TIMEOUT(conversationWith(QString::fromLatin1(peer)).id != 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(m_controller->serviceAvailable(), Timeout);
    // The demo's seeded history is days old: the first sync raised nothing about it.
    QTest::qWait(1000);
    QCOMPARE(m_notifications->notified.size(), 0);
}

void AppNotifyTest::cleanupTestCase()
{
    m_controller.reset();
    m_chat.reset();
    m_session.reset();
    m_notifications.reset();
}

void AppNotifyTest::anAnswerNotifiesAndIsAnsweredFromTheNotification()
{
    const store::Conversation maya = conversationWith(QStringLiteral("Maya"));
    QVERIFY(maya.id != 0);
    QSignalSpy inserted(m_session->store(), &store::Store::messagesInserted);
    m_chat->send(maya.id, QStringLiteral("Are we still on for the lake this weekend?"));
    QVERIFY(QTest::qWaitFor([&] { return peerAnswered(inserted, maya.id); }, Timeout));

    // One notification for her answer (more answers would replace it, not stack).
    QTRY_VERIFY_WITH_TIMEOUT(!callsAbout(maya.title).isEmpty(), Timeout);
    QTest::qWait(500);
    const auto calls = callsAbout(maya.title);
    const uint id = calls.constFirst().id;
    QCOMPARE(calls.constFirst().replaces, 0u);
    for (const auto &call : calls)
        QCOMPARE(call.id, id);
    QCOMPARE(m_notifications->notified.size(), calls.size()); // nothing about anyone else
    const auto &call = calls.constLast();
    QCOMPARE(call.summary, QStringLiteral("Maya Chen"));
    QVERIFY(!call.body.isEmpty());
    QVERIFY(!call.body.contains(QStringLiteral("lake this weekend"))); // her words, not ours
    QCOMPARE(FakeNotificationServer::actionKeys(call.actions),
             (QStringList{QStringLiteral("default"), QStringLiteral("reply"), QStringLiteral("mark-read"), QStringLiteral("inline-reply")}));
    QCOMPARE(call.hints.value(QStringLiteral("desktop-entry")).toString(), QStringLiteral("im.confab.Confab"));

    // Answered in the notification: the reply goes out through the engine, the conversation is
    // read and the notification goes away.
    m_notifications->reply(id, QStringLiteral("Yes! I'll bring the kayak."));
    store::Message reply;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto newest = take(m_session->store()->newestMessages(maya.id, 10));
            if (newest) {
                for (const store::Message &m : newest.value()) {
                    if (m.outgoing && m.text == QStringLiteral("Yes! I'll bring the kayak."))
                        reply = m;
                }
            }
            return reply.id != 0 && reply.delivery == store::DeliveryState::Sent;
        },
        Timeout));
    QTRY_COMPARE_WITH_TIMEOUT(take(m_session->store()->conversation(maya.id)).value().unreadCount, 0, Timeout);
    QVERIFY(m_notifications->closedByApp.contains(id));
}

void AppNotifyTest::aMutedConversationStaysQuiet()
{
    const store::Conversation jonas = conversationWith(QStringLiteral("Jonas"));
    QVERIFY(jonas.id != 0);
    m_chat->setMuted(jonas.id, true);
    QTRY_VERIFY_WITH_TIMEOUT(take(m_session->store()->conversation(jonas.id)).value().muted, Timeout);
    QSignalSpy inserted(m_session->store(), &store::Store::messagesInserted);
    m_chat->send(jonas.id, QStringLiteral("Photos from Saturday are coming"));
    QVERIFY(QTest::qWaitFor([&] { return peerAnswered(inserted, jonas.id); }, Timeout));
    QTest::qWait(1500);
    QVERIFY(callsAbout(jonas.title).isEmpty()); // (Maya may still be answering the reply above)
    // Still muted after the next syncs of the conversation list.
    QVERIFY(take(m_session->store()->conversation(jonas.id)).value().muted);

    // Unmuted, his next answer notifies again.
    m_chat->setMuted(jonas.id, false);
    QTRY_VERIFY_WITH_TIMEOUT(!take(m_session->store()->conversation(jonas.id)).value().muted, Timeout);
    inserted.clear();
    m_chat->send(jonas.id, QStringLiteral("And the ones from Sunday"));
    QVERIFY(QTest::qWaitFor([&] { return peerAnswered(inserted, jonas.id); }, Timeout));
    QTRY_VERIFY_WITH_TIMEOUT(!callsAbout(jonas.title).isEmpty(), Timeout);
}

QTEST_MAIN(AppNotifyTest)
#include "tst_appnotify.moc"
