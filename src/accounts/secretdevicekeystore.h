#pragma once

#include "protocols/xchat/account/devicekeystore.h"
#include "secrets/secretstore.h"

namespace confab::accounts {

/// An X Chat account's device keys in the profile's SecretStore (the keychain, normally): one
/// entry per user, `1 | u16 version length | version (UTF-8) | 64-byte backup blob`, built and
/// read in locked memory.
class SecretDeviceKeyStore final : public xchat::DeviceKeyStore
{
public:
    explicit SecretDeviceKeyStore(secrets::SecretStore &secrets) : m_secrets(secrets) {}

    [[nodiscard]] QFuture<Result<std::optional<xchat::DeviceKeys>>> load(const QString &userId) override;
    [[nodiscard]] QFuture<Result<void>> save(const QString &userId, const xchat::DeviceKeys &keys) override;
    [[nodiscard]] QFuture<Result<void>> remove(const QString &userId) override;

    /// The entry's bytes for `keys`, and back (exposed for tests).
    [[nodiscard]] static crypto::SecureBytes encode(const xchat::DeviceKeys &keys);
    [[nodiscard]] static Result<xchat::DeviceKeys> decode(const crypto::SecureBytes &entry);

private:
    secrets::SecretStore &m_secrets;
};

} // namespace confab::accounts
