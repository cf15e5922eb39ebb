#include "net/networkaccess.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QThreadStorage>

#include <mutex>

namespace confab::net {

QNetworkAccessManager *networkAccessManager()
{
    static std::once_flag proxies;
    std::call_once(proxies, [] { QNetworkProxyFactory::setUseSystemConfiguration(true); });
    static QThreadStorage<QNetworkAccessManager *> perThread;
    if (!perThread.hasLocalData()) {
        auto *nam = new QNetworkAccessManager;
        nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        nam->setAutoDeleteReplies(false);
        perThread.setLocalData(nam);
    }
    return perThread.localData();
}

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Result<void> checkTransport(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return Error(ErrorKind::InvalidInput, QStringLiteral("The server address is not valid."),
                                                             QStringLiteral("invalid URL"));
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http") && isLoopback(url))
        return {};
    return Error(
        ErrorKind::InvalidInput,
        QStringLiteral("Confab only connects to servers over an encrypted connection (https)."),
                       QStringLiteral("refused %1://%2: TLS is required except on loopback").arg(scheme, url.host()));
}

} // namespace confab::net
