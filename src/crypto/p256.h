#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

using EVP_PKEY = struct evp_pkey_st;

namespace confab::crypto {

inline constexpr qsizetype P256PointSize = 65;      ///< SEC1 uncompressed: 0x04 || X || Y
inline constexpr qsizetype P256SpkiSize = 91;       ///< SubjectPublicKeyInfo DER around the point
inline constexpr qsizetype P256ScalarSize = 32;     ///< a private key
inline constexpr qsizetype EcdsaSignatureSize = 64; ///< raw r || s

/// SHA-256 of `bytes`.
[[nodiscard]] QByteArray sha256(QByteArrayView bytes);

/// A validated P-256 public key (the point is on the curve).
class P256PublicKey
{
public:
    /// Accepts the 65-byte SEC1 uncompressed point or the 91-byte SPKI DER that wraps it.
    [[nodiscard]] static Result<P256PublicKey> fromBytes(QByteArrayView sec1OrSpki);

    /// SEC1 uncompressed point (65 bytes).
    [[nodiscard]] const QByteArray &point() const { return m_point; }
    /// SubjectPublicKeyInfo DER (91 bytes), the form the X API serves.
    [[nodiscard]] QByteArray spki() const;
    /// X's key fingerprint: base64url without padding of SHA-256 over the SPKI.
    [[nodiscard]] QByteArray fingerprint() const;

    /// Checks an ECDSA P-256/SHA-256 signature in raw r||s form over `message`. High-S
    /// signatures are accepted (the spec does not forbid them); anything malformed fails.
    [[nodiscard]] Result<void> verify(QByteArrayView message, QByteArrayView signature) const;

    [[nodiscard]] EVP_PKEY *handle() const { return m_key.get(); }

    friend bool operator==(const P256PublicKey &a, const P256PublicKey &b) { return a.m_point == b.m_point; }

private:
    QByteArray m_point;
    std::shared_ptr<EVP_PKEY> m_key;
};

/// A P-256 key pair: an X Chat identity key (ECDH) or signing key (ECDSA).
class P256KeyPair
{
public:
    /// A new random key pair.
    [[nodiscard]] static Result<P256KeyPair> generate();
    /// The key pair for a 32-byte big-endian private scalar (1 <= d < n).
    [[nodiscard]] static Result<P256KeyPair> fromPrivateScalar(const SecureBytes &scalar);

    [[nodiscard]] const SecureBytes &privateScalar() const { return m_scalar; }
    [[nodiscard]] const P256PublicKey &publicKey() const { return m_public; }

    /// ECDSA P-256/SHA-256 over `message`, as raw r||s (64 bytes), always with low S.
    [[nodiscard]] Result<QByteArray> sign(QByteArrayView message) const;
    /// ECDH with `peer`: the shared point's x-coordinate (32 bytes).
    [[nodiscard]] Result<SecureBytes> sharedSecret(const P256PublicKey &peer) const;

private:
    SecureBytes m_scalar;
    P256PublicKey m_public;
    std::shared_ptr<EVP_PKEY> m_key;
};

} // namespace confab::crypto
