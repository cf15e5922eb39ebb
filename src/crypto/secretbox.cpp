#include "crypto/secretbox.h"

#include "crypto/sodium.h"

#include <sodium.h>

namespace confab::crypto {

static_assert(SecretBoxNonceSize == crypto_secretbox_NONCEBYTES);
static_assert(SecretBoxTagSize == crypto_secretbox_MACBYTES);

namespace {
Result<void> checkKey(const SecureBytes &key)
{
    if (key.size() != crypto_secretbox_KEYBYTES)
        return Error(ErrorKind::Crypto,
                     QStringLiteral("The key is malformed."),
                                    QStringLiteral("secretbox keys are 32 bytes, got %1").arg(key.size()));
    return {};
}
} // namespace

Result<QByteArray> sealSecretBox(QByteArrayView plaintext, const SecureBytes &key)
{
    ensureSodium();
    if (auto ok = checkKey(key); !ok)
        return ok.error();
    QByteArray box(SecretBoxNonceSize + SecretBoxTagSize + plaintext.size(), Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(box.data());
    randombytes_buf(out, SecretBoxNonceSize);
    // crypto_secretbox_easy writes tag || ciphertext, which follows the nonce.
    crypto_secretbox_easy(out + SecretBoxNonceSize, reinterpret_cast<const unsigned char *>(plaintext.data()),
                          static_cast<unsigned long long>(plaintext.size()), out, key.data());
    return box;
}

Result<QByteArray> openSecretBox(QByteArrayView box, const SecureBytes &key)
{
    ensureSodium();
    if (auto ok = checkKey(key); !ok)
        return ok.error();
    if (box.size() < SecretBoxNonceSize + SecretBoxTagSize) {
        return Error(ErrorKind::Crypto,
                     QStringLiteral("The encrypted contents are truncated."),
                                    QStringLiteral("%1 bytes is shorter than nonce and tag").arg(box.size()));
    }
    const auto *in = reinterpret_cast<const unsigned char *>(box.data());
    QByteArray plaintext(box.size() - SecretBoxNonceSize - SecretBoxTagSize, Qt::Uninitialized);
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char *>(plaintext.data()), in + SecretBoxNonceSize,
                                   static_cast<unsigned long long>(box.size() - SecretBoxNonceSize), in,
                                   key.data()) != 0) {
        return Error(ErrorKind::Crypto, QStringLiteral("The contents could not be decrypted."),
                                                       QStringLiteral("secretbox authentication failed"));
    }
    return plaintext;
}

} // namespace confab::crypto
