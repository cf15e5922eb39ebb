#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>

namespace confab::crypto {

inline constexpr qsizetype SecretBoxNonceSize = 24;
inline constexpr qsizetype SecretBoxTagSize = 16;

/// XSalsa20-Poly1305 (libsodium secretbox) with a fresh random nonce, laid out as
/// nonce (24) || tag (16) || ciphertext: X Chat's message contents and group metadata.
[[nodiscard]] Result<QByteArray> sealSecretBox(QByteArrayView plaintext, const SecureBytes &key);

/// Opens a sealed box; a wrong key or any changed byte is a Crypto error.
[[nodiscard]] Result<QByteArray> openSecretBox(QByteArrayView box, const SecureBytes &key);

} // namespace confab::crypto
