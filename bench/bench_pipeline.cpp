// Confab's receiving pipeline against the raw library calls doing the same work (scripts/bench).
//
// Pairs, each pipeline benchmark beside its raw baseline (bench/report.py prints pipeline/raw):
//  a) Verify/*:        P256PublicKey::verify (raw r||s) vs OpenSSL EVP_DigestVerify with the same
//                      key (the same EVP_PKEY) and the same signature, DER-encoded beforehand.
//  b) Event/*:         EventVerifier::process on the vectors' message event, pre-decoded, vs one
//                      ECDSA verify (as in a) of the event's signed payload + one
//                      crypto_secretbox_open_easy of its contents;
//                      EventVerifier::processBase64 on the same event vs the same plus the decodes it
//                      implies: base64 (sodium_base642bin), the MessageEvent and the decrypted
//                      MessageEntryHolder (libthrift TBinaryProtocol over a TMemoryBuffer).
//  c) Media/*:         MediaDecryptor over a 16 MiB stream fed in 64 KiB pieces (decryptMedia's
//                      block size), and in one piece, and decryptMedia() between QBuffers, vs
//                      crypto_secretstream_xchacha20poly1305_pull over the same chunks into one
//                      preallocated buffer. Throughput counts plaintext bytes.
// Nothing here asserts a speed: the numbers are reported, never tested.

#include "crypto/base64.h"
#include "crypto/mediastream.h"
#include "crypto/p256.h"
#include "crypto/securebytes.h"
#include "media/mediadecoder.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/signedpayload.h"
#include "protocols/xchat/thriftcodec.h"

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <optional>
#include <sodium.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

using namespace confab;
using namespace confab::xchat;

namespace {

[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "confab_bench: %s\n", what);
    std::exit(1);
}

template<typename T>
T check(Result<T> result, const char *what)
{
    if (!result)
        die(what);
    return std::move(result).value();
}

class Vectors
{
public:
    Vectors()
    {
        QFile file(QStringLiteral(CONFAB_VECTORS_FILE));
        if (!file.open(QIODevice::ReadOnly))
            die("cannot open the vectors (" CONFAB_VECTORS_FILE ")");
        m_json = QJsonDocument::fromJson(file.readAll()).object();
    }
    [[nodiscard]] QString text(const char *name) const { return m_json.value(QLatin1String(name)).toString(); }
    [[nodiscard]] QByteArray bytes(const char *name) const
    {
        return check(crypto::base64::decode(text(name).toLatin1()), name);
    }
    [[nodiscard]] crypto::P256KeyPair keyPair(const char *name) const
    {
        return check(crypto::P256KeyPair::fromPrivateScalar(crypto::SecureBytes(bytes(name))), name);
    }

private:
    QJsonObject m_json;
};

const unsigned char *u8(const QByteArray &bytes)
{
    return reinterpret_cast<const unsigned char *>(bytes.constData());
}

/// Raw r||s to DER, once, outside the timed loops.
QByteArray derSignature(const QByteArray &raw)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(u8(raw), 32, nullptr), BN_bin2bn(u8(raw) + 32, 32, nullptr));
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

/// The raw ECDSA P-256/SHA-256 verification: one EVP_MD_CTX per signature, as any one-shot
/// verification needs.
bool rawVerify(EVP_PKEY *key, const QByteArray &der, const unsigned char *message, std::size_t length)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, u8(der), static_cast<std::size_t>(der.size()), message, length) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

template<typename T>
bool rawThriftDecode(const unsigned char *data, std::size_t size, T &out)
{
    using namespace apache::thrift;
    auto buffer = std::make_shared<transport::TMemoryBuffer>(const_cast<uint8_t *>(data), static_cast<uint32_t>(size),
                                                             transport::TMemoryBuffer::OBSERVE);
    protocol::TBinaryProtocol protocol(buffer);
    try {
        out.read(&protocol);
    } catch (const std::exception &) {
        return false;
    }
    return buffer->available_read() == 0;
}

struct Fixture
{
    Vectors v;
    crypto::P256KeyPair identity = v.keyPair("identity_private_b64");
    LocalIdentity me{v.text("event_sender_id"), v.text("event_recipient_key_version"), identity};
    SigningKeyDirectory directory;
    ConversationKeyRing keys;
    crypto::P256PublicKey signingKey = check(crypto::P256PublicKey::fromBytes(v.bytes("signing_public_b64")), "key");

    // a) X's signature vector.
    QByteArray message = v.text("message_utf8").toUtf8();
    QByteArray signature = v.bytes("signature_b64");
    QByteArray signatureDer = derSignature(signature);

    // b) X's message event.
    QByteArray eventBase64 = v.text("event_message_b64").toLatin1();
    QByteArray eventBytes = v.bytes("event_message_b64");
    wire::MessageEvent event;
    QByteArray eventPayload;
    QByteArray eventSignatureDer;
    QByteArray contents;
    crypto::SecureBytes conversationKey{v.bytes("conversation_key_b64")};

    // c) 16 MiB of media, encrypted once.
    QByteArray media;
    QByteArray mediaCipher;

    Fixture()
    {
        PublicKeyRecord record{
            v.text("event_sender_id"),     v.text("event_signing_key_version"),          v.bytes("identity_public_b64"),
            v.bytes("signing_public_b64"), v.bytes("identity_public_key_signature_b64"), {}};
        if (!directory.addRecord(record))
            die("the vectors' key record does not verify");
        EventVerifier verifier(me, directory, keys);
        if (!verifier.processBase64(v.text("event_key_change_b64").toLatin1()))
            die("the vectors' key change does not process");

        event = check(decodeThrift<wire::MessageEvent>(eventBytes, "event"), "message event");
        eventPayload = check(payloadForEvent(event), "payload");
        eventSignatureDer = derSignature(check(
            crypto::base64::decode(QByteArray::fromStdString(event.message_event_signature.signature)), "signature"));
        contents = QByteArray::fromStdString(event.detail.message_create_event.contents);
        if (!verifier.process(event))
            die("the vectors' message event does not process");

        media = QByteArray(16 * 1024 * 1024, Qt::Uninitialized);
        QRandomGenerator(42).fillRange(reinterpret_cast<quint32 *>(media.data()), media.size() / 4);
        auto encryptor = check(crypto::MediaEncryptor::create(conversationKey), "encryptor");
        mediaCipher = encryptor.header();
        mediaCipher += check(encryptor.update(media), "encrypt");
        mediaCipher += check(encryptor.finish(), "encrypt");
    }
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

// ---- a) signatures ------------------------------------------------------------------------------

void Verify_Confab(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        if (!f.signingKey.verify(f.message, f.signature))
            state.SkipWithError("verify failed");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Verify_Confab);

void Verify_Raw(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        if (!rawVerify(f.signingKey.handle(), f.signatureDer, u8(f.message),
                       static_cast<std::size_t>(f.message.size())))
            state.SkipWithError("verify failed");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Verify_Raw);

// ---- b) message events --------------------------------------------------------------------------

void Event_Process(benchmark::State &state)
{
    Fixture &f = fixture();
    EventVerifier verifier(f.me, f.directory, f.keys);
    for (auto _ : state) {
        auto result = verifier.process(f.event);
        if (!result)
            state.SkipWithError("process failed");
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Event_Process);

void Event_RawCrypto(benchmark::State &state)
{
    Fixture &f = fixture();
    QByteArray plain(f.contents.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, Qt::Uninitialized);
    for (auto _ : state) {
        const bool ok =
            rawVerify(f.signingKey.handle(), f.eventSignatureDer, u8(f.eventPayload),
                      static_cast<std::size_t>(f.eventPayload.size())) &&
            crypto_secretbox_open_easy(reinterpret_cast<unsigned char *>(plain.data()),
                                       u8(f.contents) + crypto_secretbox_NONCEBYTES,
                                       static_cast<unsigned long long>(f.contents.size()) - crypto_secretbox_NONCEBYTES,
                                       u8(f.contents), f.conversationKey.data()) == 0;
        if (!ok)
            state.SkipWithError("raw verify/open failed");
        benchmark::DoNotOptimize(plain.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Event_RawCrypto);

void Event_ProcessBase64(benchmark::State &state)
{
    Fixture &f = fixture();
    EventVerifier verifier(f.me, f.directory, f.keys);
    for (auto _ : state) {
        auto result = verifier.processBase64(f.eventBase64);
        if (!result)
            state.SkipWithError("process failed");
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Event_ProcessBase64);

void Event_RawFull(benchmark::State &state)
{
    Fixture &f = fixture();
    std::vector<unsigned char> bytes(static_cast<std::size_t>(f.eventBase64.size()));
    std::vector<unsigned char> plain;
    for (auto _ : state) {
        std::size_t length = 0;
        wire::MessageEvent event;
        wire::MessageEntryHolder holder;
        bool ok = sodium_base642bin(bytes.data(), bytes.size(), f.eventBase64.constData(),
                                    static_cast<std::size_t>(f.eventBase64.size()), nullptr, &length, nullptr,
                                    sodium_base64_VARIANT_ORIGINAL) == 0 &&
                  rawThriftDecode(bytes.data(), length, event);
        if (ok) {
            const std::string &box = event.detail.message_create_event.contents;
            plain.resize(box.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES);
            const auto *in = reinterpret_cast<const unsigned char *>(box.data());
            ok = rawVerify(f.signingKey.handle(), f.eventSignatureDer, u8(f.eventPayload),
                           static_cast<std::size_t>(f.eventPayload.size())) &&
                 crypto_secretbox_open_easy(plain.data(), in + crypto_secretbox_NONCEBYTES,
                                            box.size() - crypto_secretbox_NONCEBYTES, in,
                                            f.conversationKey.data()) == 0 &&
                 rawThriftDecode(plain.data(), plain.size(), holder);
        }
        if (!ok)
            state.SkipWithError("raw pipeline failed");
        benchmark::DoNotOptimize(holder);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Event_RawFull);

// ---- c) media -----------------------------------------------------------------------------------

void mediaDecryptor(benchmark::State &state, qsizetype piece)
{
    Fixture &f = fixture();
    const QByteArrayView cipher(f.mediaCipher);
    for (auto _ : state) {
        auto decryptor = check(crypto::MediaDecryptor::create(f.conversationKey), "decryptor");
        qint64 produced = 0;
        for (qsizetype offset = 0; offset < cipher.size(); offset += piece) {
            auto plain = decryptor.update(cipher.sliced(offset, qMin(piece, cipher.size() - offset)));
            if (!plain)
                state.SkipWithError("decrypt failed");
            else
                produced += plain.value().size();
        }
        auto last = decryptor.finish();
        if (!last || produced + last.value().size() != f.media.size())
            state.SkipWithError("decrypt failed");
    }
    state.SetBytesProcessed(state.iterations() * f.media.size());
}

void Media_Decryptor64KiB(benchmark::State &state)
{
    mediaDecryptor(state, 64 * 1024);
}
BENCHMARK(Media_Decryptor64KiB)->Unit(benchmark::kMillisecond);

void Media_DecryptorOnePiece(benchmark::State &state)
{
    mediaDecryptor(state, fixture().mediaCipher.size());
}
BENCHMARK(Media_DecryptorOnePiece)->Unit(benchmark::kMillisecond);

void Media_DecryptMediaQBuffer(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        QBuffer in(&f.mediaCipher);
        in.open(QIODevice::ReadOnly);
        QByteArray sink;
        sink.reserve(f.media.size());
        QBuffer out(&sink);
        out.open(QIODevice::WriteOnly);
        if (check(crypto::decryptMedia(in, out, f.conversationKey), "decryptMedia") != f.media.size())
            state.SkipWithError("decrypt failed");
    }
    state.SetBytesProcessed(state.iterations() * f.media.size());
}
BENCHMARK(Media_DecryptMediaQBuffer)->Unit(benchmark::kMillisecond);

// The app's pipeline for a received attachment (src/media): the ciphertext file in the media
// cache, read and decrypted into memory as MediaLoader does on the pool (decoding not included).
void Media_AppDecryptFile(benchmark::State &state)
{
    Fixture &f = fixture();
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("media.enc"));
    if (!QFile::exists(path)) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(f.mediaCipher) != f.mediaCipher.size())
            die("writing the media file");
    }
    for (auto _ : state) {
        auto plain = media::decryptFile(path, f.conversationKey);
        if (!plain || plain.value().size() != f.media.size())
            state.SkipWithError("decryptFile failed");
        benchmark::DoNotOptimize(plain);
    }
    state.SetBytesProcessed(state.iterations() * f.media.size());
}
BENCHMARK(Media_AppDecryptFile)->Unit(benchmark::kMillisecond);

void Media_Raw(benchmark::State &state)
{
    Fixture &f = fixture();
    const auto *cipher = u8(f.mediaCipher);
    const auto size = static_cast<std::size_t>(f.mediaCipher.size());
    constexpr std::size_t Chunk = crypto::MediaCipherChunkSize;
    std::vector<unsigned char> plain(static_cast<std::size_t>(f.media.size()));
    for (auto _ : state) {
        crypto_secretstream_xchacha20poly1305_state st;
        if (crypto_secretstream_xchacha20poly1305_init_pull(&st, cipher, f.conversationKey.data()) != 0)
            state.SkipWithError("header");
        std::size_t in = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
        std::size_t out = 0;
        unsigned char tag = 0;
        while (in < size) {
            const std::size_t length = std::min(Chunk, size - in);
            unsigned long long produced = 0;
            if (crypto_secretstream_xchacha20poly1305_pull(&st, plain.data() + out, &produced, &tag, cipher + in,
                                                           length, nullptr, 0) != 0) {
                state.SkipWithError("pull failed");
                break;
            }
            in += length;
            out += produced;
        }
        if (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL || out != plain.size())
            state.SkipWithError("stream incomplete");
        benchmark::DoNotOptimize(plain.data());
    }
    state.SetBytesProcessed(state.iterations() * f.media.size());
}
BENCHMARK(Media_Raw)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
    if (sodium_init() < 0)
        die("libsodium");
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    (void)fixture(); // set up (and encrypt the 16 MiB) before any timing
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
