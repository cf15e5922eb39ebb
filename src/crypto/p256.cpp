#include "crypto/p256.h"

#include "crypto/base64.h"
#include "crypto/opensslptr.h"

#include <array>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

namespace confab::crypto {

namespace {

// DER prefix of a P-256 SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier { id-ecPublicKey,
// prime256v1 }, BIT STRING { 0x00, point } }.
constexpr std::array<unsigned char, 26> SpkiPrefix = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                                      0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                      0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
static_assert(SpkiPrefix.size() + P256PointSize == P256SpkiSize);

using Bn = detail::OpenSslPtr<BIGNUM, BN_clear_free>;
using BnCtx = detail::OpenSslPtr<BN_CTX, BN_CTX_free>;
using Point = detail::OpenSslPtr<EC_POINT, EC_POINT_clear_free>;
using MdCtx = detail::OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyCtx = detail::OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Sig = detail::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using ParamBld = detail::OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = detail::OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;

std::shared_ptr<EVP_PKEY> adopt(EVP_PKEY *key)
{
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

/// An Error with OpenSSL's queued reasons as the detail (they never contain key material).
Error openSslError(const QString &what)
{
    QStringList reasons;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        reasons << QString::fromLatin1(buffer);
    }
    return Error(ErrorKind::Crypto, what, reasons.join(QLatin1String("; ")));
}

/// The curve, created once; EC_GROUP is safe to share for reading.
const EC_GROUP *curve()
{
    static const EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    return group;
}

const BIGNUM *order()
{
    return EC_GROUP_get0_order(curve());
}

/// n / 2, for the low-S rule.
const BIGNUM *halfOrder()
{
    static const BIGNUM *half = [] {
        BIGNUM *h = BN_dup(order());
        BN_rshift1(h, h);
        return h;
    }();
    return half;
}

Result<std::shared_ptr<EVP_PKEY>> makeKey(const BIGNUM *privateScalar, const QByteArray &point)
{
    ParamBld builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                          static_cast<size_t>(point.size())) ||
        (privateScalar && !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, privateScalar))) {
        return openSslError(QStringLiteral("Could not prepare a P-256 key."));
    }
    Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, privateScalar ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
        return openSslError(QStringLiteral("Could not load a P-256 key."));
    }
    return adopt(key);
}

} // namespace

QByteArray sha256(QByteArrayView data)
{
    QByteArray digest(32, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_Digest(data.data(), static_cast<size_t>(data.size()), reinterpret_cast<unsigned char *>(digest.data()), &length,
               EVP_sha256(), nullptr);
    return digest;
}

// ---- P256PublicKey ------------------------------------------------------------------------------

Result<P256PublicKey> P256PublicKey::fromBytes(QByteArrayView input)
{
    QByteArrayView point = input;
    if (input.size() == P256SpkiSize) {
        if (std::memcmp(input.data(), SpkiPrefix.data(), SpkiPrefix.size()) != 0) {
            return Error(ErrorKind::Crypto, QStringLiteral("The public key is not a P-256 key."),
                                                           QStringLiteral("91-byte key without the P-256 SPKI prefix"));
        }
        point = input.sliced(static_cast<qsizetype>(SpkiPrefix.size()));
    }
    if (point.size() != P256PointSize || point[0] != 0x04) {
        return Error(
            ErrorKind::Crypto,
            QStringLiteral("The public key is not a P-256 key."),
                           QStringLiteral("expected a 65-byte uncompressed point or 91-byte SPKI, got %1 bytes") .arg(
                               input.size()));
    }
    Point ecPoint(EC_POINT_new(curve()));
    if (!ecPoint ||
        EC_POINT_oct2point(curve(), ecPoint.get(), bytes(point), static_cast<size_t>(point.size()), nullptr) != 1) {
        ERR_clear_error();
        return Error(ErrorKind::Crypto, QStringLiteral("The public key is not a valid P-256 point."),
                                                       QStringLiteral("point not on the curve"));
    }
    P256PublicKey key;
    key.m_point = point.toByteArray();
    auto handle = makeKey(nullptr, key.m_point);
    if (!handle)
        return handle.error();
    key.m_key = std::move(handle).value();
    return key;
}

QByteArray P256PublicKey::spki() const
{
    QByteArray out(reinterpret_cast<const char *>(SpkiPrefix.data()), static_cast<qsizetype>(SpkiPrefix.size()));
    out += m_point;
    return out;
}

QByteArray P256PublicKey::fingerprint() const
{
    return base64::encodeUrlUnpadded(sha256(spki()));
}

Result<void> P256PublicKey::verify(QByteArrayView message, QByteArrayView signature) const
{
    if (signature.size() != EcdsaSignatureSize) {
        return Error(ErrorKind::Crypto,
                     QStringLiteral("The signature is malformed."),
                                    QStringLiteral("expected 64 bytes r||s, got %1").arg(signature.size()));
    }
    BIGNUM *r = BN_bin2bn(bytes(signature), 32, nullptr);
    BIGNUM *s = BN_bin2bn(bytes(signature) + 32, 32, nullptr);
    Sig sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return openSslError(QStringLiteral("Could not read the signature."));
    }
    unsigned char *der = nullptr;
    const int derLength = i2d_ECDSA_SIG(sig.get(), &der);
    if (derLength <= 0)
        return openSslError(QStringLiteral("Could not read the signature."));
    MdCtx ctx(EVP_MD_CTX_new());
    const int verified = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) == 1
                             ? EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(derLength), bytes(message),
                                                static_cast<size_t>(message.size()))
                             : -1;
    OPENSSL_free(der);
    ERR_clear_error();
    if (verified != 1)
        return Error(ErrorKind::Crypto, QStringLiteral("The signature does not match."));
    return {};
}

// ---- P256KeyPair --------------------------------------------------------------------------------

Result<P256KeyPair> P256KeyPair::generate()
{
    for (int attempt = 0; attempt < 16; ++attempt) {
        auto pair = fromPrivateScalar(SecureBytes::random(P256ScalarSize));
        if (pair)
            return pair; // the scalar was in [1, n-1], which fails with probability ~2^-32
    }
    return Error(ErrorKind::Crypto, QStringLiteral("Could not generate a key."));
}

Result<P256KeyPair> P256KeyPair::fromPrivateScalar(const SecureBytes &scalar)
{
    if (scalar.size() != static_cast<std::size_t>(P256ScalarSize)) {
        return Error(ErrorKind::Crypto, QStringLiteral("The private key is malformed."),
                                                       QStringLiteral("expected 32 bytes, got %1").arg(scalar.size()));
    }
    Bn d(BN_secure_new());
    if (!d || !BN_bin2bn(scalar.data(), P256ScalarSize, d.get()))
        return openSslError(QStringLiteral("Could not read the private key."));
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), order()) >= 0)
        return Error(ErrorKind::Crypto, QStringLiteral("The private key is out of range."));

    BnCtx bnCtx(BN_CTX_secure_new());
    Point q(EC_POINT_new(curve()));
    QByteArray point(P256PointSize, Qt::Uninitialized);
    if (!bnCtx || !q || EC_POINT_mul(curve(), q.get(), d.get(), nullptr, nullptr, bnCtx.get()) != 1 ||
        EC_POINT_point2oct(curve(), q.get(), POINT_CONVERSION_UNCOMPRESSED,
                           reinterpret_cast<unsigned char *>(point.data()), static_cast<size_t>(point.size()),
                           bnCtx.get()) != static_cast<size_t>(P256PointSize)) {
        return openSslError(QStringLiteral("Could not derive the public key."));
    }
    auto handle = makeKey(d.get(), point);
    if (!handle)
        return handle.error();
    auto publicKey = P256PublicKey::fromBytes(point);
    if (!publicKey)
        return publicKey.error();

    P256KeyPair pair;
    pair.m_scalar = scalar;
    pair.m_public = std::move(publicKey).value();
    pair.m_key = std::move(handle).value();
    return pair;
}

Result<QByteArray> P256KeyPair::sign(QByteArrayView message) const
{
    MdCtx ctx(EVP_MD_CTX_new());
    size_t derLength = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &derLength, bytes(message), static_cast<size_t>(message.size())) != 1) {
        return openSslError(QStringLiteral("Could not sign."));
    }
    QByteArray der(static_cast<qsizetype>(derLength), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(der.data()), &derLength, bytes(message),
                       static_cast<size_t>(message.size())) != 1) {
        return openSslError(QStringLiteral("Could not sign."));
    }
    const unsigned char *cursor = reinterpret_cast<const unsigned char *>(der.constData());
    Sig sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(derLength)));
    if (!sig)
        return openSslError(QStringLiteral("Could not sign."));
    const BIGNUM *r = ECDSA_SIG_get0_r(sig.get());
    Bn s(BN_dup(ECDSA_SIG_get0_s(sig.get())));
    if (BN_cmp(s.get(), halfOrder()) > 0)
        BN_sub(s.get(), order(), s.get()); // low S: s' = n - s is the same signature's twin

    QByteArray raw(EcdsaSignatureSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s.get(), out + 32, 32) != 32)
        return openSslError(QStringLiteral("Could not sign."));
    return raw;
}

Result<SecureBytes> P256KeyPair::sharedSecret(const P256PublicKey &peer) const
{
    PkeyCtx ctx(EVP_PKEY_CTX_new(m_key.get(), nullptr));
    size_t length = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.handle()) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1 || length != 32) {
        return openSslError(QStringLiteral("Could not agree on a key."));
    }
    SecureBytes secret(length);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &length) != 1 || length != 32)
        return openSslError(QStringLiteral("Could not agree on a key."));
    return secret;
}

} // namespace confab::crypto
