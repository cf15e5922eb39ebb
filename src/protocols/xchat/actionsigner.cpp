#include "protocols/xchat/actionsigner.h"

#include "crypto/base64.h"
#include "protocols/xchat/signedpayload.h"

namespace confab::xchat {

ActionSigner::ActionSigner(crypto::P256KeyPair signingKey, QString publicKeyVersion)
    : m_key(std::move(signingKey))
    , m_version(std::move(publicKeyVersion))
{}

Result<wire::MessageEventSignature> ActionSigner::sign(QByteArrayView payload) const
{
    auto signature = m_key.sign(payload);
    if (!signature)
        return signature.error();
    wire::MessageEventSignature out;
    out.__set_signature(crypto::base64::encodeUnpadded(signature.value()).toStdString());
    out.__set_public_key_version(m_version.toStdString());
    out.__set_signature_version(SignatureVersion);
    out.__set_signing_public_key(crypto::base64::encodePadded(m_key.publicKey().spki()).toStdString());
    return out;
}

Result<wire::MessageEventSignature> ActionSigner::sign(const crypto::SecureBytes &payload) const
{
    return sign(payload.view());
}

} // namespace confab::xchat
