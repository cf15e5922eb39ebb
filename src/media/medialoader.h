#pragma once

#include "core/result.h"
#include "media/mediacache.h"
#include "media/mediadecoder.h"

#include <QFuture>
#include <QIODevice>
#include <QObject>
#include <QSize>
#include <qcoro/qcorotask.h>

#include <functional>
#include <map>
#include <memory>

namespace confab::store {
class Store;
struct Attachment;
} // namespace confab::store

namespace confab::media {

/// Opens received attachments: reads the message from the store, downloads its ciphertext once
/// into the MediaCache (several views asking at the same time share one download, with
/// progress), then decrypts and decodes on the thread pool. Plaintext lives in memory only. Lives
/// on the GUI thread; nothing here waits.
class MediaLoader : public QObject
{
    Q_OBJECT
public:
    /// Downloads an attachment's ciphertext (the conversation's account does it) into `sink`.
    using Fetch = std::function<QCoro::Task<Result<void>>(qint64 conversationId, QString mediaId, QIODevice *sink,
                                                          std::function<void(qint64, qint64)> progress)>;

    /// `cache` is shared with the work the loader hands to the pool (it may outlive the loader).
    MediaLoader(store::Store &store, std::shared_ptr<MediaCache> cache, Fetch fetch, Limits limits = {},
                QObject *parent = nullptr);
    ~MediaLoader() override;

    /// The picture attached to a message (its `ordinal`), fit into `requested`.
    [[nodiscard]] QFuture<Result<Picture>> picture(qint64 messageId, int ordinal, QSize requested);
    /// An attachment's bytes, decrypted into memory, with a safe name and the type found in them.
    struct Opened
    {
        QByteArray bytes;
        QString fileName; ///< safe to create (safeFileName), with the suffix of the real type
        QString mimeType; ///< detected from the bytes
    };
    /// The whole attachment, decrypted (for the viewer, saving, copying, dragging out).
    [[nodiscard]] QFuture<Result<Opened>> open(qint64 messageId, int ordinal);
    /// A token for a file about to be sent (a draft), so that views can show it before it is a
    /// message: `image://media/local/<token>`. `localKey` as in the attachment's extra.
    [[nodiscard]] QString registerLocal(const QString &path, const QByteArray &localKey);
    void forgetLocal(const QString &token);
    [[nodiscard]] QFuture<Result<Picture>> localPicture(const QString &token, QSize requested);
    /// The attachment's ciphertext file in the cache (downloading it if needed).
    [[nodiscard]] QFuture<Result<QString>> ciphertext(qint64 messageId, int ordinal);

    /// Where an attachment stands: "" (on the server only), "downloading", "cached" or "failed"
    /// (it could not be downloaded or decrypted; asking again tries again).
    [[nodiscard]] QString stateOf(qint64 conversationId, const QString &mediaId) const;

    /// Downloads started so far (each attachment once while it stays cached).
    [[nodiscard]] int downloadsStarted() const { return m_downloadsStarted; }

signals:
    void progress(qint64 messageId, int ordinal, qint64 received, qint64 total);
    /// stateOf() changed for an attachment of this message.
    void stateChanged(qint64 messageId, int ordinal);

private:
    struct Located
    {
        qint64 conversationId = 0;
        QString mediaId;
        QByteArray key;
        QString path;
        bool local = false; ///< a file still on its way out: `path` is its source, `key` its local key
        QString fileName;
    };
    [[nodiscard]] QCoro::Task<Result<Located>> locate(qint64 messageId, int ordinal);
    [[nodiscard]] QCoro::Task<Result<QString>> download(qint64 messageId, int ordinal, qint64 conversationId,
                                                        QString mediaId);
    [[nodiscard]] QCoro::Task<Result<Picture>> loadPicture(qint64 messageId, int ordinal, QSize requested);
    [[nodiscard]] QCoro::Task<Result<Opened>> loadWhole(qint64 messageId, int ordinal);
    /// Locates an attachment, decrypts it on the pool and hands the plaintext to `use` there.
    template<typename T>
    [[nodiscard]] QCoro::Task<Result<T>> withPlaintext(qint64 messageId, int ordinal,
                                                       std::function<Result<T>(QByteArray &, const Located &)> use);
    /// The plaintext of a located attachment (any thread).
    [[nodiscard]] static Result<QByteArray> plaintextOf(const Located &where, const Limits &limits);
    /// Damaged ciphertext: out of the cache, fetched again next time.
    void dropDamaged(qint64 messageId, int ordinal, const Located &where, const Error &error);

    store::Store &m_store;
    std::shared_ptr<MediaCache> m_cache;
    Fetch m_fetch;
    Limits m_limits;
    /// Downloads under way, by cache key: the futures of those who wait for them.
    std::map<QString, QFuture<Result<QString>>> m_downloads;
    std::map<QString, QString> m_failed; ///< cache key -> why, until it is asked for again
    int m_downloadsStarted = 0;
    std::map<QString, std::pair<QString, QByteArray>> m_locals; ///< token -> (path, local key)
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace confab::media
