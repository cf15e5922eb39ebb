#include "localserver/demo/apiclient.h"

#include "core/logging.h"
#include "net/awaiters.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QTimer>

namespace confab::localserver::demo {

namespace {

Error cancelled()
{
    return Error(ErrorKind::Cancelled, QStringLiteral("The demo peer stopped."));
}

} // namespace

ApiClient::ApiClient(QUrl baseUrl, QString bearerToken, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
    , m_authorization("Bearer " + bearerToken.toLatin1())
    , m_nam(new QNetworkAccessManager(this))
    , m_timers(new QObject(this))
{
    m_nam->setAutoDeleteReplies(false);
}

ApiClient::~ApiClient()
{
    shutDown();
}

void ApiClient::shutDown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    // Destroying the replies and timers resumes every coroutine waiting on them, with Cancelled.
    delete m_timers;
    m_timers = nullptr;
    delete m_nam;
    m_nam = nullptr;
}

QNetworkRequest ApiClient::makeRequest(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    url.setPath(path);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", m_authorization);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return request;
}

QCoro::Task<Result<ApiResponse>> ApiClient::send(ApiRequest request)
{
    if (m_shutDown)
        co_return cancelled();
    QNetworkRequest r = makeRequest(request.path, request.query);
    for (const auto &[name, value] : request.headers)
        r.setRawHeader(name, value);
    QByteArray payload;
    if (request.body) {
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        payload = QJsonDocument(*request.body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply =
        request.body || request.method != "GET" ? m_nam->sendCustomRequest(r, request.method, payload) : m_nam->get(r);
    QNetworkReply *done = co_await net::ReplyFinished(reply);
    if (!done)
        co_return cancelled();
    done->deleteLater();

    ApiResponse out;
    out.status = done->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = done->readAll();
    out.etag = done->rawHeader("ETag");
    if (out.status == 0) {
        co_return Error(ErrorKind::Network,
                        QStringLiteral("The local server could not be reached."),
                                       QStringLiteral("%1 %2: %3") .arg(QString::fromLatin1(request.method),
                                                                        request.path, done->errorString()));
    }
    const QJsonDocument doc = QJsonDocument::fromJson(out.body);
    if (doc.isObject())
        out.json = doc.object();
    const bool ok = (out.status >= 200 && out.status < 300) || request.acceptedStatuses.contains(out.status);
    if (!ok) {
        // Problem details, or the errors array of an Error object; never the request body.
        QString detail = out.json.value(QLatin1String("detail")).toString();
        if (detail.isEmpty())
            detail = out.json.value(QLatin1String("errors"))
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(QLatin1String("message"))
                         .toString();
        Error error = Error::fromHttpStatus(
            out.status,
            QStringLiteral("The local server refused a demo request."),
                           QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(request.method), request.path, detail));
        const QString type = out.json.value(QLatin1String("type")).toString();
        if (!type.isEmpty())
            error.withProblemType(type);
        co_return error;
    }
    co_return out;
}

QCoro::Task<bool> ApiClient::delay(int msecs)
{
    if (m_shutDown)
        co_return false;
    auto *timer = new QTimer(m_timers);
    timer->setSingleShot(true);
    timer->start(std::max(0, msecs));
    const bool fired = co_await net::TimerFired(timer);
    if (fired)
        timer->deleteLater();
    co_return fired && !m_shutDown;
}

QNetworkReply *ApiClient::openStream(const QString &path, const QUrlQuery &query)
{
    if (m_shutDown)
        return nullptr;
    QNetworkRequest r = makeRequest(path, query);
    r.setRawHeader("Accept", "application/json");
    return m_nam->get(r);
}

} // namespace confab::localserver::demo
