#pragma once

// An OutboxTransport for X Chat messages, for the outbox tests: the payload of an outbox entry is
// the JSON body of an already encrypted and signed message (xchat::EncryptedMessage::requestBody(),
// whose message_id is the entry's remote id), and an attempt is one real HTTP POST to
// confab-localserver. Asynchronous throughout: send() returns at once, the future finishes when
// the reply does.

#include "core/result.h"
#include "store/outboxdispatcher.h"
#include "store/types.h"

#include <QByteArray>
#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPromise>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

namespace confab::store::test {

/// One HTTP exchange as the transport saw it (for recording and validation; no token in it).
struct Exchange
{
    QByteArray method;
    QString path;
    int status = 0; ///< 0: no HTTP response arrived
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    QByteArray contentType; ///< without parameters, lower case
    QByteArray body;
    bool cutShort = false; ///< the connection failed (no answer, or an answer cut short)
};

/// Sends outbox entries as `POST /2/chat/conversations/{path id}/messages` with a user's bearer
/// token. The answer's `data.encoded_message_event` gives the receipt (sequence id, created at).
/// Failures become typed errors: no answer, a reply cut short or a timeout are Network/Timeout,
/// 5xx Server, 429 RateLimited (all transient: the outbox retries them); 4xx are InvalidInput,
/// Forbidden, NotFound, Unauthorized, ... (permanent: the message ends Failed).
class XChatTransport final : public QObject, public OutboxTransport
{
    Q_OBJECT
public:
    XChatTransport(QUrl baseUrl, QString token, QObject *parent = nullptr);
    /// Aborts what is still on the wire; those attempts end with a (transient) Network error.
    ~XChatTransport() override;

    [[nodiscard]] QFuture<Result<SendReceipt>> send(const OutboxItem &item) override;

    /// How long one attempt may take (default 30 s) before it is aborted as a Timeout.
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    /// Called with every exchange, when it ends.
    void setExchangeObserver(std::function<void(const Exchange &)> observer) { m_observer = std::move(observer); }

    /// Attempts started / answered with 201 / answered with an event the server had stored before
    /// the attempt began (a resend the server deduplicated by message id).
    [[nodiscard]] int attempts() const { return m_attempts; }
    [[nodiscard]] int acceptances() const { return m_accepted; }
    [[nodiscard]] int replays() const { return m_replayed; }
    [[nodiscard]] int inFlight() const { return static_cast<int>(m_pending.size()); }

signals:
    /// The server accepted `remoteId` at `sequence`; `replay` when it answered with the event it
    /// had stored before this attempt started.
    void accepted(const QString &remoteId, qint64 sequence, bool replay);

private:
    struct Pending
    {
        std::shared_ptr<QPromise<Result<SendReceipt>>> promise;
        QString remoteId;
        QString path;
        qint64 startedMs = 0;
        bool timedOut = false;
    };
    void finished(QNetworkReply *reply);
    Result<SendReceipt> interpret(QNetworkReply *reply, const Pending &pending, const QByteArray &body);

    QUrl m_base;
    QString m_token;
    QNetworkAccessManager m_nam;
    QHash<QNetworkReply *, Pending> m_pending;
    std::function<void(const Exchange &)> m_observer;
    int m_timeoutMs = 30000;
    int m_attempts = 0;
    int m_accepted = 0;
    int m_replayed = 0;
};

/// True for connection-level failures (refused, closed, aborted, timed out, proxy), false for
/// the codes QNetworkReply uses to name HTTP error statuses.
[[nodiscard]] bool isTransportError(QNetworkReply::NetworkError error);

/// The error an HTTP failure of a message send means for the person (message) and for the logs
/// (detail): `status` 0 means no HTTP answer (`networkError` says why).
[[nodiscard]] Error sendError(int status, QNetworkReply::NetworkError networkError, const QString &errorString,
                              const QByteArray &body, bool timedOut);

} // namespace confab::store::test
