#pragma once

#include "core/result.h"
#include "crypto/passphrasebox.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace confab::crypto {

/// What an X Chat key backup holds: the 64-byte backup blob (identity and signing private keys,
/// see IdentityKeys::backupBlob) with the user id and key version it belongs to.
struct KeyBackupContents
{
    QString userId;         ///< the X user id the keys belong to; not empty, at most 1024 UTF-8 bytes
    QString keyVersion;     ///< the key version X published them under; not empty, at most 1024 UTF-8 bytes
    qint64 createdMs = 0;   ///< when the backup was made (ms since the epoch), written as given
    SecureBytes backupBlob; ///< identity(32) || signing(32), both valid P-256 private scalars
};

/// The armor lines of an exported key backup.
inline constexpr char KeyBackupBeginLine[] = "-----BEGIN CONFAB KEY BACKUP-----";
inline constexpr char KeyBackupEndLine[] = "-----END CONFAB KEY BACKUP-----";

/// Exports a key backup as text a person can save or print:
///
///     -----BEGIN CONFAB KEY BACKUP-----
///     <standard padded base64 of a passphrase box, wrapped at 64 columns>
///     -----END CONFAB KEY BACKUP-----
///
/// The box (see passphrasebox.h: Argon2id at `strength`, XChaCha20-Poly1305, header
/// authenticated) seals this structure, integers big-endian:
///
///     magic "CFKB" (4) | version 1 (1) | createdMs (i64, 8)
///     | userId length (u16) | userId UTF-8 | keyVersion length (u16) | keyVersion UTF-8
///     | blob length (u16, 64) | blob (64)
///
/// The plaintext is built in protected memory only. Refuses (InvalidInput) an empty or overlong
/// user id or key version, a blob that is not 64 bytes or does not hold two valid private keys,
/// and a passphrase that fails checkPassphrase. Slow like sealWithPassphrase: call it from a worker
/// thread.
[[nodiscard]] Result<QByteArray> exportKeyBackup(const KeyBackupContents &contents, const QString &passphrase,
                                                 PassphraseStrength strength = PassphraseStrength::Moderate);

/// Reads a key backup made by exportKeyBackup. The armor may be surrounded by other text (white
/// space, a note, an e-mail around it); inside it, line breaks (LF or CRLF) and other white space
/// are ignored. Errors:
/// - InvalidInput: no armor ("not a Confab key backup"), no end line or a damaged body, a box
///   that is not a version this Confab reads, or contents that are not a key backup (unknown
///   layout, a blob that is not 64 bytes or not two valid keys);
/// - Crypto: the passphrase is wrong or the backup was changed (see openWithPassphrase).
/// Slow like openWithPassphrase: call it from a worker thread.
[[nodiscard]] Result<KeyBackupContents> importKeyBackup(QByteArrayView text, const QString &passphrase);

} // namespace confab::crypto
