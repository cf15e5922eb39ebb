#include "localserver/service.h"

#include "core/logging.h"
#include "crypto/base64.h"
#include "crypto/p256.h"

#include <QCryptographicHash>
#include <QDir>
#include <QHttpServerRequest>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUuid>

namespace confab::localserver {

namespace {

constexpr qint64 TwitterEpochMsec = 1288834974657LL;

const char *const Schema[] = {
    "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " name TEXT NOT NULL, demo_peer INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, secret_hash BLOB)",
    "CREATE TABLE IF NOT EXISTS auth_codes (code_hash BLOB PRIMARY KEY, client_id TEXT NOT NULL,"
    " user_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, scope TEXT NOT NULL, challenge TEXT NOT NULL,"
    " expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0, family TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tokens (token_hash BLOB PRIMARY KEY, kind TEXT NOT NULL, user_id TEXT,"
    " client_id TEXT NOT NULL, scope TEXT NOT NULL, expires_at INTEGER NOT NULL, family TEXT NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS tokens_family ON tokens(family)",
    "CREATE TABLE IF NOT EXISTS public_keys (user_id TEXT NOT NULL, version TEXT NOT NULL,"
    " public_key TEXT NOT NULL, signing_public_key TEXT NOT NULL, identity_public_key_signature TEXT NOT NULL,"
    " signing_public_key_signature TEXT, fingerprint TEXT, registration_method TEXT, created_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, version))",
    "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, is_group INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, group_name TEXT, group_avatar_url TEXT,"
    " group_description TEXT, ttl_msec INTEGER NOT NULL DEFAULT 0, token TEXT NOT NULL,"
    " last_seq INTEGER NOT NULL DEFAULT 0, creator TEXT)",
    "CREATE TABLE IF NOT EXISTS pending_groups (id TEXT PRIMARY KEY, creator TEXT NOT NULL,"
    " created_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS members (conversation_id TEXT NOT NULL, user_id TEXT NOT NULL,"
    " is_admin INTEGER NOT NULL DEFAULT 0, joined_seq INTEGER NOT NULL DEFAULT 0,"
    " read_seq INTEGER NOT NULL DEFAULT 0, muted INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (conversation_id, user_id))",
    "CREATE INDEX IF NOT EXISTS members_user ON members(user_id)",
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL,"
    " message_id TEXT NOT NULL, sender_id TEXT NOT NULL, kind TEXT NOT NULL, key_version TEXT,"
    " created_at INTEGER NOT NULL, encoded BLOB NOT NULL, visible_to TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
    " prev_message_id TEXT, audience TEXT)",
    "CREATE INDEX IF NOT EXISTS events_conversation ON events(conversation_id, seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_message ON events(conversation_id, message_id, kind)",
    "CREATE TABLE IF NOT EXISTS hidden_events (user_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, seq))",
    "CREATE TABLE IF NOT EXISTS media_sessions (session_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL,"
    " media_hash_key TEXT NOT NULL, user_id TEXT NOT NULL, total_bytes INTEGER NOT NULL,"
    " received_bytes INTEGER NOT NULL DEFAULT 0, next_segment INTEGER NOT NULL DEFAULT 0,"
    " expires_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS media_segments (session_id TEXT NOT NULL, segment_index INTEGER NOT NULL,"
    " data BLOB NOT NULL, PRIMARY KEY (session_id, segment_index))",
    "CREATE TABLE IF NOT EXISTS media (conversation_id TEXT NOT NULL, media_hash_key TEXT NOT NULL,"
    " uploader TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL, created_at INTEGER NOT NULL,"
    " PRIMARY KEY (conversation_id, media_hash_key))",
    "CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, client_id TEXT NOT NULL,"
    " user_id TEXT NOT NULL, event_type TEXT NOT NULL, tag TEXT, created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL)",
};

QByteArray tokenHash(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

QString randomToken(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(raw.begin(), raw.end());
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

/// X's 429 body (code 88), headers to be added by the caller.
HttpResponse rateLimitExceeded()
{
    const QJsonObject error{{QStringLiteral("code"), 88},
                             {QStringLiteral("message"), QStringLiteral("Rate limit exceeded")}};
    QJsonObject body = error;
    body.insert(QStringLiteral("errors"), QJsonArray{error});
    return HttpResponse::json(body, 429);
}

} // namespace

Service::Service(ServerOptions options, QObject *parent) : QAbstractHttpServer(parent), m_options(std::move(options))
{
    m_connectionName = QStringLiteral("confab-localserver-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
    m_instanceTag = randomToken(6);
    // Defaults are generous enough for a person and the test suite; tests tighten them.
    m_limits.insert(QStringLiteral("default"), {10000, 900});
    m_limits.insert(QStringLiteral("keys.register"), {50, 86400});
    for (const QString &entry : std::as_const(m_options.rateLimits)) {
        static const QRegularExpression re(QStringLiteral("^([a-z_.*]+)=(\\d+)/(\\d+)$"));
        const auto m = re.match(entry);
        if (m.hasMatch())
            m_limits.insert(m.captured(1), {m.captured(2).toInt(), m.captured(3).toInt()});
        else
            qCWarning(lcLocalServer) << "ignoring rate limit" << entry << "(expected group=requests/seconds)";
    }
    registerChatRoutes();
    registerMediaRoutes();
    registerUserRoutes();
    registerOAuthRoutes();
    registerActivityRoutes();
    registerLocalRoutes();
    // Literal paths win over parameters: /2/users/me before /2/users/{id}.
    std::stable_sort(m_routes.begin(), m_routes.end(),
                     [](const Route &a, const Route &b) { return a.names.size() < b.names.size(); });

    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(10000);
    connect(m_heartbeat, &QTimer::timeout, this, [this] {
        // A blank line keeps idle streams (and the proxies between) from timing out.
        std::erase_if(m_streams, [](const StreamClient &c) { return c.stream->closed(); });
        for (auto &client : m_streams)
            client.stream->write("\r\n");
    });
    m_heartbeat->start();
}

Service::~Service()
{
    for (auto &client : m_streams)
        client.stream->finish();
    m_streams.clear();
    if (m_db.isValid()) {
        m_db.close();
        m_db = {};
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<quint16> Service::start()
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    if (m_options.dataDir.isEmpty()) {
        m_db.setDatabaseName(QStringLiteral(":memory:"));
    } else {
        QDir().mkpath(m_options.dataDir);
        m_db.setDatabaseName(QDir(m_options.dataDir).filePath(QStringLiteral("localserver.sqlite")));
    }
    if (!m_db.open())
        return Error(ErrorKind::Storage, tr("Could not open the server database."), m_db.lastError().text());
    QSqlQuery q(m_db);
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
        q.exec(QString::fromLatin1(pragma));
    for (const char *statement : Schema) {
        if (!q.exec(QString::fromLatin1(statement)))
            return Error(ErrorKind::Storage, tr("Could not create the server database."), q.lastError().text());
    }
    q.exec(QStringLiteral("SELECT MAX(seq) FROM events"));
    if (q.next())
        m_lastSnowflake = q.value(0).toLongLong();
    q.exec(QStringLiteral("INSERT OR IGNORE INTO clients (client_id, secret_hash) VALUES ('confab-desktop', NULL)"));

    const quint16 port = listen(m_options.address, m_options.port);
    if (port == 0)
        return Error(ErrorKind::Network,
                     tr("Could not listen on %1 port %2.").arg(m_options.address.toString()).arg(m_options.port));
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_options.address.toString());
    url.setPort(port);
    m_baseUrl = url;
    return port;
}

// --- routing -----------------------------------------------------------------------------------

void Service::addRoute(const char *method, const QString &pattern, const QString &group, AuthMode auth,
                       QStringList scopes, Handler handler, bool dev)
{
    Route route;
    route.method = method;
    route.pattern = pattern;
    QString re = QRegularExpression::escape(pattern);
    static const QRegularExpression param(QStringLiteral("\\\\\\{([a-z_]+)\\\\\\}"));
    auto it = param.globalMatch(re);
    while (it.hasNext())
        route.names.append(it.next().captured(1));
    re.replace(param, QStringLiteral("([^/]+)"));
    route.regex = QRegularExpression(QLatin1Char('^') + re + QLatin1Char('$'));
    route.group = group;
    route.auth = auth;
    route.scopes = std::move(scopes);
    route.handler = std::move(handler);
    route.dev = dev;
    m_routes.push_back(std::move(route));
}

bool Service::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpRequest r;
    r.method = request.method() == QHttpServerRequest::Method::Get      ? "GET"
               : request.method() == QHttpServerRequest::Method::Post   ? "POST"
               : request.method() == QHttpServerRequest::Method::Put    ? "PUT"
               : request.method() == QHttpServerRequest::Method::Delete ? "DELETE"
               : request.method() == QHttpServerRequest::Method::Head   ? "HEAD"
                                                                        : "OTHER";
    r.path = request.url().path(QUrl::FullyDecoded);
    r.query = request.query();
    const auto headers = request.headers();
    for (const auto &[name, value] : headers)
        r.headers.insert(name.toLower(), value);
    r.body = request.body();
    r.peer = request.remoteAddress();
    dispatch(std::move(r), socket);
    return true;
}

void Service::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    send(socket, problem(notFound(QStringLiteral("route"), {}, tr("There is no such endpoint."))), {}, true);
}

void Service::dispatch(HttpRequest request, QTcpSocket *socket)
{
    const bool keepAlive = request.header("connection").toLower() != "close";
    const Route *found = nullptr;
    bool pathMatched = false;
    for (const Route &route : m_routes) {
        if (route.dev && !m_options.dev)
            continue;
        const auto m = route.regex.match(request.path);
        if (!m.hasMatch())
            continue;
        pathMatched = true;
        if (route.method != request.method)
            continue;
        for (qsizetype i = 0; i < route.names.size(); ++i)
            request.params.insert(route.names.at(i), m.captured(int(i + 1)));
        found = &route;
        break;
    }
    // Requests refused before authentication still carry the budget of the caller's address.
    auto anonymousBudget = [this, &request](const QString &group) -> QString {
        bool ignored = false;
        consume(group, request.peer.toString(), &ignored);
        return group + QLatin1Char('|') + request.peer.toString();
    };
    if (!found) {
        const QString budget = anonymousBudget(QStringLiteral("default"));
        if (pathMatched) {
            Problem p = invalid(tr("Method %1 is not allowed here.").arg(QString::fromLatin1(request.method)));
            p.status = 405;
            send(socket, problem(p), budget, keepAlive);
        } else {
            send(socket, problem(notFound(QStringLiteral("route"), request.path, tr("There is no such endpoint."))),
                                 budget, keepAlive);
        }
        return;
    }

    if (request.body.size() > m_options.maxBodyBytes) {
        Problem p = invalid(
            tr("The request body is %1 bytes; the limit is %2.").arg(request.body.size()).arg(m_options.maxBodyBytes));
        p.status = 413;
        send(socket, problem(p), anonymousBudget(found->group), false);
        return;
    }

    // Fault injection (--dev): applies before anything else, like a misbehaving proxy would. A
    // fault for the route's group comes before a "*" one; a group fault with only a 429 burst
    // leaves the "*" fault in force for everything else. The administration API is never faulted
    // (a "*" fault must stay clearable).
    Fault *forGroup = nullptr;
    Fault *forAll = nullptr;
    if (!found->dev) {
        for (Fault &f : m_faults) {
            if (f.route == found->group)
                forGroup = &f;
            else if (f.route == QLatin1String("*"))
                forAll = &f;
        }
    }
    for (Fault *f : {forGroup, forAll}) {
        if (f && f->burst429 > 0) {
            --f->burst429;
            ++m_faultsInjected[QStringLiteral("rate_limited")];
            HttpResponse r = rateLimitExceeded();
            r.header("x-rate-limit-limit", "1").header("x-rate-limit-remaining", "0");
            r.header("x-rate-limit-reset", QByteArray::number(QDateTime::currentSecsSinceEpoch() + 2));
            r.header("retry-after", "1");
            send(socket, r, {}, keepAlive);
            return;
        }
    }
    std::optional<Fault> fault;
    auto disturbs = [](const Fault &f) {
        return f.latencyMs > 0 || (f.errorStatus > 0 && f.errorRate > 0) || f.dropRate > 0 || f.truncateRate > 0;
    };
    if (forGroup && disturbs(*forGroup))
        fault = *forGroup;
    else if (forAll)
        fault = *forAll;
    auto *rng = QRandomGenerator::global();
    if (fault && fault->dropRate > 0 && rng->generateDouble() < fault->dropRate) {
        ++m_faultsInjected[QStringLiteral("dropped")];
        socket->abort();
        return;
    }

    Context c{request, {}, socket};
    const QString group = found->group;
    QString windowKey; // "group|who", set once the caller is known
    auto run = [this, found, keepAlive, fault, rng](Context &ctx, const QString &budgetKey) {
        QTcpSocket *out = ctx.socket;
        HttpResponse response;
        if (fault && fault->errorStatus > 0 && rng->generateDouble() < fault->errorRate) {
            ++m_faultsInjected[QStringLiteral("errors")];
            Problem p;
            p.status = fault->errorStatus;
            p.type = fault->errorStatus >= 500 ? QStringLiteral("internal-error") : QStringLiteral("invalid-request");
            p.title = QString::fromLatin1(reasonPhrase(fault->errorStatus));
            p.detail = tr("Injected fault.");
            response = problem(p);
        } else {
            response = found->handler(ctx);
        }
        if (ctx.streaming)
            return;
        if (fault && fault->truncateRate > 0 && rng->generateDouble() < fault->truncateRate &&
            response.body.size() > 1) {
            ++m_faultsInjected[QStringLiteral("truncated")];
            QByteArray bytes = serialize(response, false);
            bytes.chop(response.body.size() / 2);
            out->write(bytes);
            out->disconnectFromHost();
            return;
        }
        send(out, std::move(response), budgetKey, keepAlive);
    };

    // Authentication and scopes.
    if (found->auth != AuthMode::None) {
        const auto principal = authenticate(request);
        const bool ok = principal && ((found->auth == AuthMode::User && principal->kind == Principal::Kind::User) ||
                                      (found->auth == AuthMode::App && principal->kind == Principal::Kind::App) ||
                                      found->auth == AuthMode::UserOrApp);
        if (!ok) {
            Problem p = forbidden(QStringLiteral("token"), {},
                principal
                    ? tr("This endpoint needs a different kind of token (%1).")
                          .arg(found->auth == AuthMode::App ? tr("app-only Bearer") : tr("OAuth 2.0 user context"))
                    : tr("The access token is missing, invalid, expired or revoked."));
            p.status = principal ? 403 : 401;
            p.title = principal ? QStringLiteral("Unsupported Authentication") : QStringLiteral("Unauthorized");
            HttpResponse r = problem(p);
            if (!principal)
                r.header("WWW-Authenticate", "Bearer realm=\"confab-localserver\", error=\"invalid_token\"");
            bool ignored = false;
            consume(group, request.peer.toString(), &ignored);
            send(socket, r, group + QLatin1Char('|') + request.peer.toString(), keepAlive);
            return;
        }
        if (principal->kind == Principal::Kind::User) {
            for (const QString &scope : found->scopes) {
                if (!principal->scopes.contains(scope)) {
                    Problem p =
                        forbidden(QStringLiteral("scope"), scope,
                                                 tr("The token lacks the %1 scope this endpoint needs.").arg(scope));
                    p.status = 403;
                    p.title = QStringLiteral("Forbidden");
                    bool ignored = false;
                    consume(group, principal->userId, &ignored);
                    send(socket, problem(p), group + QLatin1Char('|') + principal->userId, keepAlive);
                    return;
                }
            }
        }
        c.principal = *principal;
    }

    // Rate limits per caller and route group.
    const QString who = !c.principal.userId.isEmpty() ? c.principal.userId
                                                      : !c.principal.clientId.isEmpty()
                            ? QStringLiteral("app:") + c.principal.clientId
                            : request.peer.toString();
    bool exceeded = false;
    Window *window = consume(group, who, &exceeded);
    if (exceeded) {
        HttpResponse r = rateLimitExceeded();
        if (group == QLatin1String("keys.register"))
            r.header("x-user-limit-24hour-reset", QByteArray::number(window->resetSecs));
        r.header("retry-after",
                 QByteArray::number(std::max<qint64>(1, window->resetSecs - QDateTime::currentSecsSinceEpoch())));
        send(socket, r, group + QLatin1Char('|') + who, keepAlive);
        return;
    }
    windowKey = group + QLatin1Char('|') + who;

    if (fault && fault->latencyMs > 0) {
        auto shared = std::make_shared<HttpRequest>(std::move(request));
        QPointer<QTcpSocket> guard(socket);
        Principal principal = c.principal;
        QTimer::singleShot(fault->latencyMs, this, [shared, guard, principal, run, windowKey] {
            if (!guard)
                return;
            Context ctx{*shared, principal, guard.data()};
            run(ctx, windowKey);
        });
        return;
    }
    run(c, windowKey);
}

void Service::send(QTcpSocket *socket, HttpResponse response, const QString &group, bool keepAlive)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    // Every response carries the caller's budget for the route group, as X's do.
    const QString key = group.contains(QLatin1Char('|')) ? group : QString();
    const Window *w = nullptr;
    if (!key.isEmpty())
        w = &m_windows[key];
    if (w && w->limit > 0) {
        response.header("x-rate-limit-limit", QByteArray::number(w->limit));
        response.header("x-rate-limit-remaining", QByteArray::number(std::max(0, w->limit - w->used)));
        response.header("x-rate-limit-reset", QByteArray::number(w->resetSecs));
    }
    socket->write(serialize(response, keepAlive));
    if (!keepAlive)
        socket->disconnectFromHost();
}

// --- responses ----------------------------------------------------------------------------------

HttpResponse Service::problem(const Problem &p)
{
    QJsonObject o = p.extra;
    o.insert(QStringLiteral("type"), QString(QStringLiteral("https://api.x.com/2/problems/") + p.type));
    o.insert(QStringLiteral("title"), p.title);
    o.insert(QStringLiteral("detail"), p.detail);
    o.insert(QStringLiteral("status"), p.status);
    HttpResponse r = HttpResponse::json(o, p.status);
    r.contentType = "application/problem+json";
    return r;
}

Problem Service::invalid(const QString &detail, const QString &parameter, const QString &value)
{
    Problem p{400, QStringLiteral("invalid-request"), QStringLiteral("Invalid Request"), detail, {}};
    if (!parameter.isEmpty())
        p.extra.insert(QStringLiteral("parameter"), parameter);
    if (!value.isNull())
        p.extra.insert(QStringLiteral("value"), value);
    return p;
}

Problem Service::notFound(const QString &resourceType, const QString &id, const QString &detail)
{
    Problem p{404,
              QStringLiteral("resource-not-found"),
                             QStringLiteral("Not Found Error"),
                                            detail.isEmpty()
                                                ? tr("Could not find %1 with id: [%2].").arg(resourceType, id)
                                                : detail,
                                            {{QStringLiteral("resource_type"), resourceType}}};
    if (!id.isEmpty()) {
        p.extra.insert(QStringLiteral("resource_id"), id);
        p.extra.insert(QStringLiteral("value"), id);
    }
    return p;
}

Problem Service::forbidden(const QString &resourceType, const QString &id, const QString &detail)
{
    Problem p{403,
              QStringLiteral("not-authorized-for-resource"),
                             QStringLiteral("Forbidden"), detail, {{QStringLiteral("resource_type"), resourceType}}};
    if (!id.isEmpty())
        p.extra.insert(QStringLiteral("resource_id"), id);
    return p;
}

HttpResponse Service::oauthError(const QString &error, const QString &description, int status)
{
    HttpResponse r = HttpResponse::json(
        {{QStringLiteral("error"), error}, {QStringLiteral("error_description"), description}}, status);
    r.header("Cache-Control", "no-store");
    return r;
}

// --- auth and limits ----------------------------------------------------------------------------

std::optional<Principal> Service::authenticate(const HttpRequest &request) const
{
    const QByteArray auth = request.header("authorization");
    if (!auth.startsWith("Bearer ") && !auth.startsWith("bearer "))
        return std::nullopt;
    const QString token = QString::fromLatin1(auth.mid(7).trimmed());
    if (token.isEmpty())
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT t.kind, t.user_id, t.client_id, t.scope, t.expires_at, t.revoked,"
                             " COALESCE(u.demo_peer, 0) FROM tokens t LEFT JOIN users u ON u.id = t.user_id"
                             " WHERE t.token_hash = ?"));
    q.addBindValue(tokenHash(token));
    if (!q.exec() || !q.next())
        return std::nullopt;
    const QString kind = q.value(0).toString();
    if (kind == QLatin1String("refresh") || q.value(5).toInt() != 0 ||
        q.value(4).toLongLong() <= QDateTime::currentSecsSinceEpoch())
        return std::nullopt;
    Principal p;
    p.kind = kind == QLatin1String("app") ? Principal::Kind::App : Principal::Kind::User;
    p.userId = q.value(1).toString();
    p.clientId = q.value(2).toString();
    const QStringList scopes = q.value(3).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    p.scopes = QSet<QString>(scopes.begin(), scopes.end());
    p.demoPeer = q.value(6).toInt() != 0;
    return p;
}

Service::Limit Service::limitFor(const QString &group) const
{
    if (m_limits.contains(group))
        return m_limits.value(group);
    // "chat.*" style prefixes
    const qsizetype dot = group.indexOf(QLatin1Char('.'));
    if (dot > 0) {
        const QString prefix = group.left(dot) + QStringLiteral(".*");
        if (m_limits.contains(prefix))
            return m_limits.value(prefix);
    }
    return m_limits.value(QStringLiteral("default"));
}

Service::Window *Service::consume(const QString &group, const QString &who, bool *exceeded)
{
    const Limit limit = limitFor(group);
    Window &w = m_windows[group + QLatin1Char('|') + who];
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (w.resetSecs <= now) {
        w.used = 0;
        w.resetSecs = now + limit.windowSecs;
    }
    w.limit = limit.requests;
    *exceeded = w.used >= w.limit;
    if (!*exceeded)
        ++w.used;
    return &w;
}

// --- administration -----------------------------------------------------------------------------

Result<UserInfo> Service::createUser(const QString &username, const QString &name, bool demoPeer)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_]{1,15}$"));
    if (!re.match(username).hasMatch())
        return Error(ErrorKind::InvalidInput, tr("A username is 1 to 15 letters, digits or underscores."));
    if (name.trimmed().isEmpty() || name.size() > 50)
        return Error(ErrorKind::InvalidInput, tr("A name is 1 to 50 characters."));
    if (userByUsername(username))
        return Error(ErrorKind::Conflict, tr("The username %1 is taken.").arg(username));
    UserInfo u{QString::number(nextSnowflake()), username, name.trimmed()};
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO users (id, username, name, demo_peer, created_at) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(u.id);
    q.addBindValue(u.username);
    q.addBindValue(u.name);
    q.addBindValue(demoPeer ? 1 : 0);
    q.addBindValue(nowMsec());
    if (!q.exec())
        return Error(ErrorKind::Storage, tr("Could not store the user."), q.lastError().text());
    return u;
}

Result<UserInfo> Service::userByUsername(const QString &username) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id, username, name FROM users WHERE username = ?"));
    q.addBindValue(username);
    if (q.exec() && q.next())
        return UserInfo{q.value(0).toString(), q.value(1).toString(), q.value(2).toString()};
    return Error(ErrorKind::NotFound, tr("There is no user %1.").arg(username));
}

std::optional<UserInfo> Service::userById(const QString &id) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id, username, name FROM users WHERE id = ?"));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return UserInfo{q.value(0).toString(), q.value(1).toString(), q.value(2).toString()};
    return std::nullopt;
}

QList<UserInfo> Service::users() const
{
    QList<UserInfo> out;
    QSqlQuery q(m_db);
    q.exec(QStringLiteral("SELECT id, username, name FROM users ORDER BY created_at, id"));
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
    return out;
}

Result<QString> Service::issueUserToken(const QString &userId, const QStringList &scopes, const QString &clientId,
                                        QString *refreshToken, const QString &family)
{
    if (!userById(userId))
        return Error(ErrorKind::NotFound, tr("There is no user %1.").arg(userId));
    const QString access = randomToken(32);
    const QString fam = family.isEmpty() ? randomToken(12) : family;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO tokens (token_hash, kind, user_id, client_id, scope, expires_at, family)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)"));
    auto insert = [&](const QString &token, const char *kind, qint64 expires) {
        q.bindValue(0, tokenHash(token));
        q.bindValue(1, QString::fromLatin1(kind));
        q.bindValue(2, userId);
        q.bindValue(3, clientId);
        q.bindValue(4, scopes.isEmpty() ? QStringLiteral("") : scopes.join(QLatin1Char(' ')));
        q.bindValue(5, expires);
        q.bindValue(6, fam);
        return q.exec();
    };
    if (!insert(access, "access", now + m_options.accessTokenLifetimeSecs))
        return Error(ErrorKind::Storage, tr("Could not store the token."), q.lastError().text());
    if (refreshToken) {
        *refreshToken = randomToken(32);
        if (!insert(*refreshToken, "refresh", now + 180LL * 86400))
            return Error(ErrorKind::Storage, tr("Could not store the token."), q.lastError().text());
    }
    return access;
}

Result<void> Service::registerClient(const QString &clientId, const QString &secret)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO clients (client_id, secret_hash) VALUES (?, ?)"));
    q.addBindValue(clientId);
    q.addBindValue(secret.isEmpty() ? QVariant() : QVariant(tokenHash(secret)));
    if (!q.exec())
        return Error(ErrorKind::Storage, tr("Could not store the client."), q.lastError().text());
    return {};
}

Result<QString> Service::issueAppToken(const QString &clientId)
{
    const QString token = randomToken(32);
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO tokens (token_hash, kind, user_id, client_id, scope, expires_at, family)"
                             " VALUES (?, 'app', NULL, ?, '', ?, ?)"));
    q.addBindValue(tokenHash(token));
    q.addBindValue(clientId);
    q.addBindValue(QDateTime::currentSecsSinceEpoch() + 10LL * 365 * 86400); // app tokens do not expire on X
    q.addBindValue(randomToken(12));
    if (!q.exec())
        return Error(ErrorKind::Storage, tr("Could not store the token."), q.lastError().text());
    return token;
}

// --- helpers -------------------------------------------------------------------------------------

qint64 Service::nowMsec() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 Service::nextSnowflake()
{
    // Twitter-style: milliseconds since X's epoch in the high bits, a counter in the low 22; the
    // value never goes backwards, even across restarts (start() seeds it from the database).
    const qint64 candidate = (nowMsec() - TwitterEpochMsec) << 22;
    m_lastSnowflake = std::max(candidate, m_lastSnowflake + 1);
    return m_lastSnowflake;
}

std::optional<int> Service::maxResults(const HttpRequest &r, int fallback, int max, Problem *problem) const
{
    if (!r.hasQuery(QStringLiteral("max_results")))
        return fallback;
    const QString raw = r.queryValue(QStringLiteral("max_results"));
    bool ok = false;
    const int value = raw.toInt(&ok);
    if (!ok || value < 1 || value > max) {
        *problem = invalid(tr("The `max_results` query parameter value [%1] is not between 1 and %2").arg(raw).arg(max),
                           QStringLiteral("max_results"), raw);
        return std::nullopt;
    }
    return value;
}

Result<QSet<QString>> Service::listParameter(const HttpRequest &r, const QString &name, const QStringList &allowed,
                                             Problem *problem) const
{
    QSet<QString> out;
    if (!r.hasQuery(name))
        return out;
    const QString raw = r.queryValue(name);
    const QStringList parts = raw.split(QLatin1Char(','));
    for (const QString &part : parts) {
        if (!allowed.contains(part)) {
            *problem = invalid(tr("The `%1` query parameter value [%2] is not one of [%3]")
                                   .arg(name, part, allowed.join(QLatin1Char(','))),
                               name, part);
            return Error(ErrorKind::InvalidInput, problem->detail);
        }
        if (out.contains(part)) {
            *problem = invalid(tr("The `%1` query parameter contains [%2] twice").arg(name, part), name, part);
            return Error(ErrorKind::InvalidInput, problem->detail);
        }
        out.insert(part);
    }
    return out;
}

} // namespace confab::localserver
