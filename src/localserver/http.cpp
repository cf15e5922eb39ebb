#include "localserver/http.h"

#include <QUrl>

namespace confab::localserver {

QString HttpRequest::queryValue(const QString &key, const QString &fallback) const
{
    if (!query.hasQueryItem(key))
        return fallback;
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::html(const QString &page, int status)
{
    HttpResponse r;
    r.status = status;
    r.contentType = "text/html; charset=utf-8";
    r.body = page.toUtf8();
    r.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                        "form-action 'self'; frame-ancestors 'none'");
    r.header("X-Frame-Options", "DENY");
    return r;
}

HttpResponse HttpResponse::redirect(const QUrl &location)
{
    HttpResponse r;
    r.status = 302;
    r.contentType.clear();
    r.header("Location", location.toEncoded());
    r.header("Cache-Control", "no-store");
    return r;
}

HttpResponse HttpResponse::empty(int status)
{
    HttpResponse r;
    r.status = status;
    r.contentType.clear();
    return r;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

static QByteArray head(int status, const QByteArray &contentType, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    return out;
}

QByteArray serialize(const HttpResponse &response, bool keepAlive)
{
    QByteArray out =
        head(response.status, response.body.isEmpty() && response.status == 304 ? QByteArray() : response.contentType,
             response.headers);
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

ChunkedStream::ChunkedStream(QTcpSocket *socket, const HttpResponse &response) : m_socket(socket)
{
    QByteArray out = head(response.status, response.contentType, response.headers);
    out += "Transfer-Encoding: chunked\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if (QTcpSocket *s = m_socket.data())
        s->write(out);
}

ChunkedStream::~ChunkedStream()
{
    finish();
}

void ChunkedStream::write(const QByteArray &chunk)
{
    QTcpSocket *s = m_socket.data();
    if (closed() || chunk.isEmpty() || !s)
        return;
    s->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
}

void ChunkedStream::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (QTcpSocket *s = m_socket.data(); s && s->state() == QAbstractSocket::ConnectedState) {
        s->write("0\r\n\r\n");
        s->disconnectFromHost();
    }
}

bool ChunkedStream::closed() const
{
    return m_finished || !m_socket || m_socket->state() != QAbstractSocket::ConnectedState;
}

} // namespace confab::localserver
