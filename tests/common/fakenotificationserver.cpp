#include "fakenotificationserver.h"

namespace {
constexpr auto Service = "org.freedesktop.Notifications";
constexpr auto Path = "/org/freedesktop/Notifications";
} // namespace

FakeNotificationServer::FakeNotificationServer(QStringList capabilities, const QString &connectionName)
    : m_capabilities(std::move(capabilities))
    , m_connectionName(connectionName)
    , m_bus(QDBusConnection::connectToBus(QDBusConnection::SessionBus, connectionName))
{}

FakeNotificationServer::~FakeNotificationServer()
{
    stop();
    QDBusConnection::disconnectFromBus(m_connectionName);
}

bool FakeNotificationServer::start()
{
    return m_bus.isConnected() &&
           m_bus.registerObject(QString::fromLatin1(Path), this, QDBusConnection::ExportAllSlots) &&
           m_bus.registerService(QString::fromLatin1(Service));
}

void FakeNotificationServer::stop()
{
    if (!m_bus.isConnected())
        return;
    m_bus.unregisterService(QString::fromLatin1(Service));
    m_bus.unregisterObject(QString::fromLatin1(Path));
}

QStringList FakeNotificationServer::GetCapabilities()
{
    return m_capabilities;
}

uint FakeNotificationServer::Notify(const QString &appName, uint replacesId, const QString &, const QString &summary,
                                    const QString &body, const QStringList &actions, const QVariantMap &hints, int)
{
    Call call{appName, replacesId, summary, body, actions, hints, replacesId != 0 ? replacesId : m_next++};
    notified.append(call);
    return call.id;
}

void FakeNotificationServer::CloseNotification(uint id)
{
    closedByApp.append(id);
    emitSignal(QStringLiteral("NotificationClosed"), {id, 3u});
}

QString FakeNotificationServer::GetServerInformation(QString &vendor, QString &version, QString &specVersion)
{
    vendor = QStringLiteral("Confab tests");
    version = QStringLiteral("1");
    specVersion = QStringLiteral("1.2");
    return QStringLiteral("fake-notifications");
}

void FakeNotificationServer::invokeAction(uint id, const QString &key)
{
    emitSignal(QStringLiteral("ActionInvoked"), {id, key});
}

void FakeNotificationServer::reply(uint id, const QString &text)
{
    emitSignal(QStringLiteral("NotificationReplied"), {id, text});
}

void FakeNotificationServer::dismiss(uint id)
{
    emitSignal(QStringLiteral("NotificationClosed"), {id, 2u});
}

void FakeNotificationServer::emitSignal(const QString &name, const QVariantList &arguments)
{
    QDBusMessage signal = QDBusMessage::createSignal(QString::fromLatin1(Path), QString::fromLatin1(Service), name);
    signal.setArguments(arguments);
    m_bus.send(signal);
}
