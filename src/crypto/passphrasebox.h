#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace confab::crypto {

/// How hard the passphrase key derivation is: libsodium's crypto_pwhash (Argon2id v1.3) cost
/// presets. Measured on a 2-core CI machine, one derivation takes about 0.09 s (Interactive,
/// 64 MiB), 0.56 s (Moderate, 256 MiB) and 3 s (Sensitive, 1 GiB).
enum class PassphraseStrength {
    Interactive, ///< crypto_pwhash_OPSLIMIT_INTERACTIVE (2 passes), crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB)
    Moderate,    ///< crypto_pwhash_OPSLIMIT_MODERATE (3 passes), crypto_pwhash_MEMLIMIT_MODERATE (256 MiB)
    Sensitive,   ///< crypto_pwhash_OPSLIMIT_SENSITIVE (4 passes), crypto_pwhash_MEMLIMIT_SENSITIVE (1 GiB)
};

/// The shortest passphrase `checkPassphrase` accepts, in Unicode code points.
inline constexpr qsizetype PassphraseMinimumLength = 10;

/// Layout of a passphrase box (all integers big-endian):
///
///     offset size
///          0    4  magic "CFPB"
///          4    1  format version, 1
///          5    1  algorithm, 2 = Argon2id v1.3 key derivation (libsodium's crypto_pwhash_ALG_ARGON2ID13)
///                  keying XChaCha20-Poly1305-IETF (crypto_aead_xchacha20poly1305_ietf)
///          6    4  Argon2id opslimit (passes)
///         10    4  Argon2id memlimit in KiB
///         14   16  salt (random per box)
///         30   24  nonce (random per box)
///         54    n  ciphertext of the n-byte plaintext
///       54+n   16  Poly1305 tag
///
/// The 32-byte key is crypto_pwhash(passphrase, salt, opslimit, memlimit * 1024, Argon2id13), and
/// the 54 header bytes (magic to nonce) are the AEAD's additional data: changing any byte of the
/// box, header included, makes it fail to open.
inline constexpr qsizetype PassphraseBoxHeaderSize = 54;
inline constexpr qsizetype PassphraseBoxTagSize = 16;
inline constexpr quint8 PassphraseBoxVersion = 1;
inline constexpr quint8 PassphraseBoxAlgArgon2id13 = 2;

/// Whether `passphrase` is acceptable for protecting something new. The rules, on the passphrase
/// normalised to NFC and with surrounding white space left out of the count: at least
/// PassphraseMinimumLength Unicode code points (so "é" typed as e + combining accent, or an emoji,
/// counts once), and not one character repeated. A refusal is an InvalidInput error whose message
/// says what is wrong in a sentence for the person. (The white space still belongs to the
/// passphrase: only the rules ignore it, see sealWithPassphrase.)
[[nodiscard]] Result<void> checkPassphrase(const QString &passphrase);

/// Seals `plaintext` under a key derived from `passphrase` into a self-describing box (the layout
/// above), with a fresh random salt and nonce. The passphrase must pass checkPassphrase; it is
/// normalised to NFC (so the same passphrase typed on another system, which may compose accents
/// differently, opens it) and used otherwise exactly as given, white space included, as UTF-8.
///
/// Slow on purpose (see PassphraseStrength) and memory hungry: call it from a worker thread, never
/// the GUI thread. Thread-safe. A derivation that cannot get its memory is a Crypto error.
[[nodiscard]] Result<QByteArray> sealWithPassphrase(QByteArrayView plaintext, const QString &passphrase,
                                                    PassphraseStrength strength = PassphraseStrength::Moderate);

/// Opens a box made by sealWithPassphrase. Errors:
/// - InvalidInput: not a passphrase box (too short for the header and tag, unknown magic, version
///   or algorithm), or a header asking for costs outside the presets (opslimit and memlimit must
///   each lie between the Interactive and the Sensitive values). These are refused before any key
///   is derived, so a crafted header can neither exhaust memory nor keep the CPU busy.
/// - Crypto: the passphrase is wrong or a byte was changed (the two are indistinguishable by
///   design), or the derivation could not get its memory.
/// The passphrase rules are not applied here: any passphrase that sealed a box must open it.
/// Slow like sealing; call it from a worker thread. Thread-safe.
[[nodiscard]] Result<SecureBytes> openWithPassphrase(QByteArrayView box, const QString &passphrase);

} // namespace confab::crypto
