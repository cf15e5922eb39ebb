#include "media/mediadecoder.h"

#include "crypto/mediastream.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QImageReader>
#include <QMimeDatabase>

namespace confab::media {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("confab::media", text);
}

} // namespace

Result<QByteArray> decryptFile(const QString &path, const crypto::SecureBytes &key, const Limits &limits)
{
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return Error(ErrorKind::Storage, tr("Confab could not read the downloaded file."),
                     QStringLiteral("%1: %2").arg(path, in.errorString()));
    if (in.size() > limits.maxCiphertextBytes)
        return Error(ErrorKind::InvalidInput,
                     tr("This attachment is too large to open here (%1 MB). Save it to open it with another "
                        "app.")
                         .arg(in.size() / (1024 * 1024)),
                     QStringLiteral("%1 bytes > %2").arg(in.size()).arg(limits.maxCiphertextBytes));
    QByteArray plain;
    plain.reserve(static_cast<qsizetype>(in.size()));
    QBuffer out(&plain);
    out.open(QIODevice::WriteOnly);
    const Result<qint64> done = crypto::decryptMedia(in, out, key);
    if (!done) {
        plain.fill('\0');
        return Error(ErrorKind::Crypto, tr("This attachment could not be decrypted (it is damaged or incomplete)."),
                     done.error().toString());
    }
    return plain;
}

QString detectType(const QByteArray &bytes)
{
    return QMimeDatabase().mimeTypeForData(bytes).name();
}

Result<Picture> decodePicture(const QByteArray &bytes, QSize requested, const Limits &limits)
{
    const QString type = detectType(bytes);
    static const QStringList raster{
        QStringLiteral("image/png"),    QStringLiteral("image/jpeg"),
                                                       QStringLiteral("image/gif"),    QStringLiteral("image/webp"),
                                                                                                      QStringLiteral("image/bmp"),    QStringLiteral("image/tiff"),
                                                                                                                                             QStringLiteral("image/x-icon"), QStringLiteral("image/vnd.microsoft.icon")};
    if (!raster.contains(type))
        return Error(ErrorKind::InvalidInput, tr("This attachment is not a picture Confab shows."),
                     QStringLiteral("detected %1").arg(type));
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    reader.setDecideFormatFromContent(true);
    const QSize full = reader.size();
    if (!full.isValid() || full.isEmpty())
        return Error(ErrorKind::InvalidInput, tr("This picture is damaged."),
                     QStringLiteral("no size: %1").arg(reader.errorString()));
    if (static_cast<qint64>(full.width()) * full.height() > limits.maxPixels)
        return Error(
            ErrorKind::InvalidInput,
            tr("This picture is too large to show (%1 × %2 pixels).").arg(full.width()).arg(full.height()),
            QStringLiteral("%1 pixels > %2").arg(static_cast<qint64>(full.width()) * full.height()).arg(limits.maxPixels));
    if (requested.isValid() && !requested.isEmpty() &&
        (full.width() > requested.width() || full.height() > requested.height()))
        reader.setScaledSize(full.scaled(requested, Qt::KeepAspectRatio));
    Picture picture;
    picture.fullSize = full;
    picture.mimeType = type;
    if (!reader.read(&picture.image))
        return Error(ErrorKind::InvalidInput, tr("This picture is damaged."), reader.errorString());
    return picture;
}

} // namespace confab::media
