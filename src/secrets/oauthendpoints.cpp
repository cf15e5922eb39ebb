#include "secrets/oauthendpoints.h"

namespace confab::secrets {

namespace {

QUrl withPath(QUrl base, const QString &path)
{
    QString prefix = base.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    base.setPath(prefix + path);
    base.setQuery(QString());
    base.setFragment(QString());
    return base;
}

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("http"));
}

} // namespace

QStringList OAuthEndpoints::defaultScopes()
{
    return {
        QStringLiteral("dm.read"),    QStringLiteral("dm.write"),    QStringLiteral("users.read"),
                                                                                    QStringLiteral("tweet.read"), QStringLiteral("media.write"), QStringLiteral("offline.access")};
}

OAuthEndpoints OAuthEndpoints::forX(const QString &clientId)
{
    OAuthEndpoints e;
    e.authorizeUrl = QUrl(QStringLiteral("https://x.com/i/oauth2/authorize"));
    e.tokenUrl = QUrl(QStringLiteral("https://api.x.com/2/oauth2/token"));
    e.revokeUrl = QUrl(QStringLiteral("https://api.x.com/2/oauth2/revoke"));
    e.clientId = clientId;
    return e;
}

OAuthEndpoints OAuthEndpoints::forServer(const QUrl &base, const QString &clientId)
{
    OAuthEndpoints e;
    e.authorizeUrl = withPath(base, QStringLiteral("/i/oauth2/authorize"));
    e.tokenUrl = withPath(base, QStringLiteral("/2/oauth2/token"));
    e.revokeUrl = withPath(base, QStringLiteral("/2/oauth2/revoke"));
    e.clientId = clientId;
    return e;
}

bool OAuthEndpoints::isValid() const
{
    return isHttpUrl(authorizeUrl) && isHttpUrl(tokenUrl) && isHttpUrl(revokeUrl) && !clientId.isEmpty();
}

} // namespace confab::secrets
