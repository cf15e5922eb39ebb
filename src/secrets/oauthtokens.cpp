#include "secrets/oauthtokens.h"

#include <QDateTime>
#include <QStringList>

namespace confab::secrets {

bool OAuthTokens::hasScope(const QString &name) const
{
    return scope.split(QLatin1Char(' '), Qt::SkipEmptyParts).contains(name);
}

QDebug operator<<(QDebug debug, const OAuthTokens &tokens)
{
    const QDebugStateSaver saver(debug);
    debug.nospace() << "OAuthTokens(access: " << tokens.accessToken.size()
                    << " chars, refresh: " << tokens.refreshToken.size() << " chars, expires: "
                    << (tokens.expiresAtMs == 0
                        ? QStringLiteral("unknown")
                        : QDateTime::fromMSecsSinceEpoch(tokens.expiresAtMs, Qt::UTC).toString(Qt::ISODate))
                        << ", scope: " << tokens.scope << ')';
    return debug;
}

} // namespace confab::secrets
