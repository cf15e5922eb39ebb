#pragma once

// The person's web browser in the sign-in tests: its own QNetworkAccessManager that loads the
// authorize page, answers the consent form like a person would and follows the redirect back to
// Confab's loopback receiver. Plus raw TCP for what no browser sends (garbage, oversized heads).
// Every wait is on the event loop with a watchdog that only ends a hung test.

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

namespace confab::secrets::test {

/// One HTTP response as the browser saw it.
struct BrowserPage
{
    int status = 0; ///< 0: no HTTP answer (refused, reset)
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;

    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    /// The Location of a redirect, resolved.
    [[nodiscard]] QUrl location() const;
};

/// What the consent page offers.
struct ConsentForm
{
    QString request; ///< the form's hidden request id
    QStringList userIds;
};

class SignInBrowser
{
public:
    SignInBrowser();
    ~SignInBrowser();

    /// GET without following redirects.
    BrowserPage get(const QUrl &url);
    /// POST application/x-www-form-urlencoded without following redirects.
    BrowserPage postForm(const QUrl &url, const QUrlQuery &form);

    /// Reads the consent page's form (empty request when `page` is not one).
    [[nodiscard]] static ConsentForm parseConsent(const QByteArray &html);
    /// Answers the consent page at `authorizeUrl` (already loaded as `page`): the redirect back to
    /// the app, or an empty URL when there was none.
    QUrl decide(const QUrl &authorizeUrl, const BrowserPage &page, bool authorize, const QString &userId);

    static constexpr int WatchdogMsecs = 20000;

private:
    BrowserPage wait(QNetworkReply *reply);

    std::unique_ptr<QNetworkAccessManager> m_nam;
};

/// Connects to 127.0.0.1:`port`, sends `bytes`, and returns everything that comes back until the
/// other side closes. `refused` tells whether the connection was refused.
QByteArray rawExchange(quint16 port, const QByteArray &bytes, bool *refused = nullptr);
/// Whether a TCP connection to 127.0.0.1:`port` is refused (nobody listens).
bool connectionRefused(quint16 port);

} // namespace confab::secrets::test
