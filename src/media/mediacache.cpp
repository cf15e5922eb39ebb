#include "media/mediacache.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace confab::media {

MediaCache::MediaCache(QString directory, qint64 limitBytes)
    : m_directory(std::move(directory))
    , m_limitBytes(limitBytes)
{
    QDir().mkpath(m_directory);
    QFile::setPermissions(m_directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // Downloads a crash left half done are of no use.
    const QDir dir(m_directory);
    for (const QString &part : dir.entryList({QStringLiteral("*.part")}, QDir::Files))
        QFile::remove(dir.filePath(part));
}

QString MediaCache::keyFor(qint64 conversationId, const QString &mediaId)
{
    const QByteArray name = QByteArray::number(conversationId) + '/' + mediaId.toUtf8();
    return QString::fromLatin1(QCryptographicHash::hash(name, QCryptographicHash::Sha256).toHex());
}

QString MediaCache::pathFor(const QString &key) const
{
    return m_directory + QLatin1Char('/') + key + QLatin1String(".enc");
}

QString MediaCache::partPathFor(const QString &key) const
{
    return m_directory + QLatin1Char('/') + key + QLatin1String(".part");
}

bool MediaCache::take(const QString &key) const
{
    const QMutexLocker lock(&m_mutex);
    QFile file(pathFor(key));
    if (!file.exists())
        return false;
    // Used now: the last to go when the cache trims itself.
    if (file.open(QIODevice::ReadWrite))
        file.setFileTime(QDateTime::currentDateTimeUtc(), QFileDevice::FileModificationTime);
    return true;
}

Result<QString> MediaCache::commit(const QString &key)
{
    {
        const QMutexLocker lock(&m_mutex);
        const QString path = pathFor(key);
        QFile::remove(path);
        if (!QFile::rename(partPathFor(key), path))
            return Error(ErrorKind::Storage,
                         QCoreApplication::translate("confab::media", "Confab could not keep the downloaded file."),
                         QStringLiteral("renaming %1").arg(partPathFor(key)));
    }
    trim(key);
    return pathFor(key);
}

void MediaCache::remove(const QString &key)
{
    const QMutexLocker lock(&m_mutex);
    QFile::remove(pathFor(key));
}

qint64 MediaCache::sizeBytes() const
{
    const QMutexLocker lock(&m_mutex);
    qint64 total = 0;
    for (const QFileInfo &f : QDir(m_directory).entryInfoList({QStringLiteral("*.enc")}, QDir::Files))
        total += f.size();
    return total;
}

void MediaCache::trim(const QString &keep)
{
    const QMutexLocker lock(&m_mutex);
    QFileInfoList files = QDir(m_directory).entryInfoList({QStringLiteral("*.enc")}, QDir::Files);
    qint64 total = 0;
    for (const QFileInfo &f : files)
        total += f.size();
    if (total <= m_limitBytes)
        return;
    std::sort(files.begin(), files.end(),
              [](const QFileInfo &a, const QFileInfo &b) { return a.lastModified() < b.lastModified(); });
    const QString kept = keep + QLatin1String(".enc");
    for (const QFileInfo &f : files) {
        if (total <= m_limitBytes)
            break;
        if (f.fileName() == kept)
            continue;
        total -= f.size();
        QFile::remove(f.filePath());
        qCDebug(lcMedia) << "media cache: dropped" << f.fileName() << "to stay under" << m_limitBytes << "bytes";
    }
}

} // namespace confab::media
