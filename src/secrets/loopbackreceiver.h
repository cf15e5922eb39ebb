#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

class QTcpServer;
class QTcpSocket;
class QTimer;

namespace confab::secrets {

/// The one-shot HTTP listener a native app's OAuth sign-in comes back to (RFC 8252 §7.3): it
/// listens on 127.0.0.1 (never on other interfaces) on a free port, takes exactly one callback
/// (`GET /callback?…`), stops listening at once and holds that browser tab open until the
/// sign-in knows how it went, then shows a small page (no external resources, everything from
/// the query escaped). Anything else (a favicon, a request without a callback query, bytes that
/// are not HTTP, a request too large or too slow) gets its own short answer and changes nothing.
///
/// Why QTcpServer and not QHttpServer: the receiver needs one route, must hold the callback's
/// answer until the code has been exchanged, and must cap what strangers on the loopback can make
/// it do (header size, connection count, time to send a request). QHttpServer (a technology
/// preview in Qt 6.4) offers none of these limits and cannot defer an answer there, and would
/// add a dependency for a request line and one header.
class LoopbackReceiver : public QObject
{
    Q_OBJECT
public:
    /// The longest request head accepted (request line and headers).
    static constexpr qsizetype MaxRequestHeadBytes = 8 * 1024;
    /// Connections open at the same time; more are closed at once.
    static constexpr int MaxConnections = 16;

    explicit LoopbackReceiver(QObject *parent = nullptr);
    ~LoopbackReceiver() override;

    /// Starts listening on 127.0.0.1, on a port the system picks.
    [[nodiscard]] Result<void> listen();
    [[nodiscard]] bool isListening() const;
    /// The port, once listening (it stays known after the receiver stopped).
    [[nodiscard]] quint16 port() const { return m_port; }
    /// `http://127.0.0.1:<port>/callback`: the redirect_uri to register with the sign-in.
    [[nodiscard]] QUrl redirectUri() const;
    /// How long a connection may take to send its request head (default 10 s).
    void setRequestTimeoutMs(int ms) { m_requestTimeoutMs = ms; }

    /// Whether the callback arrived (callbackReceived() was emitted).
    [[nodiscard]] bool hasCallback() const { return m_callbackSeen; }
    /// A parameter of the callback's query, decoded (form rules: '+' is a space). Empty when it
    /// is absent or appears more than once (RFC 6749 §3.1: parameters must not repeat).
    [[nodiscard]] QString callbackValue(const QString &name) const;

    /// Answers the browser that brought the callback with "You are signed in" and closes it.
    void respondSignedIn();
    /// Answers the browser that brought the callback with what went wrong (plain text; it is
    /// escaped) and that they can go back to Confab.
    void respondFailed(const QString &heading, const QString &reason);
    /// Stops listening and closes every connection that is not being answered. Idempotent.
    void close();

Q_SIGNALS:
    /// The callback arrived; the receiver no longer listens. Answer it with respondSignedIn() or
    /// respondFailed().
    void callbackReceived();

private:
    struct Connection
    {
        QByteArray head;
        QTimer *timer = nullptr;
        bool answered = false;
    };

    void accept();
    void readFrom(QTcpSocket *socket);
    void handleRequest(QTcpSocket *socket, const QByteArray &head);
    void answer(QTcpSocket *socket, int status, const QString &heading, const QString &text,
                const QByteArray &extraHeaders = {});
    [[nodiscard]] bool hostIsUs(const QByteArray &host) const;

    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    int m_requestTimeoutMs = 10 * 1000;
    QHash<QTcpSocket *, Connection> m_connections;
    bool m_callbackSeen = false;
    QUrlQuery m_callbackQuery;
    QPointer<QTcpSocket> m_callbackSocket;
};

} // namespace confab::secrets
