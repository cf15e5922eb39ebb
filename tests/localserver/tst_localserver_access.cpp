// confab-localserver's gatekeeping and operations over real HTTP: membership, tokens (missing,
// invalid, expired, refresh tokens, app tokens), scopes, rate limits, --dev fault injection,
// body sizes, the /_local/ administration API with and without --dev, persistence across a
// restart, and the activity stream with app-only Bearer tokens.

#include "chatharness.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::localserver;
using namespace confab::localserver::test;

namespace {

QString str(const std::string &s)
{
    return QString::fromStdString(s);
}

QStringList without(QStringList scopes, const QString &scope)
{
    scopes.removeAll(scope);
    return scopes;
}

/// The x-rate-limit-* headers are there and make sense.
bool hasRateLimitHeaders(const ApiResponse &r, QString *why)
{
    bool limitOk = false;
    bool remainingOk = false;
    bool resetOk = false;
    const int limit = r.header("x-rate-limit-limit").toInt(&limitOk);
    const int remaining = r.header("x-rate-limit-remaining").toInt(&remainingOk);
    const qint64 reset = r.header("x-rate-limit-reset").toLongLong(&resetOk);
    if (!limitOk || !remainingOk || !resetOk || limit <= 0 || remaining < 0 || remaining > limit ||
        reset + 1 < QDateTime::currentSecsSinceEpoch()) {
        *why = QStringLiteral("limit '%1' remaining '%2' reset '%3' on ") .arg(QString::fromLatin1(r.header("x-rate-limit-limit")),
                                                             QString::fromLatin1(r.header("x-rate-limit-remaining")),
                                                             QString::fromLatin1(r.header("x-rate-limit-reset"))) +
            r.describe();
        return false;
    }
    return true;
}

/// The body is X's rate-limit error: code 88.
bool isRateLimitError(const ApiResponse &r)
{
    const QJsonObject o = r.json();
    const QJsonArray errors = o.value(QLatin1String("errors")).toArray();
    return r.status == 429 && r.contentType() == "application/json" && o.value(QLatin1String("code")).toInt() == 88 &&
           !errors.isEmpty() && errors.at(0).toObject().value(QLatin1String("code")).toInt() == 88;
}

/// Waits until the wall clock is early in a second, so that a 1-second token stays valid for the
/// requests that follow right away.
void waitForTheStartOfASecond()
{
    while (QDateTime::currentMSecsSinceEpoch() % 1000 > 200)
        QTest::qWait(10);
}

ApiResponse postLocal(const Harness &h, const QString &path, const QJsonObject &body)
{
    return h.api().postJson(path, body);
}

} // namespace

class TestLocalServerAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nonMembersGetNoData()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &c = *carol.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);
        auto sent = h.sendText(a, conv.value(), QStringLiteral("private"));
        CONFAB_VERIFY_OK(sent);
        auto group = h.createGroup(a, {bob.value()}, QStringLiteral("Closed"));
        CONFAB_VERIFY_OK(group);
        const QString pair = conv.value().pathId;
        const QString otherOrder = bob.value()->id + QLatin1Char('-') + a.id;

        auto refused = [](const ApiResponse &r) {
            return (r.status == 403 || r.status == 404) && r.contentType() == "application/problem+json" &&
                   !r.json().contains(QLatin1String("data")) && !r.body.contains("encoded_event");
        };
        QList<ApiResponse> answers;
        for (const QString &id : {pair, otherOrder, group.value().id}) {
            const QString base = QStringLiteral("/2/chat/conversations/") + id;
            answers << c.api.get(base)
                    << c.api.get(base + QStringLiteral("/events")) << c.api.postJson(
                           base + QStringLiteral("/keys"), {})
                           << c.api.postJson(base + QStringLiteral("/messages"), {}) << c.api.postJson(
                                  base + QStringLiteral("/messages/delete"), {})
                                  << c.api.postJson(
                                         base +
                                         QStringLiteral("/read"), {{QStringLiteral("seen_until_sequence_id"),
                                                                        str(sent.value().event.sequence_id)}})
                                             << c.api.postRaw(base + QStringLiteral("/typing"), {}) << c.api.postJson(
                                                    base + QStringLiteral("/members"), {})
                                                    << c.api.get(QStringLiteral("/2/chat/media/%1/abc123").arg(id));
        }
        answers << c.api.postJson(
            QStringLiteral("/2/chat/media/upload/initialize"),
                           {{QStringLiteral("conversation_id"), conv.value().id}, {QStringLiteral("total_bytes"), 10}});
        for (const ApiResponse &r : std::as_const(answers))
            QVERIFY2(refused(r), qPrintable(r.describe()));
        // The membership answer is 403 for conversations that exist.
        CONFAB_EXPECT_PROBLEM(c.api.get(QStringLiteral("/2/chat/conversations/%1/events").arg(pair)), 403,
                                        "not-authorized-for-resource");
        CONFAB_EXPECT_PROBLEM(c.api.get(QStringLiteral("/2/chat/conversations/%1/events").arg(group.value().id)), 403,
                                        "not-authorized-for-resource");

        // Carol's inbox shows nothing of it, and Bob still sees everything.
        const ApiResponse inbox = c.api.get(QStringLiteral("/2/chat/conversations"));
        CONFAB_EXPECT_STATUS(inbox, 200);
        QCOMPARE(inbox.dataArray().size(), 0);
        auto page = h.events(*bob.value(), conv.value().id);
        CONFAB_VERIFY_OK(page);
        QCOMPARE(page.value().texts(), QStringList{QStringLiteral("private")});
    }

    void tokensMustBeValid()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        CONFAB_VERIFY_OK(alice);
        const QList<QPair<QByteArray, QByteArray>> bad{
            {}, // no Authorization header at all
            {"Authorization", "Bearer not-a-token"},
            {"Authorization", "Bearer "},
            {"Authorization", "Basic YWxpY2U6c2VjcmV0"},
            {"Authorization", "Bearer " + alice.value()->token().toLatin1() + "x"},
        };
        for (const auto &header : bad) {
            ApiRequest r;
            r.path = QStringLiteral("/2/chat/conversations");
            r.token = QString();
            if (!header.first.isEmpty())
                r.headers.append(header);
            const ApiResponse response = h.api().send(r);
            CONFAB_EXPECT_PROBLEM(response, 401, "not-authorized-for-resource");
            QVERIFY(response.header("www-authenticate").startsWith("Bearer"));
        }
        // A refresh token is not an access token.
        const ApiResponse issued =
            postLocal(h, QStringLiteral("/_local/tokens"),
                                        {{QStringLiteral("user_id"), alice.value()->id},
                                          {QStringLiteral("scopes"), QJsonArray::fromStringList(allScopes())}});
        CONFAB_EXPECT_STATUS(issued, 201);
        const QString refresh = issued.json().value(QLatin1String("refresh_token")).toString();
        QVERIFY(!refresh.isEmpty());
        CONFAB_EXPECT_PROBLEM(h.api().withToken(refresh).get(QStringLiteral("/2/users/me")), 401,
                                                             "not-authorized-for-resource");
        CONFAB_EXPECT_STATUS(h.api()
                                 .withToken(issued.json().value(QLatin1String("access_token")).toString())
                                 .get(QStringLiteral("/2/users/me")), 200);
    }

    void expiredTokensAreRefused()
    {
        ServerOptions options = devOptions();
        options.accessTokenLifetimeSecs = 1;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        waitForTheStartOfASecond();
        const qint64 issuedAt = QDateTime::currentSecsSinceEpoch();
        auto token = h.server().issueAccessToken(alice.value()->id, allScopes());
        CONFAB_VERIFY_OK(token);
        const ApiClient client = h.api().withToken(token.value());
        CONFAB_EXPECT_STATUS(client.get(QStringLiteral("/2/users/me")), 200);
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentSecsSinceEpoch() > issuedAt, 3000);
        const ApiResponse expired = client.get(QStringLiteral("/2/users/me"));
        CONFAB_EXPECT_PROBLEM(expired, 401, "not-authorized-for-resource");
        QVERIFY(expired.header("www-authenticate").contains("invalid_token"));
    }

    void scopesAreEnforced()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);
        auto message = h.encryptText(a, conv.value(), QStringLiteral("needs dm.write"));
        CONFAB_VERIFY_OK(message);
        auto tokenWithout = [&](const QString &scope) {
            return h.api().withToken(h.server().issueAccessToken(a.id, without(allScopes(), scope)).valueOr(QString()));
        };
        const QString conversation = QStringLiteral("/2/chat/conversations/") + conv.value().pathId;

        const ApiClient noWrite = tokenWithout(QStringLiteral("dm.write"));
        const ApiResponse send =
            noWrite.postJson(conversation + QStringLiteral("/messages"), message.value().requestBody());
        CONFAB_EXPECT_PROBLEM(send, 403, "not-authorized-for-resource");
        QVERIFY(send.json().value(QLatin1String("detail")).toString().contains(QLatin1String("dm.write")));
        CONFAB_EXPECT_PROBLEM(noWrite.postRaw(conversation + QStringLiteral("/typing"), {}), 403,
                                              "not-authorized-for-resource");
        CONFAB_EXPECT_PROBLEM(noWrite.postRaw(QStringLiteral("/2/chat/conversations/group/initialize"), {}), 403,
                                              "not-authorized-for-resource");
        CONFAB_EXPECT_STATUS(noWrite.get(conversation + QStringLiteral("/events")), 200); // reading is fine

        const ApiClient noRead = tokenWithout(QStringLiteral("dm.read"));
        CONFAB_EXPECT_PROBLEM(noRead.get(QStringLiteral("/2/chat/conversations")), 403, "not-authorized-for-resource");
        CONFAB_EXPECT_PROBLEM(noRead.get(conversation + QStringLiteral("/events")), 403, "not-authorized-for-resource");

        const ApiClient noMedia = tokenWithout(QStringLiteral("media.write"));
        CONFAB_EXPECT_PROBLEM(noMedia.postJson(
            QStringLiteral("/2/chat/media/upload/initialize"),
                           {{QStringLiteral("conversation_id"), conv.value().id}, {QStringLiteral("total_bytes"), 10}}),
                           403, "not-authorized-for-resource");

        const ApiClient noUsers = tokenWithout(QStringLiteral("users.read"));
        CONFAB_EXPECT_PROBLEM(noUsers.get(QStringLiteral("/2/users/me")), 403, "not-authorized-for-resource");

        // Nothing was sent without dm.write; with it, the same body goes through.
        auto page = h.events(*bob.value(), conv.value().id);
        CONFAB_VERIFY_OK(page);
        QCOMPARE(page.value().data.size(), 0);
        CONFAB_EXPECT_STATUS(a.api.postJson(conversation + QStringLiteral("/messages"), message.value().requestBody()),
                                            201);

        // An app-only token is not a user token.
        CONFAB_VERIFY_OK(h.server().registerClient(QStringLiteral("app"), QStringLiteral("secret")));
        auto app = h.server().issueAppToken(QStringLiteral("app"));
        CONFAB_VERIFY_OK(app);
        CONFAB_EXPECT_PROBLEM(h.api()
                                  .withToken(app.value())
                                  .get(QStringLiteral("/2/chat/conversations")), 403, "not-authorized-for-resource");
    }

    void rateLimitsAreAnnouncedAndEnforced()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);
        const QString conversation = QStringLiteral("/2/chat/conversations/") + conv.value().pathId;

        // Every answer carries the caller's budget, successes and failures alike.
        QList<ApiResponse> answers;
        answers << a.api.get(QStringLiteral("/2/chat/conversations")) << a.api.get(
            QStringLiteral("/2/chat/conversations"))
            << a.api.get(conversation + QStringLiteral("/events")) << a.api.get(
                   conversation +
                   QStringLiteral("/events"), QUrlQuery{{QStringLiteral("max_results"), QStringLiteral("0")}})
                                  << a.api.get(QStringLiteral("/2/chat/conversations/g1")) << a.api.get(
                                         QStringLiteral("/2/users/me"))
                                         << h.api().get(QStringLiteral("/2/users/me")) << a.api.postRaw(
                                                conversation + QStringLiteral("/typing"), {})
                                                << a.api.get(QStringLiteral("/2/users/public_keys"),
                                                                            QUrlQuery{{QStringLiteral("ids"), a.id}});
        for (const ApiResponse &r : std::as_const(answers)) {
            QString why;
            QVERIFY2(hasRateLimitHeaders(r, &why), qPrintable(why));
        }
        QCOMPARE(answers.at(1).header("x-rate-limit-remaining").toInt(),
                 answers.at(0).header("x-rate-limit-remaining").toInt() - 1);

        // Two sends a minute.
        const ApiResponse set =
            postLocal(h, QStringLiteral("/_local/rate_limits"),
                                        {{QStringLiteral("group"), QStringLiteral("chat.send")},
                                          {QStringLiteral("requests"), 2}, {QStringLiteral("window_seconds"), 60}});
        CONFAB_EXPECT_STATUS(set, 201);
        QList<int> remaining;
        for (int i = 0; i < 2; ++i) {
            auto sent = h.sendText(a, conv.value(), QStringLiteral("within budget %1").arg(i));
            CONFAB_VERIFY_OK(sent);
            QCOMPARE(sent.value().response.header("x-rate-limit-limit"), QByteArray("2"));
            remaining.append(sent.value().response.header("x-rate-limit-remaining").toInt());
        }
        QCOMPARE(remaining, (QList<int>{1, 0}));
        auto third = h.encryptText(a, conv.value(), QStringLiteral("over budget"));
        CONFAB_VERIFY_OK(third);
        const ApiResponse limited = h.postMessage(a, conv.value().pathId, third.value().requestBody());
        QVERIFY2(isRateLimitError(limited), qPrintable(limited.describe()));
        QCOMPARE(limited.header("x-rate-limit-remaining"), QByteArray("0"));
        QVERIFY(limited.header("x-rate-limit-reset").toLongLong() > QDateTime::currentSecsSinceEpoch());
        QVERIFY(limited.header("retry-after").toInt() >= 1);

        // The message was not stored; other callers and other route groups are unaffected.
        auto page = h.events(*bob.value(), conv.value().id);
        CONFAB_VERIFY_OK(page);
        QVERIFY(!page.value().texts().contains(QStringLiteral("over budget")));
        CONFAB_VERIFY_OK(h.sendText(*bob.value(), conv.value(), QStringLiteral("bob has his own budget")));
        CONFAB_EXPECT_STATUS(a.api.get(conversation + QStringLiteral("/events")), 200);

        CONFAB_EXPECT_PROBLEM(postLocal(h, QStringLiteral("/_local/rate_limits"), {{QStringLiteral("requests"), 2}}),
                                        400, "invalid-request");
    }

    void faultsCanBeInjected()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);
        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("something to read")));
        const QString events = QStringLiteral("/2/chat/conversations/%1/events").arg(conv.value().pathId);
        auto inject = [&](QJsonObject fault) {
            fault.insert(QStringLiteral("route"), QStringLiteral("chat.events"));
            return postLocal(h, QStringLiteral("/_local/faults"), fault);
        };
        auto clear = [&] { return h.api().deleteResource(QStringLiteral("/_local/faults")); };

        // Dropped connections: the client sees a network error, other routes still work.
        CONFAB_EXPECT_STATUS(inject({{QStringLiteral("drop_rate"), 1}}), 201);
        const ApiResponse dropped = a.api.get(events);
        QCOMPARE(dropped.status, 0);
        QVERIFY(dropped.error != QNetworkReply::NoError);
        CONFAB_EXPECT_STATUS(a.api.get(QStringLiteral("/2/chat/conversations")), 200);
        CONFAB_EXPECT_STATUS(clear(), 200);
        CONFAB_EXPECT_STATUS(a.api.get(events), 200);

        // Truncated bodies: the connection closes before Content-Length bytes arrived.
        CONFAB_EXPECT_STATUS(inject({{QStringLiteral("truncate_rate"), 1}}), 201);
        const ApiResponse cut = a.api.get(events);
        QVERIFY2(cut.error != QNetworkReply::NoError, qPrintable(cut.describe()));
        QVERIFY(!cut.isJsonObject());
        CONFAB_EXPECT_STATUS(clear(), 200);

        // A burst of 429s, then service again.
        CONFAB_EXPECT_STATUS(inject({{QStringLiteral("burst_429"), 2}}), 201);
        for (int i = 0; i < 2; ++i) {
            const ApiResponse r = a.api.get(events);
            QVERIFY2(isRateLimitError(r), qPrintable(r.describe()));
            QVERIFY(r.hasHeader("retry-after"));
        }
        CONFAB_EXPECT_STATUS(a.api.get(events), 200);

        // Server errors.
        CONFAB_EXPECT_STATUS(inject({{QStringLiteral("error_status"), 503}}), 201);
        CONFAB_EXPECT_PROBLEM(a.api.get(events), 503, "internal-error");
        CONFAB_EXPECT_STATUS(inject({{QStringLiteral("error_status"), 503}, {QStringLiteral("error_rate"), 0}}), 201);
        CONFAB_EXPECT_STATUS(a.api.get(events), 200); // replaced: a rate of 0 never fails

        // Latency: a slow route answers after a fast one sent later.
        CONFAB_EXPECT_STATUS(inject({{QStringLiteral("latency_ms"), 600}}), 201);
        ApiRequest slowRequest;
        slowRequest.path = events;
        ApiRequest fastRequest;
        fastRequest.path = QStringLiteral("/2/chat/conversations");
        PendingResponse slow = a.api.start(slowRequest);
        PendingResponse fast = a.api.start(fastRequest);
        CONFAB_EXPECT_STATUS(fast.wait(), 200);
        QVERIFY(!slow.isFinished());
        const ApiResponse late = slow.wait();
        CONFAB_EXPECT_STATUS(late, 200);
        QCOMPARE(late.dataArray().size(), 1);

        // Faults on one route group leave the others alone; "*" hits them all.
        CONFAB_EXPECT_STATUS(clear(), 200);
        CONFAB_EXPECT_STATUS(postLocal(
            h, QStringLiteral("/_local/faults"),
                              {{QStringLiteral("route"), QStringLiteral("*")}, {QStringLiteral("error_status"), 500}}),
                              201);
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users/me")), 500, "internal-error");
        CONFAB_EXPECT_STATUS(clear(), 200);
        CONFAB_EXPECT_STATUS(a.api.get(QStringLiteral("/2/users/me")), 200);
    }

    void messagesAndBodiesHaveSizeLimits()
    {
        ServerOptions options = devOptions();
        options.maxBodyBytes = 512 * 1024;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);

        // A message just under 256 KiB of ciphertext is fine; above it, it is refused.
        auto large = h.encryptText(a, conv.value(), QString(250 * 1024, QLatin1Char('a')));
        CONFAB_VERIFY_OK(large);
        CONFAB_EXPECT_STATUS(h.postMessage(a, conv.value().pathId, large.value().requestBody()), 201);
        auto tooLarge = h.encryptText(a, conv.value(), QString(257 * 1024, QLatin1Char('b')));
        CONFAB_VERIFY_OK(tooLarge);
        const ApiResponse refused = h.postMessage(a, conv.value().pathId, tooLarge.value().requestBody());
        CONFAB_EXPECT_PROBLEM(refused, 400, "invalid-request");
        QCOMPARE(refused.json().value(QLatin1String("parameter")).toString(),
                 QStringLiteral("encoded_message_create_event"));

        // A request body above the server's maximum (ServerOptions::maxBodyBytes) is refused as such.
        const QByteArray huge =
            QJsonDocument(QJsonObject{{QStringLiteral("message_id"), xchat::newMessageId()},
                                       {QStringLiteral("padding"), QString(600 * 1024, QLatin1Char('x'))}})
                              .toJson(QJsonDocument::Compact);
        const ApiResponse tooBig =
            a.api.postRaw(QStringLiteral("/2/chat/conversations/%1/messages").arg(conv.value().pathId), huge);
        QVERIFY2(tooBig.status == 413, qPrintable(tooBig.describe().left(300)));
    }

    void localApiNeedsDev()
    {
        ServerOptions options = devOptions();
        options.dev = false;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        CONFAB_VERIFY_OK(alice);
        const QJsonObject user{{QStringLiteral("username"), QStringLiteral("mallory")},
                                {QStringLiteral("name"), QStringLiteral("Mallory")}};
        CONFAB_EXPECT_PROBLEM(postLocal(h, QStringLiteral("/_local/users"), user), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(h.api().get(QStringLiteral("/_local/users")), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(postLocal(
            h, QStringLiteral("/_local/tokens"), {{QStringLiteral("user_id"), alice.value()->id},
                                                   {QStringLiteral("scopes"), QJsonArray{QStringLiteral("dm.read")}}}),
                              404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(postLocal(h, QStringLiteral("/_local/faults"), {{QStringLiteral("drop_rate"), 1}}), 404,
                                        "resource-not-found");
        CONFAB_EXPECT_PROBLEM(postLocal(h, QStringLiteral("/_local/rate_limits"),
                                                          {{QStringLiteral("group"), QStringLiteral("chat.send")},
                                                            {QStringLiteral("requests"), 0}}),
                                                          404, "resource-not-found");
        QVERIFY(!h.server().userByUsername(QStringLiteral("mallory")));
        // The API itself works without --dev.
        CONFAB_EXPECT_STATUS(alice.value()->api.get(QStringLiteral("/2/users/me")), 200);
    }

    void localApiManagesUsersAndTokens()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        const ApiResponse created =
            postLocal(h, QStringLiteral("/_local/users"), {{QStringLiteral("username"), QStringLiteral("dana")},
                                                            {QStringLiteral("name"), QStringLiteral("Dana Scully")}});
        CONFAB_EXPECT_STATUS(created, 201);
        const QString id = created.data().value(QLatin1String("id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9]{1,19}$")).match(id).hasMatch());
        QCOMPARE(created.data().value(QLatin1String("username")).toString(), QStringLiteral("dana"));
        QCOMPARE(postLocal(h, QStringLiteral("/_local/users"), {{QStringLiteral("username"), QStringLiteral("DANA")},
                                                                 {QStringLiteral("name"), QStringLiteral("x")}})
                                                                    .status,
                                             409);
        CONFAB_EXPECT_PROBLEM(postLocal(h, QStringLiteral("/_local/users"),
                                                          {{QStringLiteral("username"), QStringLiteral("no spaces")},
                                                            {QStringLiteral("name"), QStringLiteral("x")}}),
                                                          400, "invalid-request");
        const ApiResponse listed = h.api().get(QStringLiteral("/_local/users"));
        CONFAB_EXPECT_STATUS(listed, 200);
        QCOMPARE(listed.dataArray().size(), 1);
        QCOMPARE(listed.dataArray().at(0).toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("Dana Scully"));

        const ApiResponse token = postLocal(
            h, QStringLiteral("/_local/tokens"),
                              {{QStringLiteral("user_id"), id},
                                {QStringLiteral("scopes"), QJsonArray{QStringLiteral("users.read"),
                                                                                     QStringLiteral("tweet.read")}}});
        CONFAB_EXPECT_STATUS(token, 201);
        const ApiClient dana = h.api().withToken(token.json().value(QLatin1String("access_token")).toString());
        const ApiResponse me = dana.get(QStringLiteral("/2/users/me"));
        CONFAB_EXPECT_STATUS(me, 200);
        QCOMPARE(me.data().value(QLatin1String("id")).toString(), id);
        // The token has exactly the scopes asked for.
        CONFAB_EXPECT_PROBLEM(dana.get(QStringLiteral("/2/chat/conversations")), 403, "not-authorized-for-resource");
        CONFAB_EXPECT_PROBLEM(
            postLocal(h, QStringLiteral("/_local/tokens"),
                                        {{QStringLiteral("user_id"), QStringLiteral("1234567")},
                                          {QStringLiteral("scopes"), QJsonArray{QStringLiteral("users.read")}}}),
                                        404, "resource-not-found");
        // A token without any scope is a valid token that may do nothing.
        const ApiResponse bare =
            postLocal(h, QStringLiteral("/_local/tokens"),
                                        {{QStringLiteral("user_id"), id}, {QStringLiteral("scopes"), QJsonArray()}});
        CONFAB_EXPECT_STATUS(bare, 201);
        CONFAB_EXPECT_PROBLEM(h.api()
                                  .withToken(bare.json().value(QLatin1String("access_token")).toString())
                                  .get(QStringLiteral("/2/users/me")), 403, "not-authorized-for-resource");
    }

    void stateSurvivesARestart()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ServerOptions options = devOptions();
        options.dataDir = dir.path();

        struct Saved
        {
            UserInfo info;
            QString token;
            std::optional<crypto::IdentityKeys> keys;
            QString keyVersion;
        };
        Saved savedAlice, savedBob;
        Conversation conversation;
        QString lastSequence;
        QString mediaKey;
        QByteArray etag;
        {
            Harness first(options);
            CONFAB_VERIFY_OK(first.start());
            auto alice = first.addUser(QStringLiteral("alice"));
            auto bob = first.addUser(QStringLiteral("bob"));
            CONFAB_VERIFY_OK(alice);
            CONFAB_VERIFY_OK(bob);
            auto conv = first.startDirect(*alice.value(), *bob.value());
            CONFAB_VERIFY_OK(conv);
            conversation = conv.value();
            CONFAB_VERIFY_OK(first.sendText(*alice.value(), conversation, QStringLiteral("before the restart")));
            auto last = first.sendText(*bob.value(), conversation, QStringLiteral("me too"));
            CONFAB_VERIFY_OK(last);
            lastSequence = str(last.value().event.sequence_id);
            const ApiResponse init = alice.value()->api.postJson(QStringLiteral("/2/chat/media/upload/initialize"),
                {{QStringLiteral("conversation_id"), conversation.id}, {QStringLiteral("total_bytes"), 4}});
            CONFAB_EXPECT_STATUS(init, 200);
            mediaKey = init.data().value(QLatin1String("media_hash_key")).toString();
            const QString session = init.data().value(QLatin1String("session_id")).toString();
            CONFAB_EXPECT_STATUS(alice.value()->api.postJson(QStringLiteral("/2/chat/media/upload/%1/append").arg(session),
                {{QStringLiteral("media"), QStringLiteral("AQIDBA==")},
                  {QStringLiteral("segment_index"), 0},
                   {QStringLiteral("conversation_id"), conversation.id}, {QStringLiteral("media_hash_key"), mediaKey}}),
                 200);
            CONFAB_EXPECT_STATUS(alice.value()->api.postJson(QStringLiteral("/2/chat/media/upload/%1/finalize").arg(session),
                {{QStringLiteral("conversation_id"), conversation.id},
                  {QStringLiteral("media_hash_key"), mediaKey}, {QStringLiteral("num_parts"), QStringLiteral("1")}}),
                 200);
            etag = alice.value()->api.get(QStringLiteral("/2/chat/conversations")).header("etag");
            for (auto [user, saved] : {std::pair{alice.value(), &savedAlice}, std::pair{bob.value(), &savedBob}})
                *saved = {{user->id, user->username, user->name}, user->token(), user->keys, user->keyVersion};
        }

        Harness second(options);
        CONFAB_VERIFY_OK(second.start());
        // Users, tokens and keys are all still there.
        QCOMPARE(second.server().userByUsername(QStringLiteral("bob")).valueOr(UserInfo{}).id, savedBob.info.id);
        auto revive = [&second](const Saved &saved) {
            auto user = std::make_unique<ChatUser>(saved.info, second.api().withToken(saved.token), *saved.keys);
            user->keyVersion = saved.keyVersion;
            user->out.emplace(user->id, xchat::ActionSigner(user->keys.signing(), saved.keyVersion));
            return user;
        };
        auto alice = revive(savedAlice);
        auto bob = revive(savedBob);
        const ApiResponse me = bob->api.get(QStringLiteral("/2/users/me"));
        CONFAB_EXPECT_STATUS(me, 200);
        QCOMPARE(me.data().value(QLatin1String("id")).toString(), bob->id);
        CONFAB_VERIFY_OK(second.learnKeys(*bob, {alice.get(), bob.get()}));
        QCOMPARE(bob->directory.newestVersion(alice->id).value_or(QString()), alice->keyVersion);

        // The conversation, its events and its media.
        const ApiResponse inbox =
            alice->api.get(QStringLiteral("/2/chat/conversations"), {}, {{"If-None-Match", etag}});
        CONFAB_EXPECT_STATUS(inbox, 200); // a restarted server never claims "not modified"
        QCOMPARE(inbox.dataArray().size(), 1);
        QCOMPARE(inbox.dataArray().at(0).toObject().value(QLatin1String("id")).toString(), conversation.id);
        auto page = second.events(*bob, conversation.id);
        CONFAB_VERIFY_OK(page);
        QVERIFY(page.value().batch.keyErrors.empty() && page.value().batch.eventErrors.empty());
        QCOMPARE(page.value().texts(), (QStringList{QStringLiteral("me too"), QStringLiteral("before the restart")}));
        const ApiResponse media =
            bob->api.get(QStringLiteral("/2/chat/media/%1/%2").arg(conversation.pathId, mediaKey));
        CONFAB_EXPECT_STATUS(media, 200);
        QCOMPARE(media.body, QByteArray("\x01\x02\x03\x04"));

        // New events continue the chain where it stopped.
        auto after = second.sendText(*alice, conversation, QStringLiteral("after the restart"));
        CONFAB_VERIFY_OK(after);
        QCOMPARE(str(after.value().event.previous_sequence_id), lastSequence);
        const QString next = str(after.value().event.sequence_id);
        QVERIFY(next.size() > lastSequence.size() || (next.size() == lastSequence.size() && next > lastSequence));
        QCOMPARE(str(after.value().event.conversation_token), str(page.value().decoded.first().conversation_token));
    }

    void activityStreamDeliversToApps()
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
        CONFAB_VERIFY_OK(h.server().registerClient(QStringLiteral("app"), QStringLiteral("secret")));

        // An app-only token with the client credentials grant (HTTP Basic).
        const Headers basic{{"Authorization", "Basic " + QByteArray("app:secret").toBase64()}};
        const QUrlQuery grant{{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}};
        const ApiResponse tokenResponse = h.api().postForm(QStringLiteral("/2/oauth2/token"), grant, basic);
        CONFAB_EXPECT_STATUS(tokenResponse, 200);
        QCOMPARE(tokenResponse.json().value(QLatin1String("token_type")).toString().toLower(),
                 QStringLiteral("bearer"));
        const ApiClient app = h.api().withToken(tokenResponse.json().value(QLatin1String("access_token")).toString());
        const ApiResponse wrongSecret =
            h.api().postForm(QStringLiteral("/2/oauth2/token"), grant,
                                            {{"Authorization", "Basic " + QByteArray("app:guess").toBase64()}});
        QCOMPARE(wrongSecret.status, 401);
        QCOMPARE(wrongSecret.json().value(QLatin1String("error")).toString(), QStringLiteral("invalid_client"));
        QUrlQuery publicGrant = grant;
        publicGrant.addQueryItem(QStringLiteral("client_id"), QStringLiteral("confab-desktop"));
        const ApiResponse publicClient = h.api().postForm(QStringLiteral("/2/oauth2/token"), publicGrant);
        QCOMPARE(publicClient.status, 400);
        QCOMPARE(publicClient.json().value(QLatin1String("error")).toString(), QStringLiteral("unauthorized_client"));

        // Bob lets the app follow his incoming messages (a user-context request for the app).
        const ApiClient bobForApp =
            h.api().withToken(h.server().issueAccessToken(b.id, allScopes(), QStringLiteral("app")).valueOr(QString()));
        const QJsonObject subscription{{QStringLiteral("event_type"), QStringLiteral("chat.received")},
                                        {QStringLiteral("filter"), QJsonObject{{QStringLiteral("user_id"), b.id}}},
                                         {QStringLiteral("tag"), QStringLiteral("confab")}};
        const ApiResponse subscribed = bobForApp.postJson(QStringLiteral("/2/activity/subscriptions"), subscription);
        CONFAB_EXPECT_STATUS(subscribed, 200);
        const QJsonObject created = subscribed.data().value(QLatin1String("subscription")).toObject();
        const QString subscriptionId = created.value(QLatin1String("subscription_id")).toString();
        QVERIFY(!subscriptionId.isEmpty());
        QCOMPARE(created.value(QLatin1String("event_type")).toString(), QStringLiteral("chat.received"));
        QCOMPARE(created.value(QLatin1String("filter")).toObject().value(QLatin1String("user_id")).toString(), b.id);
        QJsonObject forAlice = subscription;
        forAlice.insert(QStringLiteral("filter"), QJsonObject{{QStringLiteral("user_id"), a.id}});
        CONFAB_EXPECT_PROBLEM(bobForApp.postJson(QStringLiteral("/2/activity/subscriptions"), forAlice), 403,
                                                 "not-authorized-for-resource");
        QJsonObject unknownType = subscription;
        unknownType.insert(QStringLiteral("event_type"), QStringLiteral("post.create"));
        CONFAB_EXPECT_PROBLEM(bobForApp.postJson(QStringLiteral("/2/activity/subscriptions"), unknownType), 400,
                                                 "invalid-request");
        const ApiResponse listed = app.get(QStringLiteral("/2/activity/subscriptions"));
        CONFAB_EXPECT_STATUS(listed, 200);
        QCOMPARE(listed.dataArray().size(), 1);
        QCOMPARE(listed.dataArray().at(0).toObject().value(QLatin1String("subscription_id")).toString(),
                 subscriptionId);

        // User tokens are refused on the stream.
        auto refused = b.api.openStream(QStringLiteral("/2/activity/stream"));
        QTRY_VERIFY(refused->answered());
        CONFAB_EXPECT_PROBLEM(refused->response(), 403, "not-authorized-for-resource");
        refused->close();

        // The app reads the stream as it arrives.
        auto stream = app.openStream(QStringLiteral("/2/activity/stream"));
        QTRY_VERIFY(stream->answered());
        QCOMPARE(stream->status(), 200);
        auto sent = h.sendText(a, conv.value(), QStringLiteral("ping"));
        CONFAB_VERIFY_OK(sent);
        QTRY_COMPARE(stream->lines().size(), 1);
        const QJsonObject data = stream->lines().at(0).value(QLatin1String("data")).toObject();
        QCOMPARE(data.value(QLatin1String("event_type")).toString(), QStringLiteral("chat.received"));
        QCOMPARE(data.value(QLatin1String("tag")).toString(), QStringLiteral("confab"));
        QCOMPARE(data.value(QLatin1String("filter")).toObject().value(QLatin1String("user_id")).toString(), b.id);
        QVERIFY(QRegularExpression(
            QStringLiteral("^[0-9]{1,19}$")).match(data.value(QLatin1String("event_uuid")).toString()).hasMatch());
        const QJsonObject payload = data.value(QLatin1String("payload")).toObject();
        QCOMPARE(payload.value(QLatin1String("id")).toString(), sent.value().message.messageId);
        QCOMPARE(payload.value(QLatin1String("sender_id")).toString(), a.id);
        QCOMPARE(payload.value(QLatin1String("conversation_id")).toString(), conv.value().id);
        QCOMPARE(payload.value(QLatin1String("conversation_key_version")).toString(), conv.value().keyVersion);
        QCOMPARE(payload.value(QLatin1String("encoded_event")).toString(),
                 sent.value().response.data().value(QLatin1String("encoded_message_event")).toString());

        // Bob's client reads it with the key change the payload carries.
        CONFAB_VERIFY_OK(h.learnKeys(b, {&a, &b}));
        xchat::ConversationKeyRing ring;
        xchat::EventVerifier verifier(b.identity(), b.directory, ring);
        auto batch =
            verifier.processBatch({payload.value(QLatin1String("conversation_key_change_event")).toString().toLatin1()},
                                  {payload.value(QLatin1String("encoded_event")).toString().toLatin1()});
        QVERIFY(batch.keyErrors.empty() && batch.eventErrors.empty());
        QCOMPARE(batch.events.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(batch.events.front().contents.contents.message.message_text),
                 QStringLiteral("ping"));

        // Bob's own messages are chat.sent, which the app did not subscribe to.
        CONFAB_VERIFY_OK(h.sendText(b, conv.value(), QStringLiteral("pong")));
        CONFAB_VERIFY_OK(h.sendText(a, conv.value(), QStringLiteral("ping again")));
        QTRY_COMPARE(stream->lines().size(), 2);
        const QJsonObject second = stream->lines().at(1).value(QLatin1String("data")).toObject();
        QCOMPARE(second.value(QLatin1String("payload")).toObject().value(QLatin1String("sender_id")).toString(), a.id);
        stream->close();

        // A new stream can catch up on the last minutes: the key change Bob received when Alice
        // started the conversation, then both messages.
        auto backfill = app.openStream(
            QStringLiteral("/2/activity/stream"), QUrlQuery{{QStringLiteral("backfill_minutes"), QStringLiteral("1")}});
        QTRY_COMPARE(backfill->lines().size(), 3);
        QStringList kinds;
        for (const QJsonObject &line : backfill->lines()) {
            const QJsonObject p =
                line.value(QLatin1String("data")).toObject().value(QLatin1String("payload")).toObject();
            auto event = decodeEvent(p.value(QLatin1String("encoded_event")).toString());
            CONFAB_VERIFY_OK(event);
            kinds.append(event.value().detail.__isset.conversation_key_change_event
                         ? QStringLiteral("key")
                         : p.value(QLatin1String("id")).toString());
        }
        QCOMPARE(kinds, (QStringList{QStringLiteral("key"), sent.value().message.messageId,
                            second.value(QLatin1String("payload")).toObject().value(QLatin1String("id")).toString()}));
        backfill->close();
        CONFAB_EXPECT_PROBLEM(app.get(
            QStringLiteral("/2/activity/stream"), QUrlQuery{{QStringLiteral("backfill_minutes"), QStringLiteral("6")}}),
                           400, "invalid-request");

        const ApiResponse deleted = app.deleteResource(QStringLiteral("/2/activity/subscriptions/") + subscriptionId);
        CONFAB_EXPECT_STATUS(deleted, 200);
        QCOMPARE(deleted.data().value(QLatin1String("deleted")).toBool(), true);
        QCOMPARE(app.get(QStringLiteral("/2/activity/subscriptions")).dataArray().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLocalServerAccess)
#include "tst_localserver_access.moc"
