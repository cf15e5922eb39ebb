#include "secrets/loopbackreceiver.h"

#include "core/logging.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace confab::secrets {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
    }
}

/// The whole page: inline style only (the Content-Security-Policy forbids anything else), light
/// and dark. `heading` and `text` are plain text.
QByteArray page(const QString &heading, const QString &text)
{
    const QString html = QStringLiteral("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width\"><title>Confab</title><style>"
                       "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#14171a;margin:0;"
                       "display:flex;justify-content:center;padding:64px 16px}"
                       "main{background:#fff;border-radius:16px;box-shadow:0 2px 16px #0002;padding:32px;"
                       "max-width:440px}h1{font-size:22px;margin:0 0 12px}p{color:#536471;line-height:1.45}"
                       "@media (prefers-color-scheme: dark){body{background:#15202b;color:#e7e9ea}"
                       "main{background:#1e2732}p{color:#8b98a5}}"
                       "</style></head><body><main><h1>") +
        heading.toHtmlEscaped() +
        QStringLiteral("</h1><p>") + text.toHtmlEscaped() + QStringLiteral("</p></main></body></html>\n");
    return html.toUtf8();
}

/// The end of the request head, or -1 while it is incomplete. Bare LF line ends are tolerated.
qsizetype headEnd(const QByteArray &buffer)
{
    const qsizetype crlf = buffer.indexOf("\r\n\r\n");
    const qsizetype lf = buffer.indexOf("\n\n");
    if (crlf < 0)
        return lf;
    return lf < 0 ? crlf : std::min(crlf, lf);
}

bool isPrintableAscii(const QByteArray &line)
{
    return std::all_of(line.begin(), line.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

} // namespace

LoopbackReceiver::LoopbackReceiver(QObject *parent) : QObject(parent) {}

LoopbackReceiver::~LoopbackReceiver()
{
    close();
    delete m_server; // and its sockets, while m_connections still exists
    m_server = nullptr;
}

Result<void> LoopbackReceiver::listen()
{
    if (m_server)
        return Error(ErrorKind::Internal, tr("Signing in could not start."),
                     QStringLiteral("the loopback receiver is one-shot and was started already"));
    m_server = new QTcpServer(this);
    m_server->setMaxPendingConnections(MaxConnections);
    connect(m_server, &QTcpServer::newConnection, this, &LoopbackReceiver::accept);
    // IPv4 loopback only (RFC 8252 §7.3: the IP literal, not "localhost", which may resolve to
    // something else); never any other interface.
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        return Error(ErrorKind::Network,
                     tr("Confab could not wait for your browser to come back from signing in: no local port "
                        "is free. Close some programs and try again."),
                     QStringLiteral("listening on 127.0.0.1 failed: %1").arg(m_server->errorString()));
    m_port = m_server->serverPort();
    qCDebug(lcSecrets) << "sign-in receiver listening on 127.0.0.1 port" << m_port;
    return {};
}

bool LoopbackReceiver::isListening() const
{
    return m_server && m_server->isListening();
}

QUrl LoopbackReceiver::redirectUri() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    url.setPath(QStringLiteral("/callback"));
    return url;
}

QString LoopbackReceiver::callbackValue(const QString &name) const
{
    const QStringList values = m_callbackQuery.allQueryItemValues(name, QUrl::FullyDecoded);
    return values.size() == 1 ? values.constFirst() : QString();
}

void LoopbackReceiver::close()
{
    if (m_server && m_server->isListening())
        m_server->close();
    // Connections still waiting for a request head are dropped; answers being sent finish.
    const QList<QTcpSocket *> sockets = m_connections.keys();
    for (QTcpSocket *socket : sockets) {
        if (!m_connections.value(socket).answered && socket != m_callbackSocket)
            socket->abort();
    }
}

void LoopbackReceiver::respondSignedIn()
{
    if (QTcpSocket *socket = m_callbackSocket.data()) {
        m_callbackSocket.clear();
        answer(socket, 200, tr("You are signed in to Confab."), tr("You can close this tab."));
    }
}

void LoopbackReceiver::respondFailed(const QString &heading, const QString &reason)
{
    if (QTcpSocket *socket = m_callbackSocket.data()) {
        m_callbackSocket.clear();
        answer(socket, 200, heading,
               reason + QLatin1Char(' ') + tr("You can close this tab and go back to Confab to try again."));
    }
}

void LoopbackReceiver::accept()
{
    if (!m_server)
        return;
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QObject::destroyed, this, [this, socket] { m_connections.remove(socket); });
        if (m_connections.size() >= MaxConnections || !m_server->isListening()) {
            socket->abort();
            continue;
        }
        Connection c;
        c.timer = new QTimer(socket);
        c.timer->setSingleShot(true);
        connect(c.timer, &QTimer::timeout, socket, [socket] {
            qCDebug(lcSecrets) << "sign-in receiver: a connection sent no request in time";
            socket->abort();
        });
        c.timer->start(m_requestTimeoutMs);
        m_connections.insert(socket, c);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        if (socket->bytesAvailable() > 0)
            readFrom(socket);
    }
}

void LoopbackReceiver::readFrom(QTcpSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    if (it->answered) { // whatever follows the request (a body, a pipelined request) is ignored
        socket->readAll();
        return;
    }
    const qsizetype room = MaxRequestHeadBytes + 4 - it->head.size();
    it->head += socket->read(std::max<qsizetype>(room, 0));
    const qsizetype end = headEnd(it->head);
    if (end < 0) {
        if (it->head.size() > MaxRequestHeadBytes)
            answer(socket, 431, tr("Request too large"), tr("This address only takes the answer of a sign-in."));
        return;
    }
    const QByteArray head = it->head.left(end);
    handleRequest(socket, head);
}

void LoopbackReceiver::handleRequest(QTcpSocket *socket, const QByteArray &head)
{
    const QString notHere = tr("This address only takes your browser coming back from signing in to Confab.");
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    const QByteArray requestLine = lines.value(0);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isPrintableAscii(requestLine) || !parts.at(1).startsWith('/') ||
        !parts.at(2).startsWith("HTTP/1.")) {
        answer(socket, 400, tr("Bad request"), notHere);
        return;
    }
    QByteArray host;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare("host", Qt::CaseInsensitive) == 0)
            host = line.mid(colon + 1).trimmed();
    }
    // A page elsewhere that rebinds its own name to 127.0.0.1 sends its own Host.
    if (!hostIsUs(host)) {
        answer(socket, 400, tr("Bad request"), notHere);
        return;
    }

    const QByteArray &method = parts.at(0);
    const QByteArray &target = parts.at(1);
    const qsizetype question = target.indexOf('?');
    const QByteArray path = QByteArray::fromPercentEncoding(question < 0 ? target : target.left(question));
    QByteArray rawQuery = question < 0 ? QByteArray() : target.mid(question + 1);
    if (const qsizetype hash = rawQuery.indexOf('#'); hash >= 0)
        rawQuery.truncate(hash);
    if (path != "/callback") {
        answer(socket, 404, tr("Not found"), notHere);
        return;
    }
    if (method != "GET") {
        answer(socket, 405, tr("Not allowed"), notHere, "Allow: GET\r\n");
        return;
    }
    // The redirect's query is application/x-www-form-urlencoded (RFC 6749 appendix B).
    const QUrlQuery query(QString::fromUtf8(rawQuery.replace('+', "%20")));
    const bool isCallback =
        query.hasQueryItem(QStringLiteral("state")) || query.hasQueryItem(QStringLiteral("code")) ||
                                                                          query.hasQueryItem(QStringLiteral("error"));
    if (!isCallback) {
        answer(socket, 400, tr("Nothing to do here"), notHere);
        return;
    }
    if (m_callbackSeen) {
        answer(socket, 400, tr("Already answered"),
               tr("Confab already received the answer of this sign-in. You can close this tab."));
        return;
    }
    m_callbackSeen = true;
    m_callbackQuery = query;
    m_callbackSocket = socket;
    auto it = m_connections.find(socket);
    if (it != m_connections.end()) {
        it->answered = true; // held until the sign-in answers
        it->timer->stop();
    }
    // One callback only: nobody else gets to talk to this port from now on.
    if (m_server)
        m_server->close();
    qCDebug(lcSecrets) << "sign-in receiver: the callback arrived; no longer listening";
    Q_EMIT callbackReceived();
}

bool LoopbackReceiver::hostIsUs(const QByteArray &host) const
{
    const QByteArray port = QByteArray::number(m_port);
    const QByteArray ip = QByteArrayLiteral("127.0.0.1:") + port;
    const QByteArray name = QByteArrayLiteral("localhost:") + port;
    return host == ip || host.compare(name, Qt::CaseInsensitive) == 0;
}

void LoopbackReceiver::answer(QTcpSocket *socket, int status, const QString &heading, const QString &text,
                              const QByteArray &extraHeaders)
{
    auto it = m_connections.find(socket);
    if (it != m_connections.end()) {
        it->answered = true;
        it->head.clear();
        it->timer->stop();
    }
    const QByteArray body = page(heading, text);
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    response += "Content-Type: text/html; charset=utf-8\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    response += "Cache-Control: no-store\r\n";
    response += "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'\r\n";
    response += "X-Content-Type-Options: nosniff\r\n";
    response += "Referrer-Policy: no-referrer\r\n";
    response += extraHeaders;
    response += "Connection: close\r\n\r\n";
    response += body;
    socket->write(response);
    socket->disconnectFromHost(); // after the bytes are out
}

} // namespace confab::secrets
