// Fuzz target: streaming media decryption (MediaDecryptor, secretstream XChaCha20-Poly1305) with a
// fixed key, the vectors' conversation key.
//
// Input: one mode byte, then the ciphertext stream. The mode chooses how the stream is cut into
// the pieces given to update() (fixed or pseudo-random sizes around the header and chunk
// boundaries, with or without empty pieces), then finish() is called. Whatever the cut, the
// outcome must be the same as decrypting the stream in one piece: the same verdict and, on
// success, the same plaintext (the documented "pieces of any size" contract); a difference
// aborts. With bit 6 of the mode, decryptMedia() over QBuffers runs too.

#include "crypto/mediastream.h"
#include "fuzzsupport.h"

#include <QBuffer>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace confab;

namespace {

const crypto::SecureBytes *key = nullptr;

struct Outcome
{
    bool ok = true;
    QByteArray plain;
};

Outcome decryptInPieces(QByteArrayView stream, uint8_t mode)
{
    // Piece size classes: single bytes, odd sizes, the header, a cipher chunk and one more byte,
    // a few chunks, everything at once.
    static constexpr std::array<qsizetype, 8> Limits = {
        1,    7,      17, crypto::MediaHeaderSize, crypto::MediaCipherChunkSize, crypto::MediaCipherChunkSize + 1,
        4096, 1 << 20};
    const qsizetype limit = Limits[mode & 7u];
    const bool randomSizes = (mode & 0x08u) != 0;
    const bool emptyPieces = (mode & 0x10u) != 0;
    uint32_t state = 0x9e3779b9u ^ (uint32_t(mode) << 8) ^ uint32_t(stream.size());

    Outcome outcome;
    auto decryptor = crypto::MediaDecryptor::create(*key);
    if (!decryptor)
        std::abort();
    qsizetype offset = 0;
    while (offset < stream.size()) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        qsizetype piece = randomSizes ? 1 + qsizetype(state % uint32_t(limit)) : limit;
        piece = qMin(piece, stream.size() - offset);
        auto plain = decryptor.value().update(stream.sliced(offset, piece));
        if (plain)
            outcome.plain += plain.value();
        else
            outcome.ok = false; // keep feeding: a failed decryptor must keep refusing
        offset += piece;
        if (emptyPieces && (state & 3u) == 0 && !decryptor.value().update({}))
            outcome.ok = false;
    }
    auto last = decryptor.value().finish();
    if (last)
        outcome.plain += last.value();
    else
        outcome.ok = false;
    return outcome;
}

bool decryptThroughDevices(QByteArrayView stream)
{
    QBuffer in;
    in.setData(stream.toByteArray());
    in.open(QIODevice::ReadOnly);
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    return crypto::decryptMedia(in, out, *key).ok();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietLogging();
    static const crypto::SecureBytes mediaKey(fuzz::Vectors::get().bytes("conversation_key_b64"));
    key = &mediaKey;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t mode = data[0];
    const QByteArrayView stream = fuzz::view(data + 1, size - 1);

    const Outcome whole = decryptInPieces(stream, 7); // one piece
    const Outcome pieces = decryptInPieces(stream, mode);
    if (whole.ok != pieces.ok || (whole.ok && whole.plain != pieces.plain)) {
        std::fprintf(stderr, "fuzz_media: mode %u gives %s, one piece gives %s\n", unsigned(mode),
                     pieces.ok ? "success" : "failure", whole.ok ? "success" : "failure");
        std::abort();
    }
    if ((mode & 0x40u) != 0 && decryptThroughDevices(stream) != whole.ok) {
        std::fprintf(stderr, "fuzz_media: decryptMedia disagrees with MediaDecryptor\n");
        std::abort();
    }
    return 0;
}
