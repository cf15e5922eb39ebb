#include "secrets/oauthtokenprovider.h"

#include "core/logging.h"
#include "secrets/oauthclient.h"

#include <QDateTime>
#include <QPromise>

namespace confab::secrets {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QFuture<Result<QString>> ready(Result<QString> result)
{
    return QtFuture::makeReadyFuture(std::move(result));
}

} // namespace

OAuthTokenProvider::OAuthTokenProvider(OAuthClient *client, OAuthTokens tokens, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_tokens(std::move(tokens))
{
    qRegisterMetaType<OAuthTokens>();
    qRegisterMetaType<Error>();
}

OAuthTokenProvider::~OAuthTokenProvider() = default;

void OAuthTokenProvider::setTokens(OAuthTokens tokens)
{
    m_tokens = std::move(tokens);
    ++m_generation; // a refresh in flight belongs to the old sign-in: its answer is dropped
    m_needsSignIn = false;
    m_signInError.reset();
}

Error OAuthTokenProvider::signInError(const QString &detail) const
{
    return Error(ErrorKind::Unauthorized, tr("Your sign-in has ended. Sign in again to keep using this account."),
                 QStringLiteral("token provider: ") + detail);
}

Error OAuthTokenProvider::requireSignIn(Error error)
{
    if (m_needsSignIn && m_signInError)
        return *m_signInError;
    if (error.kind() != ErrorKind::Unauthorized)
        error = Error(ErrorKind::Unauthorized, error.message(), error.detail()).withHttpStatus(error.httpStatus());
    m_needsSignIn = true;
    m_signInError = error;
    qCInfo(lcSecrets).noquote() << "the sign-in must be renewed:" << error.toString();
    Q_EMIT signInRequired(error);
    return error;
}

QFuture<Result<QString>> OAuthTokenProvider::accessToken()
{
    if (m_needsSignIn && m_signInError)
        return ready(*m_signInError);
    const qint64 now = nowMs();
    const bool usable = !m_tokens.accessToken.isEmpty() && !m_tokens.expiresWithin(0, now);
    if (usable && !m_tokens.expiresWithin(m_skewMs, now))
        return ready(m_tokens.accessToken);
    if (!m_tokens.hasRefreshToken()) {
        if (usable) // about to expire and nothing to renew it with: use it while it lasts
            return ready(m_tokens.accessToken);
        return ready(
            requireSignIn(signInError(QStringLiteral("the access token expired and there is no refresh token"))));
    }
    // Refreshing early: if the server cannot be reached, the current token still works a while.
    if (usable)
        return joinRefresh(m_tokens.accessToken, m_tokens.expiresAtMs);
    return joinRefresh();
}

QFuture<Result<QString>> OAuthTokenProvider::refreshAfterRejection(const QString &rejected)
{
    if (m_needsSignIn && m_signInError)
        return ready(*m_signInError);
    if (m_refreshing)
        return joinRefresh();
    if (!m_tokens.accessToken.isEmpty() && rejected != m_tokens.accessToken)
        return ready(m_tokens.accessToken); // refreshed since that request left: try the new one
    if (!m_tokens.hasRefreshToken())
        return ready(requireSignIn(
            signInError(QStringLiteral("the server refused the access token and there is no refresh token"))));
    return joinRefresh();
}

QFuture<Result<QString>> OAuthTokenProvider::joinRefresh(QString fallback, qint64 fallbackExpiresAtMs)
{
    Waiter waiter;
    waiter.promise = std::make_shared<QPromise<Result<QString>>>();
    waiter.promise->start();
    waiter.fallback = std::move(fallback);
    waiter.fallbackExpiresAtMs = fallbackExpiresAtMs;
    QFuture<Result<QString>> future = waiter.promise->future();
    m_waiters.push_back(std::move(waiter));
    if (!m_refreshing) {
        m_refreshing = true;
        runRefresh();
    }
    return future;
}

QCoro::Task<> OAuthTokenProvider::runRefresh()
{
    const QPointer<OAuthTokenProvider> self(this);
    const quint64 generation = m_generation;
    std::optional<Result<OAuthTokens>> refreshed;
    if (OAuthClient *client = m_client.data()) {
        const QString refreshToken = m_tokens.refreshToken;
        qCDebug(lcSecrets) << "refreshing the access token";
        auto answer = co_await client->refresh(refreshToken);
        // Destroyed meanwhile: its waiters' promises went with it (their futures are cancelled).
        if (!self)
            co_return;
        refreshed.emplace(std::move(answer));
    } else {
        refreshed.emplace(
            Error(ErrorKind::Cancelled, tr("Cancelled."), QStringLiteral("token provider: the OAuth client is gone")));
    }
    m_refreshing = false;
    std::vector<Waiter> waiters = std::exchange(m_waiters, {});

    Result<QString> outcome = Error(ErrorKind::Internal, tr("Cancelled."));
    if (generation != m_generation && !m_tokens.accessToken.isEmpty()) {
        // A new sign-in replaced the tokens meanwhile: this answer belongs to the old one.
        outcome = m_tokens.accessToken;
    } else if (refreshed->ok()) {
        m_tokens = std::move(*refreshed).value();
        outcome = m_tokens.accessToken;
        qCInfo(lcSecrets) << "access token refreshed:" << m_tokens;
        const OAuthTokens announced = m_tokens;
        Q_EMIT tokensChanged(announced);
    } else if (refreshed->error().kind() == ErrorKind::Unauthorized) {
        outcome = requireSignIn(refreshed->error());
    } else {
        qCInfo(lcSecrets).noquote() << "refreshing the access token failed:" << refreshed->error().toString();
        outcome = refreshed->error();
    }

    const qint64 now = nowMs();
    for (Waiter &waiter : waiters) {
        const bool fallBack = !outcome.ok() && outcome.error().isTransient() && !waiter.fallback.isEmpty() &&
                              waiter.fallbackExpiresAtMs > now;
        waiter.promise->addResult(fallBack ? Result<QString>(waiter.fallback) : outcome);
        waiter.promise->finish();
    }
}

} // namespace confab::secrets
