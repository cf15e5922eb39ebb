#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <deque>

class QNetworkReply;

namespace confab::localserver::demo {

class ApiClient;

/// Reads `GET /2/activity/stream` (app-only Bearer): one JSON object per line, blank keep-alive
/// lines in between. Deliveries are deduplicated on `event_uuid`. When the stream ends or fails it
/// reconnects with exponential backoff (0.5 s doubling up to 30 s); a stream silent for longer
/// than three keep-alive periods is treated as dropped.
class ActivityStream : public QObject
{
    Q_OBJECT
public:
    ActivityStream(QUrl baseUrl, QString appToken, QObject *parent = nullptr);
    ~ActivityStream() override;

    void start();
    void stop();
    [[nodiscard]] bool isConnected() const { return m_connected; }
    /// Failed attempts since the last successful connection.
    [[nodiscard]] int failures() const { return m_failures; }

Q_SIGNALS:
    /// One delivery: `userId` is the subscription's filter.user_id.
    void activity(const QString &userId, const QString &eventType, const QJsonObject &payload);
    /// The stream is open (again): whatever happened while it was down must be fetched.
    void connected();
    /// The stream dropped or could not be opened; it will try again by itself.
    void disconnected(const confab::Error &why);

private:
    void connectNow();
    void onMetaData();
    void onReadyRead();
    void onFinished();
    void handleLine(const QByteArray &line);
    void scheduleReconnect();

    ApiClient *m_api = nullptr;
    QPointer<QNetworkReply> m_reply;
    QByteArray m_buffer;
    QTimer m_retry;
    QTimer m_watchdog;
    int m_failures = 0;
    bool m_running = false;
    bool m_connected = false;
    QSet<QString> m_seen;
    std::deque<QString> m_seenOrder;
};

} // namespace confab::localserver::demo
