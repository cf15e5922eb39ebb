#pragma once

#include "crypto/securebytes.h"

#include <QByteArrayView>
#include <QString>

namespace confab::secrets {

/// Proof Key for Code Exchange (RFC 7636) with the S256 method: the verifier stays in this
/// process (locked memory, wiped when done) and only its SHA-256 travels through the browser, so
/// an authorization code that leaks on the way back (another app on the loopback port, a log,
/// a browser extension) cannot be redeemed by anyone else.
struct OAuthPkce
{
    crypto::SecureBytes verifier; ///< 43 characters of base64url: 32 bytes of OS randomness
    QString challenge;            ///< base64url(SHA-256(verifier)), unpadded

    [[nodiscard]] static OAuthPkce generate();
    /// The S256 challenge of a verifier.
    [[nodiscard]] static QString challengeFor(QByteArrayView verifier);
    /// A fresh `state`: 32 random bytes (256 bits), base64url unpadded (43 characters).
    [[nodiscard]] static QString randomState();
};

} // namespace confab::secrets
