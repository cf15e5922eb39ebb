#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QTcpSocket>
#include <QUrlQuery>

#include <functional>
#include <memory>

namespace confab::localserver {

/// One HTTP request, copied out of QHttpServerRequest so a handler may outlive it.
struct HttpRequest
{
    QByteArray method; ///< upper case: GET, POST, PUT, DELETE
    QString path;      ///< percent-decoded path, no query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; ///< names lower-cased
    QByteArray body;
    QHostAddress peer;
    QHash<QString, QString> params; ///< path parameters filled in by the router

    [[nodiscard]] QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
    /// The query value, or `fallback` when absent. Repeated keys: the first one.
    [[nodiscard]] QString queryValue(const QString &key, const QString &fallback = {}) const;
    [[nodiscard]] bool hasQuery(const QString &key) const { return query.hasQueryItem(key); }
};

/// An HTTP response. `stream` responses are written by their handler (activity stream).
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    HttpResponse &header(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }

    [[nodiscard]] static HttpResponse json(const QJsonObject &object, int status = 200);
    [[nodiscard]] static HttpResponse html(const QString &page, int status = 200);
    [[nodiscard]] static HttpResponse redirect(const QUrl &location);
    [[nodiscard]] static HttpResponse empty(int status);
};

/// The standard reason phrase of a status code.
[[nodiscard]] QByteArray reasonPhrase(int status);

/// Serialises a response: status line, headers, Content-Length, body.
[[nodiscard]] QByteArray serialize(const HttpResponse &response, bool keepAlive);

/// A chunked response that stays open (Transfer-Encoding: chunked), for the activity stream.
/// Writes are ignored once the client has gone; `closed()` tells.
class ChunkedStream
{
public:
    ChunkedStream(QTcpSocket *socket, const HttpResponse &head);
    ~ChunkedStream();
    ChunkedStream(const ChunkedStream &) = delete;
    ChunkedStream &operator=(const ChunkedStream &) = delete;

    void write(const QByteArray &chunk);
    void finish();
    [[nodiscard]] bool closed() const;
    [[nodiscard]] QTcpSocket *socket() const { return m_socket; }

private:
    QPointer<QTcpSocket> m_socket;
    bool m_finished = false;
};

} // namespace confab::localserver
