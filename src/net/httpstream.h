#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QNetworkReply;

namespace confab::net {

/// One Server-Sent Event.
struct SseEvent
{
    QString event = QStringLiteral("message");
    QByteArray data; ///< the data lines joined with "\n"
    QString id;
};

/// Turns a `text/event-stream` body, line by line, into events (the WHATWG rules: `event:`,
/// `data:`, `id:`, comments, a blank line ends an event).
class SseParser
{
public:
    /// Feeds one line (without its line break); true when it completed `out`.
    bool feedLine(const QByteArray &line, SseEvent &out);

private:
    SseEvent m_current;
    bool m_hasData = false;
};

/// A response body that arrives in pieces and may stay open for hours. Emits the bytes as they
/// come and, split at line breaks, each non-empty line (newline-delimited JSON, the X activity
/// stream) and each Server-Sent Event. A stream that stays silent longer than its idle timeout
/// (keep-alives included) is closed as a Timeout. finished() comes exactly once.
class HttpStream : public QObject
{
    Q_OBJECT
public:
    HttpStream(QNetworkReply *reply, int idleTimeoutMs, QObject *parent = nullptr);
    ~HttpStream() override;

    [[nodiscard]] int status() const { return m_status; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] qint64 bytesReceived() const { return m_received; }
    /// Closes the stream; finished() reports Cancelled.
    void close();

Q_SIGNALS:
    void bytesArrived(const QByteArray &bytes);
    void lineArrived(const QByteArray &line);
    void eventArrived(const confab::net::SseEvent &event);
    /// The stream ended: `error` is Cancelled after close(), Timeout after the idle timeout, and
    /// Network when the server closed it (streams are meant to stay open).
    void finished(const confab::Error &error);

private:
    void readAvailable();
    void end(Error error);

    QPointer<QNetworkReply> m_reply;
    QTimer m_idle;
    QByteArray m_pending;
    SseParser m_sse;
    int m_status = 0;
    qint64 m_received = 0;
    bool m_finished = false;
};

} // namespace confab::net
