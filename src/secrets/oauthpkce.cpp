#include "secrets/oauthpkce.h"

#include "crypto/base64.h"

#include <QCryptographicHash>

namespace confab::secrets {

namespace {

/// base64url of `size` bytes from the OS's CSPRNG (libsodium), kept in locked memory.
crypto::SecureBytes randomUrlSafe(std::size_t size)
{
    const crypto::SecureBytes raw = crypto::SecureBytes::random(size);
    QByteArray text = crypto::base64::encodeUrlUnpadded(raw.view());
    crypto::SecureBytes result(text);
    crypto::wipe(text);
    return result;
}

} // namespace

OAuthPkce OAuthPkce::generate()
{
    OAuthPkce pkce;
    pkce.verifier = randomUrlSafe(32);
    pkce.challenge = challengeFor(pkce.verifier.view());
    return pkce;
}

QString OAuthPkce::challengeFor(QByteArrayView verifier)
{
    const QByteArray digest = QCryptographicHash::hash(verifier, QCryptographicHash::Sha256);
    return QString::fromLatin1(crypto::base64::encodeUrlUnpadded(digest));
}

QString OAuthPkce::randomState()
{
    const crypto::SecureBytes state = randomUrlSafe(32);
    return QString::fromLatin1(state.view());
}

} // namespace confab::secrets
