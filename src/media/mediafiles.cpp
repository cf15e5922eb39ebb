#include "media/mediafiles.h"

#include "crypto/base64.h"
#include "crypto/mediastream.h"
#include "crypto/securebytes.h"
#include "media/mediadecoder.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QMimeDatabase>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUuid>

namespace confab::media {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("confab::media", text);
}

bool invisibleOrControl(QChar c)
{
    const char16_t u = c.unicode();
    if (u < 0x20 || u == 0x7f)
        return true;
    // Bidirectional marks, embeddings, overrides and isolates; zero-width characters.
    return (u >= 0x200b && u <= 0x200f) || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) ||
           u == 0xfeff || c.category() == QChar::Other_Format;
}

} // namespace

QString safeFileName(const QString &name, const QString &mimeType, const QString &fallback)
{
    QString base = name;
    const qsizetype cut = std::max(base.lastIndexOf(QLatin1Char('/')), base.lastIndexOf(QLatin1Char('\\')));
    if (cut >= 0)
        base = base.mid(cut + 1);
    QString clean;
    clean.reserve(base.size());
    for (QChar c : std::as_const(base)) {
        if (invisibleOrControl(c))
            continue;
        static const QString reserved = QStringLiteral(":*?\"<>|");
        clean.append(reserved.contains(c) ? QLatin1Char('_') : c);
    }
    clean = clean.trimmed();
    while (clean.startsWith(QLatin1Char('.')))
        clean.remove(0, 1);
    while (clean.endsWith(QLatin1Char('.')) || clean.endsWith(QLatin1Char(' ')))
        clean.chop(1);
    static const QRegularExpression device(QStringLiteral("^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?$"),
                                                          QRegularExpression::CaseInsensitiveOption);
    if (device.match(clean).hasMatch())
        clean.prepend(QLatin1Char('_'));
    if (clean.isEmpty())
        clean = fallback;
    if (!mimeType.isEmpty()) {
        const QMimeType type = QMimeDatabase().mimeTypeForName(mimeType);
        const QStringList suffixes = type.suffixes();
        bool fits = suffixes.isEmpty();
        for (const QString &s : suffixes)
            fits = fits || clean.endsWith(QLatin1Char('.') + s, Qt::CaseInsensitive);
        if (!fits)
            clean += QLatin1Char('.') + type.preferredSuffix();
    }
    if (clean.size() > 120) {
        const qsizetype dot = clean.lastIndexOf(QLatin1Char('.'));
        const QString suffix = dot > 0 && clean.size() - dot <= 16 ? clean.mid(dot) : QString();
        clean = clean.left(120 - suffix.size()) + suffix;
    }
    return clean;
}

Result<store::Attachment> describeFile(const QString &path)
{
    const QFileInfo info(path);
    const QString shown = info.fileName();
    if (!info.exists())
        return Error(ErrorKind::NotFound, tr("%1 is not there any more.").arg(shown), path);
    if (info.isDir())
        return Error(ErrorKind::InvalidInput, tr("%1 is a folder: only files can be sent.").arg(shown), path);
    if (!info.isFile() || !info.isReadable())
        return Error(ErrorKind::InvalidInput, tr("%1 cannot be read.").arg(shown), path);
    if (info.size() == 0)
        return Error(ErrorKind::InvalidInput, tr("%1 is empty.").arg(shown), path);
    if (info.size() > MaxFileBytes)
        return Error(ErrorKind::InvalidInput, tr("%1 is too large to send: files can have at most 200 MB.").arg(shown),
                     QStringLiteral("%1 bytes").arg(info.size()));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorKind::InvalidInput, tr("%1 cannot be read.").arg(shown), file.errorString());
    const QByteArray head = file.read(64 * 1024);
    file.close();
    QMimeDatabase db;
    QMimeType type = db.mimeTypeForData(head);
    // Content says "some bytes" or "some text": the name may know better (a .csv, a .json).
    if (type.isDefault() || type.name() == QLatin1String("text/plain"))
        type = db.mimeTypeForFileNameAndData(shown, head);
    store::Attachment a;
    a.mimeType = type.name();
    a.fileName = safeFileName(shown, QString());
    a.sizeBytes = info.size();
    if (a.mimeType.startsWith(QLatin1String("image/")) && a.mimeType != QLatin1String("image/svg+xml")) {
        QImageReader reader(path);
        const QSize size = reader.size();
        if (size.isValid()) {
            a.width = size.width();
            a.height = size.height();
        }
    }
    a.extra.insert(QStringLiteral("localPath"), info.absoluteFilePath());
    return a;
}

Result<store::Attachment> stagePicture(const QImage &image, const QString &folder, const QString &fileName)
{
    if (image.isNull())
        return Error(ErrorKind::InvalidInput, tr("The clipboard holds no picture."));
    QByteArray png;
    {
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, "png");
        if (!writer.write(image))
            return Error(ErrorKind::Internal, tr("The picture could not be prepared for sending."),
                         writer.errorString());
    }
    if (png.size() > MaxFileBytes)
        return Error(ErrorKind::InvalidInput, tr("The picture is too large to send: at most 200 MB."));
    if (!QDir().mkpath(folder))
        return Error(ErrorKind::Storage, tr("Confab could not keep the picture until it is sent."), folder);
    QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const crypto::SecureBytes key = crypto::SecureBytes::random(32);
    const QString path =
        folder + QLatin1Char('/') + QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".enc");
    QBuffer in(&png);
    in.open(QIODevice::ReadOnly);
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return Error(ErrorKind::Storage, tr("Confab could not keep the picture until it is sent."), out.errorString());
    auto sealed = crypto::encryptMedia(in, out, key);
    if (!sealed)
        return sealed.error();
    if (!out.commit())
        return Error(ErrorKind::Storage, tr("Confab could not keep the picture until it is sent."), out.errorString());
    store::Attachment a;
    a.fileName = safeFileName(fileName, QStringLiteral("image/png"), QStringLiteral("picture"));
    a.mimeType = QStringLiteral("image/png");
    a.sizeBytes = png.size();
    a.width = image.width();
    a.height = image.height();
    a.extra.insert(QStringLiteral("localPath"), path);
    a.extra.insert(QStringLiteral("localKey"), QString::fromLatin1(crypto::base64::encodePadded(key.toByteArray())));
    png.fill('\0');
    return a;
}

Result<QByteArray> readLocalFile(const QString &path, const QByteArray &localKey, qint64 maxBytes)
{
    if (!localKey.isEmpty()) {
        Limits limits;
        limits.maxCiphertextBytes = crypto::mediaCiphertextSize(maxBytes);
        return decryptFile(path, crypto::SecureBytes(QByteArrayView(localKey)), limits);
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorKind::NotFound, tr("The file is not there any more."), file.errorString());
    if (file.size() > maxBytes)
        return Error(ErrorKind::InvalidInput, tr("The file is too large to open here."),
                     QStringLiteral("%1 bytes").arg(file.size()));
    QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Error(ErrorKind::Storage, tr("The file could not be read."), file.errorString());
    return bytes;
}

Result<QString> writePrivateCopy(const QByteArray &bytes, const QString &folder, const QString &name)
{
    if (!QDir().mkpath(folder))
        return Error(ErrorKind::Storage, tr("Confab could not make a copy of the file."), folder);
    QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString safe = safeFileName(name, detectType(bytes));
    // Each copy in a folder of its own, so that the file keeps its name.
    QString dir;
    for (int i = 0; i < 1000; ++i) {
        dir = folder + QLatin1Char('/') + QString::number(i);
        if (QDir().mkdir(dir))
            break;
        dir.clear();
    }
    if (dir.isEmpty())
        return Error(ErrorKind::Storage, tr("Confab could not make a copy of the file."), folder);
    const QString path = dir + QLatin1Char('/') + safe;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return Error(ErrorKind::Storage, tr("Confab could not make a copy of the file."), file.errorString());
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(bytes) != bytes.size())
        return Error(ErrorKind::Storage, tr("Confab could not make a copy of the file."), file.errorString());
    file.close();
    return path;
}

} // namespace confab::media
