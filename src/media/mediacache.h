#pragma once

#include "core/result.h"

#include <QMutex>
#include <QString>

namespace confab::media {

/// Attachments' ciphertext on disk, as the service sent it (never a decrypted byte): one file per
/// attachment under a folder of the profile's cache, named by a hash of what it is, and bounded
/// in size: past the limit the least recently used files go first. Safe to use from any thread.
class MediaCache
{
public:
    static constexpr qint64 DefaultLimitBytes = 1024LL * 1024 * 1024;

    explicit MediaCache(QString directory, qint64 limitBytes = DefaultLimitBytes);

    /// The cache's name for an attachment of a conversation.
    [[nodiscard]] static QString keyFor(qint64 conversationId, const QString &mediaId);

    /// Where the ciphertext is (or goes), and a scratch name for a download in progress.
    [[nodiscard]] QString pathFor(const QString &key) const;
    [[nodiscard]] QString partPathFor(const QString &key) const;
    /// Whether it is there; marks it used.
    [[nodiscard]] bool take(const QString &key) const;

    /// A finished download: moves the part file into place, then trims the cache to its limit
    /// (never the file just added).
    [[nodiscard]] Result<QString> commit(const QString &key);
    /// Removes an entry (e.g. ciphertext that turned out not to decrypt).
    void remove(const QString &key);
    [[nodiscard]] qint64 sizeBytes() const;
    [[nodiscard]] const QString &directory() const { return m_directory; }

private:
    void trim(const QString &keep);

    QString m_directory;
    qint64 m_limitBytes;
    mutable QMutex m_mutex;
};

} // namespace confab::media
