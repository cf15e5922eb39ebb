#include "app/appinfo.h"

#include "app/appid.h"

#include <QPointer>

#include <utility>

namespace confab {

namespace {
QPointer<AppInfo> s_instance;
} // namespace

AppInfo::AppInfo(Facts facts, QObject *parent) : QObject(parent), m_facts(std::move(facts)) {}

void AppInfo::setInstance(AppInfo *instance)
{
    s_instance = instance;
}

AppInfo *AppInfo::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    if (s_instance) {
        QJSEngine::setObjectOwnership(s_instance, QJSEngine::CppOwnership);
        return s_instance;
    }
    auto *fallback = new AppInfo(Facts{QStringLiteral("default"), true, {}, {}});
    QJSEngine::setObjectOwnership(fallback, QJSEngine::JavaScriptOwnership);
    Q_UNUSED(jsEngine)
    return fallback;
}

QString AppInfo::version() const
{
    return QString::fromLatin1(AppVersion);
}

} // namespace confab
