#pragma once

#include "core/result.h"
#include "net/authprovider.h"
#include "secrets/oauthtokens.h"

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QString>
#include <qcoro/qcorotask.h>

#include <memory>
#include <optional>
#include <vector>

template<typename T>
class QPromise;

namespace confab::secrets {

class OAuthClient;

/// An account's Bearer tokens for net::HttpClient: hands out the access token, refreshes it
/// shortly before it expires and once after the server refused it (401), and tells the app when
/// the person has to sign in again. Lives on the HttpClient's thread (the contract of
/// net::AuthProvider).
///
/// - Single flight: however many requests ask at once, one refresh goes to the server; they all
///   get its answer.
/// - Every refresh is announced with tokensChanged(): the refresh token rotates, so the caller
///   must store the new one (the keychain) or the next start cannot sign in silently.
/// - When refreshing is impossible (no refresh token, or the server refuses it: revoked, expired,
///   reused) signInRequired() is emitted once and every caller gets an Unauthorized error, at once
///   and without asking the server again, until setTokens() brings a new sign-in.
/// - A refresh that fails for a transient reason (no network, server trouble) fails the callers
///   with that error but keeps the tokens; an access token that is still valid is handed out
///   instead of failing.
class OAuthTokenProvider : public QObject, public net::AuthProvider
{
    Q_OBJECT
public:
    /// How long before expiry a token is refreshed by default.
    static constexpr qint64 DefaultRefreshSkewMs = 5 * 60 * 1000;

    /// `client` does the refreshing; it must outlive the provider (or refreshes fail as Cancelled).
    OAuthTokenProvider(OAuthClient *client, OAuthTokens tokens, QObject *parent = nullptr);
    ~OAuthTokenProvider() override;

    [[nodiscard]] const OAuthTokens &tokens() const { return m_tokens; }
    /// New tokens (a new sign-in): clears the "sign in again" state. Does not emit tokensChanged.
    void setTokens(OAuthTokens tokens);
    void setRefreshSkewMs(qint64 ms) { m_skewMs = ms; }
    [[nodiscard]] qint64 refreshSkewMs() const { return m_skewMs; }
    /// True after signInRequired() until setTokens().
    [[nodiscard]] bool needsSignIn() const { return m_needsSignIn; }
    [[nodiscard]] bool isRefreshing() const { return m_refreshing; }

    [[nodiscard]] QFuture<Result<QString>> accessToken() override;
    [[nodiscard]] QFuture<Result<QString>> refreshAfterRejection(const QString &rejected) override;

Q_SIGNALS:
    /// A refresh brought new tokens (with a rotated refresh token): store them.
    void tokensChanged(const confab::secrets::OAuthTokens &tokens);
    /// The tokens can no longer be refreshed: the person must sign in again.
    void signInRequired(const confab::Error &error);

private:
    /// A caller waiting for the refresh in flight. A caller that asked early (its token still
    /// works until `fallbackExpiresAtMs`) gets `fallback` if the refresh fails transiently.
    struct Waiter
    {
        std::shared_ptr<QPromise<Result<QString>>> promise;
        QString fallback;
        qint64 fallbackExpiresAtMs = 0;
    };

    /// Waits for the refresh in flight, starting one if there is none.
    QFuture<Result<QString>> joinRefresh(QString fallback = {}, qint64 fallbackExpiresAtMs = 0);
    QCoro::Task<> runRefresh();
    /// Enters the "sign in again" state (once) and returns the error for the callers.
    Error requireSignIn(Error error);
    [[nodiscard]] Error signInError(const QString &detail) const;

    QPointer<OAuthClient> m_client;
    OAuthTokens m_tokens;
    qint64 m_skewMs = DefaultRefreshSkewMs;
    bool m_needsSignIn = false;
    quint64 m_generation = 0;
    std::optional<Error> m_signInError;
    bool m_refreshing = false;
    std::vector<Waiter> m_waiters; ///< of the refresh in flight
};

} // namespace confab::secrets
