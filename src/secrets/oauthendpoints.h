#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

namespace confab::secrets {

/// Where an OAuth 2.0 sign-in happens (spec §9) and who signs in: the authorization server's
/// endpoints, the app's public client id (native apps have no secret) and the scopes it asks for.
struct OAuthEndpoints
{
    QUrl authorizeUrl; ///< the page the browser opens
    QUrl tokenUrl;     ///< code exchange and refresh (form-encoded POST)
    QUrl revokeUrl;    ///< RFC 7009 revocation
    QString clientId;
    QStringList scopes = defaultScopes();

    /// What a chat client asks for: `dm.read dm.write users.read tweet.read media.write
    /// offline.access` (offline.access brings the refresh token).
    [[nodiscard]] static QStringList defaultScopes();
    /// X itself: https://x.com/i/oauth2/authorize, https://api.x.com/2/oauth2/token and …/revoke.
    [[nodiscard]] static OAuthEndpoints forX(const QString &clientId);
    /// confab-localserver (or anything that speaks like it) at `base`: base + /i/oauth2/authorize,
    /// /2/oauth2/token, /2/oauth2/revoke.
    [[nodiscard]] static OAuthEndpoints forServer(const QUrl &base, const QString &clientId);

    /// The scopes as the authorize request spells them (space-separated).
    [[nodiscard]] QString scopeString() const { return scopes.join(QLatin1Char(' ')); }
    /// All three endpoints are valid http(s) URLs and there is a client id.
    [[nodiscard]] bool isValid() const;
};

} // namespace confab::secrets
