#pragma once

#include "core/result.h"
#include "secrets/oauthpkce.h"
#include "secrets/oauthtokens.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <qcoro/qcorotask.h>

#include <functional>
#include <memory>

namespace confab::net {
class Cancellation;
}

namespace confab::secrets {

class LoopbackReceiver;
class OAuthClient;

/// How one sign-in runs.
struct SignInOptions
{
    /// The account to preselect (`login_hint`); confab-localserver's --auto-approve signs it in
    /// without showing the page.
    QString loginHint;
    /// How long to wait for the browser to come back.
    int timeoutMs = 10 * 60 * 1000;
    /// Cancels the wait and the code exchange (the sign-in ends with ErrorKind::Cancelled).
    QPointer<net::Cancellation> cancellation;
    /// When the browser cannot be opened: false ends the sign-in at once with an error that says
    /// so; true emits browserNotOpened() and keeps waiting, for a UI that shows the link to copy.
    bool keepWaitingWhenBrowserFails = false;
};

/// One OAuth 2.0 authorization-code sign-in with PKCE S256 and a loopback redirect (spec §9,
/// RFC 8252): makes a verifier and a state, listens on 127.0.0.1, opens the authorize page in the
/// person's browser, waits for the browser to come back, checks the state, redeems the code and
/// shows the browser how it went. The verifier lives in locked memory and is wiped when done.
///
/// One run per object. Destroying the object ends a running sign-in (the coroutine finishes with
/// ErrorKind::Cancelled without touching it).
class OAuthSignIn : public QObject
{
    Q_OBJECT
public:
    /// Opens a URL in the person's browser; false when it could not. The app passes
    /// QDesktopServices::openUrl (this library does not link Qt GUI).
    using UrlOpener = std::function<bool(const QUrl &)>;

    /// `client` must outlive the sign-in or the sign-in ends with Cancelled.
    OAuthSignIn(OAuthClient *client, UrlOpener opener, QObject *parent = nullptr);
    ~OAuthSignIn() override;

    /// Runs the sign-in: the tokens, or an Error whose message says what happened and what to do.
    [[nodiscard]] QCoro::Task<Result<OAuthTokens>> run(SignInOptions options = {});

    /// The page the browser is sent to (empty before run()): for a "copy this link" fallback.
    [[nodiscard]] const QUrl &authorizeUrl() const { return m_authorizeUrl; }
    /// `http://127.0.0.1:<port>/callback` (empty before run()).
    [[nodiscard]] QUrl redirectUri() const;
    /// Whether the loopback receiver still accepts connections.
    [[nodiscard]] bool isListening() const;

    /// The PKCE verifier while the sign-in runs, empty once it was wiped. For tests, which prove
    /// the challenge in the authorize URL is its S256 hash; nothing else may call this.
    [[nodiscard]] QByteArray codeVerifierForTesting() const;

Q_SIGNALS:
    /// The authorize URL is known, just before the browser is asked to open it.
    void authorizeUrlReady(const QUrl &url);
    /// The browser could not be opened and keepWaitingWhenBrowserFails is set: show `url` to copy.
    void browserNotOpened(const QUrl &url);
    /// The browser came back; the code is being exchanged.
    void callbackReceived();

private:
    enum class Wake { Callback, Timeout, Cancelled };

    /// Fails the sign-in after the callback arrived: tells the browser, then returns `error`.
    Error failAfterCallback(Error error, const QString &heading);
    void finish();

    QPointer<OAuthClient> m_client;
    UrlOpener m_opener;
    std::unique_ptr<LoopbackReceiver> m_receiver;
    OAuthPkce m_pkce;
    QString m_state;
    QUrl m_authorizeUrl;
    bool m_started = false;
};

} // namespace confab::secrets
