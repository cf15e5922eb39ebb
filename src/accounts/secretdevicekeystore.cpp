#include "accounts/secretdevicekeystore.h"

#include "accounts/secretnames.h"

#include <cstring>

namespace confab::accounts {

namespace {

constexpr unsigned char FormatVersion = 1;
constexpr std::size_t BlobSize = 64;

Error damaged(const QString &detail)
{
    return Error(ErrorKind::Keychain,
                 QStringLiteral("This device's X Chat keys in the keychain are damaged. Restore them from a backup "
                                "or sign in again."),
                                detail);
}

} // namespace

crypto::SecureBytes SecretDeviceKeyStore::encode(const xchat::DeviceKeys &keys)
{
    const QByteArray version = keys.keyVersion.toUtf8();
    const auto versionSize = static_cast<std::size_t>(version.size());
    crypto::SecureBytes out(1 + 2 + versionSize + keys.backupBlob.size());
    unsigned char *p = out.data();
    p[0] = FormatVersion;
    p[1] = static_cast<unsigned char>((versionSize >> 8) & 0xff);
    p[2] = static_cast<unsigned char>(versionSize & 0xff);
    std::memcpy(p + 3, version.constData(), versionSize);
    if (!keys.backupBlob.isEmpty())
        std::memcpy(p + 3 + versionSize, keys.backupBlob.data(), keys.backupBlob.size());
    return out;
}

Result<xchat::DeviceKeys> SecretDeviceKeyStore::decode(const crypto::SecureBytes &entry)
{
    const unsigned char *p = entry.data();
    if (entry.size() < 3 || !p || p[0] != FormatVersion)
        return damaged(QStringLiteral("unknown device key entry format"));
    const std::size_t versionSize = (std::size_t(p[1]) << 8) | p[2];
    if (entry.size() != 3 + versionSize + BlobSize || versionSize == 0)
        return damaged(QStringLiteral("device key entry of %1 bytes").arg(entry.size()));
    xchat::DeviceKeys keys;
    keys.keyVersion = QString::fromUtf8(reinterpret_cast<const char *>(p + 3), static_cast<qsizetype>(versionSize));
    keys.backupBlob = crypto::SecureBytes(
        QByteArrayView(reinterpret_cast<const char *>(p + 3 + versionSize), static_cast<qsizetype>(BlobSize)));
    return keys;
}

QFuture<Result<std::optional<xchat::DeviceKeys>>> SecretDeviceKeyStore::load(const QString &userId)
{
    using Loaded = std::optional<xchat::DeviceKeys>;
    return m_secrets.read(secretnames::xchatDeviceKeys(userId))
        .then([](const Result<std::optional<crypto::SecureBytes>> &read) -> Result<Loaded> {
            if (!read)
                return read.error();
            if (!read.value())
                return Loaded();
            auto keys = decode(*read.value());
            if (!keys)
                return keys.error();
            return Loaded(std::move(keys).value());
        });
}

QFuture<Result<void>> SecretDeviceKeyStore::save(const QString &userId, const xchat::DeviceKeys &keys)
{
    return m_secrets.write(secretnames::xchatDeviceKeys(userId), encode(keys));
}

QFuture<Result<void>> SecretDeviceKeyStore::remove(const QString &userId)
{
    return m_secrets.remove(secretnames::xchatDeviceKeys(userId));
}

} // namespace confab::accounts
