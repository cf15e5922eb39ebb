#include "app/systemappearance.h"

#include "core/logging.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QEvent>
#include <QGuiApplication>
#include <QPalette>

namespace confab {

namespace {
const auto PortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const auto PortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const auto PortalSettings = QStringLiteral("org.freedesktop.portal.Settings");
const auto AppearanceGroup = QStringLiteral("org.freedesktop.appearance");
const auto ColorSchemeKey = QStringLiteral("color-scheme");

/// The portal's Read wraps the value in one or two variants depending on its version.
QVariant unwrap(QVariant value)
{
    for (int depth = 0; depth < 3; ++depth) {
        if (value.metaType() == QMetaType::fromType<QDBusVariant>())
            value = value.value<QDBusVariant>().variant();
        else if (value.metaType() == QMetaType::fromType<QDBusArgument>())
            value = qdbus_cast<QVariant>(value.value<QDBusArgument>());
        else
            break;
    }
    return value;
}
} // namespace

SystemAppearance::SystemAppearance(QObject *parent) : QObject(parent)
{
    const QString forced = qEnvironmentVariable("CONFAB_COLOR_SCHEME").toLower();
    if (forced == QLatin1String("dark")) {
        m_preference = Preference::Dark;
        m_forced = true;
    } else if (forced == QLatin1String("light")) {
        m_preference = Preference::Light;
        m_forced = true;
    } else if (!forced.isEmpty())
        qCWarning(lcUi) << "Ignoring CONFAB_COLOR_SCHEME=" << forced << "(use light or dark)";

    updateFromPalette();
    if (qApp)
        qApp->installEventFilter(this);
    readPortal();
}

SystemAppearance::~SystemAppearance()
{
    // Disconnect now: QtDBus forgets a destroyed receiver only later, and would take a new object
    // at the same address for the old one.
    if (m_listening) {
        QDBusConnection::sessionBus().disconnect(
            PortalService, PortalPath, PortalSettings,
            QStringLiteral("SettingChanged"), this, SLOT(onPortalSettingChanged(QString,QString,QDBusVariant)));
    }
}

void SystemAppearance::setPreference(Preference preference)
{
    if (preference == m_preference)
        return;
    const bool wasDark = isDark();
    m_preference = preference;
    Q_EMIT preferenceChanged();
    if (wasDark != isDark())
        Q_EMIT darkChanged();
}

bool SystemAppearance::isDark() const
{
    switch (m_preference) {
    case Preference::Light: return false;
    case Preference::Dark: return true;
    case Preference::FollowSystem: break;
    }
    return m_systemDark;
}

bool SystemAppearance::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange && !m_portalKnowsScheme)
        updateFromPalette();
    return QObject::eventFilter(watched, event);
}

void SystemAppearance::readPortal()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return;
    // QtDBus 6.4 resolves the slot by its signature, which needs QDBusVariant registered by name.
    qRegisterMetaType<QDBusVariant>();
    m_listening =
        bus.connect(PortalService, PortalPath, PortalSettings,
                    QStringLiteral("SettingChanged"), this, SLOT(onPortalSettingChanged(QString,QString,QDBusVariant)));
    if (!m_listening)
        qCWarning(lcUi) << "Cannot follow colour scheme changes of the desktop";

    QDBusMessage read =
        QDBusMessage::createMethodCall(PortalService, PortalPath, PortalSettings, QStringLiteral("Read"));
    read << AppearanceGroup << ColorSchemeKey;
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(read), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *call) {
        call->deleteLater();
        const QDBusPendingReply<QVariant> reply = *call;
        if (reply.isError()) {
            qCDebug(lcUi) << "No color scheme from the desktop portal:" << reply.error().message();
            return;
        }
        applyPortalValue(reply.value());
    });
}

void SystemAppearance::onPortalSettingChanged(const QString &group, const QString &key, const QDBusVariant &value)
{
    if (group == AppearanceGroup && key == ColorSchemeKey)
        applyPortalValue(value.variant());
}

void SystemAppearance::applyPortalValue(const QVariant &value)
{
    // org.freedesktop.appearance color-scheme: 0 no preference, 1 prefer dark, 2 prefer light.
    bool ok = false;
    const uint scheme = unwrap(value).toUInt(&ok);
    if (!ok) {
        qCWarning(lcUi) << "The desktop portal sent an unexpected color-scheme value" << value;
        return;
    }
    m_portalKnowsScheme = scheme == 1 || scheme == 2;
    if (m_portalKnowsScheme)
        setSystemDark(scheme == 1);
    else
        updateFromPalette();
}

void SystemAppearance::updateFromPalette()
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return;
    const QColor window = QGuiApplication::palette().color(QPalette::Window);
    setSystemDark(window.lightnessF() < 0.5f);
}

void SystemAppearance::setSystemDark(bool dark)
{
    if (dark == m_systemDark)
        return;
    const bool wasDark = isDark();
    m_systemDark = dark;
    qCDebug(lcUi) << "The system now asks for" << (dark ? "dark" : "light");
    Q_EMIT systemDarkChanged();
    if (wasDark != isDark())
        Q_EMIT darkChanged();
}

} // namespace confab
