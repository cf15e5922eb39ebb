#pragma once

#include <QDBusConnection>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

class QDBusServiceWatcher;

namespace confab::notify {

/// One notification as Confab wants it shown.
struct Notification
{
    QString summary;  ///< plain text: who (and where)
    QString body;     ///< plain text: escaped here when the server takes markup
    QImage image;     ///< the sender's picture (sent as `image-data`), or none
    QString category; ///< e.g. "im.received"
    /// (key, label) pairs; "default" is what a click on the notification does.
    QList<std::pair<QString, QString>> actions;
    /// Offer a text field to answer in, where the server has one (`inline-reply`).
    bool inlineReply = false;
    QString replyPlaceholder;
    uint replaces = 0; ///< the id of the notification this one replaces, 0 for a new one
};

/// The desktop's notification service (org.freedesktop.Notifications, Desktop Notifications
/// Specification 1.2, with KDE's inline reply), asynchronously: nothing here waits on D-Bus.
///
/// It asks the server's capabilities once it appears on the bus (and again when the service is
/// replaced), escapes bodies for servers that render markup, and reports the server's
/// ActionInvoked, NotificationReplied and NotificationClosed for the notifications it showed.
/// Without a notification service `available()` is false and show() reports an id of 0.
class DesktopNotifications : public QObject
{
    Q_OBJECT
public:
    static constexpr auto Service = "org.freedesktop.Notifications";
    static constexpr auto Path = "/org/freedesktop/Notifications";
    static constexpr auto Interface = "org.freedesktop.Notifications";

    /// `appName` and `desktopEntry` name the app to the server.
    explicit DesktopNotifications(QString appName, QString desktopEntry,
                                  QDBusConnection bus = QDBusConnection::sessionBus(), QObject *parent = nullptr);
    ~DesktopNotifications() override;

    /// Whether a notification service is on the bus (known once its capabilities came).
    [[nodiscard]] bool available() const { return m_available; }
    [[nodiscard]] bool hasCapability(const QString &capability) const { return m_capabilities.contains(capability); }

    /// Shows (or replaces) a notification; `shown` gets the server's id, 0 when it failed.
    void show(const Notification &notification, std::function<void(uint)> shown = {});
    /// Takes a notification of ours off the screen.
    void close(uint id);

    /// Escapes text for a server that renders the body as markup (`&`, `<`, `>`).
    [[nodiscard]] static QString escapeMarkup(const QString &text);

signals:
    void availableChanged();
    void actionInvoked(uint id, const QString &actionKey);
    void replied(uint id, const QString &text);
    /// `reason`: 1 expired, 2 dismissed by the person, 3 closed by a call, 4 other.
    void closed(uint id, uint reason);

private slots:
    void onActionInvoked(uint id, const QString &actionKey);
    void onNotificationReplied(uint id, const QString &text);
    void onNotificationClosed(uint id, uint reason);

private:
    void askCapabilities();

    QString m_appName;
    QString m_desktopEntry;
    QDBusConnection m_bus;
    QDBusServiceWatcher *m_watcher = nullptr;
    QSet<QString> m_capabilities;
    QSet<uint> m_ours; ///< ids the server gave our notifications
    bool m_available = false;
    quint64 m_generation = 0;
};

} // namespace confab::notify
