#pragma once

#include "core/result.h"
#include "crypto/p256.h"
#include "crypto/securebytes.h"

#include <QString>

#include <wire/xchat_types.h>

namespace confab::xchat {

/// Signs this device's actions: ECDSA over a §2.3 payload, packaged as the MessageEventSignature
/// X expects (signature as unpadded base64 of r||s, the signing key's version, signature version
/// "7", and the signing key's SPKI for information).
class ActionSigner
{
public:
    ActionSigner(crypto::P256KeyPair signingKey, QString publicKeyVersion);

    [[nodiscard]] Result<wire::MessageEventSignature> sign(QByteArrayView payload) const;
    [[nodiscard]] Result<wire::MessageEventSignature> sign(const crypto::SecureBytes &payload) const;

    [[nodiscard]] const QString &publicKeyVersion() const { return m_version; }

private:
    crypto::P256KeyPair m_key;
    QString m_version;
};

} // namespace confab::xchat
