#pragma once

#include "core/result.h"
#include "crypto/p256.h"
#include "crypto/securebytes.h"

namespace confab::crypto {

inline constexpr qsizetype ConversationKeySize = 32;
inline constexpr qsizetype WrappedKeySize = 113; ///< ephemeral point (65) || ciphertext (32) || tag (16)

/// Wraps a 32-byte conversation key for the owner of `recipientIdentity` (X Chat ECIES):
/// ephemeral P-256 key, ECDH x-coordinate Z, K = SHA-256(Z || 00000001 || ephemeral point),
/// AES-128-GCM with key K[0:16] and the 16-byte IV K[16:32], no AAD.
[[nodiscard]] Result<QByteArray> wrapConversationKey(const SecureBytes &conversationKey,
                                                     const P256PublicKey &recipientIdentity);

/// Reverses wrapConversationKey with the recipient's identity key pair. Any change to the 113
/// bytes, or a key wrapped for someone else, is a Crypto error.
[[nodiscard]] Result<SecureBytes> unwrapConversationKey(QByteArrayView wrapped, const P256KeyPair &identity);

} // namespace confab::crypto
