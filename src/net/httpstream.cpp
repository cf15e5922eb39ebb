#include "net/httpstream.h"

#include "core/logging.h"
#include "net/httperror.h"

#include <QNetworkReply>

namespace confab::net {

bool SseParser::feedLine(const QByteArray &line, SseEvent &out)
{
    if (line.isEmpty()) {
        const bool complete = m_hasData;
        if (complete) {
            out = m_current;
            if (out.data.endsWith('\n'))
                out.data.chop(1);
        }
        const QString lastId = m_current.id;
        m_current = SseEvent();
        m_current.id = lastId; // the id persists across events
        m_hasData = false;
        return complete;
    }
    if (line.startsWith(':'))
        return false; // a comment (keep-alive)
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "event") {
        m_current.event = QString::fromUtf8(value);
    } else if (field == "data") {
        m_current.data += value + '\n';
        m_hasData = true;
    } else if (field == "id" && !value.contains('\0')) {
        m_current.id = QString::fromUtf8(value);
    }
    return false;
}

HttpStream::HttpStream(QNetworkReply *reply, int idleTimeoutMs, QObject *parent) : QObject(parent), m_reply(reply)
{
    m_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        end(Error(ErrorKind::Timeout, QStringLiteral("The live connection to the server went quiet."),
                                                     QStringLiteral("stream idle for %1 ms").arg(m_idle.interval())));
    });
    connect(reply, &QNetworkReply::readyRead, this, &HttpStream::readAvailable);
    connect(reply, &QNetworkReply::finished, this, [this] {
        readAvailable();
        QNetworkReply *r = m_reply.data();
        Outcome o;
        o.status = m_status;
        o.networkError = r ? r->error() : QNetworkReply::OperationCanceledError;
        o.networkErrorString = r ? r->errorString() : QString();
        o.what = QStringLiteral("stream");
        if (o.networkError == QNetworkReply::NoError)
            end(Error(ErrorKind::Network, QStringLiteral("The live connection to the server ended."),
                                                         QStringLiteral("the server closed the stream")));
        else
            end(errorFor(o));
    });
    m_idle.start();
    // Bytes that came with the headers.
    QMetaObject::invokeMethod(this, &HttpStream::readAvailable, Qt::QueuedConnection);
}

HttpStream::~HttpStream()
{
    if (QNetworkReply *r = m_reply.data()) {
        r->disconnect(this);
        r->abort();
        r->deleteLater();
    }
}

void HttpStream::close()
{
    end(Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."), QStringLiteral("stream closed")));
}

void HttpStream::readAvailable()
{
    QNetworkReply *r = m_reply.data();
    if (!r || m_finished || !r->isOpen()) // an aborted reply is closed: reading it only warns
        return;
    const QByteArray bytes = r->readAll();
    if (bytes.isEmpty())
        return;
    m_idle.start();
    m_received += bytes.size();
    Q_EMIT bytesArrived(bytes);
    m_pending += bytes;
    qsizetype start = 0;
    for (qsizetype nl = m_pending.indexOf('\n'); nl >= 0 && !m_finished; nl = m_pending.indexOf('\n', start)) {
        QByteArray line = m_pending.mid(start, nl - start);
        start = nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        SseEvent event;
        if (m_sse.feedLine(line, event))
            Q_EMIT eventArrived(event);
        if (!line.trimmed().isEmpty())
            Q_EMIT lineArrived(line);
    }
    m_pending.remove(0, start);
    if (m_pending.size() > 16 * 1024 * 1024)
        end(Error(ErrorKind::Protocol, QStringLiteral("The server's live connection sent something unreadable."),
                                                      QStringLiteral("a stream line longer than 16 MiB")));
}

void HttpStream::end(Error error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_idle.stop();
    if (QNetworkReply *r = m_reply.data()) {
        r->disconnect(this);
        r->abort();
        r->deleteLater();
    }
    qCDebug(lcNet) << "stream finished:" << error.toString();
    Q_EMIT finished(error);
}

} // namespace confab::net
