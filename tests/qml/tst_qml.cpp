// Runs the tst_*.qml files beside this file against the Confab QML modules, linked in statically
// exactly as the app links them.

#include "app/appinfo.h"

#include <QQmlEngine>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Confab_AppPlugin)
Q_IMPORT_QML_PLUGIN(ConfabPlugin)

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        m_appInfo = std::make_unique<confab::AppInfo>(confab::AppInfo::Facts{
            QStringLiteral("default"), true, {}, m_settings.filePath(QStringLiteral("confab.conf"))});
        confab::AppInfo::setInstance(m_appInfo.get());
    }

    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral("qrc:/qt/qml")); }

private:
    QTemporaryDir m_settings;
    std::unique_ptr<confab::AppInfo> m_appInfo;
};

QUICK_TEST_MAIN_WITH_SETUP(confab_qml, Setup)
#include "tst_qml.moc"
