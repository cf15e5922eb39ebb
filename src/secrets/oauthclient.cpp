#include "secrets/oauthclient.h"

#include "core/logging.h"
#include "net/cancellation.h"
#include "net/httpclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cmath>

namespace confab::secrets {

namespace {

enum class Grant { Code, Refresh, Revoke };

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QUrl originOf(const QUrl &url)
{
    return url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
}

QString describe(Grant grant)
{
    switch (grant) {
    case Grant::Code: return QStringLiteral("POST token (authorization_code)");
    case Grant::Refresh: return QStringLiteral("POST token (refresh_token)");
    case Grant::Revoke: return QStringLiteral("POST revoke");
    }
    return {};
}

/// Server text for a log line: no control characters, bounded.
QString sanitized(const QString &text)
{
    QString out;
    for (const QChar c : text)
        out += c.isPrint() ? c : QLatin1Char(' ');
    out = out.simplified();
    if (out.size() > 300)
        out = out.left(300) + QStringLiteral("…");
    return out;
}

Error protocolError(const QString &detail)
{
    return Error(ErrorKind::Protocol,
                 QObject::tr("The server's answer to the sign-in could not be understood. Try again later."),
                 QStringLiteral("token endpoint: ") + detail);
}

/// The typed error of a token or revoke endpoint's error answer (RFC 6749 §5.2).
Error endpointError(Grant grant, const net::Response &response, const QString &clientId)
{
    const QJsonObject o = QJsonDocument::fromJson(response.body).object();
    const QString code = sanitized(o.value(QLatin1String("error")).toString());
    const QString description = sanitized(o.value(QLatin1String("error_description")).toString());
    QString detail = describe(grant) + QStringLiteral(": HTTP %1").arg(response.status);
    if (!code.isEmpty())
        detail += QLatin1Char(' ') + code;
    if (!description.isEmpty())
        detail += QStringLiteral(": ") + description;

    if (code.isEmpty()) {
        Error error =
            Error::fromHttpStatus(response.status, {}, detail + QStringLiteral(" (not an OAuth error answer)"));
        return error;
    }
    if (code == QLatin1String("invalid_grant")) {
        const QString message =
            grant == Grant::Refresh
                ? QObject::tr("Your sign-in has ended: it was revoked, has expired or was replaced. Sign in again "
                              "to keep using this account.")
                : QObject::tr("The server did not accept this sign-in. Try signing in again.");
        return Error(ErrorKind::Unauthorized, message, detail).withHttpStatus(response.status);
    }
    if (code == QLatin1String("invalid_client") || code == QLatin1String("unauthorized_client")) {
        return Error(ErrorKind::InvalidInput,
                     QObject::tr("The server does not accept Confab's app id “%1”. Check the server address.")
                         .arg(sanitized(clientId)),
                     detail)
            .withHttpStatus(response.status);
    }
    return Error(ErrorKind::InvalidInput, QObject::tr("The server refused the sign-in request. Try again later."),
                 detail)
        .withHttpStatus(response.status);
}

/// One form POST to an OAuth endpoint. 400 and 401 are answers here (their body says why).
QCoro::Task<Result<net::Response>> postForm(net::HttpClient *http, QString path, QByteArray body,
                                            QPointer<net::Cancellation> cancellation)
{
    net::Request request;
    request.method = "POST";
    request.path = std::move(path);
    request.body = std::move(body);
    request.contentType = "application/x-www-form-urlencoded";
    request.headers.append(std::pair<QByteArray, QByteArray>("Accept", "application/json"));
    request.authenticate = false;
    request.acceptedStatuses = QList<int>{400, 401};
    request.cancellation = std::move(cancellation);
    auto response = co_await http->send(std::move(request));
    co_return response;
}

/// Overwrites a QString's characters in place (for transient copies of a verifier).
void wipe(QString &text)
{
    text.fill(QLatin1Char('0'));
    text.clear();
}

} // namespace

OAuthClient::OAuthClient(OAuthEndpoints endpoints, QObject *parent) : QObject(parent), m_endpoints(std::move(endpoints))
{
    m_tokenHttp = new net::HttpClient(originOf(m_endpoints.tokenUrl), nullptr, this);
    if (originOf(m_endpoints.revokeUrl) == originOf(m_endpoints.tokenUrl))
        m_revokeHttp = m_tokenHttp;
    else
        m_revokeHttp = new net::HttpClient(originOf(m_endpoints.revokeUrl), nullptr, this);
}

OAuthClient::~OAuthClient() = default;

void OAuthClient::setObserver(std::function<void(const net::Outcome &)> observer)
{
    m_tokenHttp->setObserver(observer);
    if (m_revokeHttp != m_tokenHttp)
        m_revokeHttp->setObserver(std::move(observer));
}

QByteArray OAuthClient::formEncode(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &[key, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key);
        out += '=';
        out += QUrl::toPercentEncoding(value);
    }
    return out;
}

QUrl OAuthClient::authorizeUrl(const QUrl &redirectUri, const QString &state, const QString &challenge,
                               const QString &loginHint) const
{
    QList<std::pair<QString, QString>> fields{
        {QStringLiteral("response_type"), QStringLiteral("code")},
         {QStringLiteral("client_id"), m_endpoints.clientId},
          {QStringLiteral("redirect_uri"), redirectUri.toString(QUrl::FullyEncoded)},
           {QStringLiteral("scope"), m_endpoints.scopeString()},
            {QStringLiteral("state"), state}, {QStringLiteral("code_challenge"), challenge},
                                               {QStringLiteral("code_challenge_method"), QStringLiteral("S256")}};
    if (!loginHint.isEmpty())
        fields.append({QStringLiteral("login_hint"), loginHint});
    QUrl url = m_endpoints.authorizeUrl;
    url.setQuery(QString::fromLatin1(formEncode(fields)), QUrl::StrictMode);
    return url;
}

QCoro::Task<Result<OAuthTokens>> OAuthClient::exchangeCode(QString code, QUrl redirectUri, crypto::SecureBytes verifier,
                                                           QPointer<net::Cancellation> cancellation)
{
    // Everything this needs is copied before the request leaves: the client may be gone when the
    // answer comes.
    net::HttpClient *http = m_tokenHttp;
    const QString path = m_endpoints.tokenUrl.path();
    const QString requestedScope = m_endpoints.scopeString();
    const QString clientId = m_endpoints.clientId;
    QString verifierText = QString::fromLatin1(verifier.view());
    verifier.wipe();
    QList<std::pair<QString, QString>> fields{
        {QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
         {QStringLiteral("code"), code}, {QStringLiteral("redirect_uri"), redirectUri.toString(QUrl::FullyEncoded)},
                                          {QStringLiteral("client_id"), clientId},
                                           {QStringLiteral("code_verifier"), verifierText}};
    QByteArray body = formEncode(fields);
    wipe(verifierText);
    wipe(fields.last().second);
    const qint64 sentAt = nowMs();
    auto response = co_await postForm(http, path, std::move(body), cancellation);
    if (!response)
        co_return response.error();
    if (response.value().status != 200)
        co_return endpointError(Grant::Code, response.value(), clientId);
    co_return parseTokenResponse(response.value().body, sentAt, requestedScope);
}

QCoro::Task<Result<OAuthTokens>> OAuthClient::refresh(QString refreshToken, QPointer<net::Cancellation> cancellation)
{
    net::HttpClient *http = m_tokenHttp;
    const QString path = m_endpoints.tokenUrl.path();
    const QString requestedScope = m_endpoints.scopeString();
    const QString clientId = m_endpoints.clientId;
    if (refreshToken.isEmpty())
        co_return Error(ErrorKind::Unauthorized,
                        tr("Your sign-in has ended. Sign in again to keep using this account."),
                        QStringLiteral("refresh: there is no refresh token (no offline.access)"));
    const QList<std::pair<QString, QString>> fields{{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                                     {QStringLiteral("refresh_token"), refreshToken},
                                                      {QStringLiteral("client_id"), clientId}};
    QByteArray body = formEncode(fields);
    const qint64 sentAt = nowMs();
    auto response = co_await postForm(http, path, std::move(body), cancellation);
    if (!response)
        co_return response.error();
    if (response.value().status != 200)
        co_return endpointError(Grant::Refresh, response.value(), clientId);
    auto tokens = parseTokenResponse(response.value().body, sentAt, requestedScope);
    if (!tokens)
        co_return tokens.error();
    OAuthTokens refreshed = std::move(tokens).value();
    if (refreshed.refreshToken.isEmpty())
        refreshed.refreshToken = refreshToken; // no rotation: the old one stays good
    co_return refreshed;
}

QCoro::Task<Result<void>> OAuthClient::revoke(QString token, TokenKind kind)
{
    net::HttpClient *http = m_revokeHttp;
    const QString path = m_endpoints.revokeUrl.path();
    const QString clientId = m_endpoints.clientId;
    const QString hint =
        kind == TokenKind::RefreshToken ? QStringLiteral("refresh_token") : QStringLiteral("access_token");
    const QList<std::pair<QString, QString>> fields{{QStringLiteral("token"), token},
                                                     {QStringLiteral("client_id"), clientId},
                                                      {QStringLiteral("token_type_hint"), hint}};
    QByteArray body = formEncode(fields);
    QPointer<net::Cancellation> none;
    auto response = co_await postForm(http, path, std::move(body), none);
    if (!response)
        co_return response.error();
    if (response.value().status != 200)
        co_return endpointError(Grant::Revoke, response.value(), clientId);
    co_return Result<void>();
}

Result<OAuthTokens> OAuthClient::parseTokenResponse(const QByteArray &body, qint64 sentAtMs,
                                                    const QString &requestedScope)
{
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject())
        return protocolError(QStringLiteral("the body is not a JSON object (%1 bytes)").arg(body.size()));
    const QJsonObject o = doc.object();

    OAuthTokens tokens;
    const QJsonValue access = o.value(QLatin1String("access_token"));
    if (!access.isString() || access.toString().isEmpty())
        return protocolError(QStringLiteral("no access_token"));
    tokens.accessToken = access.toString();

    const QJsonValue type = o.value(QLatin1String("token_type"));
    if (!type.isString() || type.toString().compare(QLatin1String("bearer"), Qt::CaseInsensitive) != 0)
        return protocolError(QStringLiteral("token_type is not bearer"));
    tokens.tokenType = type.toString().toLower();

    const QJsonValue expiresIn = o.value(QLatin1String("expires_in"));
    if (!expiresIn.isUndefined()) {
        const double seconds = expiresIn.toDouble(-1);
        // Up to ten years: anything else is not a lifetime.
        if (!expiresIn.isDouble() || !std::isfinite(seconds) || seconds <= 0 || seconds > 10.0 * 365 * 86400)
            return protocolError(QStringLiteral("expires_in is not a positive number of seconds"));
        tokens.expiresAtMs = sentAtMs + static_cast<qint64>(seconds * 1000);
    }

    const QJsonValue scope = o.value(QLatin1String("scope"));
    if (scope.isUndefined())
        tokens.scope = requestedScope; // RFC 6749 §5.1: omitted means as requested
    else if (scope.isString())
        tokens.scope = scope.toString();
    else
        return protocolError(QStringLiteral("scope is not a string"));

    const QJsonValue refresh = o.value(QLatin1String("refresh_token"));
    if (refresh.isString())
        tokens.refreshToken = refresh.toString();
    else if (!refresh.isUndefined() && !refresh.isNull())
        return protocolError(QStringLiteral("refresh_token is not a string"));
    return tokens;
}

} // namespace confab::secrets
