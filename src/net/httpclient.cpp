#include "net/httpclient.h"

#include "core/logging.h"
#include "net/authprovider.h"
#include "net/awaiters.h"
#include "net/cancellation.h"
#include "net/httpstream.h"
#include "net/networkaccess.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QIODevice>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace confab::net {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Error cancelledError(const QString &what)
{
    return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."), what + QStringLiteral(": cancelled"));
}

bool cancelled(const QPointer<Cancellation> &c)
{
    const Cancellation *p = c.data();
    return p && p->isCancelled();
}

QString describe(const QByteArray &method, const QString &path)
{
    return QString::fromLatin1(method) + QLatin1Char(' ') + path;
}

} // namespace

// ---- Request / Response -----------------------------------------------------------------------

Request Request::get(QString path, QUrlQuery query)
{
    Request r;
    r.path = std::move(path);
    r.query = std::move(query);
    return r;
}

Request Request::postJson(QString path, const QJsonObject &body)
{
    Request r;
    r.method = "POST";
    r.path = std::move(path);
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    r.contentType = "application/json";
    return r;
}

bool Request::isRetryable() const
{
    static const QList<QByteArray> idempotent{"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
    return idempotent.contains(method) || !idempotencyKey.isEmpty();
}

QByteArray Response::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

Result<QJsonObject> Response::json() const
{
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
        return Error(ErrorKind::Protocol,
                     QStringLiteral("The server's answer could not be understood."),
                                    QStringLiteral("HTTP %1 with a body that is not a JSON object (%2 bytes): %3")
                                                       .arg(status)
                                                       .arg(body.size())
                                                       .arg(parse.error != QJsonParseError::NoError
                                                                ? parse.errorString()
                                                                : QStringLiteral("not an object")));
    }
    return doc.object();
}

// ---- HttpClient -------------------------------------------------------------------------------

HttpClient::HttpClient(QUrl baseUrl, AuthProvider *auth, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
    , m_auth(auth)
    , m_shared(std::make_shared<Shared>())
{
    m_shared->timers = new QObject(this);
}

HttpClient::~HttpClient()
{
    shutDown();
}

void HttpClient::shutDown()
{
    if (m_shared->closed)
        return;
    m_shared->closed = true;
    // Aborting the replies and destroying the timers resumes every coroutine waiting on them;
    // each sees `closed` and returns Cancelled without touching this object.
    const QList<QNetworkReply *> replies = std::exchange(m_shared->replies, {});
    for (QNetworkReply *reply : replies) {
        reply->abort();
        reply->deleteLater();
    }
    delete m_shared->timers;
    m_shared->timers = nullptr;
}

QCoro::Task<bool> HttpClient::delay(qint64 msecs, QPointer<Cancellation> cancellation)
{
    std::shared_ptr<Shared> shared = m_shared;
    if (shared->closed || cancelled(cancellation))
        co_return false;
    auto *timer = new QTimer(shared->timers);
    timer->setSingleShot(true);
    timer->setTimerType(msecs < 2000 ? Qt::PreciseTimer : Qt::CoarseTimer);
    if (Cancellation *c = cancellation.data())
        connect(c, &Cancellation::cancelled, timer, &QObject::deleteLater);
    timer->start(static_cast<int>(std::clamp<qint64>(msecs, 0, std::numeric_limits<int>::max())));
    const bool fired = co_await TimerFired(timer);
    if (shared->closed)
        co_return false;
    if (fired)
        timer->deleteLater();
    co_return fired && !cancelled(cancellation);
}

QCoro::Task<Result<QString>> HttpClient::tokenFor(bool refresh, QString rejected, std::shared_ptr<Shared> shared)
{
    if (!m_auth)
        co_return QString();
    QFuture<Result<QString>> future = refresh ? m_auth->refreshAfterRejection(rejected) : m_auth->accessToken();
    // Shutting down must not wait for the provider (a keychain prompt, a refresh on the network).
    const bool answered = co_await FutureFinished<Result<QString>>(future, shared->timers);
    if (shared->closed || !answered)
        co_return cancelledError(QStringLiteral("token"));
    if (future.isCanceled() || future.resultCount() < 1) // the provider dropped its promise
        co_return Error(ErrorKind::Cancelled,
                        QStringLiteral("Cancelled."), QStringLiteral("token: the sign-in provider gave no answer"));
    Result<QString> token = future.result();
    // No usable token: the person must sign in again.
    if (!token && token.error().kind() == ErrorKind::Unauthorized)
        Q_EMIT authenticationFailed(token.error());
    co_return token;
}

QNetworkRequest HttpClient::buildRequest(const Request &request, const QString &token) const
{
    QUrl url = m_baseUrl;
    QString path = url.path();
    if (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + request.path);
    if (!request.query.isEmpty())
        url.setQuery(request.query);
    QNetworkRequest r(url);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setAttribute(QNetworkRequest::Http2AllowedAttribute, true);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    r.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Confab"));
    if (!token.isEmpty())
        r.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    if (!request.contentType.isEmpty())
        r.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType);
    for (const auto &[name, value] : request.headers)
        r.setRawHeader(name, value);
    return r;
}

void HttpClient::noteRateLimit(const QString &endpoint, QNetworkReply *reply, qint64 now)
{
    m_limits.record(endpoint, reply->rawHeader("x-rate-limit-limit"), reply->rawHeader("x-rate-limit-remaining"),
                    reply->rawHeader("x-rate-limit-reset"), now);
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 429)
        return; // blockAfter429() announces the block, Retry-After included
    const qint64 until = m_limits.blockedUntil(endpoint);
    if (until > now) {
        qCInfo(lcNet) << "rate limit of" << endpoint << "exhausted until"
                      << QDateTime::fromMSecsSinceEpoch(until, Qt::UTC);
        Q_EMIT rateLimited(endpoint, QDateTime::fromMSecsSinceEpoch(until, Qt::UTC));
    }
}

qint64 HttpClient::blockAfter429(const QString &endpoint, QNetworkReply *reply, qint64 now, qint64 fallbackMs)
{
    // Retry-After, else the window's reset, else the backoff; whichever the budget says last wins.
    qint64 until = now + fallbackMs;
    if (auto after = retryAfterMs(reply->rawHeader("retry-after"), now))
        until = now + *after;
    else if (const qint64 reset = m_limits.state(endpoint).resetMs; reset > now)
        until = reset;
    m_limits.block(endpoint, until);
    until = std::max(until, m_limits.blockedUntil(endpoint));
    qCInfo(lcNet) << "rate limited on" << endpoint << "until" << QDateTime::fromMSecsSinceEpoch(until, Qt::UTC);
    Q_EMIT rateLimited(endpoint, QDateTime::fromMSecsSinceEpoch(until, Qt::UTC));
    return until;
}

QCoro::Task<Result<void>> HttpClient::waitForBudget(QString endpoint, QPointer<Cancellation> cancellation,
                                                    std::shared_ptr<Shared> shared)
{
    for (;;) {
        const qint64 until = m_limits.blockedUntil(endpoint);
        const qint64 wait = until - nowMs();
        if (wait <= 0)
            co_return Result<void>();
        if (wait > m_policy.maxRateLimitWaitMs) {
            const QString when = QDateTime::fromMSecsSinceEpoch(until).toString(QStringLiteral("HH:mm"));
            co_return Error(
                ErrorKind::RateLimited,
                QStringLiteral("The server limits how often Confab may do this. Try again after %1.").arg(when),
                               QStringLiteral("%1: rate limited for %2 s").arg(endpoint).arg(wait / 1000));
        }
        const bool waited = co_await delay(wait, cancellation);
        if (shared->closed || !waited)
            co_return cancelledError(endpoint);
    }
}

QCoro::Task<Result<Response>> HttpClient::send(Request request)
{
    std::shared_ptr<Shared> shared = m_shared;
    const QString what = describe(request.method, request.path);
    if (shared->closed || cancelled(request.cancellation))
        co_return cancelledError(what);
    if (auto transport = checkTransport(m_baseUrl); !transport)
        co_return transport.error();

    const QString endpoint = RateLimits::endpointKey(request.method, request.path);
    const int maxAttempts = std::max(1, request.maxAttempts.value_or(m_policy.maxAttempts));
    bool refreshed = false;
    bool refreshNext = false;
    QString lastToken;
    int attempt = 0;
    for (;;) {
        ++attempt;
        if (auto budget = co_await waitForBudget(endpoint, request.cancellation, shared); !budget)
            co_return budget.error();

        QString token;
        if (request.authenticate && m_auth) {
            auto got = co_await tokenFor(refreshNext, lastToken, shared);
            if (shared->closed)
                co_return cancelledError(what);
            if (!got)
                co_return got.error();
            token = got.value();
            lastToken = token;
        }
        refreshNext = false;

        QNetworkAccessManager *nam = networkAccessManager();
        const QNetworkRequest r = buildRequest(request, token);
        QNetworkReply *reply = request.method == "GET"    ? nam->get(r)
                               : request.method == "POST" ? nam->post(r, request.body)
                               : request.method == "PUT"  ? nam->put(r, request.body)
                                                          : nam->sendCustomRequest(r, request.method, request.body);
        shared->replies.append(reply);
        QElapsedTimer elapsed;
        elapsed.start();

        // No progress for timeoutMs: abort as a Timeout. Cancellation: abort as Cancelled.
        auto timedOut = std::make_shared<bool>(false);
        auto wasCancelled = std::make_shared<bool>(false);
        auto *watchdog = new QTimer(reply);
        watchdog->setSingleShot(true);
        watchdog->setInterval(request.timeoutMs);
        connect(watchdog, &QTimer::timeout, reply, [reply, timedOut] {
            *timedOut = true;
            reply->abort();
        });
        auto progress = [watchdog] { watchdog->start(); };
        auto sunk = std::make_shared<qint64>(0);
        auto sinkFailed = std::make_shared<bool>(false);
        connect(reply, &QNetworkReply::uploadProgress, reply,
                [progress, cb = request.uploadProgress](qint64 sent, qint64 total) {
                    progress();
                    if (cb && total > 0)
                        cb(sent, total);
                });
        connect(reply, &QNetworkReply::downloadProgress, reply,
                [progress, cb = request.downloadProgress](qint64 received, qint64 total) {
                    progress();
                    if (cb)
                        cb(received, total);
                });
        if (QIODevice *sink = request.sink) {
            connect(reply, &QNetworkReply::readyRead, reply, [reply, sink, sunk, sinkFailed] {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status < 200 || status >= 300)
                    return; // an error body: read at the end
                const QByteArray chunk = reply->readAll();
                if (sink->write(chunk) != chunk.size()) {
                    *sinkFailed = true;
                    reply->abort();
                    return;
                }
                *sunk += chunk.size();
            });
        }
        if (Cancellation *c = request.cancellation.data()) {
            connect(c, &Cancellation::cancelled, reply, [reply, wasCancelled] {
                *wasCancelled = true;
                reply->abort();
            });
        }
        watchdog->start();

        QNetworkReply *done = co_await ReplyFinished(reply);
        if (shared->closed || !done)
            co_return cancelledError(what);
        shared->replies.removeOne(done);
        done->deleteLater();
        watchdog->stop();

        Outcome outcome;
        outcome.status = done->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        outcome.networkError = done->error();
        outcome.networkErrorString = done->errorString();
        outcome.contentType = mediaType(done->header(QNetworkRequest::ContentTypeHeader).toByteArray());
        outcome.body = done->isOpen() ? done->readAll() : QByteArray();
        outcome.timedOut = *timedOut;
        outcome.what = what;
        if (request.sink && outcome.status >= 200 && outcome.status < 300 && !outcome.body.isEmpty()) {
            if (request.sink->write(outcome.body) != outcome.body.size())
                *sinkFailed = true;
            *sunk += outcome.body.size();
            outcome.body.clear();
        }
        // QNetworkReply can report a body cut short by the server closing the connection as a
        // success; the Content-Length it announced says otherwise. (Qt drops that header when it
        // decompresses a body, so it always counts the bytes we got.)
        if (outcome.networkError == QNetworkReply::NoError && request.method != "HEAD" && outcome.status != 204 &&
            outcome.status != 304) {
            const QVariant announced = done->header(QNetworkRequest::ContentLengthHeader);
            const qint64 got =
                request.sink && outcome.status >= 200 && outcome.status < 300 ? *sunk : outcome.body.size();
            if (announced.isValid() && got < announced.toLongLong()) {
                outcome.networkError = QNetworkReply::RemoteHostClosedError;
                outcome.networkErrorString =
                    QStringLiteral("the body ended after %1 of %2 bytes").arg(got).arg(announced.toLongLong());
            }
        }
        const qint64 now = nowMs();
        noteRateLimit(endpoint, done, now);
        if (m_observer)
            m_observer(outcome);
        qCDebug(lcNet).noquote() << what << "->" << outcome.status << outcome.networkError << elapsed.elapsed() << "ms"
                                 << "attempt" << attempt;

        if (*wasCancelled)
            co_return cancelledError(what);
        if (*sinkFailed)
            co_return Error(ErrorKind::Storage,
                            QStringLiteral("The download could not be saved."),
                                           what + QStringLiteral(": writing to the destination failed"));

        const bool connectionOk = !isConnectionError(outcome.networkError) && !outcome.timedOut;
        const bool statusOk =
            (outcome.status >= 200 && outcome.status < 300) || request.acceptedStatuses.contains(outcome.status);
        if (connectionOk && statusOk) {
            Response response;
            response.status = outcome.status;
            response.body = std::move(outcome.body);
            response.headers = done->rawHeaderPairs();
            response.attempts = attempt;
            co_return response;
        }

        // 401: the token expired or was revoked. Refresh once and replay (not an attempt).
        if (outcome.status == 401 && request.authenticate && m_auth && !refreshed) {
            refreshed = true;
            refreshNext = true;
            --attempt;
            qCInfo(lcNet).noquote() << what << "was refused with 401; refreshing the token once";
            continue;
        }

        Error error = errorFor(outcome);
        if (outcome.status == 401)
            Q_EMIT authenticationFailed(error);

        qint64 wait = m_policy.delayAfter(attempt);
        if (outcome.status == 429) {
            // Wait for the window's reset (or Retry-After); the endpoint waits with us.
            wait = blockAfter429(endpoint, done, now, wait) - now;
        } else if (auto after = retryAfterMs(done->rawHeader("retry-after"), now); after && outcome.status >= 500) {
            wait = std::max(wait, *after);
        }

        const bool safeToRepeat = request.isRetryable() || outcome.status == 429;
        const bool sinkTouched = request.sink && *sunk > 0;
        if (!error.isTransient() || !safeToRepeat || sinkTouched || attempt >= maxAttempts) {
            if (attempt > 1)
                error.withDetail(error.detail() + QStringLiteral(" (after %1 attempts)").arg(attempt));
            co_return error;
        }
        if (wait > m_policy.maxRateLimitWaitMs)
            co_return error;
        qCInfo(lcNet).noquote() << what << "failed (" << error.toString() << "); attempt" << attempt + 1 << "in" << wait
                                << "ms";
        const bool waited = co_await delay(wait, request.cancellation);
        if (shared->closed || !waited)
            co_return cancelledError(what);
    }
}

QCoro::Task<Result<HttpStream *>> HttpClient::openStream(Request request)
{
    std::shared_ptr<Shared> shared = m_shared;
    const QString what = describe(request.method, request.path);
    if (shared->closed || cancelled(request.cancellation))
        co_return cancelledError(what);
    if (auto transport = checkTransport(m_baseUrl); !transport)
        co_return transport.error();
    const QString endpoint = RateLimits::endpointKey(request.method, request.path);
    if (auto budget = co_await waitForBudget(endpoint, request.cancellation, shared); !budget)
        co_return budget.error();

    bool refresh = false;
    QString lastToken;
    for (int round = 0; round < 2; ++round) {
        QString token;
        if (request.authenticate && m_auth) {
            auto got = co_await tokenFor(refresh, lastToken, shared);
            if (shared->closed)
                co_return cancelledError(what);
            if (!got)
                co_return got.error();
            token = got.value();
            lastToken = token;
        }
        if (cancelled(request.cancellation))
            co_return cancelledError(what);
        QNetworkRequest r = buildRequest(request, token);
        QNetworkReply *reply = networkAccessManager()->get(r);
        shared->replies.append(reply);
        if (Cancellation *c = request.cancellation.data())
            connect(c, &Cancellation::cancelled, reply, &QNetworkReply::abort);
        // Wait for the status line and headers (or the end).
        auto *watchdog = new QTimer(reply);
        watchdog->setSingleShot(true);
        auto timedOut = std::make_shared<bool>(false);
        connect(watchdog, &QTimer::timeout, reply, [reply, timedOut] {
            *timedOut = true;
            reply->abort();
        });
        watchdog->start(request.timeoutMs);
        if (!co_await ReplyHeaders(reply) || shared->closed)
            co_return cancelledError(what);
        shared->replies.removeOne(reply);
        delete watchdog;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        noteRateLimit(endpoint, reply, nowMs());
        if (status >= 200 && status < 300 && !reply->isFinished())
            co_return new HttpStream(reply, request.timeoutMs, nullptr);

        if (!reply->isFinished())
            co_await ReplyFinished(reply);
        if (shared->closed)
            co_return cancelledError(what);
        Outcome outcome;
        outcome.status = status;
        outcome.networkError = reply->error();
        outcome.networkErrorString = reply->errorString();
        outcome.body = reply->isOpen() ? reply->readAll() : QByteArray();
        outcome.timedOut = *timedOut;
        outcome.what = what;
        reply->deleteLater();
        if (status == 401 && request.authenticate && m_auth && !refresh) {
            refresh = true;
            continue;
        }
        if (status >= 200 && status < 300)
            co_return Error(ErrorKind::Network, QStringLiteral("The live connection to the server ended."),
                                                               what + QStringLiteral(": the stream closed at once"));
        Error error = errorFor(outcome);
        if (status == 429) {
            const qint64 now = nowMs();
            blockAfter429(endpoint, reply, now, m_policy.delayAfter(1));
        }
        if (status == 401)
            Q_EMIT authenticationFailed(error);
        co_return error;
    }
    co_return Error(ErrorKind::Unauthorized, QStringLiteral("Your sign-in has expired. Please sign in again."),
                                                            what + QStringLiteral(": refused after a token refresh"));
}

} // namespace confab::net
