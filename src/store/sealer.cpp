#include "store/sealer.h"

#include "crypto/secretbox.h"

#include <QCborValue>
#include <QPromise>

namespace confab::store {

QFuture<Result<crypto::SecureBytes>> FixedSealingKey::sealingKey()
{
    QPromise<Result<crypto::SecureBytes>> promise;
    QFuture<Result<crypto::SecureBytes>> future = promise.future();
    promise.start();
    if (m_key.size() == SealingKeySize)
        promise.addResult(Result<crypto::SecureBytes>(m_key));
    else
        promise.addResult(Result<crypto::SecureBytes>(
            Error(ErrorKind::Internal, QStringLiteral("The message store's key has the wrong size."))));
    promise.finish();
    return future;
}

QByteArray Sealer::seal(QByteArrayView plaintext) const
{
    if (plaintext.isEmpty())
        return {};
    Result<QByteArray> box = crypto::sealSecretBox(plaintext, m_key);
    // Sealing only fails for a key of the wrong size, which open() refuses up front.
    Q_ASSERT(box.ok());
    return box.ok() ? std::move(box).value() : QByteArray();
}

QByteArray Sealer::sealString(const QString &text) const
{
    QByteArray utf8 = text.toUtf8();
    QByteArray sealed = seal(utf8);
    crypto::wipe(utf8);
    return sealed;
}

QByteArray Sealer::sealCbor(const QCborMap &map) const
{
    if (map.isEmpty())
        return {};
    QByteArray encoded = map.toCborValue().toCbor();
    QByteArray sealed = seal(encoded);
    crypto::wipe(encoded);
    return sealed;
}

Result<QByteArray> Sealer::open(QByteArrayView sealed) const
{
    if (sealed.isEmpty())
        return QByteArray();
    return crypto::openSecretBox(sealed, m_key);
}

Result<QString> Sealer::openString(QByteArrayView sealed) const
{
    Result<QByteArray> plain = open(sealed);
    if (!plain)
        return plain.error();
    QByteArray bytes = std::move(plain).value();
    QString text = QString::fromUtf8(bytes);
    crypto::wipe(bytes);
    return text;
}

Result<QCborMap> Sealer::openCbor(QByteArrayView sealed) const
{
    Result<QByteArray> plain = open(sealed);
    if (!plain)
        return plain.error();
    QByteArray bytes = std::move(plain).value();
    if (bytes.isEmpty())
        return QCborMap();
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(bytes, &error);
    crypto::wipe(bytes);
    if (error.error != QCborError::NoError || !value.isMap())
        return Error(ErrorKind::Storage,
                     QStringLiteral("A stored record is damaged."),
                                    QStringLiteral("sealed value is not a CBOR map: %1").arg(error.errorString()));
    return value.toMap();
}

} // namespace confab::store
