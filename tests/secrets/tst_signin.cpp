// The OAuth 2.0 authorization-code sign-in with PKCE (spec §9) end to end: Confab's OAuthSignIn,
// LoopbackReceiver, OAuthClient and OAuthTokenProvider against a confab-localserver in this
// process over real HTTP. The person's browser is test code (signinbrowser.h) with its own
// QNetworkAccessManager: it loads the authorize page, answers the consent form (or relies on
// --auto-approve with login_hint) and follows the redirect back to the loopback receiver.
//
// Nothing sleeps: the tests wait on coroutines, futures and signals. The only timed waits are
// the behaviour under test (a sign-in's own timeout) and watchdogs that end a hung test.

#include "chatharness.h"
#include "net/authprovider.h"
#include "net/cancellation.h"
#include "net/httpclient.h"
#include "secrets/loopbackreceiver.h"
#include "secrets/oauthclient.h"
#include "secrets/oauthendpoints.h"
#include "secrets/oauthpkce.h"
#include "secrets/oauthsignin.h"
#include "secrets/oauthtokenprovider.h"
#include "secrets/oauthtokens.h"
#include "signinbrowser.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <qcoro/qcorotask.h>

#include <memory>
#include <optional>
#include <vector>

using namespace confab;
using namespace confab::secrets;
using namespace confab::secrets::test;
using confab::localserver::ServerOptions;
using confab::localserver::test::allScopes;
using confab::localserver::test::ApiResponse;
using confab::localserver::test::ChatUser;
using confab::localserver::test::devOptions;
using confab::localserver::test::Harness;

namespace {

const QString ClientId = QStringLiteral("confab-desktop");

// --- running coroutines and futures from Qt Test ----------------------------------------------

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

/// Runs the event loop until `task` finished (the watchdog only ends a hung test).
template<typename T>
Result<T> result(QCoro::Task<Result<T>> task, int watchdogMs = 20000)
{
    auto out = std::make_shared<Awaited<Result<T>>>();
    collect(std::move(task), out);
    if (!out->value) {
        QEventLoop loop;
        out->loop = &loop;
        QTimer::singleShot(watchdogMs, &loop, &QEventLoop::quit);
        loop.exec();
        out->loop = nullptr;
    }
    if (!out->value)
        return Error(ErrorKind::Internal,
                     QStringLiteral("test watchdog"),
                                    QStringLiteral("the coroutine did not finish within %1 ms").arg(watchdogMs));
    return std::move(*out->value);
}

/// Runs the event loop until `future` finished.
Result<QString> tokenOf(QFuture<Result<QString>> future)
{
    if (!future.isFinished()) {
        QFutureWatcher<Result<QString>> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        loop.exec();
    }
    if (!future.isFinished() || future.isCanceled() || future.resultCount() < 1)
        return Error(ErrorKind::Internal, QStringLiteral("test watchdog"), QStringLiteral("the future gave no result"));
    return future.result();
}

#define EXPECT_ERROR_KIND(expression, expectedKind)                                                                    \
    do {                                                                                                               \
        const auto &confabFailed_ = (expression);                                                                      \
        QVERIFY2(!confabFailed_.ok(), "expected an error, it succeeded");                                              \
        QVERIFY2(confabFailed_.error().kind() == (expectedKind),                                                       \
                 qPrintable(QStringLiteral("expected %1, got ").arg(errorKindName(expectedKind)) +                     \
                                           confabFailed_.error().toString()));                                         \
    } while (false)

// --- the server ------------------------------------------------------------------------------

std::unique_ptr<Harness> startServer(bool autoApprove, qint64 accessTokenLifetimeSecs = 7200)
{
    ServerOptions options = devOptions();
    options.autoApprove = autoApprove;
    options.accessTokenLifetimeSecs = accessTokenLifetimeSecs;
    auto h = std::make_unique<Harness>(options);
    if (!h->start())
        return nullptr;
    return h;
}

OAuthEndpoints endpointsOf(Harness &h)
{
    return OAuthEndpoints::forServer(h.server().baseUrl(), ClientId);
}

/// Every request the OAuth client makes, by endpoint.
struct Requests
{
    QList<net::Outcome> token;
    QList<net::Outcome> revoke;

    void watch(OAuthClient &client)
    {
        client.setObserver(
            [this](const net::Outcome &o) { (o.what.contains(QLatin1String("revoke")) ? revoke : token).append(o); });
    }
    [[nodiscard]] int tokenRequests() const { return static_cast<int>(token.size()); }
};

/// GET /2/users/me with `auth` through Confab's HttpClient: the user id, or the error.
Result<QString> whoAmI(Harness &h, net::AuthProvider &auth, QList<int> *statuses = nullptr)
{
    net::HttpClient api(h.server().baseUrl(), &auth);
    if (statuses)
        api.setObserver([statuses](const net::Outcome &o) { statuses->append(o.status); });
    auto me = result(api.send(net::Request::get(QStringLiteral("/2/users/me"))));
    if (!me)
        return me.error();
    auto json = me.value().json();
    if (!json)
        return json.error();
    return json.value().value(QLatin1String("data")).toObject().value(QLatin1String("id")).toString();
}

Result<QString> whoAmI(Harness &h, const QString &accessToken)
{
    net::StaticBearer bearer(accessToken);
    return whoAmI(h, bearer);
}

/// The opener the app would pass (QDesktopServices::openUrl), played by the test: it remembers
/// the URL and, while the sign-in runs, the verifier (to check the challenge against).
struct Opener
{
    QList<QUrl> opened;
    QByteArray verifier;
    OAuthSignIn *signIn = nullptr;
    bool succeeds = true;

    [[nodiscard]] OAuthSignIn::UrlOpener function()
    {
        return [this](const QUrl &url) {
            opened.append(url);
            if (signIn)
                verifier = signIn->codeVerifierForTesting();
            return succeeds;
        };
    }
    [[nodiscard]] QUrl url() const { return opened.value(0); }
};

QString queryValue(const QUrl &url, const char *key)
{
    return QUrlQuery(url).queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
}

QUrl withQueryValue(QUrl url, const char *key, const QString &value)
{
    QUrlQuery q(url);
    q.removeAllQueryItems(QString::fromLatin1(key));
    q.addQueryItem(QString::fromLatin1(key), QString::fromLatin1(QUrl::toPercentEncoding(value)));
    url.setQuery(q);
    return url;
}

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

/// A whole auto-approved sign-in of `username` (the server runs with --auto-approve).
Result<OAuthTokens> signInAs(OAuthClient &client, const QString &username)
{
    SignInBrowser browser;
    Opener opener;
    OAuthSignIn signIn(&client, opener.function());
    SignInOptions options;
    options.loginHint = username;
    auto task = signIn.run(options);
    if (opener.url().isValid()) {
        const BrowserPage authorized = browser.get(opener.url());
        if (authorized.status == 302)
            browser.get(authorized.location());
    }
    return result(std::move(task));
}

/// A user token pair straight from the --dev token endpoint (a second session of the user).
std::optional<std::pair<QString, QString>> devTokens(Harness &h, const QString &userId)
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
    return std::make_pair(access, refresh);
}

ApiResponse redeem(Harness &h, const QString &code, const QUrl &redirect, const std::optional<QString> &verifier)
{
    QUrlQuery form{{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                    {QStringLiteral("code"), code},
                     {QStringLiteral("redirect_uri"), redirect.toString(QUrl::FullyEncoded)},
                      {QStringLiteral("client_id"), ClientId}};
    if (verifier)
        form.addQueryItem(QStringLiteral("code_verifier"), *verifier);
    return h.api().postForm(QStringLiteral("/2/oauth2/token"), form);
}

} // namespace

class TestSignIn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- the pieces on their own ----------------------------------------------------------------

    void endpointsAndScopes()
    {
        const OAuthEndpoints x = OAuthEndpoints::forX(QStringLiteral("abc"));
        QCOMPARE(x.authorizeUrl, QUrl(QStringLiteral("https://x.com/i/oauth2/authorize")));
        QCOMPARE(x.tokenUrl, QUrl(QStringLiteral("https://api.x.com/2/oauth2/token")));
        QCOMPARE(x.revokeUrl, QUrl(QStringLiteral("https://api.x.com/2/oauth2/revoke")));
        QCOMPARE(x.clientId, QStringLiteral("abc"));
        QCOMPARE(x.scopeString(), QStringLiteral("dm.read dm.write users.read tweet.read media.write offline.access"));
        QVERIFY(x.isValid());

        const OAuthEndpoints local =
            OAuthEndpoints::forServer(QUrl(QStringLiteral("http://127.0.0.1:8080/")), QStringLiteral("confab-desktop"));
        QCOMPARE(local.authorizeUrl, QUrl(QStringLiteral("http://127.0.0.1:8080/i/oauth2/authorize")));
        QCOMPARE(local.tokenUrl, QUrl(QStringLiteral("http://127.0.0.1:8080/2/oauth2/token")));
        QCOMPARE(local.revokeUrl, QUrl(QStringLiteral("http://127.0.0.1:8080/2/oauth2/revoke")));
        QCOMPARE(local.scopes, OAuthEndpoints::defaultScopes());
        QVERIFY(!OAuthEndpoints::forServer(QUrl(), QStringLiteral("x")).isValid());
    }

    void pkceAndState()
    {
        static const QRegularExpression urlSafe43(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
        const OAuthPkce a = OAuthPkce::generate();
        const OAuthPkce b = OAuthPkce::generate();
        const QString verifier = QString::fromLatin1(a.verifier.view());
        QVERIFY2(urlSafe43.match(verifier).hasMatch(), qPrintable(verifier));
        QVERIFY(urlSafe43.match(a.challenge).hasMatch());
        QCOMPARE(a.challenge, base64Url(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)));
        QVERIFY(!(a.verifier == b.verifier));
        // RFC 7636 appendix B.
        QCOMPARE(OAuthPkce::challengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                 QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        const QString state = OAuthPkce::randomState();
        QVERIFY(urlSafe43.match(state).hasMatch()); // 256 bits
        QVERIFY(state != OAuthPkce::randomState());
    }

    void tokenResponsesAreReadStrictly()
    {
        const qint64 sent = 1'700'000'000'000;
        const QString requested = QStringLiteral("dm.read offline.access");
        auto parse = [&](const char *json) {
            return OAuthClient::parseTokenResponse(QByteArray(json), sent, requested);
        };

        const auto full = parse(R"({"token_type":"bearer","expires_in":7200,"access_token":"A","scope":"dm.read",)"
                                R"("refresh_token":"R"})");
        CONFAB_VERIFY_OK(full);
        QCOMPARE(full.value().accessToken, QStringLiteral("A"));
        QCOMPARE(full.value().refreshToken, QStringLiteral("R"));
        QCOMPARE(full.value().expiresAtMs, sent + 7200 * 1000);
        QCOMPARE(full.value().scope, QStringLiteral("dm.read"));
        QCOMPARE(full.value().tokenType, QStringLiteral("bearer"));

        // Optional parts: no refresh token, no scope (as requested), no expiry (unknown).
        const auto minimal = parse(R"({"token_type":"Bearer","access_token":"A"})");
        CONFAB_VERIFY_OK(minimal);
        QVERIFY(!minimal.value().hasRefreshToken());
        QCOMPARE(minimal.value().scope, requested);
        QCOMPARE(minimal.value().expiresAtMs, qint64(0));
        QVERIFY(!minimal.value().expiresWithin(1'000'000, sent));

        for (const char *bad : {R"({"token_type":"bearer","expires_in":7200})",                      // no access_token
                                R"({"token_type":"bearer","access_token":""})",                      // empty
                                R"({"token_type":"bearer","access_token":42})",                      // not a string
                                R"({"access_token":"A"})",                                           // no token_type
                                R"({"token_type":"mac","access_token":"A"})",                        // not bearer
                                R"({"token_type":"bearer","access_token":"A","expires_in":"7200"})", // a string
                                R"({"token_type":"bearer","access_token":"A","expires_in":-1})",
                                R"({"token_type":"bearer","access_token":"A","scope":["dm.read"]})",
                                R"({"token_type":"bearer","access_token":"A","refresh_token":{}})",
                                R"(["not an object"])", "<html>", ""}) {
            const auto r = parse(bad);
            QVERIFY2(!r.ok(), bad);
            QCOMPARE(r.error().kind(), ErrorKind::Protocol);
        }

        // Printing tokens shows lengths, never the tokens.
        OAuthTokens tokens = full.value();
        tokens.accessToken = QStringLiteral("secret-access-token");
        tokens.refreshToken = QStringLiteral("secret-refresh-token");
        QString printed;
        QDebug(&printed) << tokens;
        QVERIFY(!printed.contains(QLatin1String("secret")));
        QVERIFY(printed.contains(QLatin1String("19 chars")));
    }

    // --- signing in -------------------------------------------------------------------------------

    void fullSignIn()
    {
        auto h = startServer(true);
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        Requests requests;
        requests.watch(client);
        Opener opener;
        OAuthSignIn signIn(&client, opener.function());
        opener.signIn = &signIn;
        QSignalSpy urlReady(&signIn, &OAuthSignIn::authorizeUrlReady);
        QSignalSpy callback(&signIn, &OAuthSignIn::callbackReceived);

        SignInOptions options;
        options.loginHint = QStringLiteral("alice");
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        auto task = signIn.run(options);

        // The browser was asked to open the authorize page, which carries everything §9 names.
        QCOMPARE(opener.opened.size(), 1);
        const QUrl url = opener.url();
        QCOMPARE(urlReady.size(), 1);
        QCOMPARE(urlReady.at(0).at(0).toUrl(), url);
        QCOMPARE(signIn.authorizeUrl(), url);
        QVERIFY(signIn.isListening());
        QCOMPARE(url.adjusted(QUrl::RemoveQuery), endpointsOf(*h).authorizeUrl);
        QCOMPARE(queryValue(url, "response_type"), QStringLiteral("code"));
        QCOMPARE(queryValue(url, "client_id"), ClientId);
        const quint16 port = static_cast<quint16>(signIn.redirectUri().port());
        QVERIFY(port > 0);
        QCOMPARE(queryValue(url, "redirect_uri"), QStringLiteral("http://127.0.0.1:%1/callback").arg(port));
        QCOMPARE(queryValue(url, "scope"), OAuthEndpoints::defaultScopes().join(QLatin1Char(' ')));
        QCOMPARE(queryValue(url, "login_hint"), QStringLiteral("alice"));
        static const QRegularExpression urlSafe43(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
        QVERIFY(urlSafe43.match(queryValue(url, "state")).hasMatch());
        QCOMPARE(queryValue(url, "code_challenge_method"), QStringLiteral("S256"));
        const QString challenge = queryValue(url, "code_challenge");
        QCOMPARE(challenge.size(), 43);
        QVERIFY(urlSafe43.match(QString::fromLatin1(opener.verifier)).hasMatch());
        QCOMPARE(challenge, base64Url(QCryptographicHash::hash(opener.verifier, QCryptographicHash::Sha256)));
        QCOMPARE(requests.tokenRequests(), 0);

        // The browser: auto-approved, redirected to the loopback receiver, shown the result.
        SignInBrowser browser;
        const BrowserPage authorized = browser.get(url);
        QCOMPARE(authorized.status, 302);
        const QUrl back = authorized.location();
        QCOMPARE(back.adjusted(QUrl::RemoveQuery), signIn.redirectUri());
        const BrowserPage home = browser.get(back);
        QCOMPARE(home.status, 200);
        QVERIFY(home.header("content-type").startsWith("text/html"));
        QVERIFY2(home.body.contains("You are signed in to Confab."), home.body.constData());
        QVERIFY(home.body.contains("You can close this tab."));
        QVERIFY(home.header("content-security-policy").contains("default-src 'none'"));
        QVERIFY(!home.body.contains("http")); // no external resources
        QCOMPARE(home.header("cache-control"), QByteArray("no-store"));

        const auto tokens = result(std::move(task));
        CONFAB_VERIFY_OK(tokens);
        QCOMPARE(callback.size(), 1);
        QVERIFY(!tokens.value().accessToken.isEmpty());
        QVERIFY(tokens.value().hasRefreshToken());
        QVERIFY(tokens.value().hasScope(QStringLiteral("offline.access")));
        QCOMPARE(tokens.value().tokenType, QStringLiteral("bearer"));
        QVERIFY(tokens.value().expiresAtMs >= before + 7200 * 1000);
        QVERIFY(tokens.value().expiresAtMs <= QDateTime::currentMSecsSinceEpoch() + 7200 * 1000);
        QCOMPARE(requests.tokenRequests(), 1);
        QCOMPARE(requests.token.at(0).status, 200);

        // The tokens are Alice's and work.
        const auto me = whoAmI(*h, tokens.value().accessToken);
        CONFAB_VERIFY_OK(me);
        QCOMPARE(me.value(), alice.value()->id);

        // Done: the verifier is wiped and nobody listens on the port any more.
        QVERIFY(signIn.codeVerifierForTesting().isEmpty());
        QVERIFY(!signIn.isListening());
        QVERIFY(connectionRefused(port));
        // A sign-in runs once.
        EXPECT_ERROR_KIND(result(signIn.run(options)), ErrorKind::Internal);
    }

    void signInThroughTheConsentPage()
    {
        auto h = startServer(false); // the browser shows the page
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        auto bob = h->addUser(QStringLiteral("bob"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        OAuthClient client(endpointsOf(*h));
        Opener opener;
        OAuthSignIn signIn(&client, opener.function());
        auto task = signIn.run();
        QVERIFY(opener.url().isValid());
        QVERIFY(queryValue(opener.url(), "login_hint").isEmpty());

        SignInBrowser browser;
        const BrowserPage consent = browser.get(opener.url());
        QCOMPARE(consent.status, 200);
        QCOMPARE(SignInBrowser::parseConsent(consent.body).userIds, (QStringList{alice.value()->id, bob.value()->id}));
        const QUrl back = browser.decide(opener.url(), consent, true, bob.value()->id);
        QCOMPARE(back.adjusted(QUrl::RemoveQuery), signIn.redirectUri());
        const BrowserPage home = browser.get(back);
        QVERIFY(home.body.contains("You are signed in to Confab."));

        const auto tokens = result(std::move(task));
        CONFAB_VERIFY_OK(tokens);
        const auto me = whoAmI(*h, tokens.value().accessToken);
        CONFAB_VERIFY_OK(me);
        QCOMPARE(me.value(), bob.value()->id);
    }

    void pkceProtectsALeakedCode()
    {
        auto h = startServer(true);
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        Requests requests;
        requests.watch(client);
        Opener opener;
        OAuthSignIn signIn(&client, opener.function());
        SignInOptions options;
        options.loginHint = QStringLiteral("alice");
        auto task = signIn.run(options);

        SignInBrowser browser;
        const BrowserPage authorized = browser.get(opener.url());
        QCOMPARE(authorized.status, 302);
        const QUrl back = authorized.location();
        const QString code = queryValue(back, "code");
        QVERIFY(!code.isEmpty());

        // Someone who intercepted the redirect (another app, a log, an extension) redeems the code
        // first, with everything but the verifier, which never left Confab. The attacker goes
        // first on purpose: had Confab redeemed it already, any later try would fail as a replay
        // whatever PKCE says. Going first shows that the code alone is worthless, and that the
        // failed tries do not burn it for its owner.
        const ApiResponse without = redeem(*h, code, signIn.redirectUri(), std::nullopt);
        QCOMPARE(without.status, 400);
        QCOMPARE(without.json().value(QLatin1String("error")).toString(), QStringLiteral("invalid_grant"));
        const QString guessed = QString::fromLatin1(OAuthPkce::generate().verifier.view());
        const ApiResponse wrong = redeem(*h, code, signIn.redirectUri(), guessed);
        QCOMPARE(wrong.status, 400);
        QCOMPARE(wrong.json().value(QLatin1String("error")).toString(), QStringLiteral("invalid_grant"));
        const ApiResponse challengeAsVerifier =
            redeem(*h, code, signIn.redirectUri(), queryValue(opener.url(), "code_challenge"));
        QCOMPARE(challengeAsVerifier.status, 400);

        // Confab's own redemption, with its verifier, works.
        QVERIFY(browser.get(back).body.contains("You are signed in to Confab."));
        const auto tokens = result(std::move(task));
        CONFAB_VERIFY_OK(tokens);
        QCOMPARE(requests.tokenRequests(), 1);
        const auto me = whoAmI(*h, tokens.value().accessToken);
        CONFAB_VERIFY_OK(me);
        QCOMPARE(me.value(), alice.value()->id);
    }

    void aCallbackWithAnotherStateIsRefused()
    {
        auto h = startServer(true);
        QVERIFY(h);
        CONFAB_VERIFY_OK(h->addUser(QStringLiteral("alice"), allScopes(), false));
        OAuthClient client(endpointsOf(*h));
        Requests requests;
        requests.watch(client);
        Opener opener;
        OAuthSignIn signIn(&client, opener.function());
        opener.signIn = &signIn;
        SignInOptions options;
        options.loginHint = QStringLiteral("alice");
        auto task = signIn.run(options);
        const quint16 port = static_cast<quint16>(signIn.redirectUri().port());

        SignInBrowser browser;
        const BrowserPage authorized = browser.get(opener.url());
        QCOMPARE(authorized.status, 302);
        const QUrl genuine = authorized.location();
        // The browser arrives with a real code but another sign-in's state (login CSRF, or a
        // stale tab): the sign-in stops, acts on nothing and tells the browser.
        const QUrl forged = withQueryValue(genuine, "state", OAuthPkce::randomState());
        const BrowserPage refused = browser.get(forged);
        QCOMPARE(refused.status, 200);
        QVERIFY2(refused.body.contains("not from your sign-in"), refused.body.constData());
        QVERIFY(!refused.body.contains("You are signed in"));

        const auto tokens = result(std::move(task));
        EXPECT_ERROR_KIND(tokens, ErrorKind::Unauthorized);
        QCOMPARE(tokens.error().message(),
                 QStringLiteral("The sign-in answer did not come from this sign-in. Try again."));
        QCOMPARE(requests.tokenRequests(), 0); // nothing was redeemed
        QVERIFY(signIn.codeVerifierForTesting().isEmpty());
        // The receiver is gone: the genuine redirect that follows finds nobody.
        QVERIFY(connectionRefused(port));
        QCOMPARE(browser.get(genuine).status, 0);
        // And the code was never used: its rightful verifier still redeems it.
        CONFAB_EXPECT_STATUS(
            redeem(*h, queryValue(genuine, "code"), signIn.redirectUri(), QString::fromLatin1(opener.verifier)), 200);
    }

    void cancellingOnTheConsentPage()
    {
        auto h = startServer(false);
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        Requests requests;
        requests.watch(client);
        Opener opener;
        OAuthSignIn signIn(&client, opener.function());
        auto task = signIn.run();

        SignInBrowser browser;
        const BrowserPage consent = browser.get(opener.url());
        QCOMPARE(consent.status, 200);
        const QUrl back = browser.decide(opener.url(), consent, false, alice.value()->id);
        QCOMPARE(queryValue(back, "error"), QStringLiteral("access_denied"));
        const BrowserPage home = browser.get(back);
        QVERIFY2(home.body.contains("You cancelled the sign-in."), home.body.constData());
        QVERIFY(home.body.contains("go back to Confab"));

        const auto tokens = result(std::move(task));
        EXPECT_ERROR_KIND(tokens, ErrorKind::Cancelled);
        QVERIFY(tokens.error().message().contains(QLatin1String("cancelled")));
        QCOMPARE(requests.tokenRequests(), 0);
        QVERIFY(!signIn.isListening());
    }

    void errorAnswersAreExplainedAndEscaped()
    {
        auto h = startServer(true);
        QVERIFY(h);
        CONFAB_VERIFY_OK(h->addUser(QStringLiteral("alice"), allScopes(), false));

        // The server refuses the request (a scope it does not know) and says why.
        OAuthEndpoints badScope = endpointsOf(*h);
        badScope.scopes.append(QStringLiteral("everything"));
        OAuthClient refusing(badScope);
        Opener opener;
        OAuthSignIn refused(&refusing, opener.function());
        SignInOptions options;
        options.loginHint = QStringLiteral("alice");
        auto task = refused.run(options);
        SignInBrowser browser;
        const BrowserPage authorized = browser.get(opener.url());
        QCOMPARE(queryValue(authorized.location(), "error"), QStringLiteral("invalid_scope"));
        const BrowserPage home = browser.get(authorized.location());
        QVERIFY(home.body.contains("scope must list known scopes"));
        const auto tokens = result(std::move(task));
        EXPECT_ERROR_KIND(tokens, ErrorKind::InvalidInput);
        QVERIFY2(tokens.error().message().contains(QLatin1String("scope must list known scopes")),
                 qPrintable(tokens.error().message()));

        // An error description with markup (it carries the right state, so it is acted on): the
        // page shows it as text, and the message has its angle brackets replaced, so no view that
        // guesses rich text renders it.
        OAuthClient client(endpointsOf(*h));
        Opener second;
        OAuthSignIn signIn(&client, second.function());
        auto another = signIn.run();
        QUrl crafted = signIn.redirectUri();
        crafted.setQuery(QStringLiteral("state=%1&error=server_error&error_description=%2") .arg(
            queryValue(second.url(), "state"),
            QString::fromLatin1(QUrl::toPercentEncoding(QStringLiteral("<b>Down</b> & <script>alert(1)</script>")))));
        const BrowserPage page = browser.get(crafted);
        QCOMPARE(page.status, 200);
        QVERIFY2(page.body.contains(QStringLiteral("‹b›Down‹/b› &amp; ‹script›").toUtf8()), page.body.constData());
        QVERIFY(!page.body.contains("<script>"));
        QVERIFY(!page.body.contains("<b>Down"));
        const auto failed = result(std::move(another));
        EXPECT_ERROR_KIND(failed, ErrorKind::Server);
        QVERIFY(failed.error().message().contains(QLatin1String("Down")));
        QVERIFY(!failed.error().message().contains(QLatin1Char('<')));
    }

    void whenTheBrowserDoesNotOpen()
    {
        auto h = startServer(true);
        QVERIFY(h);
        CONFAB_VERIFY_OK(h->addUser(QStringLiteral("alice"), allScopes(), false));
        OAuthClient client(endpointsOf(*h));

        // By default the sign-in ends at once and says what to do.
        Opener failing;
        failing.succeeds = false;
        OAuthSignIn signIn(&client, failing.function());
        const auto failed = result(signIn.run());
        EXPECT_ERROR_KIND(failed, ErrorKind::InvalidInput);
        QVERIFY(failed.error().message().contains(QLatin1String("could not open your web browser")));
        QVERIFY(failed.error().message().contains(QLatin1String("default web browser")));
        QCOMPARE(failing.opened.size(), 1);
        QVERIFY(signIn.authorizeUrl().isValid());
        QVERIFY(!signIn.isListening());
        QVERIFY(connectionRefused(static_cast<quint16>(signIn.redirectUri().port())));

        // An authorize page over plain http elsewhere than loopback is never opened.
        OAuthEndpoints insecure = endpointsOf(*h);
        insecure.authorizeUrl = QUrl(QStringLiteral("http://x.example/i/oauth2/authorize"));
        OAuthClient insecureClient(insecure);
        Opener unused;
        OAuthSignIn refused(&insecureClient, unused.function());
        EXPECT_ERROR_KIND(result(refused.run()), ErrorKind::InvalidInput);
        QVERIFY(unused.opened.isEmpty());

        // A UI that offers the link to copy keeps waiting; the person opens it by hand.
        Opener failingAgain;
        failingAgain.succeeds = false;
        OAuthSignIn patient(&client, failingAgain.function());
        QSignalSpy notOpened(&patient, &OAuthSignIn::browserNotOpened);
        SignInOptions options;
        options.loginHint = QStringLiteral("alice");
        options.keepWaitingWhenBrowserFails = true;
        auto task = patient.run(options);
        QCOMPARE(notOpened.size(), 1);
        const QUrl link = notOpened.at(0).at(0).toUrl();
        QCOMPARE(link, patient.authorizeUrl());
        QVERIFY(patient.isListening());
        SignInBrowser browser;
        const BrowserPage authorized = browser.get(link);
        QCOMPARE(authorized.status, 302);
        QVERIFY(browser.get(authorized.location()).body.contains("You are signed in to Confab."));
        CONFAB_VERIFY_OK(result(std::move(task)));
    }

    void timeoutAndCancellationCloseTheListener()
    {
        auto h = startServer(true);
        QVERIFY(h);
        OAuthClient client(endpointsOf(*h));

        // Nobody comes back: the sign-in gives up after its timeout.
        Opener opener;
        OAuthSignIn slow(&client, opener.function());
        SignInOptions options;
        options.timeoutMs = 300;
        auto task = slow.run(options);
        const quint16 port = static_cast<quint16>(slow.redirectUri().port());
        QVERIFY(slow.isListening());
        const auto timedOut = result(std::move(task));
        EXPECT_ERROR_KIND(timedOut, ErrorKind::Timeout);
        QVERIFY(timedOut.error().message().contains(QLatin1String("not finished in time")));
        QVERIFY(!slow.isListening());
        QVERIFY(connectionRefused(port));

        // The person presses Cancel in Confab while the browser is open.
        net::Cancellation cancel;
        Opener second;
        OAuthSignIn cancelled(&client, second.function());
        SignInOptions cancellable;
        cancellable.cancellation = &cancel;
        auto waiting = cancelled.run(cancellable);
        const quint16 secondPort = static_cast<quint16>(cancelled.redirectUri().port());
        QVERIFY(cancelled.isListening());
        QTimer::singleShot(0, &cancel, &net::Cancellation::cancel);
        const auto ended = result(std::move(waiting));
        EXPECT_ERROR_KIND(ended, ErrorKind::Cancelled);
        QVERIFY(connectionRefused(secondPort));
        QVERIFY(cancelled.codeVerifierForTesting().isEmpty());

        // Cancelled before it started: the browser never opens.
        Opener third;
        OAuthSignIn never(&client, third.function());
        EXPECT_ERROR_KIND(result(never.run(cancellable)), ErrorKind::Cancelled);
        QVERIFY(third.opened.isEmpty());

        // Destroying a waiting sign-in ends it as Cancelled and closes the port.
        Opener fourth;
        auto doomed = std::make_unique<OAuthSignIn>(&client, fourth.function());
        auto orphan = doomed->run();
        const quint16 doomedPort = static_cast<quint16>(doomed->redirectUri().port());
        doomed.reset();
        EXPECT_ERROR_KIND(result(std::move(orphan)), ErrorKind::Cancelled);
        QVERIFY(connectionRefused(doomedPort));
    }

    void junkOnTheLoopbackChangesNothing()
    {
        auto h = startServer(true);
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        Opener opener;
        OAuthSignIn signIn(&client, opener.function());
        QSignalSpy callback(&signIn, &OAuthSignIn::callbackReceived);
        SignInOptions options;
        options.loginHint = QStringLiteral("alice");
        auto task = signIn.run(options);
        const quint16 port = static_cast<quint16>(signIn.redirectUri().port());
        const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n";

        // A connection that never says anything (a browser's speculative preconnect).
        QTcpSocket idle;
        QSignalSpy idleClosed(&idle, &QTcpSocket::disconnected);
        idle.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(idle.waitForConnected(5000));

        auto statusOf = [](const QByteArray &response) { return response.left(response.indexOf("\r\n")); };
        QCOMPARE(statusOf(rawExchange(port, "GET /favicon.ico HTTP/1.1\r\n" + host + "\r\n")),
                 QByteArray("HTTP/1.1 404 Not Found"));
        QCOMPARE(statusOf(rawExchange(port, QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1junk\r\n\r\n", 17))),
                 QByteArray("HTTP/1.1 400 Bad Request"));
        QCOMPARE(statusOf(rawExchange(port, "GARBAGE\r\n\r\n")), QByteArray("HTTP/1.1 400 Bad Request"));
        const QByteArray noQuery = rawExchange(port, "GET /callback HTTP/1.1\r\n" + host + "\r\n");
        QCOMPARE(statusOf(noQuery), QByteArray("HTTP/1.1 400 Bad Request"));
        QVERIFY(noQuery.contains("only takes your browser coming back"));
        QCOMPARE(statusOf(rawExchange(port, "POST /callback?state=x&code=y HTTP/1.1\r\n" + host +
                                                "Content-Length: 0\r\n\r\n")),
                 QByteArray("HTTP/1.1 405 Method Not Allowed"));
        // A page elsewhere that rebinds its name to 127.0.0.1 sends its own Host: not a callback.
        QCOMPARE(statusOf(rawExchange(port, "GET /callback?state=x&code=y HTTP/1.1\r\nHost: evil.example:" +
                                                QByteArray::number(port) + "\r\n\r\n")),
                 QByteArray("HTTP/1.1 400 Bad Request"));
        const QByteArray huge = "GET /callback?" + QByteArray(LoopbackReceiver::MaxRequestHeadBytes + 100, 'a');
        QCOMPARE(statusOf(rawExchange(port, huge)), QByteArray("HTTP/1.1 431 Request Header Fields Too Large"));
        SignInBrowser browser;
        QCOMPARE(browser.get(QUrl(QStringLiteral("http://127.0.0.1:%1/favicon.ico").arg(port))).status, 404);
        QCOMPARE(browser.get(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port))).status, 404);
        QCOMPARE(browser.get(QUrl(QStringLiteral("http://127.0.0.1:%1/callback?").arg(port))).status, 400);

        // None of that was the callback: the sign-in still waits, and then completes.
        QCOMPARE(callback.size(), 0);
        QVERIFY(signIn.isListening());
        const BrowserPage authorized = browser.get(opener.url());
        QCOMPARE(authorized.status, 302);
        QVERIFY(browser.get(authorized.location()).body.contains("You are signed in to Confab."));
        const auto tokens = result(std::move(task));
        CONFAB_VERIFY_OK(tokens);
        const auto me = whoAmI(*h, tokens.value().accessToken);
        CONFAB_VERIFY_OK(me);
        QCOMPARE(me.value(), alice.value()->id);
        // The silent connection was closed when the sign-in ended.
        QVERIFY(idleClosed.size() > 0 || idleClosed.wait(5000));
        QVERIFY(connectionRefused(port));
    }

    // --- tokens over time ---------------------------------------------------------------------

    void refreshBeforeExpiry()
    {
        auto h = startServer(true, 60); // every access token lives a minute
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        const auto signedIn = signInAs(client, QStringLiteral("alice"));
        CONFAB_VERIFY_OK(signedIn);
        const OAuthTokens first = signedIn.value();
        Requests requests;
        requests.watch(client);

        OAuthTokenProvider provider(&client, first);
        QSignalSpy changed(&provider, &OAuthTokenProvider::tokensChanged);
        QSignalSpy required(&provider, &OAuthTokenProvider::signInRequired);

        // A minute left, refreshed 30 s before expiry: not yet.
        provider.setRefreshSkewMs(30 * 1000);
        const auto early = tokenOf(provider.accessToken());
        CONFAB_VERIFY_OK(early);
        QCOMPARE(early.value(), first.accessToken);
        QCOMPARE(requests.tokenRequests(), 0);

        // With the default five minutes it is about to expire: one refresh, then the new token.
        provider.setRefreshSkewMs(OAuthTokenProvider::DefaultRefreshSkewMs);
        const auto renewed = tokenOf(provider.accessToken());
        CONFAB_VERIFY_OK(renewed);
        QVERIFY(renewed.value() != first.accessToken);
        QCOMPARE(requests.tokenRequests(), 1);
        QCOMPARE(requests.token.at(0).status, 200);
        QCOMPARE(changed.size(), 1);
        const auto rotated = changed.at(0).at(0).value<OAuthTokens>();
        QCOMPARE(rotated.accessToken, renewed.value());
        QVERIFY(rotated.hasRefreshToken());
        QVERIFY(rotated.refreshToken != first.refreshToken); // rotation: store the new one
        QCOMPARE(provider.tokens(), rotated);
        QCOMPARE(required.size(), 0);

        // Requests use it without refreshing again.
        provider.setRefreshSkewMs(30 * 1000);
        QList<int> statuses;
        const auto me = whoAmI(*h, provider, &statuses);
        CONFAB_VERIFY_OK(me);
        QCOMPARE(me.value(), alice.value()->id);
        QCOMPARE(statuses, QList<int>{200});
        QCOMPARE(requests.tokenRequests(), 1);

        // The old refresh token is spent.
        const auto reused = result(client.refresh(first.refreshToken));
        EXPECT_ERROR_KIND(reused, ErrorKind::Unauthorized);
        QVERIFY(reused.error().message().contains(QLatin1String("Sign in again")));
        QCOMPARE(requests.token.last().status, 400);
    }

    void refreshOnceAfterA401()
    {
        auto h = startServer(true);
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        const auto signedIn = signInAs(client, QStringLiteral("alice"));
        CONFAB_VERIFY_OK(signedIn);

        // An access token the server stopped accepting while the refresh token still works. The
        // server's revocation ends a whole sign-in (its refresh token too), so the refused token
        // comes from a second session of Alice's that is revoked.
        const auto other = devTokens(*h, alice.value()->id);
        QVERIFY(other);
        CONFAB_VERIFY_OK(result(client.revoke(other->first)));
        QVERIFY(!whoAmI(*h, other->first).ok());
        OAuthTokens tokens = signedIn.value();
        tokens.accessToken = other->first;
        tokens.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + 3600 * 1000; // the clock says fine

        Requests requests;
        requests.watch(client);
        OAuthTokenProvider provider(&client, tokens);
        QSignalSpy changed(&provider, &OAuthTokenProvider::tokensChanged);
        QSignalSpy required(&provider, &OAuthTokenProvider::signInRequired);
        net::HttpClient api(h->server().baseUrl(), &provider);
        QList<int> statuses;
        api.setObserver([&statuses](const net::Outcome &o) { statuses.append(o.status); });
        QSignalSpy authFailed(&api, &net::HttpClient::authenticationFailed);

        const auto me = result(api.send(net::Request::get(QStringLiteral("/2/users/me"))));
        CONFAB_VERIFY_OK(me);
        QCOMPARE(me.value().attempts, 1); // the replay after a refresh is not a retry
        QCOMPARE(statuses, (QList<int>{401, 200}));
        QCOMPARE(requests.tokenRequests(), 1);
        QCOMPARE(changed.size(), 1);
        QVERIFY(provider.tokens().accessToken != other->first);
        QVERIFY(provider.tokens().refreshToken != signedIn.value().refreshToken);
        QCOMPARE(
            me.value().json().value().value(QLatin1String("data")).toObject().value(QLatin1String("id")).toString(),
            alice.value()->id);
        QCOMPARE(required.size(), 0);
        QCOMPARE(authFailed.size(), 0);

        // A request refused with a token that was refreshed meanwhile just tries the new one.
        const auto again = tokenOf(provider.refreshAfterRejection(other->first));
        CONFAB_VERIFY_OK(again);
        QCOMPARE(again.value(), provider.tokens().accessToken);
        QCOMPARE(requests.tokenRequests(), 1);
    }

    void concurrentCallersShareOneRefresh()
    {
        auto h = startServer(true, 60); // within the default skew from the start
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        const auto signedIn = signInAs(client, QStringLiteral("alice"));
        CONFAB_VERIFY_OK(signedIn);
        Requests requests;
        requests.watch(client);
        OAuthTokenProvider provider(&client, signedIn.value());
        QSignalSpy changed(&provider, &OAuthTokenProvider::tokensChanged);

        // Eight callers at once, some because the token is about to expire, some after a 401.
        constexpr int Callers = 8;
        QList<QFuture<Result<QString>>> futures;
        for (int i = 0; i < Callers; ++i)
            futures.append(i % 2 ? provider.refreshAfterRejection(signedIn.value().accessToken)
                                 : provider.accessToken());
        QVERIFY(provider.isRefreshing());
        QString shared;
        for (const auto &future : std::as_const(futures)) {
            const auto token = tokenOf(future);
            CONFAB_VERIFY_OK(token);
            if (shared.isEmpty())
                shared = token.value();
            QCOMPARE(token.value(), shared);
        }
        QVERIFY(shared != signedIn.value().accessToken);
        QCOMPARE(requests.tokenRequests(), 1);
        QCOMPARE(changed.size(), 1);
        QVERIFY(!provider.isRefreshing());

        // The same through HttpClient: concurrent requests on an expiring token, one refresh.
        net::HttpClient api(h->server().baseUrl(), &provider);
        std::vector<QCoro::Task<Result<net::Response>>> sends;
        for (int i = 0; i < Callers; ++i)
            sends.push_back(api.send(net::Request::get(QStringLiteral("/2/users/me"))));
        for (auto &send : sends)
            CONFAB_VERIFY_OK(result(std::move(send)));
        QCOMPARE(requests.tokenRequests(), 2);
        QCOMPARE(changed.size(), 2);
    }

    void anUnusableRefreshTokenAsksForSignIn()
    {
        auto h = startServer(true);
        QVERIFY(h);
        auto alice = h->addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        OAuthClient client(endpointsOf(*h));
        const auto signedIn = signInAs(client, QStringLiteral("alice"));
        CONFAB_VERIFY_OK(signedIn);
        const OAuthTokens tokens = signedIn.value();
        // The person signed out elsewhere: revoking the refresh token ends the whole sign-in.
        Requests requests;
        requests.watch(client);
        CONFAB_VERIFY_OK(result(client.revoke(tokens.refreshToken, OAuthClient::TokenKind::RefreshToken)));
        QCOMPARE(requests.revoke.size(), 1);
        QVERIFY(!whoAmI(*h, tokens.accessToken).ok());

        // A request: 401, one refresh refused (invalid_grant), "sign in again".
        OAuthTokenProvider provider(&client, tokens);
        QSignalSpy required(&provider, &OAuthTokenProvider::signInRequired);
        QSignalSpy changed(&provider, &OAuthTokenProvider::tokensChanged);
        net::HttpClient api(h->server().baseUrl(), &provider);
        QSignalSpy authFailed(&api, &net::HttpClient::authenticationFailed);
        const auto me = result(api.send(net::Request::get(QStringLiteral("/2/users/me"))));
        EXPECT_ERROR_KIND(me, ErrorKind::Unauthorized);
        QCOMPARE(requests.tokenRequests(), 1);
        QCOMPARE(requests.token.at(0).status, 400);
        QCOMPARE(required.size(), 1);
        const auto why = required.at(0).at(0).value<Error>();
        QCOMPARE(why.kind(), ErrorKind::Unauthorized);
        QVERIFY(why.message().contains(QLatin1String("Sign in again")));
        QVERIFY(!why.toString().contains(tokens.refreshToken));
        QVERIFY(!why.toString().contains(tokens.accessToken));
        QCOMPARE(authFailed.size(), 1);
        QCOMPARE(changed.size(), 0);
        QVERIFY(provider.needsSignIn());

        // From now on every caller is told at once, without asking the server again.
        for (int i = 0; i < 4; ++i)
            EXPECT_ERROR_KIND(tokenOf(provider.accessToken()), ErrorKind::Unauthorized);
        EXPECT_ERROR_KIND(tokenOf(provider.refreshAfterRejection(tokens.accessToken)), ErrorKind::Unauthorized);
        QCOMPARE(requests.tokenRequests(), 1);
        QCOMPARE(required.size(), 1);

        // Concurrent callers on an expiring token whose refresh is refused: one request, all
        // refused, one signal.
        OAuthTokenProvider expiring(&client, tokens);
        expiring.setRefreshSkewMs(24 * 3600 * 1000);
        QSignalSpy expiringRequired(&expiring, &OAuthTokenProvider::signInRequired);
        QList<QFuture<Result<QString>>> futures;
        for (int i = 0; i < 4; ++i)
            futures.append(expiring.accessToken());
        for (const auto &future : std::as_const(futures))
            EXPECT_ERROR_KIND(tokenOf(future), ErrorKind::Unauthorized);
        QCOMPARE(requests.tokenRequests(), 2);
        QCOMPARE(expiringRequired.size(), 1);

        // Without a refresh token, an expired access token cannot be renewed.
        OAuthTokens noRefresh = tokens;
        noRefresh.refreshToken.clear();
        noRefresh.expiresAtMs = QDateTime::currentMSecsSinceEpoch() - 1000;
        OAuthTokenProvider offline(&client, noRefresh);
        QSignalSpy offlineRequired(&offline, &OAuthTokenProvider::signInRequired);
        EXPECT_ERROR_KIND(tokenOf(offline.accessToken()), ErrorKind::Unauthorized);
        QCOMPARE(offlineRequired.size(), 1);
        QCOMPARE(requests.tokenRequests(), 2);

        // A new sign-in brings the provider back.
        const auto fresh = signInAs(client, QStringLiteral("alice"));
        CONFAB_VERIFY_OK(fresh);
        provider.setTokens(fresh.value());
        QVERIFY(!provider.needsSignIn());
        const auto back = whoAmI(*h, provider);
        CONFAB_VERIFY_OK(back);
        QCOMPARE(back.value(), alice.value()->id);
    }
};

QTEST_GUILESS_MAIN(TestSignIn)
#include "tst_signin.moc"
