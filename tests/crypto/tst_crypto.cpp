// X Chat's cryptographic primitives: conformance with X's vectors, round trips, and tampering.

#include "crypto/base64.h"
#include "crypto/ecies.h"
#include "crypto/identitykeys.h"
#include "crypto/mediastream.h"
#include "crypto/p256.h"
#include "crypto/secretbox.h"
#include "crypto/securebytes.h"
#include "vectors.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>

using namespace confab;
using namespace confab::crypto;

namespace {

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    for (qsizetype i = size / 4 * 4; i < size; ++i)
        bytes[i] = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return bytes;
}

P256KeyPair keyFromVector(const char *name)
{
    auto pair = P256KeyPair::fromPrivateScalar(SecureBytes(Vectors::get().bytes(name)));
    if (!pair)
        qFatal("%s", qPrintable(pair.error().toString()));
    return pair.value();
}

QByteArray encryptAll(const QByteArray &plain, const SecureBytes &key)
{
    QBuffer in;
    in.setData(plain);
    in.open(QIODevice::ReadOnly);
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    auto written = encryptMedia(in, out, key);
    if (!written)
        qFatal("%s", qPrintable(written.error().toString()));
    return out.data();
}

Result<QByteArray> decryptAll(const QByteArray &cipher, const SecureBytes &key)
{
    QBuffer in;
    in.setData(cipher);
    in.open(QIODevice::ReadOnly);
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    auto written = decryptMedia(in, out, key);
    if (!written)
        return written.error();
    return out.data();
}

/// A read-only device that produces `size` pseudo-random bytes on demand, holding none of them.
class GeneratedDevice : public QIODevice
{
public:
    explicit GeneratedDevice(qint64 size) : m_size(size) { open(QIODevice::ReadOnly); }
    bool isSequential() const override { return true; }
    bool atEnd() const override { return m_pos >= m_size; }
    QByteArray digest() { return m_hash.result(); }

protected:
    qint64 readData(char *data, qint64 max) override
    {
        const qint64 n = qMin(max, m_size - m_pos);
        for (qint64 i = 0; i < n; ++i)
            data[i] = static_cast<char>(((m_pos + i) * 2654435761u) >> 13);
        m_hash.addData(QByteArrayView(data, n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    qint64 m_size;
    qint64 m_pos = 0;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

/// A write-only device that hashes what it is given and keeps nothing.
class HashingSink : public QIODevice
{
public:
    HashingSink() { open(QIODevice::WriteOnly); }
    QByteArray digest() { return m_hash.result(); }
    qint64 written = 0;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        m_hash.addData(QByteArrayView(data, size));
        written += size;
        return size;
    }

private:
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

} // namespace

class TestCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(Vectors::get().isValid(), "the vectors file must be readable"); }

    // ---- X's vectors ----------------------------------------------------------------------------

    void vectorPublicKeysDeriveFromScalars()
    {
        const auto identity = keyFromVector("identity_private_b64");
        const auto signing = keyFromVector("signing_private_b64");
        QCOMPARE(identity.publicKey().point(), Vectors::get().bytes("identity_public_b64"));
        QCOMPARE(signing.publicKey().point(), Vectors::get().bytes("signing_public_b64"));
    }

    void vectorBackupBlobIsIdentityThenSigning()
    {
        const QByteArray blob = Vectors::get().bytes("private_keys_concat_b64");
        QCOMPARE(blob.size(), 64);
        QCOMPARE(blob.first(32), Vectors::get().bytes("identity_private_b64"));
        QCOMPARE(blob.sliced(32), Vectors::get().bytes("signing_private_b64"));
    }

    void vectorBackupBlobRestoresBothKeys()
    {
        const auto keys = IdentityKeys::fromBackupBlob(SecureBytes(Vectors::get().bytes("private_keys_concat_b64")));
        QVERIFY(keys.ok());
        QCOMPARE(keys.value().identity().publicKey().point(), Vectors::get().bytes("identity_public_b64"));
        QCOMPARE(keys.value().signing().publicKey().point(), Vectors::get().bytes("signing_public_b64"));
        QVERIFY(keys.value().backupBlob() == SecureBytes(Vectors::get().bytes("private_keys_concat_b64")));
    }

    void backupAndRegistrationRoundTrip()
    {
        const auto keys = IdentityKeys::generate();
        QVERIFY(keys.ok());
        const auto restored = IdentityKeys::fromBackupBlob(keys.value().backupBlob());
        QVERIFY(restored.ok());
        QCOMPARE(restored.value().identity().publicKey(), keys.value().identity().publicKey());
        QCOMPARE(restored.value().signing().publicKey(), keys.value().signing().publicKey());
        QVERIFY(IdentityKeys::fromBackupBlob(SecureBytes(63)).hasError());
        QVERIFY(IdentityKeys::fromBackupBlob(SecureBytes(64)).hasError()); // zero scalars

        const auto registration = keys.value().registration();
        QVERIFY(registration.ok());
        const KeyRegistration &r = registration.value();
        QCOMPARE(r.identityPublicKeySpki.size(), P256SpkiSize);
        QCOMPARE(r.signingPublicKeySpki.size(), P256SpkiSize);
        // Both bindings verify over the exact bytes registered.
        QVERIFY(keys.value().signing().publicKey().verify(r.identityPublicKeySpki, r.identityKeySignature).ok());
        QVERIFY(keys.value().identity().publicKey().verify(r.signingPublicKeySpki, r.signingKeySignature).ok());
        QCOMPARE(r.fingerprint, keys.value().identity().publicKey().fingerprint());
    }

    void vectorMessageSignatureVerifies()
    {
        const auto signing = P256PublicKey::fromBytes(Vectors::get().bytes("signing_public_b64"));
        QVERIFY(signing.ok());
        const QByteArray message = Vectors::get().text("message_utf8").toUtf8();
        const QByteArray signature = Vectors::get().bytes("signature_b64");
        QVERIFY2(signing.value().verify(message, signature).ok(), "X's signature must verify");
        QVERIFY(signing.value().verify(QByteArray(message + '!'), signature).hasError());
    }

    void vectorKeyBindingVerifiesOverTheBytesAsServed()
    {
        // identity_public_key_signature = ECDSA(signing key, identity public key as served).
        const auto signing = P256PublicKey::fromBytes(Vectors::get().bytes("signing_public_b64"));
        const QByteArray identityAsServed = Vectors::get().bytes("identity_public_b64");
        const QByteArray binding = Vectors::get().bytes("identity_public_key_signature_b64");
        QVERIFY(signing.value().verify(identityAsServed, binding).ok());
        // The same key in its other (SPKI) form is different bytes: the binding does not cover it.
        const auto identity = P256PublicKey::fromBytes(identityAsServed);
        QVERIFY(signing.value().verify(identity.value().spki(), binding).hasError());
    }

    void vectorConversationKeyUnwrapsFromTheKeyChangeEntry()
    {
        // The wrapped key is inside the key-change event; the thrift conformance test reads it
        // from there. Here: wrapping the vector's conversation key for the vector identity and
        // unwrapping it again gives it back exactly.
        const auto identity = keyFromVector("identity_private_b64");
        const SecureBytes key(Vectors::get().bytes("conversation_key_b64"));
        auto wrapped = wrapConversationKey(key, identity.publicKey());
        QVERIFY(wrapped.ok());
        auto unwrapped = unwrapConversationKey(wrapped.value(), identity);
        QVERIFY(unwrapped.ok());
        QVERIFY(unwrapped.value() == key);
    }

    // ---- keys and signatures --------------------------------------------------------------------

    void publicKeyFormsAndFingerprint()
    {
        const auto pair = P256KeyPair::generate();
        QVERIFY(pair.ok());
        const P256PublicKey &key = pair.value().publicKey();
        QCOMPARE(key.point().size(), P256PointSize);
        QCOMPARE(key.spki().size(), P256SpkiSize);
        QCOMPARE(key.spki().toHex().left(52), QByteArray("3059301306072a8648ce3d020106082a8648ce3d030107034200"));
        // Either form reads back to the same key.
        QCOMPARE(P256PublicKey::fromBytes(key.spki()).value(), key);
        QCOMPARE(P256PublicKey::fromBytes(key.point()).value(), key);
        // Fingerprint: base64url, no padding, of SHA-256 over the SPKI.
        const QByteArray fingerprint = key.fingerprint();
        QCOMPARE(fingerprint.size(), 43);
        QVERIFY(!fingerprint.contains('=') && !fingerprint.contains('+') && !fingerprint.contains('/'));
        QCOMPARE(QByteArray::fromBase64(fingerprint, QByteArray::Base64UrlEncoding), sha256(key.spki()));
    }

    void badPublicKeysAreRejected_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray good = Vectors::get().bytes("identity_public_b64");
        QByteArray offCurve = good;
        offCurve[64] = static_cast<char>(offCurve[64] ^ 1);
        QByteArray compressedTag = good;
        compressedTag[0] = 0x02;
        QByteArray badPrefix = P256PublicKey::fromBytes(good).value().spki();
        badPrefix[5] = 0x00;
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("short") << good.first(64);
        QTest::newRow("off curve") << offCurve;
        QTest::newRow("not uncompressed") << compressedTag;
        QTest::newRow("spki with wrong prefix") << badPrefix;
        QTest::newRow("point at infinity") << QByteArray(65, '\0');
    }

    void badPublicKeysAreRejected()
    {
        QFETCH(QByteArray, bytes);
        const auto key = P256PublicKey::fromBytes(bytes);
        QVERIFY(key.hasError());
        QCOMPARE(key.error().kind(), ErrorKind::Crypto);
    }

    void privateScalarsOutOfRangeAreRejected()
    {
        QVERIFY(P256KeyPair::fromPrivateScalar(SecureBytes(32)).hasError());                     // zero
        QVERIFY(P256KeyPair::fromPrivateScalar(SecureBytes(QByteArray(32, '\xff'))).hasError()); // >= n
        QVERIFY(P256KeyPair::fromPrivateScalar(SecureBytes(QByteArray(31, '\x01'))).hasError()); // short
    }

    void signaturesAreLowSAndVerify()
    {
        const auto pair = P256KeyPair::generate().value();
        // n/2 for P-256
        const QByteArray halfOrder =
            QByteArray::fromHex("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8");
        for (int i = 0; i < 64; ++i) {
            const QByteArray message = "message " + QByteArray::number(i);
            const auto signature = pair.sign(message);
            QVERIFY(signature.ok());
            QCOMPARE(signature.value().size(), EcdsaSignatureSize);
            QVERIFY2(signature.value().sliced(32) <= halfOrder, "S must be in the lower half");
            QVERIFY(pair.publicKey().verify(message, signature.value()).ok());
        }
    }

    void highSIsStillAccepted()
    {
        // Verifiers accept what the spec accepts; it does not require low S of others.
        const auto pair = P256KeyPair::generate().value();
        const QByteArray signature = pair.sign("hello").value();
        const QByteArray order =
            QByteArray::fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
        // s' = n - s, big-endian subtraction
        QByteArray highS(32, '\0');
        int borrow = 0;
        for (int i = 31; i >= 0; --i) {
            int d = static_cast<unsigned char>(order[i]) - static_cast<unsigned char>(signature[32 + i]) - borrow;
            borrow = d < 0 ? 1 : 0;
            highS[i] = static_cast<char>(d + (borrow ? 256 : 0));
        }
        QVERIFY(pair.publicKey().verify("hello", QByteArray(signature.first(32) + highS)).ok());
    }

    void everySingleBitFlipOfASignatureIsRejected()
    {
        const auto pair = P256KeyPair::generate().value();
        const QByteArray signature = pair.sign("payload").value();
        for (int byte = 0; byte < signature.size(); ++byte) {
            QByteArray bad = signature;
            bad[byte] = static_cast<char>(bad[byte] ^ 0x01);
            QVERIFY2(pair.publicKey().verify("payload", bad).hasError(), qPrintable(QString::number(byte)));
        }
        QVERIFY(pair.publicKey().verify("payload", signature.first(63)).hasError());
        QVERIFY(pair.publicKey().verify("payload", QByteArray(64, '\0')).hasError());
    }

    void ecdhAgrees()
    {
        const auto alice = P256KeyPair::generate().value();
        const auto bob = P256KeyPair::generate().value();
        QVERIFY(alice.sharedSecret(bob.publicKey()).value() == bob.sharedSecret(alice.publicKey()).value());
    }

    // ---- ECIES ----------------------------------------------------------------------------------

    void eciesRoundTrip()
    {
        const auto recipient = P256KeyPair::generate().value();
        const SecureBytes key = SecureBytes::random(32);
        const auto wrapped = wrapConversationKey(key, recipient.publicKey());
        QVERIFY(wrapped.ok());
        QCOMPARE(wrapped.value().size(), WrappedKeySize);
        QCOMPARE(wrapped.value().at(0), '\x04');
        QVERIFY(unwrapConversationKey(wrapped.value(), recipient).value() == key);
        // A fresh ephemeral key each time.
        QVERIFY(wrapConversationKey(key, recipient.publicKey()).value() != wrapped.value());
    }

    void eciesRejectsEveryTamperedByteAndTheWrongKey()
    {
        const auto recipient = P256KeyPair::generate().value();
        const auto stranger = P256KeyPair::generate().value();
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray wrapped = wrapConversationKey(key, recipient.publicKey()).value();
        for (int byte = 0; byte < wrapped.size(); ++byte) {
            QByteArray bad = wrapped;
            bad[byte] = static_cast<char>(bad[byte] ^ 0x80);
            const auto result = unwrapConversationKey(bad, recipient);
            QVERIFY2(result.hasError(), qPrintable(QStringLiteral("byte %1").arg(byte)));
            QCOMPARE(result.error().kind(), ErrorKind::Crypto);
        }
        QVERIFY(unwrapConversationKey(wrapped, stranger).hasError());
        QVERIFY(unwrapConversationKey(wrapped.first(112), recipient).hasError());
        QVERIFY(unwrapConversationKey(QByteArray(wrapped + 'x'), recipient).hasError());
    }

    // ---- secretbox ------------------------------------------------------------------------------

    void secretBoxRoundTripAndLayout()
    {
        const SecureBytes key = SecureBytes::random(32);
        for (const QByteArray &plain : {QByteArray(), QByteArray("x"), randomBytes(5000)}) {
            const auto box = sealSecretBox(plain, key);
            QVERIFY(box.ok());
            QCOMPARE(box.value().size(), plain.size() + 40); // nonce 24 + tag 16
            QCOMPARE(openSecretBox(box.value(), key).value(), plain);
        }
    }

    void secretBoxRejectsTamperingAndWrongKeys()
    {
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray box = sealSecretBox("fixture event message", key).value();
        for (int byte = 0; byte < box.size(); ++byte) {
            QByteArray bad = box;
            bad[byte] = static_cast<char>(bad[byte] ^ 0x01);
            QVERIFY2(openSecretBox(bad, key).hasError(), qPrintable(QString::number(byte)));
        }
        QVERIFY(openSecretBox(box, SecureBytes::random(32)).hasError());
        QVERIFY(openSecretBox(box.first(39), key).hasError());
        QVERIFY(sealSecretBox("x", SecureBytes::random(16)).hasError());
    }

    // ---- media secretstream ---------------------------------------------------------------------

    void mediaRoundTrip_data()
    {
        QTest::addColumn<int>("size");
        for (int size : {0, 1, 1023, 1024, 1025, 2048, 2049, 64 * 1024, 64 * 1024 + 7, 300'000})
            QTest::newRow(qPrintable(QString::number(size))) << size;
    }

    void mediaRoundTrip()
    {
        QFETCH(int, size);
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray plain = randomBytes(size);
        const QByteArray cipher = encryptAll(plain, key);
        QCOMPARE(cipher.size(), mediaCiphertextSize(size));
        QCOMPARE(decryptAll(cipher, key).value(), plain);
    }

    void mediaDecryptsInPiecesOfAnySize()
    {
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray plain = randomBytes(10'000);
        const QByteArray cipher = encryptAll(plain, key);
        for (qsizetype piece : {1, 7, 24, 1041, 1042, 4096}) {
            auto decryptor = MediaDecryptor::create(key).value();
            QByteArray out;
            for (qsizetype offset = 0; offset < cipher.size(); offset += piece)
                out += decryptor.update(QByteArrayView(cipher).sliced(offset, qMin(piece, cipher.size() - offset)))
                           .value();
            out += decryptor.finish().value();
            QCOMPARE(out, plain);
        }
    }

    void mediaEncryptsInPiecesOfAnySize()
    {
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray plain = randomBytes(5000);
        auto encryptor = MediaEncryptor::create(key).value();
        QByteArray cipher = encryptor.header();
        for (qsizetype offset = 0; offset < plain.size(); offset += 333)
            cipher +=
                encryptor.update(QByteArrayView(plain).sliced(offset, qMin<qsizetype>(333, plain.size() - offset)))
                    .value();
        cipher += encryptor.finish().value();
        QCOMPARE(decryptAll(cipher, key).value(), plain);
    }

    void mediaRejectsTampering()
    {
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray cipher = encryptAll(randomBytes(3000), key);
        for (int byte = 0; byte < cipher.size(); byte += 7) {
            QByteArray bad = cipher;
            bad[byte] = static_cast<char>(bad[byte] ^ 0x01);
            const auto result = decryptAll(bad, key);
            QVERIFY2(result.hasError(), qPrintable(QString::number(byte)));
            QCOMPARE(result.error().kind(), ErrorKind::Crypto);
        }
        QVERIFY(decryptAll(cipher, SecureBytes::random(32)).hasError());
    }

    void mediaRejectsTruncation()
    {
        const SecureBytes key = SecureBytes::random(32);
        const QByteArray cipher = encryptAll(randomBytes(3000), key); // chunks: 1041, 1041, 969
        for (qsizetype cut : {qsizetype(0), qsizetype(10), MediaHeaderSize + 1041, MediaHeaderSize + 2 * 1041,
                              cipher.size() - 1, MediaHeaderSize + 500}) {
            const auto result = decryptAll(cipher.first(cut), key);
            QVERIFY2(result.hasError(), qPrintable(QStringLiteral("cut at %1").arg(cut)));
            QCOMPARE(result.error().kind(), ErrorKind::Crypto);
        }
        // Whole chunks dropped from the end: no final tag.
        const QByteArray exact = encryptAll(randomBytes(2048), key);
        QVERIFY(decryptAll(exact.first(MediaHeaderSize + 1041), key).hasError());
        // Data appended after the final chunk.
        QVERIFY(decryptAll(QByteArray(cipher + cipher.right(100)), key).hasError());
        // Empty media is the header alone, and decrypts to nothing.
        const QByteArray empty = encryptAll({}, key);
        QCOMPARE(empty.size(), MediaHeaderSize);
        QCOMPARE(decryptAll(empty, key).value(), QByteArray());
    }

    void mediaProgressAndCancel()
    {
        const SecureBytes key = SecureBytes::random(32);
        QBuffer in;
        in.setData(randomBytes(200'000));
        in.open(QIODevice::ReadOnly);
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        qint64 last = 0;
        auto cancelled = encryptMedia(in, out, key, [&](qint64 done) {
            last = done;
            return done < 100'000;
        });
        QVERIFY(cancelled.hasError());
        QCOMPARE(cancelled.error().kind(), ErrorKind::Cancelled);
        QVERIFY(last >= 100'000 && last < 200'000);
    }

    void mediaStreamsOnAWorkerThreadInBoundedMemory()
    {
        // 32 MiB through encrypt and decrypt on worker threads, via a temporary ciphertext file;
        // neither side ever holds the media: the source generates it and the sink only hashes it.
        constexpr qint64 size = 32 * 1024 * 1024;
        const SecureBytes key = SecureBytes::random(32);
        QTemporaryFile cipherFile;
        QVERIFY(cipherFile.open());
        GeneratedDevice source(size);
        Result<qint64> encrypted = Error(ErrorKind::Internal, {});
        QThread *encryptThread = QThread::create([&] { encrypted = encryptMedia(source, cipherFile, key); });
        encryptThread->start();
        QVERIFY(encryptThread->wait(120'000));
        delete encryptThread;
        QVERIFY(encrypted.ok());
        QCOMPARE(encrypted.value(), mediaCiphertextSize(size));
        QCOMPARE(cipherFile.size(), mediaCiphertextSize(size));

        QVERIFY(cipherFile.seek(0));
        HashingSink sink;
        Result<qint64> decrypted = Error(ErrorKind::Internal, {});
        QThread *decryptThread = QThread::create([&] { decrypted = decryptMedia(cipherFile, sink, key); });
        decryptThread->start();
        QVERIFY(decryptThread->wait(120'000));
        delete decryptThread;
        QVERIFY(decrypted.ok());
        QCOMPARE(sink.written, size);
        QCOMPARE(sink.digest(), source.digest());
    }

    // ---- base64 and secure memory ---------------------------------------------------------------

    void base64Spellings()
    {
        const QByteArray bytes("\xfb\xff\x01", 3);
        QCOMPARE(base64::encodePadded(QByteArray("ab")), QByteArray("YWI="));
        QCOMPARE(base64::encodeUnpadded(QByteArray("ab")), QByteArray("YWI"));
        QCOMPARE(base64::encodeUrlUnpadded(bytes), QByteArray("-_8B"));
        QCOMPARE(base64::decode("YWI=").value(), QByteArray("ab"));
        QCOMPARE(base64::decode("YWI").value(), QByteArray("ab"));
        QCOMPARE(base64::decode("YQ==").value(), QByteArray("a"));
        QCOMPARE(base64::decode("YQ").value(), QByteArray("a"));
        QCOMPARE(base64::decode("").value(), QByteArray());
        for (const char *bad : {"!!!not-an-event!!!", "YWI=YWI=", "Y", "YW I=", "YWI==", "YQ=", "-_8B", "YWJj\n"})
            QVERIFY2(base64::decode(bad).hasError(), bad);
    }

    void secureBytesWipeAndCopy()
    {
        SecureBytes a(QByteArrayView("secret!"));
        SecureBytes b = a;
        QVERIFY(a == b);
        QVERIFY(a.data() != b.data());
        b.wipe();
        QVERIFY(b.isEmpty());
        QVERIFY(!(a == b));
        SecureBytes c = std::move(a);
        QVERIFY(a.isEmpty());
        QCOMPARE(c.size(), std::size_t(7));
        QString printed;
        QDebug(&printed) << c;
        QVERIFY2(!printed.contains(QLatin1String("secret")), "SecureBytes must never print its contents");
        QVERIFY(printed.contains(QLatin1String("7 bytes")));
        QByteArray transient("also secret");
        wipe(transient);
        QVERIFY(transient.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
