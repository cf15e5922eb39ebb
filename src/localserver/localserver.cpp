#include "localserver/localserver.h"

#include "localserver/service.h"

namespace confab::localserver {

LocalServer::LocalServer(ServerOptions options, QObject *parent)
    : QObject(parent)
    , m_service(std::make_unique<Service>(std::move(options)))
{}

LocalServer::~LocalServer() = default;

Result<quint16> LocalServer::start()
{
    return m_service->start();
}

QUrl LocalServer::baseUrl() const
{
    return m_service->baseUrl();
}

Result<UserInfo> LocalServer::createUser(const QString &username, const QString &name, bool demoPeer)
{
    return m_service->createUser(username, name, demoPeer);
}

Result<UserInfo> LocalServer::userByUsername(const QString &username) const
{
    return m_service->userByUsername(username);
}

QList<UserInfo> LocalServer::users() const
{
    return m_service->users();
}

Result<QString> LocalServer::issueAccessToken(const QString &userId, const QStringList &scopes, const QString &clientId)
{
    return m_service->issueUserToken(userId, scopes, clientId);
}

Result<void> LocalServer::registerClient(const QString &clientId, const QString &secret)
{
    return m_service->registerClient(clientId, secret);
}

Result<QString> LocalServer::issueAppToken(const QString &clientId)
{
    return m_service->issueAppToken(clientId);
}

} // namespace confab::localserver
