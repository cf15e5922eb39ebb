#pragma once

#include "core/result.h"
#include "net/httperror.h"
#include "net/ratelimits.h"
#include "net/retrypolicy.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>
#include <qcoro/qcorotask.h>

#include <functional>
#include <memory>
#include <optional>

class QIODevice;
class QNetworkRequest;

namespace confab::net {

class AuthProvider;
class Cancellation;
class HttpStream;

/// One request to a service, relative to the client's base URL.
struct Request
{
    QByteArray method = "GET";
    QString path; ///< e.g. "/2/chat/conversations"
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType; ///< of the body
    QList<std::pair<QByteArray, QByteArray>> headers;
    /// An id the service deduplicates on (X's message_id): makes a POST safe to try again.
    QString idempotencyKey;
    bool authenticate = true;
    /// An attempt that makes no progress (no bytes up or down) for this long is aborted.
    int timeoutMs = 30 * 1000;
    std::optional<int> maxAttempts; ///< default: the client's RetryPolicy
    /// Statuses that are answers rather than failures (e.g. 304 for If-None-Match).
    QList<int> acceptedStatuses;
    QPointer<Cancellation> cancellation;
    std::function<void(qint64 sent, qint64 total)> uploadProgress;
    std::function<void(qint64 received, qint64 total)> downloadProgress;
    /// Where a download goes as it arrives (then Response::body stays empty). Once bytes went in,
    /// a failed attempt is not retried, since the sink cannot be rewound.
    QIODevice *sink = nullptr;

    [[nodiscard]] static Request get(QString path, QUrlQuery query = {});
    [[nodiscard]] static Request postJson(QString path, const QJsonObject &body);
    /// GET, HEAD, PUT, DELETE, OPTIONS, or anything with an idempotency key.
    [[nodiscard]] bool isRetryable() const;
};

/// A successful answer (2xx, or a status the request accepted).
struct Response
{
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    int attempts = 1; ///< how many attempts it took

    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    /// The body as a JSON object, or a Protocol error for anything else (malformed, truncated).
    [[nodiscard]] Result<QJsonObject> json() const;
};

/// The HTTP client of one account (or of anything that talks to one service): its requests go to
/// one base URL with one account's Bearer token. Everything is asynchronous on the thread the
/// client lives on, through that thread's QNetworkAccessManager.
///
/// - TLS is required except on loopback (checkTransport).
/// - Auth: the AuthProvider's token on every authenticated request; a 401 asks it to refresh once
///   and the request is replayed with the new token.
/// - Retries: transient failures (no answer, dropped or cut-short connections, timeouts, 5xx,
///   429) are tried again with backoff and jitter, for idempotent requests and for requests with
///   an idempotency key. A 429 is always safe to retry (the server did nothing).
/// - Rate limits: `x-rate-limit-*` is recorded per endpoint; an exhausted budget or a 429 holds
///   that endpoint's requests until the reset (or `Retry-After`), and rateLimited() tells the UI.
/// - Errors: the typed Error of errorFor(), with a sentence for a person.
///
/// Destroying the client (or shutDown()) cancels everything in flight: awaiting coroutines resume
/// with ErrorKind::Cancelled and must not touch the client after that.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    /// `auth` may be null for services without accounts; it must outlive the client.
    explicit HttpClient(QUrl baseUrl, AuthProvider *auth = nullptr, QObject *parent = nullptr);
    ~HttpClient() override;

    [[nodiscard]] const QUrl &baseUrl() const { return m_baseUrl; }
    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }
    [[nodiscard]] const RetryPolicy &retryPolicy() const { return m_policy; }
    /// Called with every attempt's outcome (for tests and diagnostics; it carries no token).
    void setObserver(std::function<void(const Outcome &)> observer) { m_observer = std::move(observer); }

    /// Sends `request`, retrying as described above.
    [[nodiscard]] QCoro::Task<Result<Response>> send(Request request);

    /// Waits `msecs` on the event loop: false when cancelled or shut down meanwhile.
    [[nodiscard]] QCoro::Task<bool> delay(qint64 msecs, QPointer<Cancellation> cancellation = {});

    /// Opens a long-lived GET whose body arrives in pieces (the activity stream, SSE): finishes
    /// once the server answered with its status and headers (a failure status is an Error with
    /// the server's reason). The stream belongs to the caller; it is not retried: open it again
    /// after it finished().
    [[nodiscard]] QCoro::Task<Result<HttpStream *>> openStream(Request request);

    /// Cancels everything in flight; later requests fail at once with Cancelled.
    void shutDown();
    [[nodiscard]] bool isShutDown() const { return m_shared->closed; }
    [[nodiscard]] int inFlight() const { return static_cast<int>(m_shared->replies.size()); }

    [[nodiscard]] RateLimitState rateLimit(const QString &endpoint) const { return m_limits.state(endpoint); }

Q_SIGNALS:
    /// Requests to `endpoint` wait until `until` because the service limits their rate.
    void rateLimited(const QString &endpoint, const QDateTime &until);
    /// The AuthProvider could not give a usable token: the person must sign in again.
    void authenticationFailed(const confab::Error &error);

private:
    struct Shared
    {
        bool closed = false;
        QList<QNetworkReply *> replies;
        QObject *timers = nullptr;
    };
    struct Attempt;

    QCoro::Task<Result<QString>> tokenFor(bool refresh, QString rejected, std::shared_ptr<Shared> shared);
    QNetworkRequest buildRequest(const Request &request, const QString &token) const;
    /// Waits until the endpoint may be used again; an error when that is too far away.
    QCoro::Task<Result<void>> waitForBudget(QString endpoint, QPointer<Cancellation> cancellation,
                                            std::shared_ptr<Shared> shared);
    void noteRateLimit(const QString &endpoint, QNetworkReply *reply, qint64 nowMs);
    /// Blocks the endpoint after a 429 (Retry-After, else the reset, else `fallbackMs`), announces
    /// it with rateLimited(), and returns when the block ends.
    qint64 blockAfter429(const QString &endpoint, QNetworkReply *reply, qint64 nowMs, qint64 fallbackMs);

    QUrl m_baseUrl;
    AuthProvider *m_auth = nullptr;
    RetryPolicy m_policy;
    RateLimits m_limits;
    std::shared_ptr<Shared> m_shared;
    std::function<void(const Outcome &)> m_observer;
};

} // namespace confab::net
