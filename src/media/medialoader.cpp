#include "media/medialoader.h"

#include "core/logging.h"
#include "core/taskfuture.h"
#include "core/worker.h"
#include "crypto/base64.h"
#include "crypto/securebytes.h"
#include "media/mediafiles.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QFile>
#include <QUuid>
#include <qcoro/qcorofuture.h>

namespace confab::media {

MediaLoader::MediaLoader(store::Store &store, std::shared_ptr<MediaCache> cache, Fetch fetch, Limits limits,
                         QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_cache(std::move(cache))
    , m_fetch(std::move(fetch))
    , m_limits(limits)
{}

MediaLoader::~MediaLoader()
{
    *m_alive = false;
}

QFuture<Result<Picture>> MediaLoader::picture(qint64 messageId, int ordinal, QSize requested)
{
    return toFuture(loadPicture(messageId, ordinal, requested));
}

QFuture<Result<QString>> MediaLoader::ciphertext(qint64 messageId, int ordinal)
{
    return toFuture([](MediaLoader *self, qint64 id, int n) -> QCoro::Task<Result<QString>> {
        Result<Located> located = co_await self->locate(id, n);
        if (!located)
            co_return located.error();
        if (located.value().local)
            co_return Error(ErrorKind::NotFound, tr("This attachment is still on its way out."));
        co_return located.value().path;
    }(this, messageId, ordinal));
}

QFuture<Result<MediaLoader::Opened>> MediaLoader::open(qint64 messageId, int ordinal)
{
    return toFuture(loadWhole(messageId, ordinal));
}

QString MediaLoader::registerLocal(const QString &path, const QByteArray &localKey)
{
    const QString token = QUuid::createUuid().toString(QUuid::Id128);
    m_locals[token] = {path, localKey};
    return token;
}

void MediaLoader::forgetLocal(const QString &token)
{
    m_locals.erase(token);
}

QFuture<Result<Picture>> MediaLoader::localPicture(const QString &token, QSize requested)
{
    const auto found = m_locals.find(token);
    if (found == m_locals.end())
        return QtFuture::makeReadyFuture(
            Result<Picture>(Error(ErrorKind::NotFound, tr("This picture is not available."))));
    const auto [path, key] = found->second;
    const Limits limits = m_limits;
    return onWorker([path, key, requested, limits]() -> Result<Picture> {
        Result<QByteArray> plain = readLocalFile(path, key, MaxFileBytes);
        if (!plain)
            return plain.error();
        return decodePicture(plain.value(), requested, limits);
    });
}

QString MediaLoader::stateOf(qint64 conversationId, const QString &mediaId) const
{
    const QString key = MediaCache::keyFor(conversationId, mediaId);
    if (m_downloads.count(key) != 0)
        return QStringLiteral("downloading");
    if (m_failed.count(key) != 0)
        return QStringLiteral("failed");
    if (m_cache->contains(key))
        return QStringLiteral("cached");
    return QString();
}

QCoro::Task<Result<MediaLoader::Located>> MediaLoader::locate(qint64 messageId, int ordinal)
{
    const std::shared_ptr<bool> alive = m_alive;
    const Result<store::Message> message = co_await m_store.message(messageId);
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QString());
    if (!message)
        co_return message.error();
    const store::Attachment *attachment = nullptr;
    for (const store::Attachment &a : message.value().attachments) {
        if (a.ordinal == ordinal)
            attachment = &a;
    }
    const QString localPath = attachment ? attachment->extra.value(QLatin1String("localPath")).toString() : QString();
    if (attachment && attachment->mediaId.isEmpty() && !localPath.isEmpty()) {
        // Still on its way out: shown from where it is sent from.
        Located local;
        local.conversationId = message.value().conversationId;
        local.path = localPath;
        local.key = crypto::base64::decode(attachment->extra.value(QLatin1String("localKey")).toString().toLatin1())
                        .valueOr(QByteArray());
        local.local = true;
        local.fileName = attachment->fileName;
        co_return local;
    }
    if (!attachment || attachment->mediaId.isEmpty() || attachment->mediaKey.isEmpty())
        co_return Error(ErrorKind::NotFound, tr("This attachment is not available."),
                        QStringLiteral("message %1 has no attachment %2 with a key").arg(messageId).arg(ordinal));
    Located out{message.value().conversationId,
                attachment->mediaId,
                attachment->mediaKey,
                QString(),
                false,
                attachment->fileName};
    const QString key = MediaCache::keyFor(out.conversationId, out.mediaId);
    if (m_cache->take(key)) {
        out.path = m_cache->pathFor(key);
        co_return out;
    }
    // One download per attachment however many views ask for it.
    auto running = m_downloads.find(key);
    QFuture<Result<QString>> downloading;
    if (running != m_downloads.end()) {
        downloading = running->second;
    } else {
        m_failed.erase(key); // asked again: try again
        downloading = toFuture(download(messageId, ordinal, out.conversationId, out.mediaId));
        m_downloads.emplace(key, downloading);
        Q_EMIT stateChanged(messageId, ordinal);
    }
    const Result<QString> path = co_await downloading;
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QString());
    if (m_downloads.erase(key) != 0) {
        if (!path)
            m_failed[key] = path.error().message();
        Q_EMIT stateChanged(messageId, ordinal);
    }
    if (!path)
        co_return path.error();
    out.path = path.value();
    co_return out;
}

QCoro::Task<Result<QString>> MediaLoader::download(qint64 messageId, int ordinal, qint64 conversationId,
                                                   QString mediaId)
{
    const std::shared_ptr<bool> alive = m_alive;
    const QString key = MediaCache::keyFor(conversationId, mediaId);
    auto part = std::make_unique<QFile>(m_cache->partPathFor(key));
    if (!part->open(QIODevice::WriteOnly | QIODevice::Truncate))
        co_return Error(ErrorKind::Storage, tr("Confab could not save the download."),
                        QStringLiteral("%1: %2").arg(part->fileName(), part->errorString()));
    ++m_downloadsStarted;
    qCDebug(lcMedia) << "downloading an attachment of message" << messageId;
    QPointer<MediaLoader> self(this);
    std::function<void(qint64, qint64)> report = [self, messageId, ordinal](qint64 got, qint64 total) {
        if (self)
            Q_EMIT self->progress(messageId, ordinal, got, total);
    };
    QCoro::Task<Result<void>> fetching = m_fetch(conversationId, mediaId, part.get(), std::move(report));
    const Result<void> fetched = co_await std::move(fetching);
    part->close();
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QString());
    if (!fetched) {
        QFile::remove(part->fileName());
        co_return fetched.error();
    }
    // Renaming it into place and trimming the cache touch the disk: the pool's work.
    QFuture<Result<QString>> committing = onWorker([cache = m_cache, key] { return cache->commit(key); });
    co_return co_await committing;
}

template<typename T>
QCoro::Task<Result<T>> MediaLoader::withPlaintext(qint64 messageId, int ordinal,
                                                  std::function<Result<T>(QByteArray &, const Located &)> use)
{
    const std::shared_ptr<bool> alive = m_alive;
    Result<Located> located = co_await locate(messageId, ordinal);
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QString());
    if (!located)
        co_return located.error();
    const Located where = std::move(located).value();
    const Limits limits = m_limits;
    // Decrypting and what follows: the pool's work, never the GUI thread's.
    QFuture<Result<T>> work = onWorker([where, limits, use]() -> Result<T> {
        Result<QByteArray> plain = plaintextOf(where, limits);
        if (!plain)
            return plain.error();
        return use(plain.value(), where);
    });
    Result<T> done = co_await work;
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QString());
    if (!done)
        dropDamaged(messageId, ordinal, where, done.error());
    co_return done;
}

QCoro::Task<Result<Picture>> MediaLoader::loadPicture(qint64 messageId, int ordinal, QSize requested)
{
    const Limits limits = m_limits;
    std::function<Result<Picture>(QByteArray &, const Located &)> decode = [requested, limits](QByteArray &plain,
                                                                                               const Located &) {
        Result<Picture> decoded = decodePicture(plain, requested, limits);
        plain.fill('\0');
        return decoded;
    };
    QCoro::Task<Result<Picture>> task = withPlaintext<Picture>(messageId, ordinal, std::move(decode));
    co_return co_await std::move(task);
}

QCoro::Task<Result<MediaLoader::Opened>> MediaLoader::loadWhole(qint64 messageId, int ordinal)
{
    std::function<Result<Opened>(QByteArray &, const Located &)> keep = [](QByteArray &plain, const Located &where) {
        Opened out;
        out.bytes = std::move(plain);
        out.mimeType = detectType(out.bytes);
        out.fileName = safeFileName(where.fileName, out.mimeType,
                                    out.mimeType.startsWith(QLatin1String("image/")) ? QStringLiteral("picture")
                                                                                     : QStringLiteral("file"));
        return Result<Opened>(std::move(out));
    };
    QCoro::Task<Result<Opened>> task = withPlaintext<Opened>(messageId, ordinal, std::move(keep));
    co_return co_await std::move(task);
}

Result<QByteArray> MediaLoader::plaintextOf(const Located &where, const Limits &limits)
{
    if (where.local)
        return readLocalFile(where.path, where.key, MaxFileBytes);
    return decryptFile(where.path, crypto::SecureBytes(QByteArrayView(where.key)), limits);
}

void MediaLoader::dropDamaged(qint64 messageId, int ordinal, const Located &where, const Error &error)
{
    if (error.kind() != ErrorKind::Crypto || where.local)
        return;
    // Damaged on the way or in the cache: fetched again next time.
    const QString key = MediaCache::keyFor(where.conversationId, where.mediaId);
    m_cache->remove(key);
    m_failed[key] = error.message();
    Q_EMIT stateChanged(messageId, ordinal);
    qCWarning(lcMedia).noquote() << "an attachment of message" << messageId << "did not decrypt:" << error.detail();
}

} // namespace confab::media
