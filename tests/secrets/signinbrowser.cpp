#include "signinbrowser.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>

namespace confab::secrets::test {

QByteArray BrowserPage::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QUrl BrowserPage::location() const
{
    return QUrl::fromEncoded(header("location"), QUrl::StrictMode);
}

SignInBrowser::SignInBrowser() : m_nam(std::make_unique<QNetworkAccessManager>()) {}

SignInBrowser::~SignInBrowser() = default;

BrowserPage SignInBrowser::wait(QNetworkReply *reply)
{
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer watchdog;
        watchdog.setSingleShot(true);
        QObject::connect(&watchdog, &QTimer::timeout, reply, &QNetworkReply::abort);
        watchdog.start(WatchdogMsecs);
        loop.exec();
    }
    BrowserPage page;
    page.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    page.error = reply->error();
    page.headers = reply->rawHeaderPairs();
    page.body = reply->readAll();
    reply->deleteLater();
    return page;
}

BrowserPage SignInBrowser::get(const QUrl &url)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("Accept", "text/html");
    return wait(m_nam->get(request));
}

BrowserPage SignInBrowser::postForm(const QUrl &url, const QUrlQuery &form)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    return wait(m_nam->post(request, form.query(QUrl::FullyEncoded).toUtf8()));
}

ConsentForm SignInBrowser::parseConsent(const QByteArray &html)
{
    ConsentForm form;
    const QString page = QString::fromUtf8(html);
    static const QRegularExpression request(QStringLiteral("name=\"request\" value=\"([^\"]+)\""));
    form.request = request.match(page).captured(1);
    static const QRegularExpression radio(QStringLiteral("name=\"user_id\" value=\"([0-9]+)\""));
    auto it = radio.globalMatch(page);
    while (it.hasNext())
        form.userIds.append(it.next().captured(1));
    return form;
}

QUrl SignInBrowser::decide(const QUrl &authorizeUrl, const BrowserPage &page, bool authorize, const QString &userId)
{
    const ConsentForm form = parseConsent(page.body);
    if (form.request.isEmpty())
        return {};
    QUrlQuery answer;
    answer.addQueryItem(QStringLiteral("request"), form.request);
    if (!userId.isEmpty())
        answer.addQueryItem(QStringLiteral("user_id"), userId);
    answer.addQueryItem(QStringLiteral("decision"), authorize ? QStringLiteral("authorize") : QStringLiteral("cancel"));
    const QUrl action = authorizeUrl.resolved(QUrl(QStringLiteral("/i/oauth2/authorize/consent")));
    const BrowserPage decided = postForm(action, answer);
    return decided.status == 302 ? decided.location() : QUrl();
}

QByteArray rawExchange(quint16 port, const QByteArray &bytes, bool *refused)
{
    QTcpSocket socket;
    QByteArray received;
    bool wasRefused = false;
    QEventLoop loop;
    QTimer watchdog;
    watchdog.setSingleShot(true);
    QObject::connect(&watchdog, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&] { socket.write(bytes); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, [&](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::ConnectionRefusedError)
            wasRefused = true;
        if (error != QAbstractSocket::RemoteHostClosedError)
            loop.quit();
    });
    socket.connectToHost(QHostAddress::LocalHost, port);
    watchdog.start(SignInBrowser::WatchdogMsecs);
    loop.exec();
    received += socket.readAll();
    if (refused)
        *refused = wasRefused;
    return received;
}

bool connectionRefused(quint16 port)
{
    QTcpSocket socket;
    bool refused = false;
    QEventLoop loop;
    QTimer watchdog;
    watchdog.setSingleShot(true);
    QObject::connect(&watchdog, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::connected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, [&](QAbstractSocket::SocketError error) {
        refused = error == QAbstractSocket::ConnectionRefusedError;
        loop.quit();
    });
    socket.connectToHost(QHostAddress::LocalHost, port);
    watchdog.start(SignInBrowser::WatchdogMsecs);
    loop.exec();
    socket.abort();
    return refused;
}

} // namespace confab::secrets::test
