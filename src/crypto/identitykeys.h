#pragma once

#include "core/result.h"
#include "crypto/p256.h"
#include "crypto/securebytes.h"

#include <QByteArray>

namespace confab::crypto {

inline constexpr qsizetype BackupBlobSize = 64; ///< identity scalar (32) || signing scalar (32)

/// What X's public-keys endpoint needs to register a device's keys (spec §2.1): the SPKI forms,
/// the key binding both ways, and the fingerprint.
struct KeyRegistration
{
    QByteArray identityPublicKeySpki; ///< public_key (send as padded base64)
    QByteArray signingPublicKeySpki;  ///< signing_public_key (send as padded base64)
    QByteArray identityKeySignature;  ///< ECDSA(signing key, identity SPKI), raw r||s
    QByteArray signingKeySignature;   ///< ECDSA(identity key, signing SPKI), raw r||s
    QByteArray fingerprint;           ///< base64url-nopad(SHA-256(identity SPKI))
};

/// A device's X Chat key pairs: the identity key (receives wrapped conversation keys) and the
/// signing key (signs every action).
class IdentityKeys
{
public:
    [[nodiscard]] static Result<IdentityKeys> generate();
    /// From the 64-byte backup blob `identity(32) || signing(32)` (X's export_keys format).
    [[nodiscard]] static Result<IdentityKeys> fromBackupBlob(const SecureBytes &blob);

    [[nodiscard]] const P256KeyPair &identity() const { return m_identity; }
    [[nodiscard]] const P256KeyPair &signing() const { return m_signing; }

    /// The 64-byte backup blob. Secret: keep it in the keychain or encrypt it before storing.
    [[nodiscard]] SecureBytes backupBlob() const;
    /// The registration bundle, with fresh binding signatures.
    [[nodiscard]] Result<KeyRegistration> registration() const;

private:
    IdentityKeys(P256KeyPair identity, P256KeyPair signing);

    P256KeyPair m_identity;
    P256KeyPair m_signing;
};

} // namespace confab::crypto
