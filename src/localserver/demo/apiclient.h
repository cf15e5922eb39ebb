#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>
#include <qcoro/qcorotask.h>

#include <optional>

class QNetworkAccessManager;
class QTimer;

namespace confab::localserver::demo {

/// One HTTP answer: the status, the raw body, and the body parsed when it is a JSON object.
struct ApiResponse
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray etag;
};

/// One HTTP request.
struct ApiRequest
{
    QByteArray method = "GET";
    QString path; ///< e.g. "/2/chat/conversations"
    QUrlQuery query;
    std::optional<QJsonObject> body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    /// Statuses that are answers rather than failures (e.g. 304 for If-None-Match).
    QList<int> acceptedStatuses;
};

/// A small asynchronous client for the X Chat HTTP API with one Bearer token.
///
/// Every request is a coroutine that never blocks the event loop. Destroying the client (or
/// calling shutDown()) cancels every request and delay in flight: their coroutines resume with a
/// Cancelled error (delays with false) and must not touch their owner after that.
class ApiClient : public QObject
{
    Q_OBJECT
public:
    ApiClient(QUrl baseUrl, QString bearerToken, QObject *parent = nullptr);
    ~ApiClient() override;

    [[nodiscard]] const QUrl &baseUrl() const { return m_baseUrl; }
    [[nodiscard]] bool isShutDown() const { return m_shutDown; }
    /// Cancels everything in flight; later requests fail at once with Cancelled.
    void shutDown();

    /// Sends `request`. A 2xx status (or one in acceptedStatuses) is an ApiResponse; anything
    /// else an Error with the HTTP status and the server's problem `detail` (never the body).
    [[nodiscard]] QCoro::Task<Result<ApiResponse>> send(ApiRequest request);

    /// Waits `msecs` on the event loop. False when the client shut down meanwhile.
    [[nodiscard]] QCoro::Task<bool> delay(int msecs);

    /// Opens a long-lived GET (the activity stream); the caller owns and reads the reply.
    [[nodiscard]] QNetworkReply *openStream(const QString &path, const QUrlQuery &query = {});

private:
    QNetworkRequest makeRequest(const QString &path, const QUrlQuery &query) const;

    QUrl m_baseUrl;
    QByteArray m_authorization;
    QNetworkAccessManager *m_nam = nullptr;
    QObject *m_timers = nullptr;
    bool m_shutDown = false;
};

} // namespace confab::localserver::demo
