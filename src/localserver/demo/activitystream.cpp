#include "localserver/demo/activitystream.h"

#include "core/logging.h"
#include "localserver/demo/apiclient.h"

#include <QJsonDocument>
#include <QNetworkReply>

#include <algorithm>

namespace confab::localserver::demo {

namespace {
constexpr int FirstRetryMsecs = 500;
constexpr int MaxRetryMsecs = 30000;
constexpr int SilenceLimitMsecs = 35000; // the server sends a keep-alive line every 10 s
constexpr qsizetype RememberedDeliveries = 4096;
} // namespace

ActivityStream::ActivityStream(QUrl baseUrl, QString appToken, QObject *parent)
    : QObject(parent)
    , m_api(new ApiClient(std::move(baseUrl), std::move(appToken), this))
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &ActivityStream::connectNow);
    m_watchdog.setSingleShot(true);
    m_watchdog.setInterval(SilenceLimitMsecs);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        qCInfo(lcLocalServer) << "demo: the activity stream went silent; reconnecting";
        if (QNetworkReply *reply = m_reply.data())
            reply->abort();
    });
}

ActivityStream::~ActivityStream()
{
    stop();
}

void ActivityStream::start()
{
    if (m_running)
        return;
    m_running = true;
    connectNow();
}

void ActivityStream::stop()
{
    m_running = false;
    m_retry.stop();
    m_watchdog.stop();
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    m_connected = false;
}

void ActivityStream::connectNow()
{
    if (!m_running || m_reply)
        return;
    m_buffer.clear();
    m_reply = m_api->openStream(QStringLiteral("/2/activity/stream"));
    if (!m_reply)
        return;
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &ActivityStream::onMetaData);
    connect(m_reply, &QNetworkReply::readyRead, this, &ActivityStream::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &ActivityStream::onFinished);
    m_watchdog.start();
}

void ActivityStream::onMetaData()
{
    const int status = m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
    if (status == 200 && !m_connected) {
        m_connected = true;
        m_failures = 0;
        qCInfo(lcLocalServer) << "demo: activity stream connected";
        Q_EMIT connected();
    }
}

void ActivityStream::onReadyRead()
{
    if (!m_reply)
        return;
    m_watchdog.start();
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // an error body: read it in onFinished
    if (!m_connected)
        onMetaData();
    m_buffer += m_reply->readAll();
    qsizetype newline = 0;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline).trimmed();
        m_buffer.remove(0, newline + 1);
        if (!line.isEmpty())
            handleLine(line);
        if (!m_reply)
            return; // stopped by a slot
    }
}

void ActivityStream::handleLine(const QByteArray &line)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (!doc.isObject()) {
        qCWarning(lcLocalServer) << "demo: ignoring a malformed activity line:" << error.errorString();
        return;
    }
    const QJsonObject data = doc.object().value(QLatin1String("data")).toObject();
    if (data.isEmpty())
        return; // an errors-only object
    const QString uuid = data.value(QLatin1String("event_uuid")).toString();
    if (!uuid.isEmpty()) {
        if (m_seen.contains(uuid))
            return;
        m_seen.insert(uuid);
        m_seenOrder.push_back(uuid);
        if (qsizetype(m_seenOrder.size()) > RememberedDeliveries) {
            m_seen.remove(m_seenOrder.front());
            m_seenOrder.pop_front();
        }
    }
    const QString userId = data.value(QLatin1String("filter")).toObject().value(QLatin1String("user_id")).toString();
    Q_EMIT activity(userId, data.value(QLatin1String("event_type")).toString(),
                    data.value(QLatin1String("payload")).toObject());
}

void ActivityStream::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    m_watchdog.stop();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString detail = status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString();
    reply->deleteLater();
    const bool wasConnected = m_connected;
    m_connected = false;
    if (!wasConnected)
        ++m_failures;
    Error why(status ? ErrorKind::Server : ErrorKind::Network, QStringLiteral("The activity stream dropped."), detail);
    if (status >= 400)
        why = Error::fromHttpStatus(status, QStringLiteral("The activity stream was refused."), detail);
    qCInfo(lcLocalServer) << "demo: activity stream ended:" << detail;
    Q_EMIT disconnected(why);
    scheduleReconnect();
}

void ActivityStream::scheduleReconnect()
{
    if (!m_running)
        return;
    const int exponent = std::min(m_failures, 8);
    const int wait = std::min(MaxRetryMsecs, FirstRetryMsecs * (1 << exponent));
    m_retry.start(wait);
}

} // namespace confab::localserver::demo
