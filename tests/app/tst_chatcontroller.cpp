// The app's conversation actions end to end: a real AppSession (ephemeral profile, signed in as
// the demo's "sam" through the OAuth flow) and the Chat controller against confab-localserver
// with its live demo peers. Sends and gets an answer with typing shown by name, reacts, edits,
// a send the server refuses fails and is retried or discarded, people are found by handle and a
// 1:1 is opened, and a conversation is marked read.

#include "accounts/account.h"
#include "accounts/accountmanager.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "demosession.h"
#include "localserverprocess.h"
#include "store/store.h"
#include "wait.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using confab::test::take;

namespace {
constexpr int Timeout = 60'000;
} // namespace

class ChatControllerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sendAndHearBack();
    void reactAndEdit();
    void refusedSendRetriedOrDiscarded();
    void findSomeoneAndOpenTheirChat();
    void markRead();

private:
    /// A conversation of the store by the peer's name in its title.
    store::Conversation conversationWith(const QString &name)
    {
        return confab::test::directConversationWith(*m_session->store(), name);
    }
    /// Sets (or with an empty object clears) the server's faults.
    void faults(const QJsonObject &fault)
    {
        QNetworkRequest request(QUrl(m_server.toString() + QStringLiteral("/_local/faults")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply =
            fault.isEmpty() ? m_nam.deleteResource(request) : m_nam.post(request, QJsonDocument(fault).toJson());
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10'000));
        QVERIFY2(reply->error() == QNetworkReply::NoError, qPrintable(reply->errorString()));
        reply->deleteLater();
    }
    /// The newest state of a message in the store.
    store::Message message(qint64 id)
    {
        auto m = take(m_session->store()->message(id));
        return m ? m.value() : store::Message();
    }
    /// Sends `text` in `conversationId` and returns the row the outbox wrote for it.
    store::Message sendAndFind(qint64 conversationId, const QString &text)
    {
        QSignalSpy inserted(m_session->store(), &store::Store::messagesInserted);
        m_chat->send(conversationId, text);
        store::Message found;
        auto look = [&] {
            for (const QList<QVariant> &args : std::as_const(inserted)) {
                for (const store::Message &m : args.at(1).value<QList<store::Message>>()) {
                    if (m.outgoing && m.text == text)
                        found = m;
                }
            }
            return found.id != 0;
        };
        if (!look() && !QTest::qWaitFor(look, Timeout))
            qWarning("the outbox wrote no message for \"%s\"", qPrintable(text));
        return found;
    }

    confab::test::LocalServerProcess m_serverProcess;
    QUrl m_server;
    QTemporaryDir m_dir;
    QNetworkAccessManager m_nam;
    std::unique_ptr<AppSession> m_session;
    std::unique_ptr<ChatController> m_chat;
    QString m_accountKey;
};

void ChatControllerTest::initTestCase()
{
    m_server =
        m_serverProcess.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve"), QStringLiteral("--dev")});
    QVERIFY2(!m_server.isEmpty(), m_serverProcess.log().constData());

    const AppSession::Config config = confab::test::demoSessionConfig(m_dir, m_server, QStringLiteral("chat"));
    m_session = std::make_unique<AppSession>(config);
    m_chat = std::make_unique<ChatController>(*m_session);
    m_session->start();
    QTRY_VERIFY_WITH_TIMEOUT(m_session->isSettled() && m_session->accountCount() == 1, Timeout);
    m_accountKey = m_session->accountManager()->accounts().constFirst()->key();
    QTRY_VERIFY_WITH_TIMEOUT(m_serverProcess.log().contains("demo: seeded"), Timeout);
    for (const char *peer : {"Maya", "Jonas", "Priya", "Leo"})
        QTRY_VERIFY_WITH_TIMEOUT(conversationWith(QString::fromLatin1(peer)).id != 0, Timeout);
}

void ChatControllerTest::cleanupTestCase()
{
    m_chat.reset();
    m_session.reset();
}

void ChatControllerTest::sendAndHearBack()
{
    const store::Conversation maya = conversationWith(QStringLiteral("Maya"));
    m_chat->setFocusedConversation(maya.id);
    QCOMPARE(m_chat->focusedConversation(), maya.id);
    QSignalSpy typing(m_chat.get(), &ChatController::typingChanged);
    QSignalSpy inserted(m_session->store(), &store::Store::messagesInserted);

    const store::Message mine = sendAndFind(maya.id, QStringLiteral("Are we still on for the lake this weekend?"));
    QVERIFY(mine.id != 0);
    // The demo peer reads it, types (shown by name) and answers.
    auto answered = [&] {
        for (const QList<QVariant> &args : std::as_const(inserted)) {
            if (args.at(0).toLongLong() != maya.id)
                continue;
            for (const store::Message &m : args.at(1).value<QList<store::Message>>()) {
                if (!m.outgoing && m.kind == store::MessageKind::Text && !m.text.isEmpty())
                    return true;
            }
        }
        return false;
    };
    QVERIFY(QTest::qWaitFor(answered, Timeout));
    QTRY_COMPARE_WITH_TIMEOUT(message(mine.id).delivery, store::DeliveryState::Sent, Timeout);
    // Her typing was announced by name, and her answer ended it.
    auto typingLines = [&] {
        QList<QStringList> lines;
        for (const QList<QVariant> &args : std::as_const(typing)) {
            if (args.at(0).toLongLong() == maya.id)
                lines.append(args.at(1).toStringList());
        }
        return lines;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(typingLines().contains(QStringList{QStringLiteral("Maya Chen")}),
                                                     "Maya's typing was announced by name", Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(typingLines().constLast().isEmpty(), Timeout);
    m_chat->setFocusedConversation(0);
}

void ChatControllerTest::reactAndEdit()
{
    const store::Conversation jonas = conversationWith(QStringLiteral("Jonas"));
    QVERIFY(jonas.id != 0);
    const store::Message mine = sendAndFind(jonas.id, QStringLiteral("Photos from Saturday are coming"));
    QVERIFY(mine.id != 0);
    QTRY_COMPARE_WITH_TIMEOUT(message(mine.id).delivery, store::DeliveryState::Sent, Timeout);

    m_chat->react(mine.id, QStringLiteral("🎉"));
    QTRY_VERIFY_WITH_TIMEOUT(QJsonDocument(message(mine.id).extra).toJson().contains("🎉"), Timeout);

    m_chat->edit(mine.id, QStringLiteral("Photos from Saturday are coming tonight"));
    QTRY_VERIFY_WITH_TIMEOUT(message(mine.id).editedMs > 0, Timeout);
    QCOMPARE(message(mine.id).text, QStringLiteral("Photos from Saturday are coming tonight"));

    // An empty edit is no edit.
    m_chat->edit(mine.id, QStringLiteral("   "));
    QCOMPARE(message(mine.id).text, QStringLiteral("Photos from Saturday are coming tonight"));
}

void ChatControllerTest::refusedSendRetriedOrDiscarded()
{
    const store::Conversation priya = conversationWith(QStringLiteral("Priya"));
    QVERIFY(priya.id != 0);
    QSignalSpy failed(m_chat.get(), &ChatController::actionFailed);

    // The server refuses every send for now: the message fails and says why.
    faults(QJsonObject{{QStringLiteral("route"), QStringLiteral("chat.send")}, {QStringLiteral("error_status"), 400}});
    const store::Message first = sendAndFind(priya.id, QStringLiteral("This one will be retried"));
    const store::Message second = sendAndFind(priya.id, QStringLiteral("This one will be discarded"));
    QVERIFY(first.id != 0 && second.id != 0);
    QTRY_COMPARE_WITH_TIMEOUT(message(first.id).delivery, store::DeliveryState::Failed, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(message(second.id).delivery, store::DeliveryState::Failed, Timeout);
    QVERIFY(!message(first.id).failureReason.isEmpty());

    // The server takes sends again: retry goes out, discard takes the message away.
    faults({});
    m_chat->retry(first.id);
    QTRY_COMPARE_WITH_TIMEOUT(message(first.id).delivery, store::DeliveryState::Sent, Timeout);
    QSignalSpy removed(m_session->store(), &store::Store::messagesRemoved);
    m_chat->discard(second.id);
    QTRY_VERIFY_WITH_TIMEOUT(!removed.isEmpty(), Timeout);
    QVERIFY(!take(m_session->store()->message(second.id)).ok());
    QCOMPARE(failed.count(), 0);
}

void ChatControllerTest::findSomeoneAndOpenTheirChat()
{
    QSignalSpy found(m_chat.get(), &ChatController::personFound);
    QSignalSpy failed(m_chat.get(), &ChatController::actionFailed);
    m_chat->findPerson(m_accountKey, QStringLiteral("@leo"));
    QTRY_COMPARE_WITH_TIMEOUT(found.count(), 1, Timeout); // (a spy's wait() misses an answer that came at once)
    const QVariantMap leo = found.takeFirst().at(1).toMap();
    QCOMPARE(leo.value(QStringLiteral("handle")).toString(), QStringLiteral("leo"));
    QCOMPARE(leo.value(QStringLiteral("name")).toString(), QStringLiteral("Leo Rossi"));

    // Their 1:1 exists already (the demo wrote in it): starting it opens that one.
    QSignalSpy started(m_chat.get(), &ChatController::conversationStarted);
    m_chat->startDirect(m_accountKey, leo.value(QStringLiteral("id")).toString());
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, Timeout);
    QCOMPARE(started.first().at(0).toLongLong(), conversationWith(QStringLiteral("Leo")).id);

    // Nobody by that name: a clear error, no person.
    m_chat->findPerson(m_accountKey, QStringLiteral("nobody_here_42"));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, Timeout);
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("find"));
    QVERIFY(failed.first().at(1).toString().contains(QLatin1String("@nobody_here_42")));
    QVERIFY(!failed.first().at(1).toString().isEmpty());
    QCOMPARE(found.count(), 0);

    // The fingerprints to compare out of band.
    const qint64 accountId = conversationWith(QStringLiteral("Leo")).accountId;
    QVERIFY(!m_chat->ownFingerprint(accountId).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!m_chat->fingerprintOf(accountId, leo.value(QStringLiteral("id")).toString()).isEmpty(),
                                                    Timeout);
}

void ChatControllerTest::markRead()
{
    QTRY_VERIFY_WITH_TIMEOUT(conversationWith(QStringLiteral("Leo")).unreadCount > 0, Timeout);
    const qint64 leo = conversationWith(QStringLiteral("Leo")).id;
    m_chat->markRead(leo);
    QTRY_COMPARE_WITH_TIMEOUT(conversationWith(QStringLiteral("Leo")).unreadCount, 0, Timeout);
}

QTEST_GUILESS_MAIN(ChatControllerTest)
#include "tst_chatcontroller.moc"
