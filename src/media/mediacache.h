#pragma once

#include "core/result.h"

#include <QHash>
#include <QMutex>
#include <QString>

namespace confab::media {

/// Attachments' ciphertext on disk, as the service sent it (never a decrypted byte): one file per
/// attachment under a folder of the profile's cache, named by a hash of what it is, and bounded
/// in size: past the limit the least recently used files go first. Safe to use from any thread.
///
/// What it holds is indexed in memory (one scan of the folder when it is made), so asking whether
/// an attachment is there, as the timeline does for every row it shows, never touches the disk;
/// commit() and remove() do, and belong on a worker.
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
    /// Whether it is there (from memory).
    [[nodiscard]] bool contains(const QString &key) const;
    /// Whether it is there; marks it used (the last to go when the cache trims itself).
    [[nodiscard]] bool take(const QString &key);

    /// A finished download: moves the part file into place, then trims the cache to its limit
    /// (never the file just added).
    [[nodiscard]] Result<QString> commit(const QString &key);
    /// Removes an entry (e.g. ciphertext that turned out not to decrypt).
    void remove(const QString &key);
    [[nodiscard]] qint64 sizeBytes() const;
    [[nodiscard]] const QString &directory() const { return m_directory; }

private:
    struct Entry
    {
        qint64 bytes = 0;
        qint64 lastUse = 0; ///< a use counter; files found at start are ordered by their age
    };
    void trim(const QString &keep);

    QString m_directory;
    qint64 m_limitBytes;
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries; ///< key -> its file
    qint64 m_uses = 0;
};

} // namespace confab::media
