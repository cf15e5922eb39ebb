#pragma once

#include "core/result.h"

#include <QFuture>
#include <QString>

namespace confab::net {

/// Where an account's Bearer token comes from. The secrets layer implements it: it hands out the
/// current access token (refreshing one that is about to expire), and when the server rejects a
/// token (401) it refreshes once so the request can be replayed. Called on the client's thread.
class AuthProvider
{
public:
    virtual ~AuthProvider() = default;
    /// The access token to send now.
    [[nodiscard]] virtual QFuture<Result<QString>> accessToken() = 0;
    /// The server answered 401 to `rejected`: a new token, or an Unauthorized error when the
    /// person has to sign in again.
    [[nodiscard]] virtual QFuture<Result<QString>> refreshAfterRejection(const QString &rejected) = 0;
};

/// A token that never changes (an app-only Bearer, or a test's token): a rejection is final.
class StaticBearer final : public AuthProvider
{
public:
    explicit StaticBearer(QString token) : m_token(std::move(token)) {}
    void setToken(QString token) { m_token = std::move(token); }
    [[nodiscard]] QFuture<Result<QString>> accessToken() override;
    [[nodiscard]] QFuture<Result<QString>> refreshAfterRejection(const QString &rejected) override;

private:
    QString m_token;
};

} // namespace confab::net
