#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"
#include "protocols/xchat/account/xchatapi.h"

#include <QByteArray>
#include <QPointer>
#include <QString>
#include <qcoro/qcorotask.h>

#include <functional>
#include <memory>
#include <optional>

namespace confab::net {
class Cancellation;
}

namespace confab::xchat {

/// The largest file Confab sends or opens (plaintext): receivers decrypt into memory.
inline constexpr qint64 MaxMediaBytes = 200LL * 1024 * 1024;
/// About this much ciphertext per `append` (the last segment is shorter).
inline constexpr qint64 UploadSegmentBytes = 1024 * 1024;

/// Where the bytes of a file to send are: a file the person chose (plaintext, read in place) or
/// a file Confab staged itself (a pasted picture), encrypted at rest with its own `localKey`.
struct UploadSource
{
    QString path;
    QByteArray localKey; ///< empty: `path` is the person's own file
    qint64 size = 0;     ///< plaintext bytes, as measured when the file was chosen
};

/// One file on its way to X Chat's media store: read and encrypted with the conversation's key on
/// the thread pool (never more than a segment in memory), then uploaded with initialize, append
/// in segments, finalize. A failed run() can be run again: it resumes with the segment that did
/// not go through while the server keeps the session, and starts over when it does not.
class MediaUpload
{
public:
    MediaUpload(UploadSource source, QString conversationId, crypto::SecureBytes key, QString keyVersion);
    ~MediaUpload();
    MediaUpload(const MediaUpload &) = delete;
    MediaUpload &operator=(const MediaUpload &) = delete;

    /// Uploads the rest: the media_hash_key once it is finalized. `progress` gets the ciphertext
    /// bytes the server has so far (of totalBytes()).
    [[nodiscard]] QCoro::Task<Result<QString>> run(XChatApi &api, QPointer<net::Cancellation> cancellation,
                                                   std::function<void(qint64)> progress);

    [[nodiscard]] qint64 totalBytes() const { return m_total; }
    [[nodiscard]] const QString &keyVersion() const { return m_keyVersion; }
    [[nodiscard]] bool finished() const { return !m_mediaHashKey.isEmpty(); }

    struct Reader;

private:
    void restart();

    UploadSource m_source;
    QString m_conversationId;
    crypto::SecureBytes m_key;
    QString m_keyVersion;
    qint64 m_total = 0;
    std::shared_ptr<Reader> m_reader;
    std::optional<UploadSession> m_session;
    int m_next = 0;         ///< the segment to send next
    QByteArray m_pending;   ///< its ciphertext, when it was read but did not go through
    qint64 m_confirmed = 0; ///< ciphertext bytes the server has
    bool m_restarted = false;
    QString m_mediaHashKey;
};

} // namespace confab::xchat
