#pragma once

#include "core/result.h"
#include "store/types.h"

#include <QByteArray>
#include <QImage>
#include <QString>

namespace confab::media {

/// The largest file Confab sends or opens (plaintext bytes).
inline constexpr qint64 MaxFileBytes = 200LL * 1024 * 1024;

/// A file name that is safe to create in a folder, whoever chose it: only the last path
/// component; no control or bidirectional-override characters (which can disguise "exe.jpg" as
/// "gpj.exe"); none of / \ : * ? " < > |; no leading dots (hidden) or trailing dots and spaces;
/// not a reserved device name; at most 120 characters with the extension kept. When `mimeType`
/// (detected from the content) has file suffixes and the name ends in none of them, its usual
/// suffix is added, so that a picture named "run.desktop" is saved as "run.desktop.png" and opens
/// as what it is. Empty or nothing left: `fallback`.
[[nodiscard]] QString safeFileName(const QString &name, const QString &mimeType = {},
                                   const QString &fallback = QStringLiteral("file"));

/// Describes a file the person chose to send, as the engines take it: a safe fileName, the
/// mimeType found from the content, sizeBytes, width and height for pictures (read from the
/// header, nothing decoded) and `extra.localPath`. Refuses folders, unreadable, empty and too
/// large files with a sentence that names the file. Touches the disk: any thread but the GUI's.
[[nodiscard]] Result<store::Attachment> describeFile(const QString &path);

/// Keeps a picture that exists only in memory (pasted) until it is sent: PNG, encrypted with a
/// fresh key (X's secretstream) into `folder`. The Attachment names the file in
/// `extra.localPath` and carries the key, base64, in `extra.localKey` (sealed with the rest of
/// the outbox). Any thread but the GUI's.
[[nodiscard]] Result<store::Attachment> stagePicture(const QImage &image, const QString &folder,
                                                     const QString &fileName);

/// The plaintext of a local attachment source: the person's own file, or a staged one
/// (`localKey` not empty) decrypted. At most `maxBytes`. Any thread but the GUI's.
[[nodiscard]] Result<QByteArray> readLocalFile(const QString &path, const QByteArray &localKey,
                                               qint64 maxBytes = MaxFileBytes);

/// Writes `bytes` to `folder`/`name` (made safe, made unique), readable by this user only: for
/// a drag out or an "open with". The path written. Any thread but the GUI's.
[[nodiscard]] Result<QString> writePrivateCopy(const QByteArray &bytes, const QString &folder, const QString &name);

} // namespace confab::media
