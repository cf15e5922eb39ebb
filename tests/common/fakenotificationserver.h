#pragma once

// A stand-in for the desktop's notification service (org.freedesktop.Notifications) on the
// test's own D-Bus session, on a connection of its own: records every call and can play the
// person (ActionInvoked, NotificationReplied, NotificationClosed).

#include <QDBusConnection>
#include <QDBusMessage>
#include <QObject>
#include <QStringList>
#include <QVariantMap>

class FakeNotificationServer : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        QString appName;
        uint replaces = 0;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
        uint id = 0;
    };

    explicit FakeNotificationServer(QStringList capabilities, const QString &connectionName = QStringLiteral("fake"));
    ~FakeNotificationServer() override;

    /// Takes the service name; false if the bus refused.
    bool start();
    void stop();

    QList<Call> notified;
    QList<uint> closedByApp;

    /// The keys of a Notify call's actions (key, label, key, label, ...).
    static QStringList actionKeys(const QStringList &actions)
    {
        QStringList keys;
        for (qsizetype i = 0; i + 1 < actions.size(); i += 2)
            keys << actions.at(i);
        return keys;
    }

    void invokeAction(uint id, const QString &key);
    void reply(uint id, const QString &text);
    void dismiss(uint id);

public slots:
    QStringList GetCapabilities();
    uint Notify(const QString &appName, uint replacesId, const QString &appIcon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints, int expireTimeout);
    void CloseNotification(uint id);
    QString GetServerInformation(QString &vendor, QString &version, QString &specVersion);

private:
    void emitSignal(const QString &name, const QVariantList &arguments);

    QStringList m_capabilities;
    QString m_connectionName;
    QDBusConnection m_bus;
    uint m_next = 1;
};
