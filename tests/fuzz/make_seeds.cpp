// confab_fuzz_seeds OUTDIR: writes the seed corpora of the fuzz targets, from X's vectors, to
// OUTDIR/<target>/. The checked-in tests/fuzz/corpus was made with it; wrapped keys and media
// streams use fresh randomness, so each run writes different (equally valid) bytes for those.

#include "crypto/ecies.h"
#include "crypto/mediastream.h"
#include "crypto/secretbox.h"
#include "fuzzsupport.h"
#include "protocols/xchat/thriftcodec.h"

#include <QDir>
#include <QFile>

#include <cstdio>
#include <cstdlib>

using namespace confab;

namespace {

QString outDir;

void write(const char *target, const char *name, const QByteArray &bytes)
{
    const QString dir = outDir + QLatin1Char('/') + QLatin1String(target);
    QDir().mkpath(dir);
    QFile file(dir + QLatin1Char('/') + QLatin1String(name));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size()) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(file.fileName()));
        std::exit(1);
    }
}

template<typename T>
T check(Result<T> result)
{
    if (!result) {
        std::fprintf(stderr, "%s\n", qPrintable(result.error().toString()));
        std::exit(1);
    }
    return std::move(result).value();
}

QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>('a' + i % 26);
    return bytes;
}

QByteArray mediaStream(const crypto::SecureBytes &key, qsizetype size)
{
    auto encryptor = check(crypto::MediaEncryptor::create(key));
    QByteArray out = encryptor.header();
    out += check(encryptor.update(pattern(size)));
    out += check(encryptor.finish());
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    outDir = QString::fromLocal8Bit(argv[1]);
    const fuzz::Vectors &v = fuzz::Vectors::get();
    const crypto::SecureBytes conversationKey(v.bytes("conversation_key_b64"));

    // fuzz_event: every event vector decoded, and the decrypted contents of the messages.
    const std::pair<const char *, const char *> events[] = {
        {"event_key_change_b64", "key_change"},   {"event_message_b64", "message"},
        {"event_reply_valid_b64", "reply_valid"}, {"event_reply_forged_b64", "reply_forged"},
        {"event_failure_b64", "failure"},
    };
    for (const auto &[vector, name] : events) {
        const QByteArray bytes = v.bytes(vector);
        write("fuzz_event", name, bytes);
        const auto event = check(xchat::decodeThrift<xchat::wire::MessageEvent>(bytes, "event"));
        if (event.detail.__isset.message_create_event) {
            const std::string &box = event.detail.message_create_event.contents;
            const QByteArray plain = check(
                crypto::openSecretBox(QByteArrayView(box.data(), static_cast<qsizetype>(box.size())), conversationKey));
            write("fuzz_event", QByteArray(QByteArray(name) + "_contents").constData(), plain);
        }
    }

    // fuzz_ecies: the wrapped key inside the key-change vector, and a fresh one.
    const auto change = check(xchat::decodeEventBase64(v.text("event_key_change_b64").toLatin1()));
    for (const auto &entry : change.detail.conversation_key_change_event.conversation_participant_keys)
        write("fuzz_ecies", "vector_key_change",
              check(crypto::base64::decode(QByteArray::fromStdString(entry.encrypted_conversation_key))));
    const crypto::P256KeyPair identity = v.keyPair("identity_private_b64");
    write("fuzz_ecies", "fresh", check(crypto::wrapConversationKey(conversationKey, identity.publicKey())));

    // fuzz_media: mode byte + stream; empty media, one byte, exactly one chunk, a few chunks.
    write("fuzz_media", "empty", QByteArray(1, '\x07') + mediaStream(conversationKey, 0));
    write("fuzz_media", "one_byte", QByteArray(1, '\x00') + mediaStream(conversationKey, 1));
    write("fuzz_media", "one_chunk", QByteArray(1, '\x1c') + mediaStream(conversationKey, crypto::MediaChunkSize));
    write("fuzz_media", "three_chunks", QByteArray(1, '\x4d') + mediaStream(conversationKey, 3000));
    return 0;
}
