#pragma once

#include <QString>

namespace confab::accounts {

/// The names of Confab's entries in a profile's SecretStore. Every secret an account owns is
/// listed by `accountSecrets`, so signing out can wipe them all.
namespace secretnames {

/// The store's sealing key (32 bytes), one per profile.
inline QString sealingKey()
{
    return QStringLiteral("store/sealing-key");
}

/// An account's OAuth tokens (access, refresh, expiry, scope), as one entry.
inline QString tokens(const QString &accountKey)
{
    return QStringLiteral("account/%1/tokens").arg(accountKey);
}

/// An X Chat user's device keys: the backup blob (identity + signing private keys) and version.
inline QString xchatDeviceKeys(const QString &userId)
{
    return QStringLiteral("xchat/%1/device-keys").arg(userId);
}

} // namespace secretnames

} // namespace confab::accounts
