#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"
#include "net/httperror.h"
#include "secrets/oauthendpoints.h"
#include "secrets/oauthtokens.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <qcoro/qcorotask.h>

#include <functional>
#include <utility>

namespace confab::net {
class Cancellation;
class HttpClient;
} // namespace confab::net

namespace confab::secrets {

/// The token side of OAuth 2.0 for a public (native) client, spec §9: the authorize URL, the
/// code exchange with its PKCE verifier, refresh and revocation. Requests go through a
/// net::HttpClient (https, or http on loopback only) without an Authorization header; nothing
/// here logs a token, a code or a verifier.
///
/// The coroutines do not touch the client after their request finished, so destroying the client
/// while one waits is safe: it ends with ErrorKind::Cancelled.
class OAuthClient : public QObject
{
    Q_OBJECT
public:
    enum class TokenKind { AccessToken, RefreshToken };

    explicit OAuthClient(OAuthEndpoints endpoints, QObject *parent = nullptr);
    ~OAuthClient() override;

    [[nodiscard]] const OAuthEndpoints &endpoints() const { return m_endpoints; }
    /// Sees the outcome of every request to the token and revoke endpoints (tests, diagnostics;
    /// an Outcome carries no request, so no token).
    void setObserver(std::function<void(const net::Outcome &)> observer);

    /// The page the browser opens for one sign-in: response_type=code, client_id, redirect_uri,
    /// scope, state, code_challenge, code_challenge_method=S256 and, if given, login_hint.
    [[nodiscard]] QUrl authorizeUrl(const QUrl &redirectUri, const QString &state, const QString &challenge,
                                    const QString &loginHint = {}) const;

    /// Redeems an authorization code (grant_type=authorization_code) with its PKCE verifier.
    /// A refused code is an Unauthorized error.
    [[nodiscard]] QCoro::Task<Result<OAuthTokens>> exchangeCode(QString code, QUrl redirectUri,
                                                                crypto::SecureBytes verifier,
                                                                QPointer<net::Cancellation> cancellation = {});
    /// New tokens for a refresh token (grant_type=refresh_token). When the answer carries no new
    /// refresh token the old one stays. A refresh token the server no longer accepts
    /// (invalid_grant: revoked, expired, already used) is an Unauthorized error that says to sign
    /// in again; a failure to reach the server keeps its own (transient) kind.
    [[nodiscard]] QCoro::Task<Result<OAuthTokens>> refresh(QString refreshToken,
                                                           QPointer<net::Cancellation> cancellation = {});
    /// Revokes a token (RFC 7009). On X and confab-localserver this ends the whole sign-in the
    /// token belongs to.
    [[nodiscard]] QCoro::Task<Result<void>> revoke(QString token, TokenKind kind = TokenKind::AccessToken);

    /// A token endpoint's success body, read strictly: a JSON object with a non-empty string
    /// `access_token`, `token_type` bearer, a positive numeric `expires_in` if present, string
    /// `scope` and `refresh_token` if present. Anything else is a Protocol error. `sentAtMs` is
    /// when the request left (expiry counts from then); a missing scope is `requestedScope`.
    [[nodiscard]] static Result<OAuthTokens> parseTokenResponse(const QByteArray &body, qint64 sentAtMs,
                                                                const QString &requestedScope);
    /// `application/x-www-form-urlencoded` with everything but unreserved characters
    /// percent-encoded (so '+', '&', '=' and spaces survive any reader).
    [[nodiscard]] static QByteArray formEncode(const QList<std::pair<QString, QString>> &fields);

private:
    OAuthEndpoints m_endpoints;
    net::HttpClient *m_tokenHttp = nullptr;
    net::HttpClient *m_revokeHttp = nullptr; ///< m_tokenHttp when both endpoints share an origin
};

} // namespace confab::secrets
