// Demo peers against a real confab-localserver in this process (port 0, in memory): two peers
// exchange encrypted, signed messages over HTTP; and a DemoDirector-run demo seeds history and
// answers the keyboard user (here a third DemoPeer) with a typing indicator, then a reply.

#include "localserver/demo/activitystream.h"
#include "localserver/demo/demodirector.h"
#include "localserver/demo/demoimages.h"
#include "localserver/demo/demopeer.h"
#include "localserver/localserver.h"
#include "protocols/xchat/thriftcodec.h"

#include <QBuffer>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

using namespace confab;
using namespace confab::localserver;
using namespace confab::localserver::demo;
using xchat::fromWire;

namespace {

const QStringList Scopes{
    QStringLiteral("dm.read"),    QStringLiteral("dm.write"),    QStringLiteral("users.read"),
                                                                                QStringLiteral("tweet.read"), QStringLiteral("media.write"), QStringLiteral("offline.access")};

template<typename T>
QCoro::Task<> storeResult(QCoro::Task<T> task, std::shared_ptr<std::optional<T>> out)
{
    out->emplace(co_await std::move(task));
}

/// Runs the event loop until `task` is done (or `timeoutMsecs` pass: then nullopt).
template<typename T>
std::optional<T> wait(QCoro::Task<T> task, int timeoutMsecs = 60000)
{
    auto out = std::make_shared<std::optional<T>>();
    storeResult(std::move(task), out);
    QDeadlineTimer deadline(timeoutMsecs);
    while (!out->has_value() && !deadline.hasExpired())
        QTest::qWait(5);
    return *out;
}

QByteArray png(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QString text(const xchat::VerifiedEvent &e)
{
    return fromWire(e.contents.contents.message.message_text);
}

/// Collects what a peer receives.
struct Inbox
{
    std::vector<std::pair<QString, xchat::VerifiedEvent>> events;
    std::vector<Error> rejected;

    explicit Inbox(DemoPeer &peer)
    {
        QObject::connect(&peer, &DemoPeer::eventReceived, &peer,
                         [this](const QString &conv, const xchat::VerifiedEvent &e) { events.emplace_back(conv, e); });
        QObject::connect(&peer, &DemoPeer::eventRejected, &peer,
                         [this](const QString &, const Error &e) { rejected.push_back(e); });
    }
    const xchat::VerifiedEvent *find(const std::function<bool(const xchat::VerifiedEvent &)> &match) const
    {
        for (const auto &[conv, e] : events) {
            if (match(e))
                return &e;
        }
        return nullptr;
    }
};

#define WAIT_OK(expr)                                                                                                  \
    [&] {                                                                                                              \
        auto result__ = wait(expr);                                                                                    \
        if (!result__)                                                                                                 \
            qFatal("timed out: %s", #expr);                                                                            \
        if (!result__->ok())                                                                                           \
            qFatal("%s failed: %s", #expr, qPrintable(result__->error().toString()));                                  \
        return std::move(*result__).value();                                                                           \
    }()

#define WAIT_DONE(expr)                                                                                                \
    do {                                                                                                               \
        auto result__ = wait(expr);                                                                                    \
        QVERIFY2(result__.has_value(), "timed out: " #expr);                                                           \
        QVERIFY2(result__->ok(), result__->ok() ? "" : qPrintable(result__->error().toString()));                      \
    } while (false)

} // namespace

class TestDemoPeers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void peersExchangeEncryptedMessages()
    {
        LocalServer server(ServerOptions{});
        QVERIFY(server.start().ok());
        const UserInfo alice = server.createUser(QStringLiteral("alice"), QStringLiteral("Alice Example")).value();
        const UserInfo bob = server.createUser(QStringLiteral("bob"), QStringLiteral("Bob Example")).value();
        DemoPeer a(alice.id, alice.username, alice.name, server.baseUrl(),
                   server.issueAccessToken(alice.id, Scopes, QStringLiteral("tst-demo")).value());
        DemoPeer b(bob.id, bob.username, bob.name, server.baseUrl(),
                   server.issueAccessToken(bob.id, Scopes, QStringLiteral("tst-demo")).value());
        Inbox inboxA(a);
        Inbox inboxB(b);

        WAIT_DONE(a.registerKeys());
        WAIT_DONE(b.registerKeys());
        QVERIFY(!a.keyVersion().isEmpty());
        QVERIFY(WAIT_OK(a.hasPublishedKey(bob.id)));

        // Alice starts the 1:1 (POST /keys with Bob's bare id) and writes.
        const QString conv = WAIT_OK(a.startDirect(bob.id));
        QCOMPARE(conv, xchat::directConversationId(alice.id, bob.id));
        const PeerMessage hello = WAIT_OK(a.sendText(conv, QStringLiteral("Hello Bob 🔐 this is end-to-end")));
        QVERIFY(!hello.sequenceId.isEmpty());

        // Bob catches up over HTTP: key change first, then the message, verified and decrypted.
        WAIT_DONE(b.sync());
        QVERIFY(inboxB.rejected.empty());
        const auto *received = inboxB.find([&](const auto &e) { return e.messageId == hello.messageId; });
        QVERIFY(received);
        QCOMPARE(received->type, xchat::EventType::Message);
        QVERIFY(received->verified);
        QCOMPARE(received->senderId, alice.id);
        QCOMPARE(received->conversationId, conv);
        QCOMPARE(text(*received), QStringLiteral("Hello Bob 🔐 this is end-to-end"));
        QVERIFY(b.conversation(conv) && b.conversation(conv)->keys.currentKey());
        QVERIFY(*b.conversation(conv)->keys.currentKey() == *a.conversation(conv)->keys.currentKey());

        // Bob answers, and replies quoting Alice's message.
        const PeerMessage answer = WAIT_OK(b.sendText(conv, QStringLiteral("Hi Alice!")));
        const PeerMessage reply = WAIT_OK(b.sendReply(conv, hello.sequenceId, QStringLiteral("Nice, it works")));
        WAIT_DONE(a.sync());
        QVERIFY(inboxA.rejected.empty());
        const auto *gotAnswer = inboxA.find([&](const auto &e) { return e.messageId == answer.messageId; });
        QVERIFY(gotAnswer && gotAnswer->verified);
        QCOMPARE(text(*gotAnswer), QStringLiteral("Hi Alice!"));
        const auto *gotReply = inboxA.find([&](const auto &e) { return e.messageId == reply.messageId; });
        QVERIFY(gotReply && gotReply->verified);
        QCOMPARE(gotReply->replyValidation, xchat::ReplyValidation::Valid);
        QCOMPARE(fromWire(gotReply->contents.contents.message.replying_to_preview.replying_to_message_id),
                 hello.messageId);

        // A picture: encrypted with secretstream, uploaded in segments, attached, downloaded and
        // decrypted by Bob to the very same bytes.
        const QImage picture = paintPicture(PictureScene::LakeSunset, QSize(480, 320), 3);
        const PeerMessage photo =
            WAIT_OK(a.sendImage(conv, picture, QStringLiteral("lake.png"), QStringLiteral("The lake")));
        WAIT_DONE(b.sync());
        const auto *gotPhoto = inboxB.find([&](const auto &e) { return e.messageId == photo.messageId; });
        QVERIFY(gotPhoto && gotPhoto->verified);
        QCOMPARE(text(*gotPhoto), QStringLiteral("The lake"));
        QCOMPARE(gotPhoto->contents.contents.message.attachments.size(), std::size_t(1));
        const auto &media = gotPhoto->contents.contents.message.attachments[0].media;
        QCOMPARE(media.dimensions.width, qint64(480));
        QCOMPARE(media.filesize_bytes, qint64(png(picture).size()));
        const QByteArray downloaded =
            WAIT_OK(b.downloadMedia(conv, gotPhoto->keyVersion, fromWire(media.media_hash_key)));
        QCOMPARE(downloaded, png(picture));
        QCOMPARE(QImage::fromData(downloaded, "PNG").convertToFormat(picture.format()), picture);

        // Typing and read markers are accepted; nothing Bob received failed the receiver rules.
        WAIT_DONE(b.sendTyping(conv));
        WAIT_DONE(b.markRead(conv, photo.sequenceId));
        WAIT_DONE(a.sync());
        const auto *typing = inboxA.find([&](const auto &e) { return e.type == xchat::EventType::Typing; });
        QVERIFY(typing);
        QCOMPARE(typing->senderId, bob.id);
        QVERIFY(inboxB.rejected.empty());
    }

    void directorSeedsHistoryAndAnswersTheKeyboardUser()
    {
        LocalServer server(ServerOptions{});
        QVERIFY(server.start().ok());
        DemoDirector::Options options;
        options.keyPollMsecs = 200;
        options.fallbackPollMsecs = 500;
        options.minReplyDelayMsecs = 300;
        options.maxReplyDelayMsecs = 600;
        options.seed = 42;
        DemoDirector director(server, options);
        QSignalSpy peersReady(&director, &DemoDirector::peersReady);
        QSignalSpy keyboardReady(&director, &DemoDirector::keyboardUserReady);
        QSignalSpy failed(&director, &DemoDirector::failed);
        director.start();
        QTRY_COMPARE_WITH_TIMEOUT(peersReady.size(), 1, 30000);
        QCOMPARE(director.peers().size(), 4);
        QVERIFY(director.isStreaming() || QTest::qWaitFor([&] { return director.isStreaming(); }, 5000));

        // Maya and Jonas chat before anyone signs in.
        DemoPeer *maya = director.peer(QStringLiteral("maya"));
        DemoPeer *jonas = director.peer(QStringLiteral("jonas"));
        const QString peerChat = xchat::directConversationId(maya->userId(), jonas->userId());
        QTRY_VERIFY_WITH_TIMEOUT(jonas->conversation(peerChat) && jonas->conversation(peerChat)->messages.size() >= 15,
                                 30000);

        // The keyboard user signs in: keys made and registered, its own activity stream.
        const UserInfo sam = director.keyboardUser();
        QCOMPARE(sam.username, QStringLiteral("sam"));
        QVERIFY(server.registerClient(QStringLiteral("tst-sam"), QStringLiteral("sam-secret")).ok());
        DemoPeer keyboard(sam.id, sam.username, sam.name, server.baseUrl(),
                          server.issueAccessToken(sam.id, Scopes, QStringLiteral("tst-sam")).value());
        Inbox inbox(keyboard);
        WAIT_DONE(keyboard.registerKeys());
        WAIT_DONE(keyboard.subscribe());
        ActivityStream stream(server.baseUrl(), server.issueAppToken(QStringLiteral("tst-sam")).value());
        connect(&stream, &ActivityStream::activity, &keyboard,
                [&keyboard](const QString &, const QString &, const QJsonObject &payload) {
                    keyboard.handleActivity(payload);
                });
        stream.start();
        QTRY_VERIFY_WITH_TIMEOUT(stream.isConnected(), 10000);

        // The peers notice, open a 1:1 each and the group, and seed days of history.
        QTRY_COMPARE_WITH_TIMEOUT(keyboardReady.size(), 1, 240000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        QVERIFY2(director.seededMessages() >= 180, qPrintable(QString::number(director.seededMessages())));
        WAIT_DONE(keyboard.sync());
        QTRY_VERIFY_WITH_TIMEOUT(keyboard.conversationIds().size() >= 5, 10000);
        QVERIFY2(inbox.rejected.empty(), inbox.rejected.empty() ? "" : qPrintable(inbox.rejected.front().toString()));

        int messages = 0, pictures = 0, reactions = 0, edits = 0, validReplies = 0;
        qint64 oldest = std::numeric_limits<qint64>::max();
        for (const auto &[conv, e] : inbox.events) {
            if (e.type != xchat::EventType::Message)
                continue;
            QVERIFY(e.verified);
            ++messages;
            oldest = std::min(oldest, e.createdAtMsec);
            reactions += e.contentType == xchat::ContentType::Reaction;
            edits += e.contentType == xchat::ContentType::Edit;
            validReplies += e.replyValidation == xchat::ReplyValidation::Valid;
            pictures += e.contentType == xchat::ContentType::Text && !e.contents.contents.message.attachments.empty();
        }
        QVERIFY2(messages >= 180, qPrintable(QString::number(messages)));
        QVERIFY(pictures >= 2);
        QVERIFY(reactions >= 5);
        QVERIFY(edits >= 1);
        QVERIFY(validReplies >= 1);
        // Several days of history, backdated (the group's at least).
        QVERIFY2(oldest < QDateTime::currentMSecsSinceEpoch() - 4LL * 24 * 3600 * 1000,
                 qPrintable(QDateTime::fromMSecsSinceEpoch(oldest).toString(Qt::ISODate)));
        // A picture from the history decrypts to a PNG.
        const auto *photo = inbox.find([](const auto &e) {
            return e.type == xchat::EventType::Message && !e.contents.contents.message.attachments.empty();
        });
        QVERIFY(photo);
        const QString photoConv = photo->conversationId;
        const auto &media = photo->contents.contents.message.attachments[0].media;
        const QByteArray bytes =
            WAIT_OK(keyboard.downloadMedia(photoConv, photo->keyVersion, fromWire(media.media_hash_key)));
        const QImage decoded = QImage::fromData(bytes, "PNG");
        QCOMPARE(decoded.width(), int(media.dimensions.width));
        QCOMPARE(decoded.height(), int(media.dimensions.height));

        // Sam writes to Maya: she reads it, types, and answers, encrypted and signed.
        const QString withMaya = xchat::directConversationId(sam.id, maya->userId());
        QVERIFY(keyboard.conversation(withMaya));
        inbox.events.clear();
        const PeerMessage hi = WAIT_OK(keyboard.sendText(withMaya, QStringLiteral("Hi Maya, are you around?")));
        auto indexOf = [&](const std::function<bool(const xchat::VerifiedEvent &)> &match) -> qsizetype {
            for (std::size_t i = 0; i < inbox.events.size(); ++i) {
                if (inbox.events[i].first == withMaya && match(inbox.events[i].second))
                    return qsizetype(i);
            }
            return -1;
        };
        auto isTyping = [&](const xchat::VerifiedEvent &e) {
            return e.type == xchat::EventType::Typing && e.senderId == maya->userId();
        };
        auto isAnswer = [&](const xchat::VerifiedEvent &e) {
            return e.type == xchat::EventType::Message && e.senderId == maya->userId() &&
                   e.contentType == xchat::ContentType::Text;
        };
        QTRY_VERIFY_WITH_TIMEOUT(indexOf(isAnswer) >= 0, 20000);
        const qsizetype typingAt = indexOf(isTyping);
        const qsizetype answerAt = indexOf(isAnswer);
        QVERIFY2(typingAt >= 0 && typingAt < answerAt, qPrintable(QStringLiteral("%1 %2").arg(typingAt).arg(answerAt)));
        const xchat::VerifiedEvent &answer = inbox.events[std::size_t(answerAt)].second;
        QVERIFY(answer.verified);
        QVERIFY(!text(answer).isEmpty());
        QVERIFY(compareVersionsGreater(answer.sequenceId, hi.sequenceId));
        if (answer.contents.contents.message.__isset.replying_to_preview)
            QCOMPARE(answer.replyValidation, xchat::ReplyValidation::Valid);

        // In the group, one of the peers answers.
        inbox.events.clear();
        QString group;
        for (const QString &id : keyboard.conversationIds()) {
            if (id.startsWith(QLatin1Char('g')))
                group = id;
        }
        QVERIFY(!group.isEmpty());
        WAIT_OK(keyboard.sendText(group, QStringLiteral("Hello everyone! Leo, are you driving in October?")));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(inbox.events.begin(), inbox.events.end(),
                                             [&](const auto &item) {
                                                 return item.first == group &&
                                                        item.second.type == xchat::EventType::Message &&
                                                        item.second.contentType == xchat::ContentType::Text &&
                                                        item.second.senderId ==
                                                            director.peer(QStringLiteral("leo"))->userId();
                                             }),
                                 20000);
        QVERIFY(inbox.rejected.empty());
        QVERIFY(failed.isEmpty());
    }

    void stoppingMidwayCancelsEverything()
    {
        // Destroying the director while it seeds history cancels every request and wait in flight:
        // no crash, no leak (the sanitizer build checks), and the server goes on serving.
        LocalServer server(ServerOptions{});
        QVERIFY(server.start().ok());
        auto director = std::make_unique<DemoDirector>(server);
        QSignalSpy peersReady(director.get(), &DemoDirector::peersReady);
        director->start();
        QTRY_COMPARE_WITH_TIMEOUT(peersReady.size(), 1, 30000);
        const UserInfo sam = director->keyboardUser();
        DemoPeer keyboard(sam.id, sam.username, sam.name, server.baseUrl(),
                          server.issueAccessToken(sam.id, Scopes, QStringLiteral("tst-stop")).value());
        WAIT_DONE(keyboard.registerKeys());
        // Seeding has begun once the first conversation with the keyboard user exists.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                auto synced = wait(keyboard.sync(), 5000);
                return synced && synced->ok() && !keyboard.conversationIds().isEmpty();
            }(),
            30000);
        QVERIFY(director->seededMessages() == 0); // still seeding
        director.reset();
        QTest::qWait(200);
        WAIT_DONE(keyboard.sync());
        QVERIFY(!keyboard.conversationIds().isEmpty());
    }

private:
    static bool compareVersionsGreater(const QString &a, const QString &b)
    {
        return xchat::compareVersions(a, b).value_or(0) > 0;
    }
};

QTEST_MAIN(TestDemoPeers)
#include "tst_demo_peers.moc"
