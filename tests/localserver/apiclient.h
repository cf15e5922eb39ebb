#pragma once

// A synchronous-looking HTTP client for the confab-localserver integration tests, on
// QNetworkAccessManager. Every response it sees (and every line of an activity stream) is
// recorded as one JSON line in the responses folder, which validate_responses.py later checks
// against the OpenAPI document.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

#include <memory>
#include <optional>

namespace confab::localserver::test {

using Headers = QList<QPair<QByteArray, QByteArray>>;

/// One HTTP response as the test sees it.
struct ApiResponse
{
    int status = 0; ///< 0 when no HTTP response arrived (network error)
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    QByteArray body;
    Headers headers;

    /// A response header, case-insensitively; empty when absent.
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    [[nodiscard]] bool hasHeader(const QByteArray &name) const;
    /// The media type without parameters, lower case (e.g. "application/problem+json").
    [[nodiscard]] QByteArray contentType() const;
    /// The body as a JSON object (empty when it is not one).
    [[nodiscard]] QJsonObject json() const;
    [[nodiscard]] bool isJsonObject() const;
    [[nodiscard]] QJsonObject data() const { return json().value(QLatin1String("data")).toObject(); }
    [[nodiscard]] QJsonArray dataArray() const { return json().value(QLatin1String("data")).toArray(); }
    [[nodiscard]] QJsonObject meta() const { return json().value(QLatin1String("meta")).toObject(); }
    /// `type` of an RFC 7807 problem without the https://api.x.com/2/problems/ prefix.
    [[nodiscard]] QString problemType() const;
    /// A one-line description for failure messages.
    [[nodiscard]] QString describe() const;
};

/// A request to send.
struct ApiRequest
{
    QByteArray method = "GET";
    QString path;
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType; ///< empty: none (POST bodies default to application/json)
    Headers headers;
    std::optional<QString> token; ///< overrides the client's token; an empty string sends none
};

/// The open activity stream: collects the JSON lines as they arrive.
class StreamReader : public QObject
{
    Q_OBJECT
public:
    explicit StreamReader(QNetworkReply *reply, QString path, QObject *parent = nullptr);
    ~StreamReader() override;

    [[nodiscard]] int status() const;
    [[nodiscard]] bool finished() const;
    /// The response head (and, when the stream was refused, its whole body) once it arrived.
    [[nodiscard]] const ApiResponse &response() const { return m_response; }
    [[nodiscard]] bool answered() const { return m_recordedResponse; }
    [[nodiscard]] const QList<QJsonObject> &lines() const { return m_lines; }
    [[nodiscard]] QNetworkReply *reply() const { return m_reply; }
    /// Closes the stream from the client side.
    void close();

private:
    void readAvailable();

    QPointer<QNetworkReply> m_reply;
    QString m_path;
    QByteArray m_buffer;
    QList<QJsonObject> m_lines;
    ApiResponse m_response;
    bool m_recordedResponse = false;
};

/// A request on its way; `wait()` returns (and records) its response.
class PendingResponse
{
public:
    PendingResponse(std::shared_ptr<QNetworkAccessManager> nam, QNetworkReply *reply, QByteArray method);
    PendingResponse(PendingResponse &&) noexcept = default;
    PendingResponse &operator=(PendingResponse &&) noexcept = default;
    ~PendingResponse();

    [[nodiscard]] bool isFinished() const;
    ApiResponse wait();

private:
    std::shared_ptr<QNetworkAccessManager> m_nam; ///< outlives the reply, its child
    std::unique_ptr<QNetworkReply> m_reply;
    QByteArray m_method;
    std::optional<ApiResponse> m_response;
};

/// HTTP against one server. Cheap to copy; copies share the network access manager and differ
/// in the token they send.
class ApiClient
{
public:
    explicit ApiClient(QUrl baseUrl, QString token = {});

    [[nodiscard]] const QUrl &baseUrl() const { return m_base; }
    [[nodiscard]] const QString &token() const { return m_token; }
    /// The same client with another bearer token (empty: unauthenticated).
    [[nodiscard]] ApiClient withToken(const QString &token) const;

    ApiResponse send(const ApiRequest &request) const;
    /// Sends without waiting (several requests in flight at once).
    [[nodiscard]] PendingResponse start(const ApiRequest &request) const;

    ApiResponse get(const QString &path, const QUrlQuery &query = {}, const Headers &headers = {}) const;
    ApiResponse postJson(const QString &path, const QJsonObject &body) const;
    /// POST with an arbitrary body (malformed JSON, multipart, empty).
    ApiResponse postRaw(const QString &path, const QByteArray &body,
                        const QByteArray &contentType = "application/json") const;
    /// POST application/x-www-form-urlencoded.
    ApiResponse postForm(const QString &path, const QUrlQuery &form, const Headers &headers = {}) const;
    ApiResponse deleteResource(const QString &path, const QUrlQuery &query = {}) const;

    /// Opens a streaming GET (the activity stream); the reader records each line.
    [[nodiscard]] std::unique_ptr<StreamReader> openStream(const QString &path, const QUrlQuery &query = {}) const;

    /// How long one request may take before it is aborted as a failure (a watchdog, not a test).
    static constexpr int WatchdogMsecs = 30000;

private:
    QNetworkRequest networkRequest(const QString &path, const QUrlQuery &query, const QString &token) const;

    QUrl m_base;
    QString m_token;
    std::shared_ptr<QNetworkAccessManager> m_nam;
};

/// Where this process records its responses: `$CONFAB_LOCALSERVER_RESPONSES_DIR` or the build's
/// default, one `<test executable>.jsonl` file, truncated when the process first records.
[[nodiscard]] QString responsesFile();

} // namespace confab::localserver::test
