#include "app/singleinstance.h"

#include "app/appid.h"
#include "core/logging.h"

#include <QDBusAbstractAdaptor>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>

#include <utility>

namespace confab {

namespace {
constexpr int ActivateTimeoutMs = 10'000;
const auto ApplicationInterface = QStringLiteral("org.freedesktop.Application");
} // namespace

/// Serves org.freedesktop.Application (the freedesktop "D-Bus activation" interface) on the
/// profile's name, so a second launch (or a desktop shell) can raise the running window.
class ApplicationAdaptor : public QDBusAbstractAdaptor
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Application")

public:
    explicit ApplicationAdaptor(SingleInstance *owner) : QDBusAbstractAdaptor(owner), m_owner(owner) {}

public Q_SLOTS:
    void Activate(const QVariantMap &platformData) { m_owner->activate(platformData); }

private:
    SingleInstance *m_owner;
};

SingleInstance::SingleInstance(QString serviceName, QString lockFilePath, QObject *parent)
    : QObject(parent)
    , m_serviceName(std::move(serviceName))
    , m_lockFilePath(std::move(lockFilePath))
{
    new ApplicationAdaptor(this);
}

SingleInstance::~SingleInstance()
{
    if (m_ownsName)
        QDBusConnection::sessionBus().unregisterService(m_serviceName);
}

Result<SingleInstance::Role> SingleInstance::claim()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        qCWarning(lcApp) << "No D-Bus session bus:" << bus.lastError().message()
                         << "- a second launch of this profile cannot raise this window.";
        return claimWithLockFile();
    }

    // Export the object first, so an Activate call can arrive as soon as the name is ours.
    const QString path = QString::fromLatin1(AppObjectPath);
    if (!bus.registerObject(path, this, QDBusConnection::ExportAdaptors)) {
        return Error(ErrorKind::Internal, QStringLiteral("Could not export %1 on the session bus.").arg(path),
                                                         bus.lastError().message());
    }

    const auto reply = bus.interface()->registerService(m_serviceName, QDBusConnectionInterface::DontQueueService,
                                                        QDBusConnectionInterface::DontAllowReplacement);
    if (!reply.isValid()) {
        return Error(ErrorKind::Internal, QStringLiteral("The session bus refused the name %1.").arg(m_serviceName),
                                                         reply.error().message());
    }
    if (reply.value() == QDBusConnectionInterface::ServiceRegistered) {
        m_ownsName = true;
        qCDebug(lcApp) << "Owning" << m_serviceName;
        return Role::Primary;
    }

    // Someone else owns the profile: ask it to come to the front.
    bus.unregisterObject(path);
    // Pass on the launcher's activation token so the window manager lets the window take focus.
    QVariantMap platformData;
    const std::pair<const char *, QString> tokens[] = {{"XDG_ACTIVATION_TOKEN", QStringLiteral("activation-token")},
                                                        {"DESKTOP_STARTUP_ID", QStringLiteral("desktop-startup-id")}};
    for (const auto &[variable, key] : tokens) {
        if (const QString token = qEnvironmentVariable(variable); !token.isEmpty())
            platformData.insert(key, token);
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(m_serviceName, path, ApplicationInterface, QStringLiteral("Activate"));
    call << platformData;
    const QDBusMessage answer = bus.call(call, QDBus::Block, ActivateTimeoutMs);
    if (answer.type() == QDBusMessage::ErrorMessage) {
        return Error(ErrorKind::Internal,
                     QStringLiteral("Confab is already running with this profile but did not respond. "
                                    "Close it (or end the process) and try again."),
                                    answer.errorName() + QLatin1String(": ") + answer.errorMessage());
    }
    qCInfo(lcApp) << "Confab is already running with this profile; asked it to show its window.";
    return Role::Secondary;
}

Result<SingleInstance::Role> SingleInstance::claimWithLockFile()
{
    m_lock = std::make_unique<QLockFile>(m_lockFilePath);
    m_lock->setStaleLockTime(0); // a lock whose process is gone is stale, however young
    if (m_lock->tryLock(0))
        return Role::Primary;
    if (m_lock->error() == QLockFile::LockFailedError) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("Confab is already running with this profile. Without a D-Bus session it "
                                    "cannot be brought to the front; switch to its window."));
    }
    return Error(ErrorKind::Storage, QStringLiteral("Could not create the lock file %1.").arg(m_lockFilePath));
}

void SingleInstance::activate(const QVariantMap &platformData)
{
    QString token = platformData.value(QStringLiteral("activation-token")).toString();
    if (token.isEmpty())
        token = platformData.value(QStringLiteral("desktop-startup-id")).toString();
    qCInfo(lcApp) << "Activated by another launch of this profile";
    Q_EMIT activationRequested(token);
}

} // namespace confab

#include "singleinstance.moc"
