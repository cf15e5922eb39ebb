#include "net/authprovider.h"

#include <QFuture>

namespace confab::net {

QFuture<Result<QString>> StaticBearer::accessToken()
{
    return QtFuture::makeReadyFuture(Result<QString>(m_token));
}

QFuture<Result<QString>> StaticBearer::refreshAfterRejection(const QString &rejected)
{
    if (rejected != m_token) // changed meanwhile (setToken): try the new one
        return QtFuture::makeReadyFuture(Result<QString>(m_token));
    return QtFuture::makeReadyFuture(
        Result<QString>(Error(ErrorKind::Unauthorized,
                              QStringLiteral("Your sign-in has expired. Please sign in again."),
                                             QStringLiteral("the server rejected a token that cannot be refreshed"))));
}

} // namespace confab::net
