#include "crypto/ecies.h"

#include "crypto/opensslptr.h"

#include <cstring>
#include <openssl/evp.h>

namespace confab::crypto {

namespace {

constexpr int TagSize = 16;

using CipherCtx = detail::OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

/// ANSI X9.63 KDF with SHA-256, one block: SHA-256(Z || counter=1 || shared info = ephemeral point).
SecureBytes deriveKey(const SecureBytes &z, const QByteArray &ephemeralPoint)
{
    SecureBytes input(z.size() + 4 + static_cast<std::size_t>(ephemeralPoint.size()));
    std::memcpy(input.data(), z.data(), z.size());
    const unsigned char counter[4] = {0, 0, 0, 1};
    std::memcpy(input.data() + z.size(), counter, 4);
    std::memcpy(input.data() + z.size() + 4, ephemeralPoint.constData(),
                static_cast<std::size_t>(ephemeralPoint.size()));
    SecureBytes key(32);
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), key.data(), &length, EVP_sha256(), nullptr);
    return key;
}

Error cryptoError(const QString &what, const QString &detail = {})
{
    return Error(ErrorKind::Crypto, what, detail);
}

} // namespace

Result<QByteArray> wrapConversationKey(const SecureBytes &conversationKey, const P256PublicKey &recipientIdentity)
{
    if (conversationKey.size() != static_cast<std::size_t>(ConversationKeySize))
        return cryptoError(QStringLiteral("The conversation key is malformed."));
    auto ephemeral = P256KeyPair::generate();
    if (!ephemeral)
        return ephemeral.error();
    auto z = ephemeral.value().sharedSecret(recipientIdentity);
    if (!z)
        return z.error();
    const QByteArray &ephemeralPoint = ephemeral.value().publicKey().point();
    const SecureBytes k = deriveKey(z.value(), ephemeralPoint);

    QByteArray out = ephemeralPoint;
    out.resize(WrappedKeySize);
    auto *ciphertext = reinterpret_cast<unsigned char *>(out.data()) + P256PointSize;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    int finalLength = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 16, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, k.data(), k.data() + 16) != 1 ||
        EVP_EncryptUpdate(ctx.get(), ciphertext, &length, conversationKey.data(), ConversationKeySize) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), ciphertext + length, &finalLength) != 1 ||
        length + finalLength != ConversationKeySize ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TagSize, ciphertext + ConversationKeySize) != 1) {
        return cryptoError(QStringLiteral("Could not wrap the conversation key."));
    }
    return out;
}

Result<SecureBytes> unwrapConversationKey(QByteArrayView wrapped, const P256KeyPair &identity)
{
    if (wrapped.size() != WrappedKeySize) {
        return cryptoError(
            QStringLiteral("The wrapped conversation key is malformed."),
                           QStringLiteral("expected %1 bytes, got %2").arg(WrappedKeySize).arg(wrapped.size()));
    }
    auto ephemeral = P256PublicKey::fromBytes(wrapped.first(P256PointSize));
    if (!ephemeral)
        return ephemeral.error();
    auto z = identity.sharedSecret(ephemeral.value());
    if (!z)
        return z.error();
    const SecureBytes k = deriveKey(z.value(), ephemeral.value().point());

    const auto *ciphertext = reinterpret_cast<const unsigned char *>(wrapped.data()) + P256PointSize;
    QByteArray tag(reinterpret_cast<const char *>(ciphertext) + ConversationKeySize, TagSize);
    SecureBytes key(ConversationKeySize);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    int finalLength = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 16, nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, k.data(), k.data() + 16) != 1 ||
        EVP_DecryptUpdate(ctx.get(), key.data(), &length, ciphertext, ConversationKeySize) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TagSize, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), key.data() + length, &finalLength) != 1) {
        return cryptoError(
            QStringLiteral("The conversation key could not be unwrapped."),
                           QStringLiteral("authentication failed: tampered, or wrapped for another key"));
    }
    return key;
}

} // namespace confab::crypto
