#include "protocols/xchat/account/devicekeystore.h"

namespace confab::xchat {

QFuture<Result<std::optional<DeviceKeys>>> SessionDeviceKeyStore::load(const QString &userId)
{
    const auto it = m_keys.constFind(userId);
    std::optional<DeviceKeys> keys;
    if (it != m_keys.constEnd())
        keys = it.value();
    return QtFuture::makeReadyFuture(Result<std::optional<DeviceKeys>>(keys));
}

QFuture<Result<void>> SessionDeviceKeyStore::save(const QString &userId, const DeviceKeys &keys)
{
    m_keys.insert(userId, keys);
    return QtFuture::makeReadyFuture(Result<void>());
}

QFuture<Result<void>> SessionDeviceKeyStore::remove(const QString &userId)
{
    m_keys.remove(userId);
    return QtFuture::makeReadyFuture(Result<void>());
}

} // namespace confab::xchat
