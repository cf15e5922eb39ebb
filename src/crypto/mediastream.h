#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QIODevice>

#include <functional>
#include <memory>

namespace confab::crypto {

inline constexpr qsizetype MediaHeaderSize = 24;    ///< secretstream header
inline constexpr qsizetype MediaChunkSize = 1024;   ///< plaintext bytes per chunk
inline constexpr qsizetype MediaChunkOverhead = 17; ///< tag byte + Poly1305 MAC
inline constexpr qsizetype MediaCipherChunkSize = MediaChunkSize + MediaChunkOverhead;

/// Size of the ciphertext X Chat uploads for `plaintextSize` bytes of media.
[[nodiscard]] qint64 mediaCiphertextSize(qint64 plaintextSize);

/// Encrypts media incrementally with libsodium's secretstream XChaCha20-Poly1305, as X Chat does:
/// a 24-byte header, then 1024-byte plaintext chunks; the last chunk (possibly short) carries
/// TAG_FINAL, and empty media is the header alone. Feed any amount at a time; memory use stays
/// bounded by one chunk. Not thread-safe; use one per stream, on any thread.
class MediaEncryptor
{
public:
    [[nodiscard]] static Result<MediaEncryptor> create(const SecureBytes &key);
    MediaEncryptor(MediaEncryptor &&) noexcept;
    MediaEncryptor &operator=(MediaEncryptor &&) noexcept;
    ~MediaEncryptor();

    /// The header; the stream's first 24 bytes.
    [[nodiscard]] const QByteArray &header() const { return m_header; }
    /// Takes plaintext; returns the ciphertext chunks completed so far (possibly none).
    [[nodiscard]] Result<QByteArray> update(QByteArrayView plaintext);
    /// Ends the stream; returns the final chunk (nothing for empty media).
    [[nodiscard]] Result<QByteArray> finish();

private:
    struct State;
    MediaEncryptor();
    QByteArray sealChunk(QByteArrayView chunk, bool final);

    std::unique_ptr<State> m_state;
    QByteArray m_header;
    QByteArray m_pending;
    bool m_finished = false;
    bool m_wroteChunk = false;
};

/// The reverse of MediaEncryptor: feed ciphertext in pieces of any size, get plaintext back, then
/// call finish(). A changed byte, chunks after the final one, or a stream that ends without its
/// final chunk (truncated) are Crypto errors; after an error, the decryptor refuses further input.
class MediaDecryptor
{
public:
    [[nodiscard]] static Result<MediaDecryptor> create(const SecureBytes &key);
    MediaDecryptor(MediaDecryptor &&) noexcept;
    MediaDecryptor &operator=(MediaDecryptor &&) noexcept;
    ~MediaDecryptor();

    [[nodiscard]] Result<QByteArray> update(QByteArrayView ciphertext);
    [[nodiscard]] Result<QByteArray> finish();

private:
    struct State;
    MediaDecryptor();
    /// Decrypts one chunk into `plain` (room for the chunk's plaintext); returns its length.
    Result<qsizetype> openChunk(QByteArrayView chunk, bool mustBeFinal, char *plain);
    Error fail(const QString &message, const QString &detail);

    std::unique_ptr<State> m_state;
    QByteArray m_pending;
    bool m_haveHeader = false;
    bool m_sawFinal = false;
    bool m_failed = false;
    qint64 m_chunks = 0;
};

/// Called with the bytes processed so far; return false to cancel.
using MediaProgress = std::function<bool(qint64 done)>;

/// Streams `in` through a MediaEncryptor into `out` in bounded memory. Returns the bytes written.
[[nodiscard]] Result<qint64> encryptMedia(QIODevice &in, QIODevice &out, const SecureBytes &key,
                                          const MediaProgress &progress = {});
/// Streams `in` through a MediaDecryptor into `out`. Nothing written to `out` can be trusted
/// unless the result is a success.
[[nodiscard]] Result<qint64> decryptMedia(QIODevice &in, QIODevice &out, const SecureBytes &key,
                                          const MediaProgress &progress = {});

} // namespace confab::crypto
