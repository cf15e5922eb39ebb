#include "app/notificationscontroller.h"

#include "app/appid.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/qmlsingleton.h"
#include "notify/desktopnotifications.h"
#include "notify/messagenotifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QGuiApplication>
#include <QSettings>

namespace confab {

namespace {

QPointer<NotificationsController> s_instance;

constexpr auto EnabledKey = "Notifications/enabled";
constexpr auto DoNotDisturbKey = "Notifications/doNotDisturb";
constexpr auto ShowTextKey = "Notifications/showText";
constexpr auto CloseToTrayKey = "Window/closeToTray";
/// Where tray icons register (freedesktop StatusNotifierItem; KDE, GNOME with the AppIndicator
/// extension, most panels).
constexpr auto TrayWatcher = "org.kde.StatusNotifierWatcher";

} // namespace

NotificationsController::NotificationsController(AppSession &session, ChatController &chat, QString settingsFile,
                                                 QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_chat(chat)
    , m_settingsFile(std::move(settingsFile))
{
    if (!m_settingsFile.isEmpty()) {
        const QSettings settings(m_settingsFile, QSettings::IniFormat);
        m_enabled = settings.value(QLatin1String(EnabledKey), true).toBool();
        m_doNotDisturb = settings.value(QLatin1String(DoNotDisturbKey), false).toBool();
        m_showText = settings.value(QLatin1String(ShowTextKey), true).toBool();
        m_closeToTray = settings.value(QLatin1String(CloseToTrayKey), false).toBool();
    }
    m_windowActive = QGuiApplication::applicationState() == Qt::ApplicationActive;
    connect(qGuiApp, &QGuiApplication::applicationStateChanged, this, [this](Qt::ApplicationState state) {
        m_windowActive = state == Qt::ApplicationActive;
        updateFocus();
    });
    connect(&m_chat, &ChatController::focusedConversationChanged, this, &NotificationsController::updateFocus);
    connect(&m_session, &AppSession::storeReady, this, &NotificationsController::storeReady);
    watchForTray();
}

void NotificationsController::watchForTray()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return;
    const QString service = QString::fromLatin1(TrayWatcher);
    auto *watcher = new QDBusServiceWatcher(service, bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &owner) { setTrayAvailable(!owner.isEmpty()); });
    auto *asking =
        new QDBusPendingCallWatcher(bus.interface()->asyncCall(QStringLiteral("NameHasOwner"), service), this);
    connect(asking, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<bool> reply = *w;
        setTrayAvailable(!reply.isError() && reply.value());
    });
}

void NotificationsController::setTrayAvailable(bool available)
{
    if (available == m_trayAvailable)
        return;
    m_trayAvailable = available;
    Q_EMIT trayAvailableChanged();
}

NotificationsController::~NotificationsController() = default;

void NotificationsController::setInstance(NotificationsController *instance)
{
    s_instance = instance;
}

NotificationsController *NotificationsController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    Q_UNUSED(jsEngine)
    // Views loaded without the app (QML tests): preferences only, nothing is ever shown.
    return qmlSingleton(s_instance, [] {
        auto *session = new AppSession(AppSession::Config{});
        auto *chat = new ChatController(*session);
        auto *unattached = new NotificationsController(*session, *chat, QString());
        session->setParent(chat);
        chat->setParent(unattached);
        return unattached;
    });
}

void NotificationsController::storeReady()
{
    store::Store *store = m_session.store();
    if (!store)
        return;
    m_notifier.reset();
    if (!m_desktop) {
        m_desktop = std::make_unique<notify::DesktopNotifications>(QGuiApplication::applicationDisplayName(),
                                                                   QString::fromLatin1(AppId));
        connect(m_desktop.get(), &notify::DesktopNotifications::availableChanged, this,
                &NotificationsController::serviceAvailableChanged);
    }
    m_notifier = std::make_unique<notify::MessageNotifier>(*store, *m_desktop);
    m_notifier->setEnabled(m_enabled);
    m_notifier->setDoNotDisturb(m_doNotDisturb);
    m_notifier->setShowText(m_showText);
    m_notifier->setAvatarLookup(m_avatars);
    updateFocus();
    connect(m_notifier.get(), &notify::MessageNotifier::openRequested, this,
            &NotificationsController::conversationRequested);
    connect(m_notifier.get(), &notify::MessageNotifier::markReadRequested, &m_chat, &ChatController::markRead);
    connect(m_notifier.get(), &notify::MessageNotifier::replyRequested, this,
            [this](qint64 conversationId, const QString &text) {
                // Answering is reading: the conversation is marked read as the reply goes out.
                m_chat.send(conversationId, text, 0);
                m_chat.markRead(conversationId);
            });
}

void NotificationsController::setAvatarLookup(std::function<QImage(const QString &url)> lookup)
{
    m_avatars = std::move(lookup);
    if (m_notifier)
        m_notifier->setAvatarLookup(m_avatars);
}

void NotificationsController::updateFocus()
{
    if (m_notifier)
        m_notifier->setFocus(m_chat.focusedConversation(), m_windowActive);
}

bool NotificationsController::serviceAvailable() const
{
    return m_desktop && m_desktop->available();
}

void NotificationsController::save(const char *key, bool value) const
{
    if (m_settingsFile.isEmpty())
        return;
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    settings.setValue(QLatin1String(key), value);
}

void NotificationsController::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    save(EnabledKey, enabled);
    if (m_notifier)
        m_notifier->setEnabled(enabled);
    Q_EMIT preferencesChanged();
}

void NotificationsController::setDoNotDisturb(bool on)
{
    if (on == m_doNotDisturb)
        return;
    m_doNotDisturb = on;
    save(DoNotDisturbKey, on);
    if (m_notifier)
        m_notifier->setDoNotDisturb(on);
    Q_EMIT preferencesChanged();
}

void NotificationsController::setShowText(bool show)
{
    if (show == m_showText)
        return;
    m_showText = show;
    save(ShowTextKey, show);
    if (m_notifier)
        m_notifier->setShowText(show);
    Q_EMIT preferencesChanged();
}

void NotificationsController::setCloseToTray(bool on)
{
    if (on == m_closeToTray)
        return;
    m_closeToTray = on;
    save(CloseToTrayKey, on);
    Q_EMIT preferencesChanged();
}

} // namespace confab
