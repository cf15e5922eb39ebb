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
#include "media/mediafiles.h"
#include "media/medialoader.h"
#include "models/conversationlistmodel.h"
#include "store/store.h"
#include "storewait.h"
#include "wait.h"

#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QMouseEvent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

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
    void dragOutGivesAPrivateDecryptedCopy();
    void sendingAPastedPictureAndAFile();
    void draftsStayWithTheirConversation();

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

void AppMediaTest::dragOutGivesAPrivateDecryptedCopy()
{
    // What a drag out (and "open with") hands over: a decrypted copy with a safe name in a
    // private temporary folder, the same bytes the viewer shows, removed afterwards.
    std::optional<std::pair<store::Message, store::Attachment>> photo;
    QVERIFY(QTest::qWaitFor([&] { return (photo = findPhoto()).has_value(); }, Timeout));
    const store::Message &message = photo->first;
    const store::Attachment &attachment = photo->second;
    const auto opened = take(m_media->loader()->open(message.id, attachment.ordinal));
    QVERIFY(opened.ok());
    QVERIFY(opened.value().mimeType.startsWith(QStringLiteral("image/")));

    const auto copied = take(m_media->exportCopy(message.id, attachment.ordinal));
    QVERIFY2(copied.ok(), qPrintable(copied.ok() ? QString() : copied.error().toString()));
    const QString path = copied.value();
    QVERIFY(path.startsWith(m_media->privateFolder() + QLatin1Char('/')));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), opened.value().bytes);
    QCOMPARE(QFileInfo(path).fileName(), opened.value().fileName);
    QCOMPARE(QFileInfo(path).fileName(),
             media::safeFileName(attachment.fileName, opened.value().mimeType, QStringLiteral("picture")));
    // Only this user can read it; nothing in it runs.
    QCOMPARE(file.permissions() &
                 ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::Permissions());
    QCOMPARE(QFileInfo(m_media->privateFolder()).permissions() &
                 (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeOther),
             QFileDevice::Permissions());
    file.close();

    m_media->removeCopy(path);
    QTRY_VERIFY(!QFileInfo::exists(path));

    // The drag itself: it offers such a copy (the right bytes while the drag lasts) and removes
    // it afterwards. (Here nothing takes the drop: the platform ends the drag at once.)
    QQuickWindow window;
    QQuickItem source(window.contentItem());
    QByteArray offered;
    QString offeredPath;
    connect(m_media.get(), &MediaController::dragFinished, this, [&](const QString &where, bool) {
        offeredPath = where;
        QFile f(where);
        if (f.open(QIODevice::ReadOnly))
            offered = f.readAll();
    });
    m_media->setDragCopyLifetimeMs(0);
    QTimer::singleShot(200, &window, [&window] {
        QMouseEvent release(QEvent::MouseButtonRelease, QPointF(1, 1), QPointF(1, 1), Qt::LeftButton, Qt::NoButton,
                            Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &release);
    });
    m_media->startDrag(message.id, attachment.ordinal, &source);
    QTRY_VERIFY_WITH_TIMEOUT(!offeredPath.isEmpty(), Timeout);
    QCOMPARE(offered, opened.value().bytes);
    QVERIFY(offeredPath.startsWith(m_media->privateFolder() + QLatin1Char('/')));
    QTRY_VERIFY(!QFileInfo::exists(offeredPath));
    QTRY_VERIFY(!QFileInfo::exists(QFileInfo(path).absolutePath()));
    // Only its own copies: a path elsewhere is left alone.
    QTemporaryDir elsewhere;
    const QString outside = elsewhere.filePath(QStringLiteral("keep.txt"));
    QFile keep(outside);
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.close();
    m_media->removeCopy(outside);
    QTest::qWait(100);
    QVERIFY(QFileInfo::exists(outside));
}

void AppMediaTest::sendingAPastedPictureAndAFile()
{
    store::Conversation maya;
    QTRY_VERIFY_WITH_TIMEOUT(
        (maya = confab::test::directConversationWith(*m_session->store(), QStringLiteral("Maya"))).id != 0, Timeout);
    m_chat->setFocusedConversation(maya.id);
    QSignalSpy problems(m_media.get(), &MediaController::problem);

    // A picture on the clipboard joins the draft, staged encrypted, with a preview.
    QImage screenshot(800, 500, QImage::Format_RGB32);
    screenshot.fill(QColor(30, 120, 200));
    QGuiApplication::clipboard()->setImage(screenshot);
    QVERIFY(m_media->paste());
    QTRY_COMPARE_WITH_TIMEOUT(m_media->draft().size(), 1, Timeout);
    QVERIFY(!m_media->preparing());
    const QVariantMap drafted = m_media->draft().first().toMap();
    QVERIFY(drafted.value(QStringLiteral("picture")).toBool());
    const QString source = drafted.value(QStringLiteral("source")).toString();
    QVERIFY(source.startsWith(QStringLiteral("image://media/local/")));
    const auto preview = take(m_media->loader()->localPicture(source.section(QLatin1Char('/'), -1), QSize(96, 96)));
    QVERIFY(preview.ok());
    QCOMPARE(preview.value().fullSize, QSize(800, 500));
    const store::Attachment staged = m_media->draftAttachments().first();
    const QString stagedPath = staged.extra.value(QLatin1String("localPath")).toString();
    QVERIFY(QFileInfo::exists(stagedPath));

    // Nothing on the clipboard that is a picture or a file: the composer pastes text itself.
    QGuiApplication::clipboard()->setText(QStringLiteral("just words"));
    QVERIFY(!m_media->paste());

    // A folder is refused with a sentence, and the draft keeps what it had.
    m_media->addFiles({QUrl::fromLocalFile(m_dir.path())});
    QTRY_COMPARE(problems.size(), 1);
    QCOMPARE(m_media->draft().size(), 1);

    // Sent with a caption: the message shows at once from the staged picture, goes up, and the
    // staged file is gone once it is sent.
    QSignalSpy inserted(m_session->store(), &store::Store::messagesInserted);
    m_media->sendDraft(maya.id, QStringLiteral("my screen"));
    QVERIFY(m_media->draft().isEmpty());
    store::Message sent;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant> &args : std::as_const(inserted)) {
                for (const store::Message &m : args.at(1).value<QList<store::Message>>()) {
                    if (m.outgoing && m.text == QLatin1String("my screen"))
                        sent = m;
                }
            }
            return sent.id != 0;
        }(),
        Timeout);
    QCOMPARE(sent.kind, store::MessageKind::Media);
    QCOMPARE(sent.attachments.size(), 1);
    const auto pending = take(m_media->loader()->picture(sent.id, 0, QSize(200, 200)));
    QVERIFY(pending.ok() || sent.delivery == store::DeliveryState::Sent);
    QTRY_VERIFY_WITH_TIMEOUT(take(m_session->store()->message(sent.id)).value().delivery == store::DeliveryState::Sent,
                             Timeout);
    const store::Message up = take(m_session->store()->message(sent.id)).value();
    QVERIFY(!up.attachments.first().mediaId.isEmpty());
    QTRY_VERIFY(!QFileInfo::exists(stagedPath));
    // From the server now: downloaded, decrypted, the same picture.
    const auto fromServer = take(m_media->loader()->picture(sent.id, 0, QSize()));
    QVERIFY2(fromServer.ok(), qPrintable(fromServer.ok() ? QString() : fromServer.error().toString()));
    QCOMPARE(fromServer.value().image.size(), QSize(800, 500));
    QCOMPARE(fromServer.value().image.pixelColor(5, 5), QColor(30, 120, 200));

    // A file chosen from disk goes the same way, and the upload progress reaches the timeline.
    QByteArray bytes(3 * 1024 * 1024 + 17, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>((i * 131) % 251);
    const QString notes = m_dir.filePath(QStringLiteral("field notes.bin"));
    QFile out(notes);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes);
    out.close();
    m_media->addFiles({QUrl::fromLocalFile(notes)});
    QTRY_COMPARE_WITH_TIMEOUT(m_media->draft().size(), 1, Timeout);
    QCOMPARE(m_media->draft().first().toMap().value(QStringLiteral("name")).toString(),
                                                    QStringLiteral("field notes.bin"));
    auto *timeline = m_chat->messages();
    const int progressRole = timeline->roleNames().key("uploadProgress");
    QList<double> seen;
    connect(timeline, &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex &from, const QModelIndex &, const QList<int> &roles) {
                if (roles.contains(progressRole))
                    seen << from.data(progressRole).toDouble();
            });
    inserted.clear();
    m_media->sendDraft(maya.id, QString());
    store::Message file;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant> &args : std::as_const(inserted)) {
                for (const store::Message &m : args.at(1).value<QList<store::Message>>()) {
                    if (m.outgoing && m.kind == store::MessageKind::Media)
                        file = m;
                }
            }
            return file.id != 0;
        }(),
        Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(take(m_session->store()->message(file.id)).value().delivery == store::DeliveryState::Sent,
                             Timeout);
    QVERIFY2(!seen.isEmpty(), "no upload progress reached the timeline");
    QCOMPARE(seen.last(), 1.0);
    const auto fileBack = take(m_media->loader()->open(file.id, 0));
    QVERIFY(fileBack.ok());
    QVERIFY(fileBack.value().bytes == bytes);
    QCOMPARE(fileBack.value().fileName, QStringLiteral("field notes.bin"));
}

void AppMediaTest::draftsStayWithTheirConversation()
{
    // Files waiting to be sent belong to the conversation they were added in: another
    // conversation shows its own, the list says what waits where, and a conversation that goes
    // takes its draft (and the pictures staged for it) along.
    store::Conversation maya;
    QTRY_VERIFY_WITH_TIMEOUT(
        (maya = confab::test::directConversationWith(*m_session->store(), QStringLiteral("Maya"))).id != 0, Timeout);
    const auto all = take(m_session->store()->conversations());
    QVERIFY(all.ok());
    qint64 other = 0;
    for (const store::Conversation &c : all.value()) {
        if (c.id != maya.id)
            other = c.id;
    }
    QVERIFY(other != 0);
    const QString plan = m_dir.filePath(QStringLiteral("plan.txt"));
    const QString route = m_dir.filePath(QStringLiteral("route.gpx"));
    for (const QString &path : {plan, route}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("<gpx/> and some notes\n");
    }
    auto *list = m_session->conversationList();
    QVERIFY(list);
    auto draftLine = [list](qint64 conversationId) {
        const int row = list->rowOf(conversationId);
        return row < 0 ? QStringLiteral("(no row)")
                       : list->index(row).data(models::ConversationListModel::DraftRole).toString();
    };

    m_chat->setFocusedConversation(maya.id);
    m_media->addFiles({QUrl::fromLocalFile(plan)});
    QTRY_COMPARE_WITH_TIMEOUT(m_media->draft().size(), 1, Timeout);
    QCOMPARE(draftLine(maya.id), QStringLiteral("📎 plan.txt"));

    // Another conversation: its own (empty) draft. A file added there and still being looked at
    // when Maya's opens again lands where it was added.
    m_chat->setFocusedConversation(other);
    QVERIFY(m_media->draft().isEmpty());
    m_media->addFiles({QUrl::fromLocalFile(route)});
    m_chat->setFocusedConversation(maya.id);
    QVERIFY(!m_media->preparing());
    QTRY_COMPARE_WITH_TIMEOUT(m_media->draftFileNames(other), QStringList{QStringLiteral("route.gpx")}, Timeout);
    QCOMPARE(m_media->draft().size(), 1);
    QCOMPARE(m_media->draft().first().toMap().value(QStringLiteral("name")).toString(), QStringLiteral("plan.txt"));
    QCOMPARE(draftLine(other), QStringLiteral("📎 route.gpx"));
    // Text wins over files in the list.
    m_chat->keepDraft(maya.id, QVariantMap{{QStringLiteral("text"), QStringLiteral("  the plan,\n  roughly ")}});
    QCOMPARE(draftLine(maya.id), QStringLiteral("the plan, roughly"));
    m_chat->keepDraft(maya.id, QVariantMap());
    QCOMPARE(draftLine(maya.id), QStringLiteral("📎 plan.txt"));
    m_media->clearDraft();
    QCOMPARE(draftLine(maya.id), QString());
    QVERIFY(m_media->draft().isEmpty());

    // A picture pasted in the other conversation, then the conversation goes: the draft and the
    // staged picture with it.
    m_chat->setFocusedConversation(other);
    QImage picture(64, 48, QImage::Format_RGB32);
    picture.fill(Qt::darkGreen);
    QGuiApplication::clipboard()->setImage(picture);
    QVERIFY(m_media->paste());
    QTRY_COMPARE_WITH_TIMEOUT(m_media->draft().size(), 2, Timeout);
    const QString staged = m_media->draftAttachments().last().extra.value(QLatin1String("localPath")).toString();
    QVERIFY(QFileInfo::exists(staged));
    m_chat->keepDraft(other, QVariantMap{{QStringLiteral("text"), QStringLiteral("see the route")}});
    m_chat->setFocusedConversation(maya.id);
    QVERIFY(take(m_session->store()->removeConversation(other)).ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_media->draftFileNames(other).isEmpty(), Timeout);
    QVERIFY(m_chat->draftOf(other).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(staged), Timeout);
    QVERIFY(QFileInfo::exists(route)); // a file chosen from disk is never touched
}

QTEST_MAIN(AppMediaTest)
#include "tst_appmedia.moc"
