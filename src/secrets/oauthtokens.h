#pragma once

#include <QDebug>
#include <QMetaType>
#include <QString>

namespace confab::secrets {

/// What a sign-in or a refresh gives: the Bearer token for requests and, with `offline.access`,
/// the refresh token that gets the next one. Both are secrets: they go to the keychain, never to
/// a log (printing shows only their lengths) or a settings file.
struct OAuthTokens
{
    QString accessToken;
    QString refreshToken; ///< empty when the server gave none (no offline.access)
    /// When the access token stops working, in ms since the epoch by this machine's clock;
    /// 0 when the server did not say (it is then used until it is refused).
    qint64 expiresAtMs = 0;
    QString scope; ///< space-separated, as granted
    QString tokenType = QStringLiteral("bearer");

    [[nodiscard]] bool hasRefreshToken() const { return !refreshToken.isEmpty(); }
    /// True when the access token has expired or will within `marginMs` of `nowMs`. A token
    /// without a known expiry never expires by the clock.
    [[nodiscard]] bool expiresWithin(qint64 marginMs, qint64 nowMs) const
    {
        return expiresAtMs != 0 && expiresAtMs - nowMs <= marginMs;
    }
    [[nodiscard]] bool hasScope(const QString &name) const;

    friend bool operator==(const OAuthTokens &, const OAuthTokens &) = default;
};

/// Lengths, expiry and scope only: never the tokens themselves.
QDebug operator<<(QDebug debug, const OAuthTokens &tokens);

} // namespace confab::secrets

Q_DECLARE_METATYPE(confab::secrets::OAuthTokens)
