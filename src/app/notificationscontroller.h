#pragma once

#include <QImage>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QString>

#include <functional>
#include <memory>

namespace confab::notify {
class DesktopNotifications;
class MessageNotifier;
} // namespace confab::notify

namespace confab {

class AppSession;
class ChatController;

/// Desktop notifications for the window (QML: the `Notifications` singleton): the person's
/// preferences (saved in the profile's settings), what the notifier needs to know (the open
/// conversation, whether the window is active) and what a notification asks for (open a
/// conversation, answer it, mark it read) routed to the window and to `Chat`.
class NotificationsController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Notifications)
    QML_SINGLETON
    /// Notifications for new messages at all.
    Q_PROPERTY(bool enabled READ enabled WRITE setEnabled NOTIFY preferencesChanged)
    /// For now: no notifications (the unread count still shows).
    Q_PROPERTY(bool doNotDisturb READ doNotDisturb WRITE setDoNotDisturb NOTIFY preferencesChanged)
    /// The message text in the notification, or only who wrote.
    Q_PROPERTY(bool showText READ showText WRITE setShowText NOTIFY preferencesChanged)
    /// The window's close button hides it in the tray (where there is one) instead of quitting.
    Q_PROPERTY(bool closeToTray READ closeToTray WRITE setCloseToTray NOTIFY preferencesChanged)
    /// Whether the desktop has a notification service.
    Q_PROPERTY(bool serviceAvailable READ serviceAvailable NOTIFY serviceAvailableChanged)
    /// Whether the desktop has a tray (a StatusNotifierItem host, as Qt's tray icon needs).
    Q_PROPERTY(bool trayAvailable READ trayAvailable NOTIFY trayAvailableChanged)
public:
    NotificationsController(AppSession &session, ChatController &chat, QString settingsFile, QObject *parent = nullptr);
    ~NotificationsController() override;

    static void setInstance(NotificationsController *instance);
    static NotificationsController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    [[nodiscard]] bool enabled() const { return m_enabled; }
    void setEnabled(bool enabled);
    [[nodiscard]] bool doNotDisturb() const { return m_doNotDisturb; }
    void setDoNotDisturb(bool on);
    [[nodiscard]] bool showText() const { return m_showText; }
    void setShowText(bool show);
    [[nodiscard]] bool closeToTray() const { return m_closeToTray; }
    void setCloseToTray(bool on);
    [[nodiscard]] bool serviceAvailable() const;
    [[nodiscard]] bool trayAvailable() const { return m_trayAvailable; }

    [[nodiscard]] notify::MessageNotifier *notifier() const { return m_notifier.get(); }
    /// Where notifications find the sender's picture (pictures the window already has).
    void setAvatarLookup(std::function<QImage(const QString &url)> lookup);

signals:
    void preferencesChanged();
    void serviceAvailableChanged();
    void trayAvailableChanged();
    /// A notification was clicked: the window comes to the front with this conversation.
    void conversationRequested(qint64 conversationId);

private:
    void storeReady();
    void updateFocus();
    void watchForTray();
    void setTrayAvailable(bool available);
    void save(const char *key, bool value) const;

    AppSession &m_session;
    ChatController &m_chat;
    QString m_settingsFile;
    std::unique_ptr<notify::DesktopNotifications> m_desktop;
    std::unique_ptr<notify::MessageNotifier> m_notifier;
    bool m_enabled = true;
    bool m_doNotDisturb = false;
    bool m_showText = true;
    bool m_closeToTray = false;
    bool m_windowActive = false;
    bool m_trayAvailable = false;
    std::function<QImage(const QString &url)> m_avatars;
};

} // namespace confab
