// Received pictures end to end: a real AppSession signed in as the demo's "sam" on
// confab-localserver, whose demo peers have sent photos. The app's MediaController downloads an
// attachment's ciphertext once through the conversation's account (with progress) into its
// cache, decrypts and decodes it on the pool; a damaged cached file is refused as "could not be
// decrypted", dropped, and fetched again.

#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/mediacontroller.h"
#include "demosession.h"
#include "localserverprocess.h"
#include "media/mediacache.h"
#include "media/medialoader.h"
#include "store/store.h"
#include "storewait.h"
#include "wait.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using confab::test::take;

namespace {
constexpr int Timeout = 60'000;
} // namespace

class AppMediaTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void aDemoPhotoIsDownloadedOnceAndShown();

private:
    /// A received message with a picture, and the picture's attachment.
    std::optional<std::pair<store::Message, store::Attachment>> findPhoto()
    {
        const auto conversations = take(m_session->store()->conversations());
        if (!conversations)
            return std::nullopt;
        for (const store::Conversation &c : conversations.value()) {
            const auto messages = take(m_session->store()->newestMessages(c.id, 500));
            if (!messages)
                continue;
            for (const store::Message &m : messages.value()) {
                for (const store::Attachment &a : m.attachments) {
                    if (!m.outgoing && !a.mediaKey.isEmpty() && a.width > 0)
                        return std::make_pair(m, a);
                }
            }
        }
        return std::nullopt;
    }

    confab::test::LocalServerProcess m_serverProcess;
    QTemporaryDir m_dir;
    std::unique_ptr<AppSession> m_session;
    std::unique_ptr<ChatController> m_chat;
    std::unique_ptr<MediaController> m_media;
};

void AppMediaTest::initTestCase()
{
    const QUrl server = m_serverProcess.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve")});
    QVERIFY2(!server.isEmpty(), m_serverProcess.log().constData());
    const AppSession::Config config = confab::test::demoSessionConfig(m_dir, server, QStringLiteral("media"));
    m_session = std::make_unique<AppSession>(config);
    m_chat = std::make_unique<ChatController>(*m_session);
    m_media = std::make_unique<MediaController>(*m_session, *m_chat);
    m_session->start();
    QTRY_VERIFY_WITH_TIMEOUT(m_session->isSettled() && m_session->accountCount() == 1, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(m_media->loader() != nullptr, Timeout);
}

void AppMediaTest::cleanupTestCase()
{
    m_media.reset();
    m_chat.reset();
    m_session.reset();
}

void AppMediaTest::aDemoPhotoIsDownloadedOnceAndShown()
{
    std::optional<std::pair<store::Message, store::Attachment>> photo;
    QVERIFY(QTest::qWaitFor([&] { return (photo = findPhoto()).has_value(); }, Timeout));
    const store::Message &message = photo->first;
    const store::Attachment &attachment = photo->second;
    media::MediaLoader *loader = m_media->loader();
    QSignalSpy progress(loader, &media::MediaLoader::progress);
    QSignalSpy states(loader, &media::MediaLoader::stateChanged);
    QCOMPARE(loader->stateOf(message.conversationId, attachment.mediaId), QString()); // on the server only

    // Two views ask at once: one download.
    auto first = take(loader->picture(message.id, attachment.ordinal, QSize(320, 320)));
    QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
    QCOMPARE(first.value().fullSize, QSize(attachment.width, attachment.height));
    QVERIFY(first.value().image.width() <= 320 && first.value().image.height() <= 320);
    QVERIFY(first.value().mimeType.startsWith(QStringLiteral("image/")));
    QCOMPARE(loader->downloadsStarted(), 1);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(states.count(), 2); // downloading, then done
    QCOMPARE(loader->stateOf(message.conversationId, attachment.mediaId), QStringLiteral("cached"));

    // The open conversation's timeline shows it.
    m_chat->setFocusedConversation(message.conversationId);
    auto *timeline = m_chat->messages();
    QVERIFY(timeline);
    const int attachmentsRole = timeline->roleNames().key("attachments");
    auto stateInTimeline = [&] {
        int row = -1;
        QMetaObject::invokeMethod(timeline, "rowOfMessage", Q_RETURN_ARG(int, row), Q_ARG(qint64, message.id));
        if (row < 0)
            return QString();
        return timeline->index(row, 0)
            .data(attachmentsRole)
            .toList()
            .value(0)
            .toMap()
            .value(QStringLiteral("downloadState")).toString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(stateInTimeline(), QStringLiteral("cached"), Timeout);
    QCOMPARE(progress.constLast().at(0).toLongLong(), message.id);

    QFuture<Result<media::Picture>> a = loader->picture(message.id, attachment.ordinal, QSize(64, 64));
    QFuture<Result<media::Picture>> b = loader->picture(message.id, attachment.ordinal, QSize());
    QVERIFY(take(std::move(a)).ok());
    const auto full = take(std::move(b));
    QVERIFY(full.ok());
    QCOMPARE(full.value().image.size(), QSize(attachment.width, attachment.height));
    QCOMPARE(loader->downloadsStarted(), 1); // from the cache since

    // The cache holds ciphertext: the decrypted bytes are not in it.
    const auto path = take(loader->ciphertext(message.id, attachment.ordinal));
    QVERIFY(path.ok());
    QFile cached(path.value());
    QVERIFY(cached.open(QIODevice::ReadOnly));
    const QByteArray cipher = cached.readAll();
    cached.close();
    QVERIFY(media::detectType(cipher) == QStringLiteral("application/octet-stream"));

    // Damaged in the cache (cut short): refused, not shown as garbage; dropped and fetched again.
    QVERIFY(cached.open(QIODevice::WriteOnly | QIODevice::Truncate));
    cached.write(cipher.left(cipher.size() / 2));
    cached.close();
    const auto damaged = take(loader->picture(message.id, attachment.ordinal, QSize(320, 320)));
    QVERIFY(!damaged.ok());
    QCOMPARE(damaged.error().kind(), ErrorKind::Crypto);
    QVERIFY(damaged.error().message().contains(QStringLiteral("could not be decrypted")));
    QCOMPARE(loader->stateOf(message.conversationId, attachment.mediaId), QStringLiteral("failed"));
    QTRY_COMPARE(stateInTimeline(), QStringLiteral("failed"));
    const auto again = take(loader->picture(message.id, attachment.ordinal, QSize(320, 320)));
    QVERIFY(again.ok());
    QCOMPARE(loader->downloadsStarted(), 2);
    QTRY_COMPARE(stateInTimeline(), QStringLiteral("cached"));
}

QTEST_MAIN(AppMediaTest)
#include "tst_appmedia.moc"
