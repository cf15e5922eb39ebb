#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QImage>
#include <QSize>
#include <QString>

namespace confab::media {

/// How much a received attachment may cost to open. A sender controls every byte, so nothing is
/// decoded before these are checked.
struct Limits
{
    qint64 maxCiphertextBytes = 200LL * 1024 * 1024; ///< larger files are not decrypted into memory
    qint64 maxPixels = 100'000'000;                  ///< width x height a picture may declare
};

/// Decrypts a whole ciphertext file (X's secretstream media format) into memory. Never writes
/// plaintext anywhere. Any thread. A truncated or tampered file is a Crypto error that says the
/// attachment could not be decrypted.
[[nodiscard]] Result<QByteArray> decryptFile(const QString &path, const crypto::SecureBytes &key,
                                             const Limits &limits = {});

/// What the bytes are, from their content (never the sender's claim): a MIME type name.
[[nodiscard]] QString detectType(const QByteArray &bytes);

/// A decoded picture.
struct Picture
{
    QImage image;
    QSize fullSize;   ///< as the file declares it
    QString mimeType; ///< detected
};

/// Decodes a picture, scaled to fit `requested` (each side; an empty size: full size). Refuses
/// what is not a raster picture (SVG, which can reference and compute, included), and a picture
/// whose declared size is beyond `limits` (a decompression bomb) before decoding a pixel. Any
/// thread.
[[nodiscard]] Result<Picture> decodePicture(const QByteArray &bytes, QSize requested, const Limits &limits = {});

} // namespace confab::media
