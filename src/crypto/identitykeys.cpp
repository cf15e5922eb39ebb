#include "crypto/identitykeys.h"

#include <cstring>

namespace confab::crypto {

IdentityKeys::IdentityKeys(P256KeyPair identity, P256KeyPair signing)
    : m_identity(std::move(identity))
    , m_signing(std::move(signing))
{}

Result<IdentityKeys> IdentityKeys::generate()
{
    auto identity = P256KeyPair::generate();
    if (!identity)
        return identity.error();
    auto signing = P256KeyPair::generate();
    if (!signing)
        return signing.error();
    return IdentityKeys(std::move(identity).value(), std::move(signing).value());
}

Result<IdentityKeys> IdentityKeys::fromBackupBlob(const SecureBytes &blob)
{
    if (blob.size() != static_cast<std::size_t>(BackupBlobSize)) {
        return Error(ErrorKind::Crypto, QStringLiteral("The key backup is not valid."),
                                                       QStringLiteral("expected 64 bytes, got %1").arg(blob.size()));
    }
    SecureBytes identityScalar(static_cast<std::size_t>(P256ScalarSize));
    SecureBytes signingScalar(static_cast<std::size_t>(P256ScalarSize));
    std::memcpy(identityScalar.data(), blob.data(), P256ScalarSize);
    std::memcpy(signingScalar.data(), blob.data() + P256ScalarSize, P256ScalarSize);
    auto identity = P256KeyPair::fromPrivateScalar(identityScalar);
    auto signing = P256KeyPair::fromPrivateScalar(signingScalar);
    if (!identity || !signing) {
        return Error(ErrorKind::Crypto, QStringLiteral("The key backup is not valid."),
                                                       QStringLiteral("a private key is out of range"));
    }
    return IdentityKeys(std::move(identity).value(), std::move(signing).value());
}

SecureBytes IdentityKeys::backupBlob() const
{
    SecureBytes blob(static_cast<std::size_t>(BackupBlobSize));
    std::memcpy(blob.data(), m_identity.privateScalar().data(), P256ScalarSize);
    std::memcpy(blob.data() + P256ScalarSize, m_signing.privateScalar().data(), P256ScalarSize);
    return blob;
}

Result<KeyRegistration> IdentityKeys::registration() const
{
    KeyRegistration r;
    r.identityPublicKeySpki = m_identity.publicKey().spki();
    r.signingPublicKeySpki = m_signing.publicKey().spki();
    auto identitySignature = m_signing.sign(r.identityPublicKeySpki);
    auto signingSignature = m_identity.sign(r.signingPublicKeySpki);
    if (!identitySignature)
        return identitySignature.error();
    if (!signingSignature)
        return signingSignature.error();
    r.identityKeySignature = std::move(identitySignature).value();
    r.signingKeySignature = std::move(signingSignature).value();
    r.fingerprint = m_identity.publicKey().fingerprint();
    return r;
}

} // namespace confab::crypto
