#pragma once

#include "store/types.h"

#include <QString>
#include <QUrl>

namespace confab::accounts {

/// What Confab remembers about an account between runs, outside the keychain: nothing secret.
/// Kept in the profile's settings by AccountRegistry.
struct AccountRecord
{
    /// Stable local name: "<kind>:<user id>@<server host:port>", unique per profile.
    QString key;
    store::AccountKind kind = store::AccountKind::XChat;
    QUrl server;      ///< the API's base URL (https://api.x.com, or a confab-localserver)
    QString clientId; ///< the OAuth client the tokens belong to
    QString userId;
    QString username;
    QString displayName;
    bool keysBackedUp = false; ///< the person exported a key backup of this device's keys
    bool signedOut = false;    ///< kept in the list to sign in again; no secrets left

    [[nodiscard]] static QString makeKey(store::AccountKind kind, const QString &userId, const QUrl &server);
};

} // namespace confab::accounts
