// confab_net (HttpClient, HttpStream, errors, retries, rate limits, auth refresh, cancellation)
// over real HTTP against a confab-localserver in this process, whose --dev fault injection
// (/_local/faults: latency, error statuses, dropped connections, truncated bodies, 429 bursts),
// rate limits and token handling make every failure happen for real. The pure parts (SseParser,
// RetryPolicy, retryAfterMs, RateLimits, errorFor, checkTransport) are tested on their own.
//
// Retry delays are short (RetryPolicy::initialDelayMs 20) and nothing sleeps: the test waits on
// coroutines and signals. The few waits that remain are the server's own (a 429's Retry-After,
// an exhausted window), which are the behaviour under test.

#include "chatharness.h"
#include "fakereply.h"
#include "net/authprovider.h"
#include "net/cancellation.h"
#include "net/httpclient.h"
#include "net/httperror.h"
#include "net/httpstream.h"
#include "net/networkaccess.h"
#include "net/ratelimits.h"
#include "net/retrypolicy.h"

#include <QBuffer>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QPromise>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <qcoro/qcorotask.h>

#include <functional>
#include <memory>
#include <optional>

using namespace confab;
using namespace confab::net;
using namespace confab::localserver;
using namespace confab::localserver::test;
using confab::net::test::FakeReply;

namespace {

// --- running coroutines from Qt Test ------------------------------------------------------------

template<typename T>
struct Awaited
{
    std::optional<T> value;
    QEventLoop *loop = nullptr;
};

template<typename T>
QCoro::Task<> collect(QCoro::Task<T> task, std::shared_ptr<Awaited<T>> out)
{
    out->value.emplace(co_await std::move(task));
    if (out->loop)
        out->loop->quit();
}

/// Runs the event loop until `task` finished. The watchdog only ends a hung test; a test never
/// relies on it (nullopt then, which the callers turn into a failure).
template<typename T>
std::optional<T> finish(QCoro::Task<T> task, int watchdogMs = 20000)
{
    auto out = std::make_shared<Awaited<T>>();
    collect(std::move(task), out);
    if (!out->value) {
        QEventLoop loop;
        out->loop = &loop;
        QTimer::singleShot(watchdogMs, &loop, &QEventLoop::quit);
        loop.exec();
        out->loop = nullptr;
    }
    return std::move(out->value);
}

template<typename T>
Result<T> result(QCoro::Task<Result<T>> task, int watchdogMs = 20000)
{
    auto r = finish(std::move(task), watchdogMs);
    if (!r)
        return Error(ErrorKind::Internal,
                     QStringLiteral("test watchdog"),
                                    QStringLiteral("the coroutine did not finish within %1 ms").arg(watchdogMs));
    return std::move(*r);
}

#define EXPECT_ERROR_KIND(expression, expectedKind)                                                                    \
    do {                                                                                                               \
        const auto &confabFailed_ = (expression);                                                                      \
        QVERIFY2(!confabFailed_.ok(), "expected an error, the request succeeded");                                     \
        QVERIFY2(confabFailed_.error().kind() == (expectedKind),                                                       \
                 qPrintable(QStringLiteral("expected %1, got ").arg(errorKindName(expectedKind)) +                     \
                                           confabFailed_.error().toString()));                                         \
    } while (false)

// --- the server -----------------------------------------------------------------------------------

RetryPolicy fastPolicy()
{
    RetryPolicy p;
    p.maxAttempts = 4;
    p.initialDelayMs = 20;
    p.maxDelayMs = 200;
    return p;
}

ApiResponse injectFault(const Harness &h, const QString &group, QJsonObject fault)
{
    fault.insert(QStringLiteral("route"), group);
    return h.api().postJson(QStringLiteral("/_local/faults"), fault);
}

ApiResponse clearFaults(const Harness &h)
{
    return h.api().deleteResource(QStringLiteral("/_local/faults"));
}

/// A user-context token pair from the --dev token endpoint (client confab-desktop).
struct TokenPair
{
    QString access;
    QString refresh;
};

std::optional<TokenPair> issueTokens(const Harness &h, const QString &userId)
{
    QJsonArray scopes;
    for (const QString &s : allScopes())
        scopes.append(s);
    const ApiResponse r = h.api().postJson(
        QStringLiteral("/_local/tokens"), {{QStringLiteral("user_id"), userId}, {QStringLiteral("scopes"), scopes}});
    const QString access = r.json().value(QLatin1String("access_token")).toString();
    const QString refresh = r.json().value(QLatin1String("refresh_token")).toString();
    if (r.status != 201 || access.isEmpty() || refresh.isEmpty())
        return std::nullopt;
    return TokenPair{access, refresh};
}

/// Ends a sign-in on the server (RFC 7009): its access and refresh tokens stop working.
bool revoke(const Harness &h, const QString &token)
{
    return h.api().postForm(QStringLiteral("/2/oauth2/revoke"), QUrlQuery{{QStringLiteral("token"), token}}).status ==
                                           200;
}

/// Every attempt the client makes, as its observer sees them; `hook` runs after each.
struct Attempts
{
    QList<Outcome> outcomes;
    std::function<void(const Outcome &)> hook;

    void watch(HttpClient &client)
    {
        client.setObserver([this](const Outcome &o) {
            outcomes.append(o);
            if (hook)
                hook(o);
        });
    }
    [[nodiscard]] int count() const { return static_cast<int>(outcomes.size()); }
};

/// Tokens the way the secrets layer hands them out: the current access token, and after a 401 a
/// real OAuth refresh (grant_type=refresh_token) against the server, answered asynchronously.
class RefreshingAuth final : public AuthProvider
{
public:
    RefreshingAuth(QUrl baseUrl, QString access, QString refresh)
        : m_base(std::move(baseUrl))
        , m_access(std::move(access))
        , m_refresh(std::move(refresh))
    {}

    [[nodiscard]] QFuture<Result<QString>> accessToken() override
    {
        ++accessTokenCalls;
        return QtFuture::makeReadyFuture(Result<QString>(m_access));
    }

    [[nodiscard]] QFuture<Result<QString>> refreshAfterRejection(const QString &rejected) override
    {
        ++refreshes;
        rejectedTokens.append(rejected);
        auto promise = std::make_shared<QPromise<Result<QString>>>();
        promise->start();
        QFuture<Result<QString>> future = promise->future();
        QUrl url = m_base;
        url.setPath(QStringLiteral("/2/oauth2/token"));
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        const QUrlQuery form{{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                              {QStringLiteral("refresh_token"), m_refresh},
                               {QStringLiteral("client_id"), QStringLiteral("confab-desktop")}};
        QNetworkReply *reply = networkAccessManager()->post(request, form.query(QUrl::FullyEncoded).toUtf8());
        QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply, promise] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            const QString access = body.value(QLatin1String("access_token")).toString();
            if (status != 200 || access.isEmpty()) {
                promise->addResult(
                    Result<QString>(Error(ErrorKind::Unauthorized,
                                          QStringLiteral("Your sign-in has expired. Please sign in again."),
                                                         QStringLiteral("refresh refused: HTTP %1 %2") .arg(status).arg(
                                                             body.value(QLatin1String("error")).toString()))));
            } else {
                m_access = access;
                m_refresh = body.value(QLatin1String("refresh_token")).toString();
                promise->addResult(Result<QString>(access));
            }
            promise->finish();
        });
        return future;
    }

    [[nodiscard]] const QString &currentAccess() const { return m_access; }

    int accessTokenCalls = 0;
    int refreshes = 0;
    QStringList rejectedTokens;

private:
    QUrl m_base;
    QString m_access;
    QString m_refresh;
};

/// A provider whose answers the test gives (or never gives): a keychain that is slow to unlock.
class PendingAuth final : public AuthProvider
{
public:
    [[nodiscard]] QFuture<Result<QString>> accessToken() override { return next(); }
    [[nodiscard]] QFuture<Result<QString>> refreshAfterRejection(const QString &) override { return next(); }

    std::vector<std::unique_ptr<QPromise<Result<QString>>>> promises;

private:
    QFuture<Result<QString>> next()
    {
        promises.push_back(std::make_unique<QPromise<Result<QString>>>());
        promises.back()->start();
        return promises.back()->future();
    }
};

QString endpointOf(const char *method, const QString &path)
{
    return RateLimits::endpointKey(QByteArray(method), path);
}

/// How many stored events of the conversation carry `messageId`, as `viewer` reads them.
int storedCopies(Harness &h, ChatUser &viewer, const Conversation &c, const QString &messageId)
{
    auto page = h.events(viewer, c.id);
    if (!page)
        return -1;
    int n = 0;
    for (const auto &e : page.value().decoded)
        if (QString::fromStdString(e.message_id) == messageId)
            ++n;
    return n;
}

} // namespace

class TestHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- the pure parts ---------------------------------------------------------------------------

    void sseParserFollowsTheEventStreamRules()
    {
        SseParser parser;
        SseEvent event;
        auto feed = [&](const char *line) { return parser.feedLine(QByteArray(line), event); };

        // Multi-line data joins with "\n"; one leading space after the colon is dropped.
        QVERIFY(!feed("data: first"));
        QVERIFY(!feed("data:second"));
        QVERIFY(!feed("data:  third"));
        QVERIFY(feed(""));
        QCOMPARE(event.event, QStringLiteral("message"));
        QCOMPARE(event.data, QByteArray("first\nsecond\n third"));
        QCOMPARE(event.id, QString());

        // Comments are ignored; unknown fields too; the event name applies to its event only.
        QVERIFY(!feed(": keep-alive"));
        QVERIFY(!feed("retry: 3000"));
        QVERIFY(!feed("event: update"));
        QVERIFY(!feed("id: 41"));
        QVERIFY(!feed("data: {\"a\":1}"));
        QVERIFY(feed(""));
        QCOMPARE(event.event, QStringLiteral("update"));
        QCOMPARE(event.data, QByteArray("{\"a\":1}"));
        QCOMPARE(event.id, QStringLiteral("41"));

        // The last event id persists into the next events; a blank `id` clears it.
        QVERIFY(!feed("data: next"));
        QVERIFY(feed(""));
        QCOMPARE(event.event, QStringLiteral("message"));
        QCOMPARE(event.id, QStringLiteral("41"));
        QVERIFY(!feed("id"));
        QVERIFY(!feed("data"));
        QVERIFY(feed(""));
        QCOMPARE(event.id, QString());
        QCOMPARE(event.data, QByteArray()); // a bare `data` line is an empty data line

        // A blank line without data dispatches nothing and forgets the event name.
        QVERIFY(!feed("event: lost"));
        QVERIFY(!feed(""));
        QVERIFY(!feed("data: plain"));
        QVERIFY(feed(""));
        QCOMPARE(event.event, QStringLiteral("message"));
        QCOMPARE(event.data, QByteArray("plain"));

        // An id with a NUL is ignored (the previous one stays).
        QVERIFY(!feed("id: 7"));
        QVERIFY(!parser.feedLine(QByteArray("id: 8\0x", 8), event));
        QVERIFY(!feed("data: z"));
        QVERIFY(feed(""));
        QCOMPARE(event.id, QStringLiteral("7"));
    }

    void streamSplitsLinesAndEventsAcrossReads()
    {
        auto *reply = new FakeReply;
        QPointer<FakeReply> guard(reply);
        HttpStream stream(reply, 10000);
        QCOMPARE(stream.status(), 200);
        QList<QByteArray> lines;
        QList<SseEvent> events;
        QList<Error> ends;
        connect(&stream, &HttpStream::lineArrived, this, [&](const QByteArray &l) { lines.append(l); });
        connect(&stream, &HttpStream::eventArrived, this, [&](const SseEvent &e) { events.append(e); });
        connect(&stream, &HttpStream::finished, this, [&](const Error &e) { ends.append(e); });

        // CRLF line ends, a line split across reads, a line break split from its CR.
        const QList<QByteArray> pieces{"data: fir",
                                       "st\r\ndata: second\r",
                                       "\n\r\n: keep-alive\r\n\r\n",
                                       "event: upd",
                                       "ate\nid: 7\ndata: {\"a\":1}\n\n",
                                       "data: x\n\n",
                                       "{\"json\":true}\n"};
        qint64 total = 0;
        for (const QByteArray &p : pieces) {
            reply->deliver(p);
            total += p.size();
        }
        QCOMPARE(stream.bytesReceived(), total);
        QCOMPARE(lines, (QList<QByteArray>{"data: first", "data: second", ": keep-alive", "event: update", "id: 7",
                                           "data: {\"a\":1}", "data: x", "{\"json\":true}"}));
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).data, QByteArray("first\nsecond"));
        QCOMPARE(events.at(0).event, QStringLiteral("message"));
        QCOMPARE(events.at(1).event, QStringLiteral("update"));
        QCOMPARE(events.at(1).data, QByteArray("{\"a\":1}"));
        QCOMPARE(events.at(1).id, QStringLiteral("7"));
        QCOMPARE(events.at(2).data, QByteArray("x"));
        QCOMPARE(events.at(2).id, QStringLiteral("7"));
        QVERIFY(ends.isEmpty());

        // The server ending a stream that is meant to stay open is a Network error, once.
        reply->serverCloses();
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends.at(0).kind(), ErrorKind::Network);
        QVERIFY(stream.isFinished());
        stream.close();
        QCOMPARE(ends.size(), 1);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QVERIFY(guard.isNull()); // the reply went with deleteLater
    }

    void streamCloseAndIdleTimeout()
    {
        {
            auto *reply = new FakeReply;
            HttpStream stream(reply, 10000);
            QSignalSpy finished(&stream, &HttpStream::finished);
            reply->deliver("{\"a\":1}\n");
            stream.close();
            QCOMPARE(finished.size(), 1);
            QCOMPARE(finished.at(0).at(0).value<Error>().kind(), ErrorKind::Cancelled);
            QVERIFY(reply->wasAborted());
            stream.close();
            QCOMPARE(finished.size(), 1);
        }
        {
            // Silence longer than the idle timeout ends the stream as a Timeout; bytes reset it.
            auto *reply = new FakeReply;
            HttpStream stream(reply, 150);
            QSignalSpy finished(&stream, &HttpStream::finished);
            QElapsedTimer clock;
            clock.start();
            QVERIFY(finished.wait(5000));
            QVERIFY(clock.elapsed() >= 140);
            QCOMPARE(finished.at(0).at(0).value<Error>().kind(), ErrorKind::Timeout);
        }
    }

    void retryPolicyUsesEqualJitterWithinBounds()
    {
        RetryPolicy p;
        p.initialDelayMs = 100;
        p.maxDelayMs = 1000;
        qint64 lowest = std::numeric_limits<qint64>::max();
        qint64 highest = 0;
        for (int round = 0; round < 300; ++round) {
            for (int attempt = 1; attempt <= 12; ++attempt) {
                const qint64 full = std::min<qint64>(1000, qint64(100) << (attempt - 1));
                const qint64 d = p.delayAfter(attempt);
                QVERIFY2(d >= full / 2 && d <= full,
                         qPrintable(QStringLiteral("attempt %1: %2 ms outside [%3, %4]") .arg(attempt).arg(d).arg(full / 2).arg(full)));
            }
            const qint64 third = p.delayAfter(3); // full 400
            lowest = std::min(lowest, third);
            highest = std::max(highest, third);
        }
        // Half of it is random: the samples spread over the range.
        QVERIFY2(lowest < 260 && highest > 340, qPrintable(QStringLiteral("%1..%2").arg(lowest).arg(highest)));
        // Capped, without overflow, however many attempts failed.
        for (int attempt : {0, 40, 1000, std::numeric_limits<int>::max()}) {
            const qint64 d = p.delayAfter(attempt);
            const qint64 full = attempt <= 1 ? 100 : 1000;
            QVERIFY(d >= full / 2 && d <= full);
        }
        RetryPolicy big;
        big.initialDelayMs = 30000;
        big.maxDelayMs = 60000;
        for (int i = 0; i < 50; ++i) {
            const qint64 d = big.delayAfter(40);
            QVERIFY(d >= 30000 && d <= 60000);
        }
    }

    void retryAfterReadsSecondsAndDates()
    {
        const qint64 now = QDateTime(QDate(2015, 10, 21), QTime(7, 27, 30), Qt::UTC).toMSecsSinceEpoch();
        QCOMPARE(retryAfterMs("120", now), std::optional<qint64>(120000));
        QCOMPARE(retryAfterMs(" 3 ", now), std::optional<qint64>(3000));
        QCOMPARE(retryAfterMs("0", now), std::optional<qint64>(0));
        QCOMPARE(retryAfterMs("-5", now), std::nullopt);
        QCOMPARE(retryAfterMs("", now), std::nullopt);
        QCOMPARE(retryAfterMs("soon", now), std::nullopt);
        QCOMPARE(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now), std::optional<qint64>(30000));
        QCOMPARE(retryAfterMs("Wed, 21 Oct 2015 07:27:00 GMT", now), std::optional<qint64>(0)); // past: now
        QCOMPARE(retryAfterMs("Wed, 21 Oct 2015 07:28:00 CET", now), std::nullopt);

        // An HTTP date is UTC whatever the local time zone, even at a local daylight-saving gap
        // (02:30 on 31 March 2024 does not exist in Berlin).
        const QByteArray savedTz = qgetenv("TZ");
        const bool hadTz = qEnvironmentVariableIsSet("TZ");
        qputenv("TZ", "Europe/Berlin");
        const qint64 before = QDateTime(QDate(2024, 3, 31), QTime(2, 29, 0), Qt::UTC).toMSecsSinceEpoch();
        const auto gap = retryAfterMs("Sun, 31 Mar 2024 02:30:00 GMT", before);
        const auto winter = retryAfterMs("Sun, 31 Mar 2024 00:30:00 GMT", before - 2 * 3600 * 1000);
        if (hadTz)
            qputenv("TZ", savedTz);
        else
            qunsetenv("TZ");
        QCOMPARE(gap, std::optional<qint64>(60000));
        QCOMPARE(winter, std::optional<qint64>(60000));
    }

    void rateLimitsKeyEndpointsAndTrackBudgets()
    {
        QCOMPARE(RateLimits::endpointKey("POST", QStringLiteral("/2/chat/conversations/12-34/messages")),
                                         QStringLiteral("POST /2/chat/conversations/{id}/messages"));
        QCOMPARE(RateLimits::endpointKey("GET", QStringLiteral("/2/chat/conversations/g123/events")),
                                         QStringLiteral("GET /2/chat/conversations/{id}/events"));
        QCOMPARE(RateLimits::endpointKey("GET", QStringLiteral("/2/users/1234567890/public_keys")),
                                         QStringLiteral("GET /2/users/{id}/public_keys"));
        QCOMPARE(RateLimits::endpointKey("GET", QStringLiteral("/2/chat/media/12:34/abcdefABCDEF0123456789xyz")),
                                         QStringLiteral("GET /2/chat/media/{id}/{id}"));
        QCOMPARE(RateLimits::endpointKey(
            "DELETE", QStringLiteral("/2/activity/subscriptions/123e4567-e89b-12d3-a456-426614174000")),
            QStringLiteral("DELETE /2/activity/subscriptions/{id}"));
        // Words stay words.
        QCOMPARE(RateLimits::endpointKey("GET", QStringLiteral("/2/users/me")), QStringLiteral("GET /2/users/me"));
        QCOMPARE(RateLimits::endpointKey("POST", QStringLiteral("/2/chat/conversations/group/initialize")),
                                         QStringLiteral("POST /2/chat/conversations/group/initialize"));
        QCOMPARE(RateLimits::endpointKey("GET", QStringLiteral("/2/users/by/username/alice")),
                                         QStringLiteral("GET /2/users/by/username/alice"));
        // Requests to different conversations share one budget.
        QCOMPARE(RateLimits::endpointKey("POST", QStringLiteral("/2/chat/conversations/g1/messages")),
                                         RateLimits::endpointKey("POST",
                                                                 QStringLiteral("/2/chat/conversations/5-6/messages")));

        RateLimits limits;
        const QString e = QStringLiteral("GET /2/users/me");
        const qint64 now = 1'700'000'000'000;
        QCOMPARE(limits.state(e).limit, -1);
        limits.record(e, {}, {}, {}, now); // no headers: nothing known
        QCOMPARE(limits.state(e).remaining, -1);
        limits.record(e, "5", "3", QByteArray::number(now / 1000 + 10), now);
        QCOMPARE(limits.state(e).limit, 5);
        QCOMPARE(limits.state(e).remaining, 3);
        QCOMPARE(limits.state(e).resetMs, now + 10000);
        QCOMPARE(limits.blockedUntil(e), qint64(0)); // budget left
        limits.record(e, "5", "0", QByteArray::number(now / 1000 + 10), now);
        QCOMPARE(limits.blockedUntil(e), now + 10000); // exhausted: until the reset
        limits.block(e, now + 5000);
        QCOMPARE(limits.blockedUntil(e), now + 10000); // a block never shortens
        limits.block(e, now + 20000);
        QCOMPARE(limits.blockedUntil(e), now + 20000);
        QCOMPARE(limits.blockedUntil(QStringLiteral("GET /2/users/{id}")), qint64(0)); // per endpoint
        // An exhausted budget whose reset already passed blocks nothing.
        RateLimits stale;
        stale.record(e, "5", "0", QByteArray::number(now / 1000 - 1), now);
        QCOMPARE(stale.blockedUntil(e), qint64(0));
    }

    void errorsAreTypedFromOutcomes()
    {
        auto outcome = [](int status, QByteArray body = {}, QByteArray type = "application/json") {
            Outcome o;
            o.status = status;
            o.body = std::move(body);
            o.contentType = std::move(type);
            o.what = QStringLiteral("GET /2/things");
            return o;
        };

        // RFC 7807 problem details.
        const Error notFound = errorFor(outcome(404,
                                                R"({"type":"https://api.x.com/2/problems/resource-not-found",)"
                                                R"("title":"Not Found Error","detail":"Could not find conversation.",)"
                                                R"("status":404})",
                                                "application/problem+json"));
        QCOMPARE(notFound.kind(), ErrorKind::NotFound);
        QCOMPARE(notFound.httpStatus(), 404);
        QCOMPARE(notFound.problemType(), QStringLiteral("https://api.x.com/2/problems/resource-not-found"));
        QVERIFY(notFound.detail().contains(QLatin1String("GET /2/things")));
        QVERIFY(notFound.detail().contains(QLatin1String("Could not find conversation.")));
        QVERIFY(!notFound.message().isEmpty());
        QVERIFY(!notFound.message().contains(QLatin1String("Could not find"))); // a sentence of our own

        // X's error list: the code and message.
        const QByteArray xErrors = R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]})";
        const QByteArray typedErrors = R"({"errors":[{"type":"https://api.x.com/2/problems/x","detail":"no"}]})";
        const Error limited = errorFor(outcome(429, xErrors));
        QCOMPARE(limited.kind(), ErrorKind::RateLimited);
        QCOMPARE(limited.httpStatus(), 429);
        QVERIFY2(limited.detail().contains(QLatin1String("code 88: Rate limit exceeded")),
                 qPrintable(limited.detail()));
        QVERIFY(limited.isTransient());
        QCOMPARE(serverReason(xErrors), QStringLiteral("code 88: Rate limit exceeded"));
        QCOMPARE(errorFor(outcome(403, typedErrors)).problemType(), QStringLiteral("https://api.x.com/2/problems/x"));

        QCOMPARE(errorFor(outcome(503, "<html>busy</html>", "text/html")).kind(), ErrorKind::Server);
        QVERIFY(errorFor(outcome(503)).isTransient());
        QCOMPARE(errorFor(outcome(401)).kind(), ErrorKind::Unauthorized);
        QCOMPARE(errorFor(outcome(409)).kind(), ErrorKind::Conflict);
        const Error tooLarge = errorFor(outcome(413));
        QCOMPARE(tooLarge.kind(), ErrorKind::InvalidInput);
        QVERIFY(tooLarge.message().contains(QLatin1String("too large")));
        QVERIFY(!errorFor(outcome(400)).isTransient());
        QCOMPARE(serverReason("not json"), QString());
        QCOMPARE(serverReason(
            QJsonDocument(QJsonObject{{QStringLiteral("detail"), QString(1000, QLatin1Char('x'))}}).toJson()).size(),
            300);

        // No HTTP answer.
        Outcome refused = outcome(0);
        refused.networkError = QNetworkReply::ConnectionRefusedError;
        refused.networkErrorString = QStringLiteral("Connection refused");
        QCOMPARE(errorFor(refused).kind(), ErrorKind::Network);
        QVERIFY(errorFor(refused).detail().contains(QLatin1String("Connection refused")));
        QCOMPARE(errorFor(refused).httpStatus(), 0);
        Outcome slow = outcome(0);
        slow.networkError = QNetworkReply::TimeoutError;
        QCOMPARE(errorFor(slow).kind(), ErrorKind::Timeout);
        Outcome watchdog = outcome(0);
        watchdog.networkError = QNetworkReply::OperationCanceledError;
        watchdog.timedOut = true;
        QCOMPARE(errorFor(watchdog).kind(), ErrorKind::Timeout);
        watchdog.timedOut = false;
        QCOMPARE(errorFor(watchdog).kind(), ErrorKind::Cancelled);
        Outcome tls = outcome(0);
        tls.networkError = QNetworkReply::SslHandshakeFailedError;
        QCOMPARE(errorFor(tls).kind(), ErrorKind::Network);
        QVERIFY(errorFor(tls).message().contains(QLatin1String("secure")));
        // A 200 cut short: the server may have acted.
        Outcome cut = outcome(200, "{\"da");
        cut.networkError = QNetworkReply::RemoteHostClosedError;
        QCOMPARE(errorFor(cut).kind(), ErrorKind::Network);
        QCOMPARE(errorFor(cut).httpStatus(), 200);

        QVERIFY(isConnectionError(QNetworkReply::RemoteHostClosedError));
        QVERIFY(isConnectionError(QNetworkReply::ProxyConnectionRefusedError));
        QVERIFY(isConnectionError(QNetworkReply::UnknownNetworkError));
        QVERIFY(!isConnectionError(QNetworkReply::NoError));
        QVERIFY(!isConnectionError(QNetworkReply::ContentNotFoundError));
        QVERIFY(!isConnectionError(QNetworkReply::InternalServerError));
        QCOMPARE(mediaType("Application/Problem+JSON; charset=utf-8"), QByteArray("application/problem+json"));
    }

    void responsesAndRequestsHelpers()
    {
        Response r;
        r.status = 200;
        r.body = R"({"data":{"id":"1"}})";
        r.headers = {{"X-Rate-Limit-Limit", "5"}};
        CONFAB_VERIFY_OK(r.json());
        QCOMPARE(r.json().value().value(QLatin1String("data")).toObject().value(QLatin1String("id")).toString(),
                 QStringLiteral("1"));
        QCOMPARE(r.header("x-rate-limit-limit"), QByteArray("5"));
        for (const QByteArray &bad :
             {QByteArray(R"({"data":)"), QByteArray("[1,2]"), QByteArray(), QByteArray("<html>")}) {
            r.body = bad;
            EXPECT_ERROR_KIND(r.json(), ErrorKind::Protocol);
            QVERIFY(!r.json().error().message().isEmpty());
        }

        QVERIFY(Request::get(QStringLiteral("/x")).isRetryable());
        Request post = Request::postJson(QStringLiteral("/x"), {{QStringLiteral("a"), 1}});
        QCOMPARE(post.method, QByteArray("POST"));
        QCOMPARE(post.contentType, QByteArray("application/json"));
        const QByteArray expectedBody = R"({"a":1})";
        QCOMPARE(post.body, expectedBody);
        QVERIFY(!post.isRetryable());
        post.idempotencyKey = QStringLiteral("a-message-id");
        QVERIFY(post.isRetryable());
        for (const char *method : {"PUT", "DELETE", "HEAD", "OPTIONS"}) {
            Request other;
            other.method = method;
            QVERIFY(other.isRetryable());
        }
        Request patch;
        patch.method = "PATCH";
        QVERIFY(!patch.isRetryable());
    }

    void transportNeedsTlsExceptOnLoopback()
    {
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("https://api.x.com"))));
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("https://example.com:8443/base/"))));
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("http://127.0.0.1:8080"))));
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("http://127.0.0.53"))));
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("http://localhost:1234"))));
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("http://LOCALHOST"))));
        CONFAB_VERIFY_OK(checkTransport(QUrl(QStringLiteral("http://[::1]:9000"))));
        for (const char *refused : {"http://example.com", "http://10.0.0.1", "http://localhost.example.com",
                                    "ftp://127.0.0.1", "ws://localhost", "not a url", "http://"}) {
            const auto r = checkTransport(QUrl(QString::fromLatin1(refused)));
            EXPECT_ERROR_KIND(r, ErrorKind::InvalidInput);
            QVERIFY(!r.error().message().isEmpty());
        }

        // The client refuses before anything goes on the wire.
        HttpClient client(QUrl(QStringLiteral("http://example.com")));
        Attempts attempts;
        attempts.watch(client);
        const auto sent = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(sent, ErrorKind::InvalidInput);
        QVERIFY(sent.error().message().contains(QLatin1String("https")));
        EXPECT_ERROR_KIND(result(client.openStream(Request::get(QStringLiteral("/2/activity/stream")))),
                                 ErrorKind::InvalidInput);
        QCOMPARE(attempts.count(), 0);
        QCOMPARE(client.inFlight(), 0);
    }

    // --- against the server -----------------------------------------------------------------------

    void getReturnsJsonWithTheBearerToken()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const auto r = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        CONFAB_VERIFY_OK(r);
        QCOMPARE(r.value().status, 200);
        QCOMPARE(r.value().attempts, 1);
        const auto json = r.value().json();
        CONFAB_VERIFY_OK(json);
        const QJsonObject data = json.value().value(QLatin1String("data")).toObject();
        QCOMPARE(data.value(QLatin1String("id")).toString(), alice.value()->id);
        QCOMPARE(data.value(QLatin1String("username")).toString(), QStringLiteral("alice"));
        QVERIFY(r.value().header("content-type").startsWith("application/json"));

        // The budget the server announced is recorded under the endpoint.
        const RateLimitState state = client.rateLimit(QStringLiteral("GET /2/users/me"));
        QCOMPARE(state.limit, r.value().header("x-rate-limit-limit").toInt());
        QVERIFY(state.limit > 0);
        QCOMPARE(state.remaining, state.limit - 1);
        QVERIFY(state.resetMs >= before - 1000);
        QCOMPARE(state.blockedUntilMs, qint64(0));

        // Without a token the same request is a 401, and the observer never sees the token.
        HttpClient anonymous(h.server().baseUrl());
        EXPECT_ERROR_KIND(result(anonymous.send(Request::get(QStringLiteral("/2/users/me")))), ErrorKind::Unauthorized);
        QCOMPARE(attempts.count(), 1);
        QVERIFY(!attempts.outcomes.at(0).what.contains(alice.value()->token()));
        QCOMPARE(attempts.outcomes.at(0).what, QStringLiteral("GET /2/users/me"));
    }

    void clientWorksOnAWorkerThread()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());

        // The client lives on its thread and uses that thread's QNetworkAccessManager; the server
        // keeps running on this one.
        QThread worker;
        worker.start();
        QObject onWorker;
        onWorker.moveToThread(&worker);
        QEventLoop loop;
        std::optional<Result<Response>> got;
        QPointer<QNetworkAccessManager> workerNam;
        QThread *ranOn = nullptr;
        auto job = [](QUrl base, AuthProvider *provider, QEventLoop *back,
                      std::function<void(Result<Response>, QNetworkAccessManager *)> done) -> QCoro::Task<> {
            HttpClient client(base, provider);
            auto r = co_await client.send(Request::get(QStringLiteral("/2/users/me")));
            QNetworkAccessManager *nam = networkAccessManager();
            QMetaObject::invokeMethod(back, [done, r, nam] { done(r, nam); });
        };
        QMetaObject::invokeMethod(&onWorker, [&] {
            ranOn = QThread::currentThread();
            job(h.server().baseUrl(), &auth, &loop, [&](Result<Response> r, QNetworkAccessManager *nam) {
                got.emplace(std::move(r));
                workerNam = nam;
                loop.quit();
            });
        });
        QTimer::singleShot(20000, &loop, &QEventLoop::quit); // watchdog
        loop.exec();
        QVERIFY(got.has_value());
        CONFAB_VERIFY_OK(*got);
        QCOMPARE(got->value().status, 200);
        QCOMPARE(ranOn, &worker);
        QVERIFY(!workerNam.isNull());
        QVERIFY(workerNam.data() != networkAccessManager());
        QCOMPARE(networkAccessManager(), networkAccessManager()); // one per thread
        worker.quit();
        QVERIFY(worker.wait(10000));
        QVERIFY(workerNam.isNull()); // it went with its thread
    }

    void failureStatusesBecomeTypedErrors()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        const QString token = alice.value()->token();
        StaticBearer auth(token);
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        QSignalSpy authFailed(&client, &HttpClient::authenticationFailed);

        auto noSecrets = [&token](const Error &e) {
            return !e.detail().contains(token) && !e.message().contains(token) && !e.toString().contains(token);
        };

        // 404: a group that does not exist.
        const auto missing = result(client.send(Request::get(QStringLiteral("/2/chat/conversations/g999"))));
        EXPECT_ERROR_KIND(missing, ErrorKind::NotFound);
        QCOMPARE(missing.error().httpStatus(), 404);
        QCOMPARE(missing.error().problemType(), QStringLiteral("https://api.x.com/2/problems/resource-not-found"));
        QVERIFY(!missing.error().message().isEmpty());
        QVERIFY2(missing.error().detail().contains(QLatin1String("Could not find conversation with id: [g999]")),
                 qPrintable(missing.error().detail()));
        QVERIFY(missing.error().detail().startsWith(QLatin1String("GET /2/chat/conversations/g999")));
        QVERIFY(noSecrets(missing.error()));
        QCOMPARE(attempts.count(), 1); // a 404 is an answer: not tried again

        // 403: a token without the scope the endpoint needs.
        auto narrow = h.server().issueAccessToken(alice.value()->id, {QStringLiteral("dm.read")});
        CONFAB_VERIFY_OK(narrow);
        auth.setToken(narrow.value());
        const auto forbidden = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(forbidden, ErrorKind::Forbidden);
        QCOMPARE(forbidden.error().httpStatus(), 403);
        QCOMPARE(forbidden.error().problemType(),
                 QStringLiteral("https://api.x.com/2/problems/not-authorized-for-resource"));
        QVERIFY(!forbidden.error().message().isEmpty());
        QVERIFY2(forbidden.error().detail().contains(QLatin1String("lacks the users.read scope")),
                 qPrintable(forbidden.error().detail()));
        QVERIFY(!forbidden.error().detail().contains(narrow.value()) && noSecrets(forbidden.error()));
        QCOMPARE(attempts.count(), 2);
        QCOMPARE(authFailed.size(), 0);

        // 401 with a token that cannot be refreshed: Unauthorized, and the client says so.
        auth.setToken(QStringLiteral("not-a-token-the-server-knows"));
        const auto refused = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(refused, ErrorKind::Unauthorized);
        QVERIFY(!refused.error().detail().contains(QLatin1String("not-a-token-the-server-knows")));
        QCOMPARE(authFailed.size(), 1);
        QCOMPARE(authFailed.at(0).at(0).value<Error>().kind(), ErrorKind::Unauthorized);
    }

    void idempotentRequestsRecoverFromFaults_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<int>("firstStatus");
        QTest::newRow("5xx") << QJsonObject{{QStringLiteral("error_status"), 503}} << 503;
        QTest::newRow("dropped connection") << QJsonObject{{QStringLiteral("drop_rate"), 1}} << 0;
        QTest::newRow("truncated body") << QJsonObject{{QStringLiteral("truncate_rate"), 1}} << 200;
    }

    void idempotentRequestsRecoverFromFaults()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(int, firstStatus);
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);

        // Every attempt fails: the client gives up after maxAttempts with the transient error.
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("users"), fault), 201);
        Request once = Request::get(QStringLiteral("/2/users/me"));
        once.maxAttempts = 3;
        const auto failed = result(client.send(once));
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().isTransient(), qPrintable(failed.error().toString()));
        QVERIFY2(failed.error().detail().contains(QLatin1String("after 3 attempts")),
                 qPrintable(failed.error().detail()));
        QCOMPARE(attempts.count(), 3);
        for (const Outcome &o : std::as_const(attempts.outcomes))
            QCOMPARE(o.status, firstStatus);

        // The fault goes away after the first attempt: the retry succeeds.
        attempts.outcomes.clear();
        attempts.hook = [&](const Outcome &) {
            if (attempts.count() == 1)
                CONFAB_EXPECT_STATUS(clearFaults(h), 200);
        };
        const auto recovered = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        CONFAB_VERIFY_OK(recovered);
        QCOMPARE(recovered.value().attempts, 2);
        QCOMPARE(attempts.count(), 2);
        QCOMPARE(attempts.outcomes.at(0).status, firstStatus);
        QCOMPARE(attempts.outcomes.at(1).status, 200);
        CONFAB_VERIFY_OK(recovered.value().json());
        QCOMPARE(recovered.value().json().value().value(QLatin1String("data")).toObject().value(QLatin1String("id")),
                 QJsonValue(alice.value()->id));
    }

    void postsRetryOnlyWithAnIdempotencyKey_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<int>("storedWithoutKey"); // what the failed attempt left on the server
        QTest::newRow("5xx") << QJsonObject{{QStringLiteral("error_status"), 503}} << 0;
        QTest::newRow("dropped connection") << QJsonObject{{QStringLiteral("drop_rate"), 1}} << 0;
        QTest::newRow("truncated answer") << QJsonObject{{QStringLiteral("truncate_rate"), 1}} << 1;
    }

    void postsRetryOnlyWithAnIdempotencyKey()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(int, storedWithoutKey);
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        const QString path = QStringLiteral("/2/chat/conversations/%1/messages").arg(conv.value().pathId);

        StaticBearer auth(a.token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        // The fault is gone after the first attempt, so a retry would succeed.
        attempts.hook = [&](const Outcome &) {
            if (attempts.count() == 1)
                CONFAB_EXPECT_STATUS(clearFaults(h), 200);
        };

        // Without an idempotency key a POST is tried once.
        auto first = h.encryptText(a, conv.value(), QStringLiteral("without a key"));
        CONFAB_VERIFY_OK(first);
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("chat.send"), fault), 201);
        const auto once = result(client.send(Request::postJson(path, first.value().requestBody())));
        QVERIFY(!once.ok());
        QVERIFY(once.error().isTransient());
        QCOMPARE(attempts.count(), 1);
        QCOMPARE(storedCopies(h, b, conv.value(), first.value().messageId), storedWithoutKey);

        // With the message id as its key it is tried again, and the server keeps it once.
        attempts.outcomes.clear();
        auto second = h.encryptText(a, conv.value(), QStringLiteral("with a key"));
        CONFAB_VERIFY_OK(second);
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("chat.send"), fault), 201);
        Request keyed = Request::postJson(path, second.value().requestBody());
        keyed.idempotencyKey = second.value().messageId;
        const auto sent = result(client.send(keyed));
        CONFAB_VERIFY_OK(sent);
        QCOMPARE(sent.value().status, 201);
        QCOMPARE(sent.value().attempts, 2);
        QCOMPARE(attempts.count(), 2);
        const auto json = sent.value().json();
        CONFAB_VERIFY_OK(json);
        auto event = decodeEvent(json.value()
                                     .value(QLatin1String("data"))
                                     .toObject()
                                     .value(QLatin1String("encoded_message_event"))
                                     .toString());
        CONFAB_VERIFY_OK(event);
        QCOMPARE(QString::fromStdString(event.value().message_id), second.value().messageId);
        QCOMPARE(storedCopies(h, b, conv.value(), second.value().messageId), 1);
        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QCOMPARE(page.value().texts().count(QStringLiteral("with a key")), 1);
    }

    void rateLimitBurstIsWaitedOut()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        QSignalSpy limited(&client, &HttpClient::rateLimited);
        const QString endpoint = endpointOf("GET", QStringLiteral("/2/users/me"));
        RateLimitState during;
        attempts.hook = [&](const Outcome &o) {
            if (o.status == 429)
                during = client.rateLimit(endpoint);
        };

        // The server answers 429 (Retry-After: 1, budget 0 until its reset), then serves again.
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("users"), {{QStringLiteral("burst_429"), 1}}), 201);
        const qint64 start = QDateTime::currentMSecsSinceEpoch();
        const auto r = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        const qint64 end = QDateTime::currentMSecsSinceEpoch();
        CONFAB_VERIFY_OK(r);
        QCOMPARE(r.value().attempts, 2);
        QCOMPARE(attempts.count(), 2);
        QCOMPARE(attempts.outcomes.at(0).status, 429);
        // X's error body of the 429.
        const Error burst = errorFor(attempts.outcomes.at(0));
        QCOMPARE(burst.kind(), ErrorKind::RateLimited);
        QVERIFY2(burst.detail().contains(QLatin1String("Rate limit exceeded")), qPrintable(burst.detail()));
        // The x-rate-limit-* headers of the 429 were recorded, and the endpoint blocked.
        QCOMPARE(during.limit, 1);
        QCOMPARE(during.remaining, 0);
        QVERIFY(during.resetMs > start);
        QVERIFY(during.blockedUntilMs >= start + 1000); // at least Retry-After
        // One announcement, of the time the block ends; the retry went only after it.
        const qint64 blockedUntil = client.rateLimit(endpoint).blockedUntilMs;
        QVERIFY(blockedUntil >= during.blockedUntilMs);
        QCOMPARE(limited.size(), 1);
        QCOMPARE(limited.at(0).at(0).toString(), endpoint);
        QCOMPARE(limited.at(0).at(1).toDateTime().toMSecsSinceEpoch(), blockedUntil);
        QVERIFY2(end >= blockedUntil, qPrintable(QStringLiteral("%1 < %2").arg(end).arg(blockedUntil)));
        // Afterwards the state is the real budget again.
        QCOMPARE(client.rateLimit(endpoint).limit, r.value().header("x-rate-limit-limit").toInt());
        QVERIFY(client.rateLimit(endpoint).remaining > 0);
    }

    void exhaustedBudgetWaitsForTheReset()
    {
        ServerOptions options = devOptions();
        options.rateLimits = {QStringLiteral("users=2/2")};
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        QSignalSpy limited(&client, &HttpClient::rateLimited);
        const QString endpoint = endpointOf("GET", QStringLiteral("/2/users/me"));

        for (int i = 0; i < 2; ++i)
            CONFAB_VERIFY_OK(result(client.send(Request::get(QStringLiteral("/2/users/me")))));
        const RateLimitState spent = client.rateLimit(endpoint);
        QCOMPARE(spent.limit, 2);
        QCOMPARE(spent.remaining, 0);
        QVERIFY(spent.blockedUntilMs > QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(spent.blockedUntilMs, spent.resetMs);
        QCOMPARE(limited.size(), 1);
        QCOMPARE(limited.at(0).at(0).toString(), endpoint);
        QCOMPARE(limited.at(0).at(1).toDateTime().toMSecsSinceEpoch(), spent.blockedUntilMs);

        // The third request waits for the window to reset instead of earning a 429.
        const auto third = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        CONFAB_VERIFY_OK(third);
        QVERIFY(QDateTime::currentMSecsSinceEpoch() >= spent.blockedUntilMs);
        QCOMPARE(third.value().attempts, 1);
        QCOMPARE(attempts.count(), 3);
        for (const Outcome &o : std::as_const(attempts.outcomes))
            QCOMPARE(o.status, 200);
        QCOMPARE(client.rateLimit(endpoint).remaining, 1); // a fresh window
        // Other endpoints were never held back.
        QCOMPARE(client.rateLimit(endpointOf("GET", QStringLiteral("/2/chat/conversations"))).blockedUntilMs,
                                  qint64(0));
    }

    void distantResetFailsAtOnce()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        RetryPolicy policy = fastPolicy();
        policy.maxRateLimitWaitMs = 300; // less than the server's Retry-After of 1 s
        client.setRetryPolicy(policy);
        Attempts attempts;
        attempts.watch(client);
        QSignalSpy limited(&client, &HttpClient::rateLimited);

        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("users"), {{QStringLiteral("burst_429"), 1}}), 201);
        QElapsedTimer clock;
        clock.start();
        const auto r = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(r, ErrorKind::RateLimited);
        QCOMPARE(r.error().httpStatus(), 429);
        QVERIFY(clock.elapsed() < 900);
        QCOMPARE(attempts.count(), 1);
        QVERIFY(!limited.isEmpty());

        // While blocked, the next request to the endpoint does not reach the server at all.
        const auto again = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(again, ErrorKind::RateLimited);
        QVERIFY(again.error().message().contains(QLatin1String("Try again after")));
        QVERIFY(clock.elapsed() < 900);
        QCOMPARE(attempts.count(), 1);

        // Another endpoint is not held back (the burst was used up).
        CONFAB_VERIFY_OK(result(client.send(Request::get(QStringLiteral("/2/users/%1").arg(alice.value()->id)))));
        QCOMPARE(attempts.count(), 2);
    }

    void slowAnswersTimeOut()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);

        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("*"), {{QStringLiteral("latency_ms"), 3000}}), 201);
        Request get = Request::get(QStringLiteral("/2/users/me"));
        get.timeoutMs = 150;
        get.maxAttempts = 3;
        QElapsedTimer clock;
        clock.start();
        const auto timedOut = result(client.send(get));
        EXPECT_ERROR_KIND(timedOut, ErrorKind::Timeout);
        QVERIFY(timedOut.error().isTransient());
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(attempts.count(), 3); // a GET is tried again
        for (const Outcome &o : std::as_const(attempts.outcomes))
            QVERIFY(o.timedOut);

        // A POST without a key is not.
        attempts.outcomes.clear();
        Request post = Request::postJson(QStringLiteral("/2/chat/conversations/1-2/messages"), {});
        post.timeoutMs = 150;
        EXPECT_ERROR_KIND(result(client.send(post)), ErrorKind::Timeout);
        QCOMPARE(attempts.count(), 1);

        // The server speeds up after the first attempt: the GET's retry answers.
        attempts.outcomes.clear();
        attempts.hook = [&](const Outcome &) {
            if (attempts.count() == 1)
                CONFAB_EXPECT_STATUS(clearFaults(h), 200);
        };
        const auto recovered = result(client.send(get));
        CONFAB_VERIFY_OK(recovered);
        QCOMPARE(recovered.value().attempts, 2);
        QVERIFY(attempts.outcomes.at(0).timedOut);
        QCOMPARE(client.inFlight(), 0);
    }

    void cancellationIsPrompt()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("users"), {{QStringLiteral("latency_ms"), 5000}}), 201);

        // In flight: the server holds the answer for 5 s; cancel() ends it now.
        {
            Cancellation cancel;
            Request request = Request::get(QStringLiteral("/2/users/me"));
            request.cancellation = &cancel;
            QElapsedTimer clock;
            clock.start();
            auto task = client.send(request);
            QCOMPARE(client.inFlight(), 1);
            QTimer::singleShot(100, &cancel, &Cancellation::cancel);
            const auto r = result(std::move(task));
            EXPECT_ERROR_KIND(r, ErrorKind::Cancelled);
            QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
            QVERIFY(cancel.isCancelled());
            QCOMPARE(attempts.count(), 1);
            QCOMPARE(client.inFlight(), 0);
        }

        // Already cancelled: nothing is sent.
        {
            Cancellation cancel;
            cancel.cancel();
            Request request = Request::get(QStringLiteral("/2/users/me"));
            request.cancellation = &cancel;
            EXPECT_ERROR_KIND(result(client.send(request)), ErrorKind::Cancelled);
            QCOMPARE(attempts.count(), 1);
        }

        // While waiting to try again.
        {
            CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("users"), {{QStringLiteral("error_status"), 503}}), 201);
            RetryPolicy patient = fastPolicy();
            patient.initialDelayMs = 10000;
            patient.maxDelayMs = 10000;
            client.setRetryPolicy(patient);
            Cancellation cancel;
            attempts.hook = [&cancel](const Outcome &) { QTimer::singleShot(0, &cancel, &Cancellation::cancel); };
            Request request = Request::get(QStringLiteral("/2/users/me"));
            request.cancellation = &cancel;
            QElapsedTimer clock;
            clock.start();
            EXPECT_ERROR_KIND(result(client.send(request)), ErrorKind::Cancelled);
            QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
            QCOMPARE(attempts.count(), 2);
        }

        // delay() itself.
        {
            Cancellation cancel;
            QTimer::singleShot(50, &cancel, &Cancellation::cancel);
            QElapsedTimer clock;
            clock.start();
            const auto waited = finish(client.delay(10000, &cancel));
            QVERIFY(waited.has_value());
            QCOMPARE(*waited, false);
            QVERIFY(clock.elapsed() < 1500);
            const auto full = finish(client.delay(20));
            QVERIFY(full.has_value());
            QCOMPARE(*full, true);
        }
    }

    void destroyingTheClientCancelsEverything()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        StaticBearer auth(alice.value()->token());
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("users"), {{QStringLiteral("latency_ms"), 5000}}), 201);

        // A request in flight, one waiting for its retry and one waiting for a rate limit, and a
        // coroutine that awaits a request and carries on afterwards.
        auto client = std::make_unique<HttpClient>(h.server().baseUrl(), &auth);
        RetryPolicy patient = fastPolicy();
        patient.initialDelayMs = 10000;
        patient.maxDelayMs = 10000;
        client->setRetryPolicy(patient);
        QPointer<HttpClient> watch(client.get());

        auto inFlight = client->send(Request::get(QStringLiteral("/2/users/me")));
        QCOMPARE(client->inFlight(), 1);
        CONFAB_EXPECT_STATUS(
            injectFault(h, QStringLiteral("chat.conversations"), {{QStringLiteral("error_status"), 500}}), 201);
        Attempts attempts;
        attempts.watch(*client);
        QEventLoop backingOff;
        attempts.hook = [&backingOff](const Outcome &o) {
            if (o.status == 500) // quit once the coroutine sits in its backoff delay
                QTimer::singleShot(0, &backingOff, &QEventLoop::quit);
        };
        auto inBackoff = client->send(Request::get(QStringLiteral("/2/chat/conversations")));
        auto carriedOn = std::make_shared<std::optional<ErrorKind>>();
        auto follower = [](HttpClient *c, std::shared_ptr<std::optional<ErrorKind>> out) -> QCoro::Task<> {
            auto r = co_await c->send(Request::get(QStringLiteral("/2/users/me")));
            // Must not touch the client any more; record what came back.
            *out = r.ok() ? ErrorKind::Internal : r.error().kind();
        };
        follower(client.get(), carriedOn);

        // Wait for the 500 so the second request is in its backoff delay.
        QTimer::singleShot(5000, &backingOff, &QEventLoop::quit); // watchdog
        backingOff.exec();
        QCOMPARE(attempts.count(), 1);
        QCOMPARE(attempts.outcomes.at(0).status, 500);
        QCOMPARE(client->inFlight(), 2);
        QElapsedTimer clock;
        clock.start();
        QTimer::singleShot(0, this, [&client] { client.reset(); });

        const auto first = result(std::move(inFlight));
        EXPECT_ERROR_KIND(first, ErrorKind::Cancelled);
        const auto second = result(std::move(inBackoff));
        EXPECT_ERROR_KIND(second, ErrorKind::Cancelled);
        QVERIFY(watch.isNull());
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(carriedOn->has_value());
        QCOMPARE(carriedOn->value(), ErrorKind::Cancelled);

        // shutDown(): later requests fail at once.
        HttpClient closed(h.server().baseUrl(), &auth);
        closed.shutDown();
        QVERIFY(closed.isShutDown());
        EXPECT_ERROR_KIND(result(closed.send(Request::get(QStringLiteral("/2/users/me")))), ErrorKind::Cancelled);
        EXPECT_ERROR_KIND(result(closed.openStream(Request::get(QStringLiteral("/2/activity/stream")))),
                                 ErrorKind::Cancelled);
        const auto slept = finish(closed.delay(10));
        QVERIFY(slept.has_value() && !*slept);
    }

    void waitingForATokenEndsWithTheClient()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        PendingAuth auth;

        // The provider has not answered when the client goes: the request ends as Cancelled now.
        auto client = std::make_unique<HttpClient>(h.server().baseUrl(), &auth);
        auto waiting = client->send(Request::get(QStringLiteral("/2/users/me")));
        QCOMPARE(auth.promises.size(), size_t(1));
        QTimer::singleShot(0, this, [&client] { client.reset(); });
        QElapsedTimer clock;
        clock.start();
        EXPECT_ERROR_KIND(result(std::move(waiting), 3000), ErrorKind::Cancelled);
        QVERIFY(clock.elapsed() < 1500);
        // Its late answer goes nowhere.
        auth.promises.front()->addResult(Result<QString>(alice.value()->token()));
        auth.promises.front()->finish();
        QCoreApplication::sendPostedEvents();

        // A provider that gives up without an answer (its promise dropped) does not crash the client.
        HttpClient second(h.server().baseUrl(), &auth);
        auto abandoned = second.send(Request::get(QStringLiteral("/2/users/me")));
        QCOMPARE(auth.promises.size(), size_t(2));
        QTimer::singleShot(0, this, [&auth] { auth.promises.back().reset(); });
        const auto r = result(std::move(abandoned), 3000);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().kind() == ErrorKind::Cancelled, qPrintable(r.error().toString()));

        // And one that answers later is waited for.
        auto answered = second.send(Request::get(QStringLiteral("/2/users/me")));
        QCOMPARE(auth.promises.size(), size_t(3));
        const QString token = alice.value()->token();
        QTimer::singleShot(0, this, [&auth, token] {
            auth.promises.back()->addResult(Result<QString>(token));
            auth.promises.back()->finish();
        });
        CONFAB_VERIFY_OK(result(std::move(answered)));
    }

    void rejectedTokenIsRefreshedOnce()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        // The server revokes whole sign-ins, refresh token included; so the stale access token
        // comes from one sign-in and the refresh token from another that is still valid.
        auto stale = issueTokens(h, alice.value()->id);
        auto live = issueTokens(h, alice.value()->id);
        QVERIFY(stale && live);
        QVERIFY(revoke(h, stale->access));

        RefreshingAuth auth(h.server().baseUrl(), stale->access, live->refresh);
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        QSignalSpy authFailed(&client, &HttpClient::authenticationFailed);

        const auto r = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        CONFAB_VERIFY_OK(r);
        QCOMPARE(r.value().attempts, 1); // the replay after a refresh is not a retry
        QCOMPARE(auth.refreshes, 1);
        QCOMPARE(auth.rejectedTokens, QStringList{stale->access});
        QVERIFY(auth.currentAccess() != stale->access);
        QCOMPARE(attempts.count(), 2);
        QCOMPARE(attempts.outcomes.at(0).status, 401);
        QCOMPARE(attempts.outcomes.at(1).status, 200);
        QCOMPARE(authFailed.size(), 0);

        // The new token is used from now on, without refreshing again.
        CONFAB_VERIFY_OK(result(client.send(Request::get(QStringLiteral("/2/users/me")))));
        QCOMPARE(auth.refreshes, 1);
        QCOMPARE(attempts.count(), 3);

        // A POST is replayed after a refresh too (the server refused it before doing anything).
        auto another = issueTokens(h, alice.value()->id);
        QVERIFY(another);
        QVERIFY(revoke(h, auth.currentAccess()));
        RefreshingAuth second(h.server().baseUrl(), auth.currentAccess(), another->refresh);
        HttpClient poster(h.server().baseUrl(), &second);
        const auto posted = result(
            poster.send(Request::postJson(QStringLiteral("/2/chat/conversations/group/initialize"), QJsonObject{})));
        CONFAB_VERIFY_OK(posted);
        QCOMPARE(second.refreshes, 1);
    }

    void failedRefreshEndsTheSession()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        auto session = issueTokens(h, alice.value()->id);
        QVERIFY(session);
        QVERIFY(revoke(h, session->access)); // the refresh token dies with it

        RefreshingAuth auth(h.server().baseUrl(), session->access, session->refresh);
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());
        Attempts attempts;
        attempts.watch(client);
        QSignalSpy authFailed(&client, &HttpClient::authenticationFailed);

        const auto r = result(client.send(Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(r, ErrorKind::Unauthorized);
        QVERIFY(!r.error().message().isEmpty());
        for (const QString &secret : {session->access, session->refresh})
            QVERIFY(!r.error().toString().contains(secret));
        QCOMPARE(auth.refreshes, 1);
        QCOMPARE(attempts.count(), 1);
        QCOMPARE(authFailed.size(), 1);
        QCOMPARE(authFailed.at(0).at(0).value<Error>().kind(), ErrorKind::Unauthorized);

        // A refresh that hands out a token the server refuses as well: no second refresh.
        StaticBearer wrong(QStringLiteral("first-wrong-token"));
        HttpClient other(h.server().baseUrl(), &wrong);
        Attempts otherAttempts;
        otherAttempts.watch(other);
        QSignalSpy otherFailed(&other, &HttpClient::authenticationFailed);
        otherAttempts.hook = [&](const Outcome &) {
            if (otherAttempts.count() == 1)
                wrong.setToken(QStringLiteral("second-wrong-token")); // what the refresh will return
        };
        EXPECT_ERROR_KIND(result(other.send(Request::get(QStringLiteral("/2/users/me")))), ErrorKind::Unauthorized);
        QCOMPARE(otherAttempts.count(), 2);
        QCOMPARE(otherFailed.size(), 1);

        // Streams refresh the same way and report a failed refresh the same way.
        QSignalSpy streamFailed(&client, &HttpClient::authenticationFailed);
        EXPECT_ERROR_KIND(result(client.openStream(Request::get(QStringLiteral("/2/activity/stream")))),
                                 ErrorKind::Unauthorized);
        QCOMPARE(auth.refreshes, 2);
        QCOMPARE(streamFailed.size(), 1);
    }

    void progressIsReportedBothWays()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        auto conv = h.startDirect(*alice.value(), *bob.value());
        CONFAB_VERIFY_OK(conv);
        StaticBearer auth(alice.value()->token());
        HttpClient client(h.server().baseUrl(), &auth);
        client.setRetryPolicy(fastPolicy());

        QByteArray media(1536 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < media.size(); ++i)
            media[i] = static_cast<char>(QRandomGenerator::global()->bounded(256));

        const auto init = result(client.send(Request::postJson(QStringLiteral("/2/chat/media/upload/initialize"),
            {{QStringLiteral("conversation_id"), conv.value().id}, {QStringLiteral("total_bytes"), media.size()}})));
        CONFAB_VERIFY_OK(init);
        const QJsonObject session = init.value().json().value().value(QLatin1String("data")).toObject();
        const QString sessionId = session.value(QLatin1String("session_id")).toString();
        const QString hashKey = session.value(QLatin1String("media_hash_key")).toString();
        QVERIFY(!sessionId.isEmpty() && !hashKey.isEmpty());

        // Upload: one large append.
        QList<std::pair<qint64, qint64>> sent;
        Request append = Request::postJson(QStringLiteral("/2/chat/media/upload/%1/append").arg(sessionId),
            {{QStringLiteral("conversation_id"), conv.value().id},
              {QStringLiteral("media_hash_key"), hashKey},
               {QStringLiteral("segment_index"), 0}, {QStringLiteral("media"), QString::fromLatin1(media.toBase64())}});
        append.uploadProgress = [&sent](qint64 done, qint64 total) { sent.append({done, total}); };
        CONFAB_VERIFY_OK(result(client.send(append)));
        QVERIFY(!sent.isEmpty());
        for (const auto &[done, total] : std::as_const(sent)) {
            QCOMPARE(total, qint64(append.body.size()));
            QVERIFY(done >= 0 && done <= total);
        }
        QCOMPARE(sent.constLast().first, qint64(append.body.size()));
        CONFAB_VERIFY_OK(result(client.send(Request::postJson(QStringLiteral("/2/chat/media/upload/%1/finalize").arg(sessionId),
            {{QStringLiteral("conversation_id"), conv.value().id},
              {QStringLiteral("media_hash_key"), hashKey}, {QStringLiteral("num_parts"), QStringLiteral("1")}}))));

        // Download into a sink, with progress.
        const QString mediaPath = QStringLiteral("/2/chat/media/%1/%2").arg(conv.value().pathId, hashKey);
        QByteArray downloaded;
        QBuffer sink(&downloaded);
        QVERIFY(sink.open(QIODevice::WriteOnly));
        QList<std::pair<qint64, qint64>> received;
        Request download = Request::get(mediaPath);
        download.sink = &sink;
        download.downloadProgress = [&received](qint64 done, qint64 total) { received.append({done, total}); };
        const auto got = result(client.send(download));
        CONFAB_VERIFY_OK(got);
        QVERIFY(got.value().body.isEmpty()); // it went to the sink
        QCOMPARE(downloaded.size(), media.size());
        QVERIFY(downloaded == media);
        QVERIFY(!received.isEmpty());
        qint64 last = 0;
        for (const auto &[done, total] : std::as_const(received)) {
            QCOMPARE(total, qint64(media.size()));
            QVERIFY(done >= last);
            last = done;
        }
        QCOMPARE(last, qint64(media.size()));

        // Without a sink the body is in the response; it is not JSON.
        const auto plain = result(client.send(Request::get(mediaPath)));
        CONFAB_VERIFY_OK(plain);
        QVERIFY(plain.value().body == media);
        EXPECT_ERROR_KIND(plain.value().json(), ErrorKind::Protocol);

        // A dropped download that wrote nothing yet is tried again into the same sink.
        Attempts attempts;
        attempts.watch(client);
        attempts.hook = [&](const Outcome &) {
            if (attempts.count() == 1)
                CONFAB_EXPECT_STATUS(clearFaults(h), 200);
        };
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("media.download"), {{QStringLiteral("drop_rate"), 1}}), 201);
        QByteArray again;
        QBuffer againSink(&again);
        QVERIFY(againSink.open(QIODevice::WriteOnly));
        Request retried = Request::get(mediaPath);
        retried.sink = &againSink;
        const auto retriedResult = result(client.send(retried));
        CONFAB_VERIFY_OK(retriedResult);
        QCOMPARE(retriedResult.value().attempts, 2);
        QVERIFY(again == media);

        // One cut short after bytes went into the sink is not (the sink cannot be rewound).
        attempts.outcomes.clear();
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("media.download"), {{QStringLiteral("truncate_rate"), 1}}),
                                         201);
        QByteArray partial;
        QBuffer partialSink(&partial);
        QVERIFY(partialSink.open(QIODevice::WriteOnly));
        Request cut = Request::get(mediaPath);
        cut.sink = &partialSink;
        const auto cutResult = result(client.send(cut));
        EXPECT_ERROR_KIND(cutResult, ErrorKind::Network);
        QCOMPARE(attempts.count(), 1);
        QVERIFY(!partial.isEmpty());
        QVERIFY(partial.size() < media.size());
        QVERIFY(media.startsWith(partial));
    }

    void activityStreamDeliversLines()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);

        // An app-only token, and Bob's subscription for that app (as the demo peers do).
        CONFAB_VERIFY_OK(h.server().registerClient(QStringLiteral("app"), QStringLiteral("secret")));
        auto appToken = h.server().issueAppToken(QStringLiteral("app"));
        CONFAB_VERIFY_OK(appToken);
        auto bobForApp = h.server().issueAccessToken(b.id, allScopes(), QStringLiteral("app"));
        CONFAB_VERIFY_OK(bobForApp);
        CONFAB_EXPECT_STATUS(
            h.api()
                .withToken(bobForApp.value())
                .postJson(QStringLiteral("/2/activity/subscriptions"),
                                         {{QStringLiteral("event_type"), QStringLiteral("chat.received")},
                                           {QStringLiteral("filter"), QJsonObject{{QStringLiteral("user_id"), b.id}}},
                                            {QStringLiteral("tag"), QStringLiteral("confab")}}),
                                          200);

        // A user token is refused with the server's reason.
        StaticBearer userAuth(b.token());
        HttpClient userClient(h.server().baseUrl(), &userAuth);
        const auto refused = result(userClient.openStream(Request::get(QStringLiteral("/2/activity/stream"))));
        EXPECT_ERROR_KIND(refused, ErrorKind::Forbidden);
        QCOMPARE(refused.error().httpStatus(), 403);
        QVERIFY2(refused.error().detail().contains(QLatin1String("app-only Bearer")),
                 qPrintable(refused.error().detail()));

        StaticBearer appAuth(appToken.value());
        HttpClient client(h.server().baseUrl(), &appAuth);
        const auto opened = result(client.openStream(Request::get(QStringLiteral("/2/activity/stream"))));
        CONFAB_VERIFY_OK(opened);
        std::unique_ptr<HttpStream> stream(opened.value());
        QCOMPARE(stream->status(), 200);
        QVERIFY(!stream->isFinished());
        QCOMPARE(client.inFlight(), 0); // the stream belongs to the caller
        QSignalSpy lines(stream.get(), &HttpStream::lineArrived);
        QSignalSpy finished(stream.get(), &HttpStream::finished);

        auto sent = h.sendText(a, conv.value(), QStringLiteral("ping"));
        CONFAB_VERIFY_OK(sent);
        QVERIFY(!lines.isEmpty() || lines.wait(5000));
        QCOMPARE(lines.size(), 1);
        const QJsonObject line = QJsonDocument::fromJson(lines.at(0).at(0).toByteArray()).object();
        const QJsonObject payload =
            line.value(QLatin1String("data")).toObject().value(QLatin1String("payload")).toObject();
        QCOMPARE(payload.value(QLatin1String("id")).toString(), sent.value().message.messageId);
        QCOMPARE(payload.value(QLatin1String("sender_id")).toString(), a.id);
        QVERIFY(stream->bytesReceived() > lines.at(0).at(0).toByteArray().size());

        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("ping again")));
        QVERIFY(lines.size() >= 2 || lines.wait(5000));
        QCOMPARE(lines.size(), 2);
        QVERIFY(finished.isEmpty());

        stream->close();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).value<Error>().kind(), ErrorKind::Cancelled);
        QVERIFY(stream->isFinished());

        // A Cancellation given when opening ends the open stream too.
        Cancellation stop;
        Request cancellable = Request::get(QStringLiteral("/2/activity/stream"));
        cancellable.cancellation = &stop;
        const auto third = result(client.openStream(cancellable));
        CONFAB_VERIFY_OK(third);
        std::unique_ptr<HttpStream> stopped(third.value());
        QSignalSpy stoppedEnd(stopped.get(), &HttpStream::finished);
        stop.cancel();
        QVERIFY(!stoppedEnd.isEmpty() || stoppedEnd.wait(5000));
        QCOMPARE(stoppedEnd.size(), 1);
        QCOMPARE(stoppedEnd.at(0).at(0).value<Error>().kind(), ErrorKind::Cancelled);

        // A quiet stream ends after its idle timeout (the server's keep-alives come every 10 s).
        Request quiet = Request::get(QStringLiteral("/2/activity/stream"));
        quiet.timeoutMs = 200;
        const auto reopened = result(client.openStream(quiet));
        CONFAB_VERIFY_OK(reopened);
        std::unique_ptr<HttpStream> idle(reopened.value());
        QSignalSpy idleEnd(idle.get(), &HttpStream::finished);
        QVERIFY(idleEnd.wait(5000));
        QCOMPARE(idleEnd.at(0).at(0).value<Error>().kind(), ErrorKind::Timeout);

        // Opening can be cancelled while the server has not answered yet.
        CONFAB_EXPECT_STATUS(injectFault(h, QStringLiteral("activity.stream"), {{QStringLiteral("latency_ms"), 5000}}),
                                         201);
        Cancellation cancel;
        Request slow = Request::get(QStringLiteral("/2/activity/stream"));
        slow.cancellation = &cancel;
        QTimer::singleShot(100, &cancel, &Cancellation::cancel);
        QElapsedTimer clock;
        clock.start();
        EXPECT_ERROR_KIND(result(client.openStream(slow)), ErrorKind::Cancelled);
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
