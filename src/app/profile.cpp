#include "app/profile.h"

#include "app/appid.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>

namespace confab {

namespace {

QString profileRoot(QStandardPaths::StandardLocation location, const QString &name)
{
    return QStandardPaths::writableLocation(location) + QLatin1String("/confab/profiles/") + name;
}

} // namespace

Result<Profile> Profile::resolve(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"));
    if (!valid.match(name).hasMatch()) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("\"%1\" is not a valid profile name. Use up to 64 letters, digits, '_' or '-', "
                                    "starting with a letter or digit.")
                                        .arg(name));
    }
    Profile profile;
    profile.m_name = name;
    profile.m_dataDir = profileRoot(QStandardPaths::GenericDataLocation, name);
    profile.m_configDir = profileRoot(QStandardPaths::GenericConfigLocation, name);
    profile.m_cacheDir = profileRoot(QStandardPaths::GenericCacheLocation, name);
    return profile;
}

Result<void> Profile::ensureDirectories() const
{
    for (const QString &dir : {m_dataDir, m_configDir, m_cacheDir}) {
        if (!QDir().mkpath(dir)) {
            return Error(ErrorKind::Storage,
                         QStringLiteral("Could not create the profile folder %1. Check that the disk is not full "
                                        "and that you may write there.")
                                            .arg(dir));
        }
        // Owner only: the folders will hold the sealed cache and media of this profile.
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    return {};
}

bool Profile::isDefault() const
{
    return m_name == QLatin1String(DefaultName);
}

QString Profile::settingsFile() const
{
    return m_configDir + QLatin1String("/confab.conf");
}

QString Profile::dbusServiceName() const
{
    // D-Bus name elements allow [A-Za-z0-9_-] and must not start with a digit; the prefix sees to it.
    const QString base = QString::fromLatin1(AppId);
    return isDefault() ? base : base + QLatin1String(".Profile_") + m_name;
}

} // namespace confab
