#include "secrets/oauthsignin.h"

#include "core/logging.h"
#include "crypto/securebytes.h"
#include "net/awaiters.h"
#include "net/cancellation.h"
#include "net/networkaccess.h"
#include "secrets/loopbackreceiver.h"
#include "secrets/oauthclient.h"

#include <QFuture>
#include <QPromise>
#include <QTimer>

namespace confab::secrets {

namespace {

Error cancelledError(const QString &detail)
{
    return Error(ErrorKind::Cancelled, QObject::tr("The sign-in was cancelled."), QStringLiteral("sign-in: ") + detail);
}

bool isCancelled(const QPointer<net::Cancellation> &cancellation)
{
    const net::Cancellation *c = cancellation.data();
    return c && c->isCancelled();
}

/// Text from the browser's query for a sentence: printable, bounded, and without angle brackets
/// (a view that guesses rich text, like a QML Text in AutoText, must not render markup from it).
QString sanitized(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (c == QLatin1Char('<'))
            out += QChar(0x2039); // ‹
        else if (c == QLatin1Char('>'))
            out += QChar(0x203A); // ›
        else
            out += c.isPrint() ? c : QLatin1Char(' ');
    }
    out = out.simplified();
    if (out.size() > 200)
        out = out.left(200) + QStringLiteral("…");
    return out;
}

} // namespace

OAuthSignIn::OAuthSignIn(OAuthClient *client, UrlOpener opener, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_opener(std::move(opener))
{}

OAuthSignIn::~OAuthSignIn() = default;

QUrl OAuthSignIn::redirectUri() const
{
    return m_receiver ? m_receiver->redirectUri() : QUrl();
}

bool OAuthSignIn::isListening() const
{
    return m_receiver && m_receiver->isListening();
}

QByteArray OAuthSignIn::codeVerifierForTesting() const
{
    return m_pkce.verifier.toByteArray();
}

void OAuthSignIn::finish()
{
    m_pkce.verifier.wipe();
    if (m_receiver)
        m_receiver->close();
}

Error OAuthSignIn::failAfterCallback(Error error, const QString &heading)
{
    qCInfo(lcSecrets).noquote() << "sign-in failed:" << error.toString();
    if (m_receiver)
        m_receiver->respondFailed(heading, error.message());
    finish();
    return error;
}

QCoro::Task<Result<OAuthTokens>> OAuthSignIn::run(SignInOptions options)
{
    if (m_started)
        co_return Error(ErrorKind::Internal, tr("This sign-in has already run. Start a new one."),
                        QStringLiteral("OAuthSignIn::run called twice"));
    m_started = true;
    if (!m_client)
        co_return cancelledError(QStringLiteral("the OAuth client is gone"));
    if (isCancelled(options.cancellation))
        co_return cancelledError(QStringLiteral("cancelled before it started"));

    // The consent page is where the person types a password: https only (loopback excepted).
    if (auto transport = net::checkTransport(m_client->endpoints().authorizeUrl); !transport)
        co_return transport.error();

    m_receiver = std::make_unique<LoopbackReceiver>();
    if (auto listening = m_receiver->listen(); !listening)
        co_return listening.error();
    m_pkce = OAuthPkce::generate();
    m_state = OAuthPkce::randomState();
    const QUrl redirect = m_receiver->redirectUri();
    m_authorizeUrl = m_client->authorizeUrl(redirect, m_state, m_pkce.challenge, options.loginHint);

    // Whatever comes first ends the wait: the callback, the timeout, the cancel button. They are
    // connected before the browser opens, so even an opener that spins the event loop is caught.
    auto wake = std::make_shared<QPromise<Wake>>();
    wake->start();
    QFuture<Wake> woken = wake->future();
    const auto fire = [wake](Wake why) {
        if (wake->future().isFinished())
            return;
        wake->addResult(why);
        wake->finish();
    };
    auto waitScope = std::make_unique<QObject>();
    connect(m_receiver.get(), &LoopbackReceiver::callbackReceived, waitScope.get(), [fire] { fire(Wake::Callback); });
    auto *timer = new QTimer(waitScope.get());
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, waitScope.get(), [fire] { fire(Wake::Timeout); });
    timer->start(std::max(0, options.timeoutMs));
    if (net::Cancellation *c = options.cancellation.data())
        connect(c, &net::Cancellation::cancelled, waitScope.get(), [fire] { fire(Wake::Cancelled); });

    const QPointer<OAuthSignIn> self(this);
    Q_EMIT authorizeUrlReady(m_authorizeUrl);
    if (!self)
        co_return cancelledError(QStringLiteral("the sign-in was destroyed"));
    const bool opened = m_opener && m_opener(m_authorizeUrl);
    if (!self)
        co_return cancelledError(QStringLiteral("the sign-in was destroyed"));
    if (!opened) {
        if (!options.keepWaitingWhenBrowserFails) {
            finish();
            co_return Error(ErrorKind::InvalidInput,
                            tr("Confab could not open your web browser to sign in. Set up a default web browser in "
                               "your system settings, then try again."),
                            QStringLiteral("sign-in: the URL opener returned false"));
        }
        qCInfo(lcSecrets) << "sign-in: the browser did not open; waiting for the link to be opened by hand";
        Q_EMIT browserNotOpened(m_authorizeUrl);
        if (!self)
            co_return cancelledError(QStringLiteral("the sign-in was destroyed"));
    }

    const bool answered = co_await net::FutureFinished<Wake>(woken, this);
    // Destroyed meanwhile: nothing of it may be touched.
    if (!answered || !self || woken.resultCount() < 1)
        co_return cancelledError(QStringLiteral("the sign-in was destroyed while waiting"));
    waitScope.reset();
    const Wake why = woken.result();
    if (why == Wake::Timeout) {
        finish();
        co_return Error(ErrorKind::Timeout,
                        tr("The sign-in was not finished in time. Start it again when you are ready."),
                        QStringLiteral("sign-in: no answer from the browser within %1 ms").arg(options.timeoutMs));
    }
    if (why == Wake::Cancelled) {
        finish();
        co_return cancelledError(QStringLiteral("cancelled while waiting for the browser"));
    }

    Q_EMIT callbackReceived();
    if (!self)
        co_return cancelledError(QStringLiteral("the sign-in was destroyed"));

    // The state first: an answer that is not for this sign-in is never acted on, whatever it says.
    const crypto::SecureBytes expected(m_state.toLatin1());
    const crypto::SecureBytes got(m_receiver->callbackValue(QStringLiteral("state")).toUtf8());
    if (!(expected == got)) {
        co_return failAfterCallback(
            Error(ErrorKind::Unauthorized, tr("The sign-in answer did not come from this sign-in. Try again."),
                  QStringLiteral("sign-in: the callback's state does not match (a forged or stale callback)")),
                  tr("This answer is not from your sign-in"));
    }
    const QString errorCode = m_receiver->callbackValue(QStringLiteral("error"));
    if (errorCode == QLatin1String("access_denied")) {
        co_return failAfterCallback(
            Error(ErrorKind::Cancelled, tr("You cancelled the sign-in."), QStringLiteral("sign-in: access_denied")),
                  tr("You cancelled the sign-in."));
    }
    if (!errorCode.isEmpty()) {
        const QString description = sanitized(m_receiver->callbackValue(QStringLiteral("error_description")));
        const QString reason = description.isEmpty() ? sanitized(errorCode) : description;
        const bool serverTrouble =
            errorCode == QLatin1String("server_error") || errorCode == QLatin1String("temporarily_unavailable");
        co_return failAfterCallback(
            Error(serverTrouble ? ErrorKind::Server : ErrorKind::InvalidInput,
                  tr("The sign-in did not work: “%1”. Try again.").arg(reason),
                  QStringLiteral("sign-in: the server answered %1: %2").arg(sanitized(errorCode), description)),
                  tr("Signing in did not work"));
    }
    const QString code = m_receiver->callbackValue(QStringLiteral("code"));
    if (code.isEmpty()) {
        co_return failAfterCallback(Error(ErrorKind::Protocol,
                                          tr("The browser came back without a sign-in code. Try again."),
                                          QStringLiteral("sign-in: the callback has neither code nor error")),
                                          tr("Signing in did not work"));
    }

    OAuthClient *client = m_client.data();
    if (!client)
        co_return failAfterCallback(cancelledError(QStringLiteral("the OAuth client is gone")),
                                                   tr("Signing in did not work"));
    crypto::SecureBytes verifier = std::move(m_pkce.verifier); // wiped by exchangeCode
    QPointer<net::Cancellation> cancellation = options.cancellation;
    auto tokens = co_await client->exchangeCode(code, redirect, std::move(verifier), cancellation);
    if (!self)
        co_return cancelledError(QStringLiteral("the sign-in was destroyed during the code exchange"));
    if (!tokens)
        co_return failAfterCallback(tokens.error(), tr("Signing in did not work"));
    m_receiver->respondSignedIn();
    finish();
    qCInfo(lcSecrets) << "sign-in: signed in; scope" << tokens.value().scope;
    co_return tokens;
}

} // namespace confab::secrets
