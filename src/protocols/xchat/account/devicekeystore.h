#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QFuture>
#include <QHash>
#include <QString>

#include <optional>

namespace confab::xchat {

/// This device's X Chat keys as the secrets layer keeps them: the 64-byte backup blob (identity
/// and signing private keys) and the version the server registered them under.
struct DeviceKeys
{
    crypto::SecureBytes backupBlob;
    QString keyVersion;
};

/// Where an account's private keys live between runs: the OS keychain (src/secrets), or only
/// memory when there is no keychain. Called on the account's thread.
class DeviceKeyStore
{
public:
    virtual ~DeviceKeyStore() = default;
    /// The keys saved for `userId`, or none.
    [[nodiscard]] virtual QFuture<Result<std::optional<DeviceKeys>>> load(const QString &userId) = 0;
    [[nodiscard]] virtual QFuture<Result<void>> save(const QString &userId, const DeviceKeys &keys) = 0;
    [[nodiscard]] virtual QFuture<Result<void>> remove(const QString &userId) = 0;
};

/// Keys kept for this session only (no keychain): gone when the app quits.
class SessionDeviceKeyStore final : public DeviceKeyStore
{
public:
    [[nodiscard]] QFuture<Result<std::optional<DeviceKeys>>> load(const QString &userId) override;
    [[nodiscard]] QFuture<Result<void>> save(const QString &userId, const DeviceKeys &keys) override;
    [[nodiscard]] QFuture<Result<void>> remove(const QString &userId) override;

private:
    QHash<QString, DeviceKeys> m_keys;
};

} // namespace confab::xchat
