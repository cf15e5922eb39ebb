// Sign-in against confab-localserver the way Confab does it (spec §9): OAuth 2.0 authorization
// code with PKCE S256 for the pre-registered public client confab-desktop and a loopback
// redirect. The browser's part (the consent page and its form) is played over real HTTP too.

#include "chatharness.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace confab;
using namespace confab::localserver;
using namespace confab::localserver::test;

namespace {

const QString ClientId = QStringLiteral("confab-desktop");
const QString Redirect = QStringLiteral("http://127.0.0.1:53682/callback");
/// A state with characters that need escaping on the way there and back.
const QString State = QStringLiteral("s t+a/t=e&?%~");

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

struct Pkce
{
    QString verifier;
    QString challenge;
};

Pkce makePkce()
{
    QByteArray random(48, Qt::Uninitialized);
    QRandomGenerator::system()->generate(random.begin(), random.end());
    const QString verifier = base64Url(random); // 64 characters of [A-Za-z0-9_-]
    return {verifier, base64Url(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256))};
}

QString scopes(bool offline = true)
{
    QStringList list = allScopes();
    if (!offline)
        list.removeAll(QStringLiteral("offline.access"));
    return list.join(QLatin1Char(' '));
}

QUrlQuery authorizeQuery(const Pkce &pkce, const QString &loginHint = {}, const QString &scope = scopes())
{
    QUrlQuery q{{QStringLiteral("response_type"), QStringLiteral("code")},
                 {QStringLiteral("client_id"), ClientId},
                  {QStringLiteral("redirect_uri"), Redirect},
                   {QStringLiteral("scope"), scope},
                    {QStringLiteral("state"), State},
                     {QStringLiteral("code_challenge"), pkce.challenge},
                      {QStringLiteral("code_challenge_method"), QStringLiteral("S256")}};
    if (!loginHint.isEmpty())
        q.addQueryItem(QStringLiteral("login_hint"), loginHint);
    // QUrlQuery leaves '+', '&' and '=' in values alone; encode them as a browser would.
    QUrlQuery encoded;
    for (const auto &[key, value] : q.queryItems(QUrl::FullyDecoded))
        encoded.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    return encoded;
}

QUrlQuery with(QUrlQuery q, const QString &key, const QString &value)
{
    q.removeAllQueryItems(key);
    q.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    return q;
}

/// The redirect's target and its decoded query.
struct Redirected
{
    QUrl url;
    QUrlQuery query;
    [[nodiscard]] QString value(const char *key) const
    {
        return query.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
    }
};

Redirected redirectOf(const ApiResponse &r)
{
    const QUrl url = QUrl::fromEncoded(r.header("location"));
    return {url, QUrlQuery(url)};
}

bool isOurRedirect(const Redirected &r)
{
    QUrl target = r.url;
    target.setQuery(QString());
    return target.toString() == Redirect;
}

/// The consent page's form: the request id and the accounts on offer.
struct ConsentForm
{
    QString request;
    QStringList userIds;
    QString checkedUserId;
};

ConsentForm parseConsent(const QByteArray &html)
{
    ConsentForm form;
    const QString page = QString::fromUtf8(html);
    static const QRegularExpression request(QStringLiteral("name=\"request\" value=\"([^\"]+)\""));
    form.request = request.match(page).captured(1);
    static const QRegularExpression radio(QStringLiteral("name=\"user_id\" value=\"([0-9]+)\"( checked)?"));
    auto it = radio.globalMatch(page);
    while (it.hasNext()) {
        const auto m = it.next();
        form.userIds.append(m.captured(1));
        if (!m.captured(2).isEmpty())
            form.checkedUserId = m.captured(1);
    }
    return form;
}

} // namespace

class TestOAuth : public QObject
{
    Q_OBJECT

    /// The token endpoint, as a public client calls it.
    static ApiResponse exchange(const Harness &h, const QString &code, const QString &verifier,
                                const QString &redirect = Redirect, const QString &clientId = ClientId)
    {
        return h.api().postForm(QStringLiteral("/2/oauth2/token"), {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                                  {QStringLiteral("code"), code}, {QStringLiteral("redirect_uri"), redirect},
                                                                   {QStringLiteral("client_id"), clientId},
                                                                    {QStringLiteral("code_verifier"), verifier}});
    }
    static ApiResponse refresh(const Harness &h, const QString &refreshToken, const QString &clientId = ClientId)
    {
        return h.api().postForm(
            QStringLiteral("/2/oauth2/token"),
                           {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                             {QStringLiteral("refresh_token"), refreshToken}, {QStringLiteral("client_id"), clientId}});
    }
    /// The whole auto-approved flow: the tokens.
    static std::optional<QJsonObject> signIn(const Harness &h, const QString &username, const QString &scope)
    {
        const Pkce pkce = makePkce();
        const ApiResponse authorized =
            h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(pkce, username, scope));
        const QString code = redirectOf(authorized).value("code");
        if (authorized.status != 302 || code.isEmpty())
            return std::nullopt;
        const ApiResponse tokens = exchange(h, code, pkce.verifier);
        if (tokens.status != 200)
            return std::nullopt;
        return tokens.json();
    }
    static QString error(const ApiResponse &r) { return r.json().value(QLatin1String("error")).toString(); }
    static bool works(const Harness &h, const QString &accessToken)
    {
        return h.api().withToken(accessToken).get(QStringLiteral("/2/users/me")).status == 200;
    }

private Q_SLOTS:
    void authorizationCodeWithPkce()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        const Pkce pkce = makePkce();

        const ApiResponse authorized =
            h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(pkce, QStringLiteral("alice")));
        CONFAB_EXPECT_STATUS(authorized, 302);
        const Redirected back = redirectOf(authorized);
        QVERIFY2(isOurRedirect(back), authorized.header("location").constData());
        QCOMPARE(back.value("state"), State);
        const QString code = back.value("code");
        QVERIFY(!code.isEmpty());
        QVERIFY(back.value("error").isEmpty());
        QCOMPARE(authorized.header("cache-control"), QByteArray("no-store"));

        const ApiResponse tokens = exchange(h, code, pkce.verifier);
        CONFAB_EXPECT_STATUS(tokens, 200);
        const QJsonObject t = tokens.json();
        QCOMPARE(t.value(QLatin1String("token_type")).toString().toLower(), QStringLiteral("bearer"));
        QCOMPARE(t.value(QLatin1String("expires_in")).toInt(), 7200);
        QCOMPARE(t.value(QLatin1String("scope")).toString().split(QLatin1Char(' ')), allScopes());
        QVERIFY(!t.value(QLatin1String("access_token")).toString().isEmpty());
        QVERIFY(!t.value(QLatin1String("refresh_token")).toString().isEmpty());
        QCOMPARE(tokens.header("cache-control"), QByteArray("no-store"));

        // The token is Alice's, with the scopes she granted.
        const ApiClient client = h.api().withToken(t.value(QLatin1String("access_token")).toString());
        const ApiResponse me = client.get(QStringLiteral("/2/users/me"));
        CONFAB_EXPECT_STATUS(me, 200);
        QCOMPARE(me.data().value(QLatin1String("id")).toString(), alice.value()->id);
        CONFAB_EXPECT_STATUS(client.get(QStringLiteral("/2/chat/conversations")), 200);

        // The /2/ spelling of the authorize endpoint works the same way.
        const Pkce other = makePkce();
        const ApiResponse alternative =
            h.api().get(QStringLiteral("/2/oauth2/authorize"), authorizeQuery(other, QStringLiteral("alice")));
        CONFAB_EXPECT_STATUS(alternative, 302);
        CONFAB_EXPECT_STATUS(exchange(h, redirectOf(alternative).value("code"), other.verifier), 200);
    }

    void codesNeedTheirVerifierAndWorkOnce()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        CONFAB_VERIFY_OK(h.addUser(QStringLiteral("alice"), allScopes(), false));
        const Pkce pkce = makePkce();
        const ApiResponse authorized =
            h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(pkce, QStringLiteral("alice")));
        const QString code = redirectOf(authorized).value("code");
        QVERIFY(!code.isEmpty());

        const ApiResponse wrongVerifier = exchange(h, code, makePkce().verifier);
        QCOMPARE(wrongVerifier.status, 400);
        QCOMPARE(error(wrongVerifier), QStringLiteral("invalid_grant"));
        QCOMPARE(error(exchange(h, code, pkce.challenge)), QStringLiteral("invalid_grant")); // the challenge itself
        QCOMPARE(error(exchange(h, code, pkce.verifier, QStringLiteral("http://127.0.0.1:1/other"))),
                       QStringLiteral("invalid_grant"));
        const ApiResponse unknownClient = exchange(h, code, pkce.verifier, Redirect, QStringLiteral("someone-else"));
        QCOMPARE(unknownClient.status, 401);
        QCOMPARE(error(unknownClient), QStringLiteral("invalid_client"));
        QCOMPARE(error(exchange(h, QStringLiteral("not-a-code"), pkce.verifier)), QStringLiteral("invalid_grant"));

        // The right verifier, once.
        const ApiResponse first = exchange(h, code, pkce.verifier);
        CONFAB_EXPECT_STATUS(first, 200);
        const QString access = first.json().value(QLatin1String("access_token")).toString();
        const QString refreshToken = first.json().value(QLatin1String("refresh_token")).toString();
        QVERIFY(works(h, access));

        // A replayed code is refused, and what it produced is revoked (RFC 6749 §4.1.2).
        const ApiResponse replay = exchange(h, code, pkce.verifier);
        QCOMPARE(replay.status, 400);
        QCOMPARE(error(replay), QStringLiteral("invalid_grant"));
        QVERIFY(!works(h, access));
        QCOMPARE(error(refresh(h, refreshToken)), QStringLiteral("invalid_grant"));
    }

    void consentPageLetsTheUserChoose()
    {
        Harness h; // no auto-approve: the browser shows the page
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        auto bob = h.addUser(QStringLiteral("bob"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        const Pkce pkce = makePkce();

        const ApiResponse page = h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(pkce));
        CONFAB_EXPECT_STATUS(page, 200);
        QCOMPARE(page.contentType(), QByteArray("text/html"));
        QVERIFY(page.header("content-security-policy").contains("frame-ancestors 'none'"));
        QVERIFY(page.body.contains("@alice") && page.body.contains("@bob"));
        QVERIFY(page.body.contains("dm.write"));
        const ConsentForm form = parseConsent(page.body);
        QVERIFY(!form.request.isEmpty());
        QCOMPARE(form.userIds, (QStringList{alice.value()->id, bob.value()->id}));

        // Bob signs in.
        const ApiResponse chosen = h.api().postForm(QStringLiteral("/i/oauth2/authorize/consent"),
            {{QStringLiteral("request"), form.request}, {QStringLiteral("user_id"), bob.value()->id},
                                                         {QStringLiteral("decision"), QStringLiteral("authorize")}});
        CONFAB_EXPECT_STATUS(chosen, 302);
        const Redirected back = redirectOf(chosen);
        QVERIFY(isOurRedirect(back));
        QCOMPARE(back.value("state"), State);
        const ApiResponse tokens = exchange(h, back.value("code"), pkce.verifier);
        CONFAB_EXPECT_STATUS(tokens, 200);
        const ApiResponse me = h.api()
                                   .withToken(tokens.json().value(QLatin1String("access_token")).toString())
                                   .get(QStringLiteral("/2/users/me"));
        QCOMPARE(me.data().value(QLatin1String("id")).toString(), bob.value()->id);

        // A consent form is good for one answer.
        const ApiResponse again = h.api().postForm(QStringLiteral("/i/oauth2/authorize/consent"),
            {{QStringLiteral("request"), form.request}, {QStringLiteral("user_id"), bob.value()->id},
                                                         {QStringLiteral("decision"), QStringLiteral("authorize")}});
        QCOMPARE(again.status, 400);
        QCOMPARE(again.contentType(), QByteArray("text/html"));
        QVERIFY(!again.hasHeader("location"));

        // The login hint preselects the account.
        const ApiResponse hinted =
            h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(makePkce(), QStringLiteral("bob")));
        CONFAB_EXPECT_STATUS(hinted, 200);
        QCOMPARE(parseConsent(hinted.body).checkedUserId, bob.value()->id);

        // Cancel: back to the app with access_denied and the state.
        const ConsentForm cancelForm =
            parseConsent(h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(makePkce())).body);
        const ApiResponse cancelled = h.api().postForm(QStringLiteral("/i/oauth2/authorize/consent"),
            {{QStringLiteral("request"), cancelForm.request}, {QStringLiteral("user_id"), alice.value()->id},
                                                               {QStringLiteral("decision"), QStringLiteral("cancel")}});
        CONFAB_EXPECT_STATUS(cancelled, 302);
        const Redirected denied = redirectOf(cancelled);
        QVERIFY(isOurRedirect(denied));
        QCOMPARE(denied.value("error"), QStringLiteral("access_denied"));
        QCOMPARE(denied.value("state"), State);
        QVERIFY(denied.value("code").isEmpty());

        // Authorizing without choosing an account is not possible.
        const ConsentForm unchosen =
            parseConsent(h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(makePkce())).body);
        const ApiResponse nobody = h.api().postForm(QStringLiteral("/i/oauth2/authorize/consent"),
            {{QStringLiteral("request"), unchosen.request}, {QStringLiteral("decision"), QStringLiteral("authorize")}});
        QCOMPARE(nobody.status, 400);
        QVERIFY(!nobody.hasHeader("location"));
    }

    void autoApproveNeedsAKnownLoginHint()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        CONFAB_VERIFY_OK(h.addUser(QStringLiteral("alice"), allScopes(), false));
        for (const QString &hint : {QString(), QStringLiteral("nobody")}) {
            const ApiResponse page =
                h.api().get(QStringLiteral("/i/oauth2/authorize"), authorizeQuery(makePkce(), hint));
            CONFAB_EXPECT_STATUS(page, 200);
            QCOMPARE(page.contentType(), QByteArray("text/html"));
            QVERIFY(!parseConsent(page.body).request.isEmpty());
        }
    }

    void authorizeRefusesBadRequests()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        CONFAB_VERIFY_OK(h.addUser(QStringLiteral("alice"), allScopes(), false));
        const Pkce pkce = makePkce();
        const QUrlQuery good = authorizeQuery(pkce, QStringLiteral("alice"));
        const QString path = QStringLiteral("/i/oauth2/authorize");

        // Errors the app can be told about go back to its redirect URI, with the state.
        const QList<QPair<QUrlQuery, QString>> redirected{
            {with(good, QStringLiteral("code_challenge_method"), QStringLiteral("plain")),
                  QStringLiteral("invalid_request")},
                  {with(with(good, QStringLiteral("code_challenge_method"), QStringLiteral("plain")),
                             QStringLiteral("code_challenge"), pkce.verifier),
                             QStringLiteral("invalid_request")},
                        {with(good, QStringLiteral("code_challenge"), QString()), QStringLiteral("invalid_request")},
                         {with(good, QStringLiteral("response_type"), QStringLiteral("token")),
                               QStringLiteral("unsupported_response_type")},
                               {with(good, QStringLiteral("scope"), QStringLiteral("dm.read everything")),
                                     QStringLiteral("invalid_scope")},
                               };
        for (const auto &[query, expected] : redirected) {
            const ApiResponse r = h.api().get(path, query);
            CONFAB_EXPECT_STATUS(r, 302);
            const Redirected back = redirectOf(r);
            QVERIFY(isOurRedirect(back));
            QCOMPARE(back.value("error"), expected);
            QCOMPARE(back.value("state"), State);
            QVERIFY(back.value("code").isEmpty());
        }

        // A redirect URI that is not a loopback address of the app is never redirected to.
        for (const QString &redirect :
             {QStringLiteral("https://evil.example/callback"),
                             QStringLiteral("http://192.168.1.10:8080/callback"),
                                            QStringLiteral("http://127.0.0.1.evil.example/callback"),
                                                           QStringLiteral("custom:callback")}) {
            const ApiResponse r = h.api().get(path, with(good, QStringLiteral("redirect_uri"), redirect));
            QCOMPARE(r.status, 400);
            QCOMPARE(r.contentType(), QByteArray("text/html"));
            QVERIFY(!r.hasHeader("location"));
        }
        // Nor for an unknown app.
        const ApiResponse unknown = h.api().get(path, with(good, QStringLiteral("client_id"), QStringLiteral("nope")));
        QCOMPARE(unknown.status, 400);
        QVERIFY(!unknown.hasHeader("location"));
    }

    void refreshTokensRotate()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        CONFAB_VERIFY_OK(h.addUser(QStringLiteral("alice"), allScopes(), false));
        const auto first = signIn(h, QStringLiteral("alice"), scopes());
        QVERIFY(first);
        const QString r1 = first->value(QLatin1String("refresh_token")).toString();
        QVERIFY(!r1.isEmpty());

        const ApiResponse rotated = refresh(h, r1);
        CONFAB_EXPECT_STATUS(rotated, 200);
        const QString a2 = rotated.json().value(QLatin1String("access_token")).toString();
        const QString r2 = rotated.json().value(QLatin1String("refresh_token")).toString();
        QVERIFY(!r2.isEmpty() && r2 != r1);
        QCOMPARE(rotated.json().value(QLatin1String("scope")).toString(), scopes());
        QVERIFY(works(h, a2));

        // Another client cannot use it.
        CONFAB_VERIFY_OK(h.server().registerClient(QStringLiteral("other-app"), {}));
        QCOMPARE(error(refresh(h, r2, QStringLiteral("other-app"))), QStringLiteral("invalid_grant"));
        QVERIFY(works(h, a2));

        // The old refresh token is spent; using it again ends the whole sign-in.
        const ApiResponse reused = refresh(h, r1);
        QCOMPARE(reused.status, 400);
        QCOMPARE(error(reused), QStringLiteral("invalid_grant"));
        QVERIFY(!works(h, a2));
        QCOMPARE(error(refresh(h, r2)), QStringLiteral("invalid_grant"));
    }

    void refreshTokensNeedOfflineAccess()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        CONFAB_VERIFY_OK(h.addUser(QStringLiteral("alice"), allScopes(), false));
        const auto tokens = signIn(h, QStringLiteral("alice"), scopes(false));
        QVERIFY(tokens);
        QVERIFY(!tokens->contains(QLatin1String("refresh_token")));
        QVERIFY(works(h, tokens->value(QLatin1String("access_token")).toString()));
        QVERIFY(!tokens->value(QLatin1String("scope")).toString().contains(QLatin1String("offline.access")));
    }

    void revokingEndsTheSignIn()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        Harness h(options);
        CONFAB_VERIFY_OK(h.start());
        CONFAB_VERIFY_OK(h.addUser(QStringLiteral("alice"), allScopes(), false));
        const auto tokens = signIn(h, QStringLiteral("alice"), scopes());
        QVERIFY(tokens);
        const QString access = tokens->value(QLatin1String("access_token")).toString();
        const QString refreshToken = tokens->value(QLatin1String("refresh_token")).toString();
        const auto other = signIn(h, QStringLiteral("alice"), scopes());
        QVERIFY(other);
        QVERIFY(works(h, access));

        const ApiResponse revoked = h.api().postForm(QStringLiteral("/2/oauth2/revoke"), {{QStringLiteral("token"), access}, {QStringLiteral("client_id"), ClientId}});
        CONFAB_EXPECT_STATUS(revoked, 200);
        QVERIFY(!works(h, access));
        QCOMPARE(error(refresh(h, refreshToken)), QStringLiteral("invalid_grant"));
        // Another sign-in of the same user is not affected; revoking an unknown token is fine.
        QVERIFY(works(h, other->value(QLatin1String("access_token")).toString()));
        CONFAB_EXPECT_STATUS(h.api().postForm(
            QStringLiteral("/2/oauth2/revoke"), {{QStringLiteral("token"), QStringLiteral("unknown")}}), 200);
    }

    void tokenEndpointRefusesOtherForms()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        const ApiResponse json = h.api().postJson(
            QStringLiteral("/2/oauth2/token"), {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                                                 {QStringLiteral("client_id"), ClientId}});
        QCOMPARE(json.status, 400);
        QCOMPARE(error(json), QStringLiteral("invalid_request"));
        const ApiResponse grant = h.api().postForm(QStringLiteral("/2/oauth2/token"),
            {{QStringLiteral("grant_type"), QStringLiteral("password")}, {QStringLiteral("client_id"), ClientId}});
        QCOMPARE(grant.status, 400);
        QCOMPARE(error(grant), QStringLiteral("unsupported_grant_type"));
        const ApiResponse noClient = h.api().postForm(
            QStringLiteral("/2/oauth2/token"), {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")}});
        QCOMPARE(noClient.status, 401);
        QCOMPARE(error(noClient), QStringLiteral("invalid_client"));
    }
};

QTEST_GUILESS_MAIN(TestOAuth)
#include "tst_oauth.moc"
