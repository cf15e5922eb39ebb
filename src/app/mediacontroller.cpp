#include "app/mediacontroller.h"

#include "accounts/account.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/qmlsingleton.h"
#include "core/logging.h"
#include "core/worker.h"
#include "media/mediacache.h"
#include "media/mediadecoder.h"
#include "media/mediafiles.h"
#include "media/mediaimageprovider.h"
#include "media/medialoader.h"
#include "models/messagelistmodel.h"
#include "store/store.h"

#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDrag>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QLocale>
#include <QMimeData>
#include <QPointer>
#include <QQuickItem>
#include <QSaveFile>
#include <QTimer>

namespace confab {

namespace {

QPointer<MediaController> s_instance;

bool isPicture(const QString &mimeType)
{
    return mimeType.startsWith(QLatin1String("image/")) && mimeType != QLatin1String("image/svg+xml");
}

QString stagedPath(const store::Attachment &attachment)
{
    // Only a pasted picture is staged (encrypted, with its key alongside): a file chosen from disk
    // stays where it is.
    if (attachment.extra.value(QLatin1String("localKey")).toString().isEmpty())
        return QString();
    return attachment.extra.value(QLatin1String("localPath")).toString();
}

void forgetStaged(const store::Attachment &attachment)
{
    // A staged picture that will not be sent: its file goes.
    if (const QString path = stagedPath(attachment); !path.isEmpty())
        (void)onWorker([path] { return QFile::remove(path); });
}

} // namespace

MediaController::MediaController(AppSession &session, ChatController &chat, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_chat(chat)
    , m_private(QDir::tempPath() + QStringLiteral("/confab-XXXXXX"))
{
    // QTemporaryDir makes its folder readable by this user only (0700).
    connect(&m_session, &AppSession::storeReady, this, &MediaController::storeReady);
    connect(&m_chat, &ChatController::focusedConversationChanged, this, [this] {
        showStates();
        Q_EMIT draftChanged(); // the newly focused conversation's
    });
}

void MediaController::setInstance(MediaController *instance)
{
    s_instance = instance;
}

MediaController *MediaController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    Q_UNUSED(jsEngine)
    // Views loaded without the app (QML tests): an empty draft, nothing to show.
    return qmlSingleton(s_instance, [] {
        auto *session = new AppSession(AppSession::Config{});
        auto *chat = new ChatController(*session);
        auto *unattached = new MediaController(*session, *chat);
        session->setParent(chat);
        chat->setParent(unattached);
        return unattached;
    });
}

void MediaController::showStates()
{
    // The open conversation's timeline shows where each attachment stands.
    auto *messages = qobject_cast<models::MessageListModel *>(m_chat.messages());
    if (!messages || !m_loader)
        return;
    QPointer<media::MediaLoader> loader(m_loader.get());
    messages->setAttachmentStates([loader](qint64 conversationId, const QString &mediaId) {
        const media::MediaLoader *current = loader.data();
        return current != nullptr ? current->stateOf(conversationId, mediaId) : QString();
    });
    connect(m_loader.get(), &media::MediaLoader::stateChanged, messages,
            [messages](qint64 messageId, int) { messages->attachmentStateChanged(messageId); });
}

MediaController::~MediaController()
{
    // Drafts end with the session: pictures staged for them go (their keys were only here). A
    // handful of unlinks at quit, when the pool may no longer run.
    for (const auto &[conversationId, items] : m_drafts) {
        for (const DraftItem &item : items) {
            if (const QString path = stagedPath(item.attachment); !path.isEmpty())
                QFile::remove(path);
        }
    }
    m_loader.reset();
    m_cache.reset();
    if (m_session.isEphemeral() || !m_session.secretsPersistent())
        QDir(throwawayDirectory()).removeRecursively();
    // m_private removes the copies made for dragging and opening.
}

QString MediaController::throwawayDirectory() const
{
    return m_session.cacheDir() + QStringLiteral("/session-media");
}

QString MediaController::stagingDirectory() const
{
    // Pasted pictures wait here, encrypted, until they are sent. A session that keeps nothing
    // stages them with its throwaway cache.
    if (m_session.isEphemeral() || !m_session.secretsPersistent())
        return throwawayDirectory() + QStringLiteral("/outgoing");
    return m_session.dataDir() + QStringLiteral("/outgoing");
}

void MediaController::storeReady()
{
    store::Store *store = m_session.store();
    if (!store || m_session.cacheDir().isEmpty())
        return;
    m_loader.reset();
    // With the session's secrets gone at quit, its attachments would be of no use afterwards.
    const bool throwaway = m_session.isEphemeral() || !m_session.secretsPersistent();
    if (throwaway)
        QDir(throwawayDirectory()).removeRecursively();
    m_cache = std::make_shared<media::MediaCache>(throwaway ? throwawayDirectory()
                                                            : m_session.cacheDir() + QStringLiteral("/media"));
    QPointer<ChatController> chat(&m_chat);
    auto fetch = [chat](qint64 conversationId, QString mediaId, QIODevice *sink,
                        std::function<void(qint64, qint64)> progress) -> QCoro::Task<Result<void>> {
        if (!chat)
            co_return Error(ErrorKind::Cancelled, QString());
        QCoro::Task<accounts::Account *> finding = chat->accountOfConversation(conversationId);
        accounts::Account *account = co_await std::move(finding);
        if (!account)
            co_return Error(ErrorKind::NotFound,
                            tr("The account of this conversation is gone: its attachments cannot be downloaded."));
        QCoro::Task<Result<void>> downloading =
            account->downloadMedia(conversationId, std::move(mediaId), sink, std::move(progress));
        co_return co_await std::move(downloading);
    };
    m_loader = std::make_unique<media::MediaLoader>(*store, m_cache, std::move(fetch));
    while (!m_drafts.empty())
        dropDraft(m_drafts.begin()->first);
    Q_EMIT draftChanged();
    showStates();
    // A conversation that goes (left, deleted) takes its draft with it.
    connect(store, &store::Store::conversationRemoved, this, &MediaController::dropDraft, Qt::UniqueConnection);
}

media::MediaImageProvider *MediaController::makeImageProvider()
{
    QPointer<MediaController> self(this);
    return new media::MediaImageProvider(this, [self]() -> media::MediaLoader * {
        const MediaController *controller = self.data();
        return controller != nullptr ? controller->m_loader.get() : nullptr;
    });
}

// ---- the draft ----------------------------------------------------------------------------------

bool MediaController::preparing() const
{
    const auto found = m_preparing.find(m_chat.focusedConversation());
    return found != m_preparing.end() && found->second > 0;
}

QVariantList MediaController::draft() const
{
    QVariantList out;
    const auto found = m_drafts.find(m_chat.focusedConversation());
    if (found == m_drafts.end())
        return out;
    for (const DraftItem &item : found->second) {
        const store::Attachment &a = item.attachment;
        out.append(QVariantMap{
            {QStringLiteral("name"), a.fileName},
             {QStringLiteral("size"), QLocale().formattedDataSize(a.sizeBytes)},
              {QStringLiteral("mimeType"), a.mimeType},
               {QStringLiteral("picture"), isPicture(a.mimeType)},
                {QStringLiteral("source"), isPicture(a.mimeType) ? QStringLiteral("image://media/local/") + item.token : QString()},
               });
    }
    return out;
}

QList<store::Attachment> MediaController::draftAttachments() const
{
    QList<store::Attachment> out;
    const auto found = m_drafts.find(m_chat.focusedConversation());
    if (found != m_drafts.end()) {
        for (const DraftItem &item : found->second)
            out << item.attachment;
    }
    return out;
}

QStringList MediaController::draftFileNames(qint64 conversationId) const
{
    QStringList out;
    const auto found = m_drafts.find(conversationId);
    if (found != m_drafts.end()) {
        for (const DraftItem &item : found->second)
            out << item.attachment.fileName;
    }
    return out;
}

void MediaController::draftEdited(qint64 conversationId)
{
    const auto found = m_drafts.find(conversationId);
    if (found != m_drafts.end() && found->second.isEmpty())
        m_drafts.erase(found);
    m_chat.setDraftFiles(conversationId, draftFileNames(conversationId));
    if (conversationId == m_chat.focusedConversation())
        Q_EMIT draftChanged();
}

void MediaController::addToDraft(qint64 conversationId, const Result<store::Attachment> &described)
{
    // The conversation the files were added in, even when another one is open by now.
    if (--m_preparing[conversationId] <= 0)
        m_preparing.erase(conversationId);
    QList<DraftItem> &items = m_drafts[conversationId];
    if (!described) {
        Q_EMIT problem(described.error().message());
    } else if (items.size() >= 10) {
        forgetStaged(described.value());
        Q_EMIT problem(tr("At most 10 files go in one message."));
    } else {
        DraftItem item{described.value(), QString()};
        if (m_loader)
            item.token = m_loader->registerLocal(
                item.attachment.extra.value(QLatin1String("localPath")).toString(),
                QByteArray::fromBase64(item.attachment.extra.value(QLatin1String("localKey")).toString().toLatin1()));
        items << item;
    }
    draftEdited(conversationId);
}

void MediaController::addFiles(const QList<QUrl> &urls)
{
    const qint64 conversationId = m_chat.focusedConversation();
    if (conversationId == 0)
        return;
    for (const QUrl &url : urls) {
        if (!url.isLocalFile()) {
            Q_EMIT problem(tr("Only files on this computer can be sent."));
            continue;
        }
        ++m_preparing[conversationId];
        const QString path = url.toLocalFile();
        onWorker([path] {
            return media::describeFile(path);
        }).then(this, [this, conversationId](const Result<store::Attachment> &described) {
            addToDraft(conversationId, described);
        });
    }
    Q_EMIT draftChanged();
}

bool MediaController::paste()
{
    const qint64 conversationId = m_chat.focusedConversation();
    const QMimeData *data = QGuiApplication::clipboard()->mimeData();
    if (!data || conversationId == 0)
        return false;
    if (data->hasUrls()) {
        QList<QUrl> files;
        for (const QUrl &url : data->urls()) {
            if (url.isLocalFile())
                files << url;
        }
        if (!files.isEmpty()) {
            addFiles(files);
            return true;
        }
    }
    if (!data->hasImage())
        return false;
    const QImage image = qvariant_cast<QImage>(data->imageData());
    if (image.isNull())
        return false;
    ++m_preparing[conversationId];
    Q_EMIT draftChanged();
    const QString folder = stagingDirectory();
    const QString name =
        tr("Pasted picture %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh.mm.ss")));
    onWorker([image, folder, name] {
        return media::stagePicture(image, folder, name);
    }).then(this, [this, conversationId](const Result<store::Attachment> &staged) {
        addToDraft(conversationId, staged);
    });
    return true;
}

void MediaController::removeFromDraft(int index)
{
    const qint64 conversationId = m_chat.focusedConversation();
    const auto found = m_drafts.find(conversationId);
    if (found == m_drafts.end() || index < 0 || index >= found->second.size())
        return;
    const DraftItem item = found->second.takeAt(index);
    if (m_loader)
        m_loader->forgetLocal(item.token);
    forgetStaged(item.attachment);
    draftEdited(conversationId);
}

void MediaController::clearDraft()
{
    dropDraft(m_chat.focusedConversation());
}

void MediaController::dropDraft(qint64 conversationId)
{
    const auto found = m_drafts.find(conversationId);
    if (found == m_drafts.end())
        return;
    for (const DraftItem &item : std::as_const(found->second)) {
        if (m_loader)
            m_loader->forgetLocal(item.token);
        forgetStaged(item.attachment);
    }
    m_drafts.erase(found);
    draftEdited(conversationId);
}

void MediaController::sendDraft(qint64 conversationId, const QString &caption)
{
    const auto found = m_drafts.find(conversationId);
    if (found == m_drafts.end() || found->second.isEmpty())
        return;
    QList<store::Attachment> files;
    for (const DraftItem &item : std::as_const(found->second)) {
        files << item.attachment;
        if (m_loader)
            m_loader->forgetLocal(item.token);
    }
    m_drafts.erase(found); // the staged files now belong to the message
    draftEdited(conversationId);
    m_chat.sendMedia(conversationId, files, caption);
}

// ---- the viewer and copies ----------------------------------------------------------------------

void MediaController::openViewer(qint64 conversationId, qint64 messageId, int ordinal)
{
    store::Store *store = m_session.store();
    if (!store)
        return;
    const int request = ++m_viewerRequest;
    m_viewerItems.clear();
    m_viewerStart = -1;
    Q_EMIT viewerItemsChanged();
    store->messagesWithAttachments(conversationId, 2000)
        .then(this, [this, request, messageId, ordinal](const Result<QList<store::Message>> &rows) {
            if (request != m_viewerRequest)
                return;
            if (!rows) {
                Q_EMIT problem(rows.error().message());
                return;
            }
            QVariantList items;
            int start = -1;
            for (const store::Message &m : rows.value()) {
                for (const store::Attachment &a : m.attachments) {
                    const QString claimed = a.extra.value(QLatin1String("claimedType")).toString();
                    const QString type = a.mimeType.isEmpty() ? claimed : a.mimeType;
                    const bool picture =
                        isPicture(type) || claimed == QLatin1String("image") || claimed == QLatin1String("gif");
                    if (m.id == messageId && a.ordinal == ordinal)
                        start = static_cast<int>(items.size());
                    items.append(QVariantMap{
                        {QStringLiteral("messageId"), m.id},
                         {QStringLiteral("ordinal"), a.ordinal},
                          {QStringLiteral("name"), a.fileName},
                           {QStringLiteral("mimeType"), type},
                            {QStringLiteral("picture"), picture},
                             {QStringLiteral("size"), QLocale().formattedDataSize(a.sizeBytes)},
                              {QStringLiteral("source"),
                                              picture ? QStringLiteral("image://media/%1/%2").arg(m.id).arg(a.ordinal)
                                                      : QString()},
                               {QStringLiteral("senderId"), m.senderId}, {QStringLiteral("createdMs"), m.createdMs},
                               });
                }
            }
            m_viewerItems = items;
            m_viewerStart = std::max(start, 0);
            Q_EMIT viewerItemsChanged();
        });
}

QFuture<Result<QString>> MediaController::exportCopy(qint64 messageId, int ordinal)
{
    if (!m_loader || !m_private.isValid())
        return QtFuture::makeReadyFuture(
            Result<QString>(Error(ErrorKind::NotFound, tr("This attachment is not available."))));
    const QString folder = m_private.path();
    return m_loader->open(messageId, ordinal)
        .then(QtFuture::Launch::Async, [folder](const Result<media::MediaLoader::Opened> &opened) -> Result<QString> {
            if (!opened)
                return opened.error();
            return media::writePrivateCopy(opened.value().bytes, folder, opened.value().fileName);
        });
}

void MediaController::removeCopy(const QString &path)
{
    // Each copy has a folder of its own inside the private one.
    const QFileInfo info(path);
    if (!m_private.isValid() || info.absolutePath() == QDir(m_private.path()).absolutePath() ||
        !info.absolutePath().startsWith(QDir(m_private.path()).absolutePath() + QLatin1Char('/')))
        return;
    (void)onWorker([folder = info.absolutePath()] { return QDir(folder).removeRecursively(); });
}

void MediaController::saveAs(qint64 messageId, int ordinal, const QUrl &target)
{
    if (!m_loader)
        return;
    if (!target.isLocalFile()) {
        Q_EMIT problem(tr("Choose a place on this computer to save to."));
        return;
    }
    const QString path = target.toLocalFile();
    m_loader->open(messageId, ordinal)
        .then(QtFuture::Launch::Async,
              [path](const Result<media::MediaLoader::Opened> &opened) -> Result<QString> {
                  if (!opened)
                      return opened.error();
                  QSaveFile file(path);
                  if (!file.open(QIODevice::WriteOnly) ||
                      file.write(opened.value().bytes) != opened.value().bytes.size() || !file.commit())
                      return Error(ErrorKind::Storage,
                                   QCoreApplication::translate("confab::MediaController", "%1 could not be saved: %2")
                                       .arg(QFileInfo(path).fileName(), file.errorString()));
                  return path;
              })
        .then(this, [this](const Result<QString> &done) {
            if (done)
                Q_EMIT saved(done.value());
            else
                Q_EMIT problem(done.error().message());
        });
}

void MediaController::copy(qint64 messageId, int ordinal)
{
    if (!m_loader)
        return;
    // A picture is copied as one; any other file as a private copy's URL.
    m_loader->open(messageId, ordinal)
        .then(QtFuture::Launch::Async,
              [](const Result<media::MediaLoader::Opened> &opened) -> Result<std::pair<QImage, QByteArray>> {
                  if (!opened)
                      return opened.error();
                  if (!isPicture(opened.value().mimeType))
                      return std::make_pair(QImage(), QByteArray());
                  auto picture = media::decodePicture(opened.value().bytes, QSize());
                  if (!picture)
                      return picture.error();
                  return std::make_pair(picture.value().image, QByteArray());
              })
        .then(this, [this, messageId, ordinal](const Result<std::pair<QImage, QByteArray>> &done) {
            if (!done) {
                Q_EMIT problem(done.error().message());
                return;
            }
            if (!done.value().first.isNull()) {
                QGuiApplication::clipboard()->setImage(done.value().first);
                return;
            }
            exportCopy(messageId, ordinal).then(this, [this](const Result<QString> &copied) {
                if (!copied) {
                    Q_EMIT problem(copied.error().message());
                    return;
                }
                auto *data = new QMimeData;
                data->setUrls({QUrl::fromLocalFile(copied.value())});
                QGuiApplication::clipboard()->setMimeData(data);
            });
        });
}

void MediaController::openExternally(qint64 messageId, int ordinal)
{
    exportCopy(messageId, ordinal).then(this, [this](const Result<QString> &copied) {
        if (!copied) {
            Q_EMIT problem(copied.error().message());
            return;
        }
        // The copy stays until Confab quits: the application may read it for a while.
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(copied.value())))
            Q_EMIT problem(tr("No application on this computer opens %1.").arg(QFileInfo(copied.value()).fileName()));
    });
}

void MediaController::startDrag(qint64 messageId, int ordinal, QQuickItem *source)
{
    QPointer<QQuickItem> item(source);
    exportCopy(messageId, ordinal).then(this, [this, item](const Result<QString> &copied) {
        if (!copied) {
            Q_EMIT problem(copied.error().message());
            return;
        }
        const QString path = copied.value();
        if (!item) {
            removeCopy(path);
            return;
        }
        auto *data = new QMimeData;
        data->setUrls({QUrl::fromLocalFile(path)});
        auto *drag = new QDrag(item.data());
        drag->setMimeData(data);
        const Qt::DropAction action = drag->exec(Qt::CopyAction);
        drag->deleteLater();
        const bool dropped = action != Qt::IgnoreAction;
        Q_EMIT dragFinished(path, dropped);
        // The target may still be copying it: the copy goes a little later (or at quit).
        QTimer::singleShot(dropped ? m_dragCopyLifetimeMs : 0, this, [this, path] { removeCopy(path); });
    });
}

} // namespace confab
