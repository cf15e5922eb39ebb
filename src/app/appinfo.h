#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QString>

namespace confab {

/// Read-only facts about this run, for the views: version, profile, the server in use and where the
/// profile keeps its interface settings. Exposed to QML as the `AppInfo` singleton of Confab.App.
class AppInfo : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    /// Version of Confab, e.g. "0.1.0".
    Q_PROPERTY(QString version READ version CONSTANT)
    /// Name of the profile in use ("default" unless --profile was given).
    Q_PROPERTY(QString profile READ profile CONSTANT)
    /// True for the default profile; other profiles show their name in the window title.
    Q_PROPERTY(bool defaultProfile READ isDefaultProfile CONSTANT)
    /// The --server URL, or empty when talking to the services' real endpoints.
    Q_PROPERTY(QString server READ server CONSTANT)
    /// INI file for window geometry, pane sizes and preferences of this profile (empty: not saved).
    Q_PROPERTY(QString settingsFile READ settingsFile CONSTANT)

public:
    struct Facts
    {
        QString profile;
        bool defaultProfile = true;
        QString server;
        QString settingsFile;
    };

    explicit AppInfo(Facts facts, QObject *parent = nullptr);

    /// Makes `instance` the object QML sees. Call before the engine loads anything; the instance
    /// must outlive the engine. Without one, QML gets a default instance (no settings file).
    static void setInstance(AppInfo *instance);
    static AppInfo *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    [[nodiscard]] QString version() const;
    [[nodiscard]] const QString &profile() const { return m_facts.profile; }
    [[nodiscard]] bool isDefaultProfile() const { return m_facts.defaultProfile; }
    [[nodiscard]] const QString &server() const { return m_facts.server; }
    [[nodiscard]] const QString &settingsFile() const { return m_facts.settingsFile; }

private:
    Facts m_facts;
};

} // namespace confab
