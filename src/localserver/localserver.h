#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace confab::localserver {

class Service;

/// Configuration of one confab-localserver instance (see `confab-localserver --help`).
struct ServerOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0;         ///< 0: pick a free port
    QString dataDir;          ///< empty: everything in memory
    bool dev = false;         ///< enables /_local/ (admin API, fault injection)
    bool autoApprove = false; ///< /i/oauth2/authorize with login_hint redirects without the page
    qint64 accessTokenLifetimeSecs = 7200;
    qint64 mediaSessionLifetimeSecs = 3600;
    qint64 typingLifetimeMsecs = 6000;
    qint64 maxMediaBytes = 256LL * 1024 * 1024;
    qint64 maxBodyBytes = 8LL * 1024 * 1024;
    /// Rate limits: "group=requests/windowSeconds" entries, e.g. "chat.send=300/900".
    QStringList rateLimits;
};

/// A user as the service knows it.
struct UserInfo
{
    QString id;
    QString username;
    QString name;
};

/// The loopback X Chat service: HTTP front end plus the persistent state behind it.
class LocalServer : public QObject
{
    Q_OBJECT
public:
    explicit LocalServer(ServerOptions options, QObject *parent = nullptr);
    ~LocalServer() override;

    /// Opens the database and starts listening. Returns the bound port.
    [[nodiscard]] Result<quint16> start();
    [[nodiscard]] QUrl baseUrl() const;

    // In-process administration, used by main() for --demo and by tests.
    /// Creates a user (username unique, [A-Za-z0-9_]{1,15}). `demoPeer` marks users whose requests
    /// may backdate `created_at` with the `x-confab-demo-created-at` header (demo history only).
    [[nodiscard]] Result<UserInfo> createUser(const QString &username, const QString &name, bool demoPeer = false);
    [[nodiscard]] Result<UserInfo> userByUsername(const QString &username) const;
    [[nodiscard]] QList<UserInfo> users() const;
    /// Issues a user-context access token directly (no browser), as the token endpoint would.
    [[nodiscard]] Result<QString> issueAccessToken(const QString &userId, const QStringList &scopes,
                                                   const QString &clientId = QStringLiteral("confab-demo"));
    /// Registers a confidential client that may obtain app-only Bearer tokens
    /// (POST /2/oauth2/token, grant_type=client_credentials, HTTP Basic client_id:secret).
    [[nodiscard]] Result<void> registerClient(const QString &clientId, const QString &secret);
    /// Issues an app-only Bearer token for a registered client (activity stream).
    [[nodiscard]] Result<QString> issueAppToken(const QString &clientId);

private:
    std::unique_ptr<Service> m_service;
};

} // namespace confab::localserver
