#include "media/mediacache.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
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
    const QDir dir(m_directory);
    // Downloads a crash left half done are of no use.
    for (const QString &part : dir.entryList({QStringLiteral("*.part")}, QDir::Files))
        QFile::remove(dir.filePath(part));
    // The oldest file counts as the least recently used.
    const QFileInfoList files = dir.entryInfoList({QStringLiteral("*.enc")}, QDir::Files, QDir::Time | QDir::Reversed);
    for (const QFileInfo &f : files)
        m_entries.insert(f.completeBaseName(), Entry{f.size(), ++m_uses});
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

bool MediaCache::contains(const QString &key) const
{
    const QMutexLocker lock(&m_mutex);
    return m_entries.contains(key);
}

bool MediaCache::take(const QString &key)
{
    const QMutexLocker lock(&m_mutex);
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return false;
    it->lastUse = ++m_uses;
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
        m_entries.insert(key, Entry{QFileInfo(path).size(), ++m_uses});
    }
    trim(key);
    return pathFor(key);
}

void MediaCache::remove(const QString &key)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.remove(key);
    QFile::remove(pathFor(key));
}

qint64 MediaCache::sizeBytes() const
{
    const QMutexLocker lock(&m_mutex);
    qint64 total = 0;
    for (const Entry &e : m_entries)
        total += e.bytes;
    return total;
}

void MediaCache::trim(const QString &keep)
{
    const QMutexLocker lock(&m_mutex);
    qint64 total = 0;
    for (const Entry &e : std::as_const(m_entries))
        total += e.bytes;
    if (total <= m_limitBytes)
        return;
    QList<std::pair<qint64, QString>> byUse;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it.key() != keep)
            byUse.append({it->lastUse, it.key()});
    }
    std::sort(byUse.begin(), byUse.end());
    for (const auto &[use, key] : byUse) {
        if (total <= m_limitBytes)
            break;
        total -= m_entries.value(key).bytes;
        m_entries.remove(key);
        QFile::remove(pathFor(key));
        qCDebug(lcMedia) << "media cache: dropped" << key << "to stay under" << m_limitBytes << "bytes";
    }
}

} // namespace confab::media
