// Sign-in as X does it (OAuth 2.0 authorization code with PKCE S256, spec §9): the consent page,
// the token endpoint (authorization_code, refresh_token with rotation, client_credentials for
// app-only Bearer tokens) and revocation.

#include "localserver/service.h"

#include <QCryptographicHash>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>

namespace confab::localserver {

namespace {

const QStringList &knownScopes()
{
    static const QStringList scopes{
        QStringLiteral("tweet.read"),     QStringLiteral("tweet.write"),  QStringLiteral("users.read"),
                                                                                         QStringLiteral("dm.read"),        QStringLiteral("dm.write"),     QStringLiteral("media.write"),
                                                                                                                                                                          QStringLiteral("offline.access"), QStringLiteral("follows.read"), QStringLiteral("like.read")};
    return scopes;
}

QString escapeHtml(const QString &s)
{
    return s.toHtmlEscaped();
}

bool isLoopbackRedirect(const QUrl &url)
{
    const QString host = url.host();
    return url.isValid() && url.scheme() == QLatin1String("http") && url.fragment().isEmpty() &&
           (host == QLatin1String("127.0.0.1") || host == QLatin1String("localhost") || host == QLatin1String("::1"));
}

QString pkceChallenge(const QString &verifier)
{
    return QString::fromLatin1(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray hashOf(const QString &s)
{
    return QCryptographicHash::hash(s.toUtf8(), QCryptographicHash::Sha256);
}

QString randomCode()
{
    return QUuid::createUuid().toString(QUuid::Id128) + QUuid::createUuid().toString(QUuid::Id128);
}

QString page(const QString &title, const QString &body)
{
    return QStringLiteral(
               "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
               "content=\"width=device-width\"><title>%1</title><style>"
               "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#14171a;display:flex;"
               "justify-content:center;padding:48px 16px;margin:0}"
               "main{background:#fff;border-radius:16px;box-shadow:0 2px 16px #0002;padding:32px;max-width:420px;"
               "width:100%%}"
               "h1{font-size:22px;margin:0 0 8px}p{color:#536471;line-height:1.4}"
               "label{display:flex;align-items:center;gap:12px;padding:10px;border-radius:10px;cursor:pointer}"
               "label:hover{background:#f0f3f5}img{width:36px;height:36px;border-radius:50%%}"
               ".scopes li{margin:4px 0}.row{display:flex;gap:12px;margin-top:20px}"
               "button{flex:1;font-size:15px;padding:10px 16px;border-radius:999px;border:1px solid #cfd9de;"
               "background:#fff;cursor:pointer}button.primary{background:#1d9bf0;color:#fff;border-color:#1d9bf0}"
               "@media (prefers-color-scheme: dark){body{background:#15202b;color:#e7e9ea}main{background:#1e2732}"
               "p{color:#8b98a5}label:hover{background:#273340}button{background:#1e2732;color:#e7e9ea}}"
               "</style></head><body><main>%2</main></body></html>")
            .arg(escapeHtml(title), body);
}

} // namespace

void Service::registerOAuthRoutes()
{
    // Checks an authorize request. On success returns the redirect URI; on a failure that cannot
    // be redirected (bad client or redirect URI) fills `page`, otherwise fills `error`.
    struct Checked
    {
        QUrl redirect;
        QString state, clientId, scope, challenge;
        QString error, errorDescription;
        std::optional<HttpResponse> page;
    };
    auto check = [this](const QUrlQuery &q) {
        Checked c;
        auto value = [&q](const char *key) { return q.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded); };
        c.clientId = value("client_id");
        c.redirect = QUrl(value("redirect_uri"), QUrl::StrictMode);
        c.state = value("state");
        c.scope = value("scope");
        c.challenge = value("code_challenge");
        QSqlQuery client(m_db);
        client.prepare(QStringLiteral("SELECT 1 FROM clients WHERE client_id = ?"));
        client.addBindValue(c.clientId);
        if (c.clientId.isEmpty() || !client.exec() || !client.next()) {
            c.page = HttpResponse::html(
                page(tr("Unknown app"),
                     QStringLiteral("<h1>%1</h1><p>%2</p>") .arg(tr("Something went wrong"),
                                                                 tr("The app asking to sign in (client_id “%1”) is not "
                                                                    "registered with this server.")
                                                                     .arg(escapeHtml(c.clientId)))),
                     400);
            return c;
        }
        if (!isLoopbackRedirect(c.redirect)) {
            c.page = HttpResponse::html(
                page(tr("Bad redirect"),
                     QStringLiteral("<h1>%1</h1><p>%2</p>") .arg(
                         tr("Something went wrong"), tr("The redirect_uri must be a loopback http:// address of the "
                                                        "app (for example http://127.0.0.1:PORT/callback)."))),
                     400);
            return c;
        }
        const QStringList scopes = c.scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (value("response_type") != QLatin1String("code")) {
            c.error = QStringLiteral("unsupported_response_type");
            c.errorDescription = tr("response_type must be code");
        } else if (c.state.isEmpty() || c.state.size() > 500) {
            c.error = QStringLiteral("invalid_request");
            c.errorDescription = tr("state is required");
        } else if (scopes.isEmpty() || !std::all_of(scopes.begin(), scopes.end(),
                                                    [](const QString &s) { return knownScopes().contains(s); })) {
            c.error = QStringLiteral("invalid_scope");
            c.errorDescription = tr("scope must list known scopes");
        } else if (value("code_challenge_method") != QLatin1String("S256") || c.challenge.size() < 43 ||
                   c.challenge.size() > 128) {
            c.error = QStringLiteral("invalid_request");
            c.errorDescription = tr("PKCE is required: code_challenge with code_challenge_method=S256");
        }
        return c;
    };
    auto redirectWith = [](QUrl url, const QList<QPair<QString, QString>> &items) {
        QUrlQuery q(url);
        for (const auto &[k, v] : items)
            q.addQueryItem(k, QString::fromLatin1(QUrl::toPercentEncoding(v)));
        url.setQuery(q);
        return HttpResponse::redirect(url);
    };
    auto grantCode = [this, redirectWith](const Checked &c, const QString &userId) {
        const QString code = randomCode();
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("INSERT INTO auth_codes (code_hash, client_id, user_id, redirect_uri, scope,"
                                 " challenge, expires_at, family) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        q.addBindValue(hashOf(code));
        q.addBindValue(c.clientId);
        q.addBindValue(userId);
        q.addBindValue(c.redirect.toString());
        q.addBindValue(c.scope);
        q.addBindValue(c.challenge);
        q.addBindValue(QDateTime::currentSecsSinceEpoch() + 600);
        q.addBindValue(QUuid::createUuid().toString(QUuid::Id128));
        q.exec();
        return redirectWith(c.redirect, {{QStringLiteral("state"), c.state}, {QStringLiteral("code"), code}});
    };

    Handler authorize = [this, check, redirectWith, grantCode](Context &ctx) {
        const Checked c = check(ctx.request.query);
        if (c.page)
            return *c.page;
        if (!c.error.isEmpty())
            return redirectWith(c.redirect, {{QStringLiteral("error"), c.error},
                                              {QStringLiteral("error_description"), c.errorDescription},
                                               {QStringLiteral("state"), c.state}});
        const QString hint = ctx.request.queryValue(QStringLiteral("login_hint"));
        if (m_options.autoApprove && !hint.isEmpty()) {
            if (const auto user = userByUsername(hint))
                return grantCode(c, user.value().id);
        }
        // The consent page: choose who signs in, then Authorize or Cancel.
        const QString request = randomCode();
        m_consentRequests.insert(request, ctx.request.query.toString(QUrl::FullyEncoded));
        QString choices;
        const auto all = users();
        for (qsizetype i = 0; i < all.size(); ++i) {
            const UserInfo &u = all.at(i);
            const bool checked = u.username.compare(hint, Qt::CaseInsensitive) == 0 || (hint.isEmpty() && i == 0);
            choices +=
                QStringLiteral("<label><input type=\"radio\" name=\"user_id\" value=\"%1\"%2>"
                                      "<img src=\"/avatars/%1.png\" alt=\"\"><span><b>%3</b><br>@%4</span></label>")
                                   .arg(u.id, checked ? QStringLiteral(" checked") : QString(), escapeHtml(u.name),
                                                                       escapeHtml(u.username));
        }
        if (all.isEmpty())
            choices = QStringLiteral("<p>%1</p>").arg(tr("This server has no users yet."));
        QString scopeList;
        for (const QString &s : c.scope.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            scopeList += QStringLiteral("<li>%1</li>").arg(escapeHtml(s));
        const QString body =
            QStringLiteral("<h1>%1</h1><p>%2</p><ul class=\"scopes\">%3</ul>"
                           "<form method=\"post\" action=\"/i/oauth2/authorize/consent\">"
                           "<input type=\"hidden\" name=\"request\" value=\"%4\">%5"
                           "<div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"cancel\">%6</button>"
                           "<button class=\"primary\" type=\"submit\" name=\"decision\" value=\"authorize\">%7</button>"
                           "</div></form>")
                               .arg(tr("Sign in to confab-localserver"),
                                    tr("The app %1 wants to use your account. It will be allowed to:")
                                        .arg(QStringLiteral("<b>%1</b>").arg(escapeHtml(c.clientId))), scopeList,
                                             request, choices, tr("Cancel"), tr("Authorize app"));
        return HttpResponse::html(page(tr("Authorize app"), body));
    };
    addRoute("GET", QStringLiteral("/i/oauth2/authorize"), QStringLiteral("oauth"), AuthMode::None, {}, authorize);
    addRoute("GET", QStringLiteral("/2/oauth2/authorize"), QStringLiteral("oauth"), AuthMode::None, {}, authorize);

    addRoute(
        "POST",
        QStringLiteral("/i/oauth2/authorize/consent"),
            QStringLiteral("oauth"), AuthMode::None, {}, [this, check, redirectWith, grantCode](Context &ctx) {
                const QUrlQuery form(QString::fromUtf8(ctx.request.body));
                const QString request = form.queryItemValue(QStringLiteral("request"), QUrl::FullyDecoded);
                if (!m_consentRequests.contains(request))
                    return HttpResponse::html(page(
                        tr("Expired"),
                        QStringLiteral("<h1>%1</h1><p>%2</p>") .arg(
                            tr("This sign-in page has expired"), tr("Go back to the app and start signing in again."))),
                        400);
                const Checked c = check(QUrlQuery(m_consentRequests.take(request)));
                if (c.page)
                    return *c.page;
                if (form.queryItemValue(QStringLiteral("decision")) != QLatin1String("authorize"))
                    return redirectWith(c.redirect,
                                        {{QStringLiteral("error"), QStringLiteral("access_denied")},
                                          {QStringLiteral("error_description"), tr("The user cancelled the sign-in.")},
                                           {QStringLiteral("state"), c.state}});
                const QString userId = form.queryItemValue(QStringLiteral("user_id"));
                if (!userById(userId))
                    return HttpResponse::html(page(tr("Choose an account"),
                                                   QStringLiteral("<h1>%1</h1>").arg(tr("Choose an account first."))),
                                                   400);
                return grantCode(c, userId);
            });

    addRoute(
        "POST", QStringLiteral("/2/oauth2/token"), QStringLiteral("oauth"), AuthMode::None, {}, [this](Context &ctx) {
            if (!ctx.request.header("content-type").startsWith("application/x-www-form-urlencoded"))
                return oauthError(QStringLiteral("invalid_request"),
                                                 tr("The body must be application/x-www-form-urlencoded."));
            const QUrlQuery form(QString::fromUtf8(ctx.request.body).replace(QLatin1Char('+'), QLatin1Char(' ')));
            auto value = [&form](const char *key) {
                return form.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
            };
            // Confidential clients authenticate with HTTP Basic; public clients send client_id.
            QString clientId = value("client_id");
            QString secret;
            const QByteArray auth = ctx.request.header("authorization");
            if (auth.startsWith("Basic ")) {
                const QByteArray pair = QByteArray::fromBase64(auth.mid(6).trimmed());
                clientId = QUrl::fromPercentEncoding(pair.left(pair.indexOf(':')));
                secret = QUrl::fromPercentEncoding(pair.mid(pair.indexOf(':') + 1));
            }
            QSqlQuery client(m_db);
            client.prepare(QStringLiteral("SELECT secret_hash FROM clients WHERE client_id = ?"));
            client.addBindValue(clientId);
            if (clientId.isEmpty() || !client.exec() || !client.next())
                return oauthError(QStringLiteral("invalid_client"), tr("Unknown client_id."), 401);
            const QByteArray secretHash = client.value(0).toByteArray();
            if (!secretHash.isEmpty() && hashOf(secret) != secretHash)
                return oauthError(QStringLiteral("invalid_client"), tr("Client authentication failed."), 401);

            const QString grant = value("grant_type");
            auto tokenResponse = [this](const QString &access, const QString &refresh, const QString &scope) {
                QJsonObject o{{QStringLiteral("token_type"), QStringLiteral("bearer")},
                               {QStringLiteral("expires_in"), m_options.accessTokenLifetimeSecs},
                                {QStringLiteral("access_token"), access}, {QStringLiteral("scope"), scope}};
                if (!refresh.isEmpty())
                    o.insert(QStringLiteral("refresh_token"), refresh);
                HttpResponse r = HttpResponse::json(o);
                r.header("Cache-Control", "no-store");
                return r;
            };
            if (grant == QLatin1String("authorization_code")) {
                QSqlQuery q(m_db);
                q.prepare(QStringLiteral("SELECT client_id, user_id, redirect_uri, scope, challenge, expires_at, used,"
                                         " family FROM auth_codes WHERE code_hash = ?"));
                q.addBindValue(hashOf(value("code")));
                if (!q.exec() || !q.next())
                    return oauthError(QStringLiteral("invalid_grant"), tr("The authorization code is not valid."));
                const QString family = q.value(7).toString();
                if (q.value(6).toInt() != 0) {
                    // A replayed code: revoke everything it produced (RFC 6749 §4.1.2).
                    QSqlQuery r(m_db);
                    r.prepare(QStringLiteral("UPDATE tokens SET revoked = 1 WHERE family = ?"));
                    r.addBindValue(family);
                    r.exec();
                    return oauthError(QStringLiteral("invalid_grant"), tr("The authorization code was used already."));
                }
                if (q.value(5).toLongLong() <= QDateTime::currentSecsSinceEpoch())
                    return oauthError(QStringLiteral("invalid_grant"), tr("The authorization code has expired."));
                if (q.value(0).toString() != clientId)
                    return oauthError(QStringLiteral("invalid_grant"), tr("The code was issued to another client."));
                if (q.value(2).toString() != value("redirect_uri"))
                    return oauthError(QStringLiteral("invalid_grant"), tr("redirect_uri does not match."));
                const QString verifier = value("code_verifier");
                static const QRegularExpression verifierRe(QStringLiteral("^[A-Za-z0-9._~-]{43,128}$"));
                if (!verifierRe.match(verifier).hasMatch() || pkceChallenge(verifier) != q.value(4).toString())
                    return oauthError(QStringLiteral("invalid_grant"), tr("The PKCE code_verifier does not match."));
                QSqlQuery used(m_db);
                used.prepare(QStringLiteral("UPDATE auth_codes SET used = 1 WHERE code_hash = ?"));
                used.addBindValue(hashOf(value("code")));
                used.exec();
                const QString scope = q.value(3).toString();
                const QStringList scopes = scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
                QString refresh;
                const bool offline = scopes.contains(QStringLiteral("offline.access"));
                const auto access =
                    issueUserToken(q.value(1).toString(), scopes, clientId, offline ? &refresh : nullptr, family);
                if (!access)
                    return oauthError(QStringLiteral("server_error"), access.error().message(), 500);
                return tokenResponse(access.value(), refresh, scope);
            }
            if (grant == QLatin1String("refresh_token")) {
                QSqlQuery q(m_db);
                q.prepare(QStringLiteral("SELECT user_id, client_id, scope, expires_at, revoked, family FROM tokens"
                                         " WHERE token_hash = ? AND kind = 'refresh'"));
                q.addBindValue(hashOf(value("refresh_token")));
                if (!q.exec() || !q.next() || q.value(1).toString() != clientId)
                    return oauthError(QStringLiteral("invalid_grant"), tr("The refresh token is not valid."));
                const QString family = q.value(5).toString();
                if (q.value(4).toInt() != 0) {
                    // Reuse of a rotated refresh token means it leaked: end the whole session.
                    QSqlQuery r(m_db);
                    r.prepare(QStringLiteral("UPDATE tokens SET revoked = 1 WHERE family = ?"));
                    r.addBindValue(family);
                    r.exec();
                    return oauthError(QStringLiteral("invalid_grant"),
                                                     tr("The refresh token was already used; sign in again."));
                }
                if (q.value(3).toLongLong() <= QDateTime::currentSecsSinceEpoch())
                    return oauthError(QStringLiteral("invalid_grant"), tr("The refresh token has expired."));
                QSqlQuery rotate(m_db);
                rotate.prepare(QStringLiteral("UPDATE tokens SET revoked = 1 WHERE token_hash = ?"));
                rotate.addBindValue(hashOf(value("refresh_token")));
                rotate.exec();
                const QString scope = q.value(2).toString();
                QString refresh;
                const auto access =
                    issueUserToken(q.value(0).toString(), scope.split(QLatin1Char(' ')), clientId, &refresh, family);
                if (!access)
                    return oauthError(QStringLiteral("server_error"), access.error().message(), 500);
                return tokenResponse(access.value(), refresh, scope);
            }
            if (grant == QLatin1String("client_credentials")) {
                if (secretHash.isEmpty())
                    return oauthError(QStringLiteral("unauthorized_client"),
                                                     tr("Public clients cannot obtain app-only tokens."));
                const auto token = issueAppToken(clientId);
                if (!token)
                    return oauthError(QStringLiteral("server_error"), token.error().message(), 500);
                HttpResponse r = HttpResponse::json({{QStringLiteral("token_type"), QStringLiteral("bearer")},
                                                      {QStringLiteral("access_token"), token.value()}});
                r.header("Cache-Control", "no-store");
                return r;
            }
            return oauthError(QStringLiteral("unsupported_grant_type"), tr("Unsupported grant_type."));
        });

    addRoute("POST",
             QStringLiteral("/2/oauth2/revoke"), QStringLiteral("oauth"), AuthMode::None, {}, [this](Context &ctx) {
                 const QUrlQuery form(QString::fromUtf8(ctx.request.body));
                 const QString token = form.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
                 // Revoking a token ends its whole sign-in (access and refresh tokens alike).
                 QSqlQuery q(m_db);
                 q.prepare(QStringLiteral("UPDATE tokens SET revoked = 1 WHERE family ="
                                          " (SELECT family FROM tokens WHERE token_hash = ?)"));
                 q.addBindValue(hashOf(token));
                 q.exec();
                 return HttpResponse::json({{QStringLiteral("revoked"), true}});
             });
}

} // namespace confab::localserver
