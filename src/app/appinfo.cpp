#include "app/appinfo.h"

#include "app/appid.h"
#include "app/qmlsingleton.h"

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
    Q_UNUSED(jsEngine)
    return qmlSingleton(s_instance, [] { return new AppInfo(Facts{QStringLiteral("default"), true, {}, {}}); });
}

QString AppInfo::version() const
{
    return QString::fromLatin1(AppVersion);
}

} // namespace confab
