#include "crypto/mediastream.h"

#include "crypto/sodium.h"

#include <sodium.h>

namespace confab::crypto {

static_assert(MediaHeaderSize == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(MediaChunkOverhead == crypto_secretstream_xchacha20poly1305_ABYTES);

namespace {

constexpr qint64 IoBlockSize = 64 * 1024;

Result<void> checkKey(const SecureBytes &key)
{
    if (key.size() != crypto_secretstream_xchacha20poly1305_KEYBYTES)
        return Error(ErrorKind::Crypto, QStringLiteral("The media key is malformed."),
                                                       QStringLiteral("expected 32 bytes, got %1").arg(key.size()));
    return {};
}

Error ioError(const QIODevice &device, const QString &what)
{
    return Error(ErrorKind::Storage, what, device.errorString());
}

} // namespace

qint64 mediaCiphertextSize(qint64 plaintextSize)
{
    if (plaintextSize <= 0)
        return MediaHeaderSize;
    const qint64 chunks = (plaintextSize + MediaChunkSize - 1) / MediaChunkSize;
    return MediaHeaderSize + plaintextSize + chunks * MediaChunkOverhead;
}

// ---- MediaEncryptor -----------------------------------------------------------------------------

struct MediaEncryptor::State
{
    crypto_secretstream_xchacha20poly1305_state sodium{};
    ~State() { sodium_memzero(&sodium, sizeof sodium); }
};

MediaEncryptor::MediaEncryptor() : m_state(std::make_unique<State>()) {}
MediaEncryptor::MediaEncryptor(MediaEncryptor &&) noexcept = default;
MediaEncryptor &MediaEncryptor::operator=(MediaEncryptor &&) noexcept = default;
MediaEncryptor::~MediaEncryptor()
{
    wipe(m_pending);
}

Result<MediaEncryptor> MediaEncryptor::create(const SecureBytes &key)
{
    ensureSodium();
    if (auto ok = checkKey(key); !ok)
        return ok.error();
    MediaEncryptor encryptor;
    encryptor.m_header.resize(MediaHeaderSize);
    crypto_secretstream_xchacha20poly1305_init_push(
        &encryptor.m_state->sodium, reinterpret_cast<unsigned char *>(encryptor.m_header.data()), key.data());
    return encryptor;
}

QByteArray MediaEncryptor::sealChunk(QByteArrayView chunk, bool final)
{
    QByteArray out(chunk.size() + MediaChunkOverhead, Qt::Uninitialized);
    crypto_secretstream_xchacha20poly1305_push(
        &m_state->sodium, reinterpret_cast<unsigned char *>(out.data()), nullptr,
        reinterpret_cast<const unsigned char *>(chunk.data()), static_cast<unsigned long long>(chunk.size()), nullptr,
        0, final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    m_wroteChunk = true;
    return out;
}

Result<QByteArray> MediaEncryptor::update(QByteArrayView plaintext)
{
    if (m_finished)
        return Error(ErrorKind::Internal, QStringLiteral("The media stream is already finished."));
    m_pending.append(plaintext.data(), plaintext.size());
    QByteArray out;
    // Keep at least one byte back: only finish() knows which chunk is the last.
    qsizetype offset = 0;
    while (m_pending.size() - offset > MediaChunkSize) {
        out += sealChunk(QByteArrayView(m_pending).sliced(offset, MediaChunkSize), false);
        offset += MediaChunkSize;
    }
    if (offset > 0) {
        sodium_memzero(m_pending.data(), static_cast<std::size_t>(offset));
        m_pending.remove(0, offset);
    }
    return out;
}

Result<QByteArray> MediaEncryptor::finish()
{
    if (m_finished)
        return Error(ErrorKind::Internal, QStringLiteral("The media stream is already finished."));
    m_finished = true;
    if (m_pending.isEmpty() && !m_wroteChunk)
        return QByteArray(); // empty media: the header alone
    QByteArray out = sealChunk(m_pending, true);
    wipe(m_pending);
    return out;
}

// ---- MediaDecryptor -----------------------------------------------------------------------------

struct MediaDecryptor::State
{
    crypto_secretstream_xchacha20poly1305_state sodium{};
    SecureBytes key;
    ~State() { sodium_memzero(&sodium, sizeof sodium); }
};

MediaDecryptor::MediaDecryptor() : m_state(std::make_unique<State>()) {}
MediaDecryptor::MediaDecryptor(MediaDecryptor &&) noexcept = default;
MediaDecryptor &MediaDecryptor::operator=(MediaDecryptor &&) noexcept = default;
MediaDecryptor::~MediaDecryptor() = default;

Result<MediaDecryptor> MediaDecryptor::create(const SecureBytes &key)
{
    ensureSodium();
    if (auto ok = checkKey(key); !ok)
        return ok.error();
    MediaDecryptor decryptor;
    decryptor.m_state->key = key;
    return decryptor;
}

Error MediaDecryptor::fail(const QString &message, const QString &detail)
{
    m_failed = true;
    m_pending.clear();
    return Error(ErrorKind::Crypto, message, detail);
}

Result<qsizetype> MediaDecryptor::openChunk(QByteArrayView chunk, bool mustBeFinal, char *plain)
{
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&m_state->sodium, reinterpret_cast<unsigned char *>(plain), nullptr,
                                                   &tag, reinterpret_cast<const unsigned char *>(chunk.data()),
                                                   static_cast<unsigned long long>(chunk.size()), nullptr, 0) != 0) {
        return fail(QStringLiteral("The media could not be decrypted."),
                                   QStringLiteral("chunk %1 failed authentication").arg(m_chunks));
    }
    ++m_chunks;
    const bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (final && !mustBeFinal) {
        return fail(QStringLiteral("The media could not be decrypted."),
                                   QStringLiteral("data follows the final chunk %1").arg(m_chunks - 1));
    }
    if (!final && mustBeFinal) {
        return fail(QStringLiteral("The media is incomplete (truncated)."),
                                   QStringLiteral("the last chunk %1 is not marked final").arg(m_chunks - 1));
    }
    m_sawFinal = final;
    return chunk.size() - MediaChunkOverhead;
}

Result<QByteArray> MediaDecryptor::update(QByteArrayView ciphertext)
{
    if (m_failed)
        return Error(ErrorKind::Crypto, QStringLiteral("The media could not be decrypted."));
    if (m_sawFinal && !ciphertext.isEmpty())
        return fail(QStringLiteral("The media could not be decrypted."), QStringLiteral("data after the end"));

    if (!m_haveHeader) {
        const qsizetype take = qMin(MediaHeaderSize - m_pending.size(), ciphertext.size());
        m_pending.append(ciphertext.data(), take);
        ciphertext = ciphertext.sliced(take);
        if (m_pending.size() < MediaHeaderSize)
            return QByteArray();
        if (crypto_secretstream_xchacha20poly1305_init_pull(
                &m_state->sodium, reinterpret_cast<const unsigned char *>(m_pending.constData()),
                m_state->key.data()) != 0) {
            return fail(QStringLiteral("The media could not be decrypted."), QStringLiteral("bad header"));
        }
        m_state->key.wipe();
        m_haveHeader = true;
        m_pending.clear();
    }

    // Chunks are decrypted straight from the input into one output buffer sized for them; only a
    // partial chunk, or the last full one (which may be the final chunk), waits in m_pending.
    const qsizetype available = m_pending.size() + ciphertext.size();
    const qsizetype ready = available > MediaCipherChunkSize ? (available - 1) / MediaCipherChunkSize : 0;
    QByteArray out(ready * MediaChunkSize, Qt::Uninitialized);
    qsizetype written = 0;
    if (ready > 0 && !m_pending.isEmpty()) {
        const qsizetype fill = MediaCipherChunkSize - m_pending.size();
        m_pending.append(ciphertext.data(), fill);
        ciphertext = ciphertext.sliced(fill);
        auto opened = openChunk(m_pending, false, out.data());
        if (!opened)
            return opened.error();
        written += opened.value();
        m_pending.clear();
    }
    while (ciphertext.size() > MediaCipherChunkSize) {
        auto opened = openChunk(ciphertext.first(MediaCipherChunkSize), false, out.data() + written);
        if (!opened)
            return opened.error();
        written += opened.value();
        ciphertext = ciphertext.sliced(MediaCipherChunkSize);
    }
    m_pending.append(ciphertext.data(), ciphertext.size());
    out.truncate(written);
    return out;
}

Result<QByteArray> MediaDecryptor::finish()
{
    if (m_failed)
        return Error(ErrorKind::Crypto, QStringLiteral("The media could not be decrypted."));
    if (!m_haveHeader) {
        return fail(QStringLiteral("The media is incomplete (truncated)."),
                                   QStringLiteral("%1 bytes is shorter than the header").arg(m_pending.size()));
    }
    if (m_sawFinal)
        return QByteArray();
    if (m_pending.isEmpty()) {
        if (m_chunks == 0)
            return QByteArray(); // header only: empty media
        return fail(QStringLiteral("The media is incomplete (truncated)."),
                                   QStringLiteral("ended after chunk %1 without the final chunk").arg(m_chunks - 1));
    }
    if (m_pending.size() < MediaChunkOverhead) {
        return fail(QStringLiteral("The media is incomplete (truncated)."),
                                   QStringLiteral("%1 stray bytes at the end").arg(m_pending.size()));
    }
    QByteArray plain(m_pending.size() - MediaChunkOverhead, Qt::Uninitialized);
    auto opened = openChunk(m_pending, true, plain.data());
    m_pending.clear();
    if (!opened)
        return opened.error();
    return plain;
}

// ---- QIODevice helpers --------------------------------------------------------------------------

namespace {

template<typename Cipher>
Result<qint64> pump(QIODevice &in, QIODevice &out, Cipher &cipher, const MediaProgress &progress, qint64 written)
{
    QByteArray block(IoBlockSize, Qt::Uninitialized);
    qint64 consumed = 0;
    for (;;) {
        const qint64 got = in.read(block.data(), IoBlockSize);
        if (got < 0)
            return ioError(in, QStringLiteral("Could not read the media."));
        if (got == 0 && (in.atEnd() || !in.isSequential()))
            break;
        if (got == 0 && !in.waitForReadyRead(30'000)) {
            if (in.atEnd())
                break;
            return ioError(in, QStringLiteral("Could not read the media."));
        }
        auto produced = cipher.update(QByteArrayView(block).first(got));
        if (!produced)
            return produced.error();
        if (!produced.value().isEmpty() && out.write(produced.value()) != produced.value().size())
            return ioError(out, QStringLiteral("Could not write the media."));
        written += produced.value().size();
        consumed += got;
        if (progress && !progress(consumed))
            return Error(ErrorKind::Cancelled, {});
    }
    auto last = cipher.finish();
    if (!last)
        return last.error();
    if (!last.value().isEmpty() && out.write(last.value()) != last.value().size())
        return ioError(out, QStringLiteral("Could not write the media."));
    return written + last.value().size();
}

} // namespace

Result<qint64> encryptMedia(QIODevice &in, QIODevice &out, const SecureBytes &key, const MediaProgress &progress)
{
    auto encryptor = MediaEncryptor::create(key);
    if (!encryptor)
        return encryptor.error();
    if (out.write(encryptor.value().header()) != MediaHeaderSize)
        return ioError(out, QStringLiteral("Could not write the media."));
    return pump(in, out, encryptor.value(), progress, MediaHeaderSize);
}

Result<qint64> decryptMedia(QIODevice &in, QIODevice &out, const SecureBytes &key, const MediaProgress &progress)
{
    auto decryptor = MediaDecryptor::create(key);
    if (!decryptor)
        return decryptor.error();
    return pump(in, out, decryptor.value(), progress, 0);
}

} // namespace confab::crypto
