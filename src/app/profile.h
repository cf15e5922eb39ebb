#pragma once

#include "core/result.h"

#include <QString>

namespace confab {

/// A named, fully isolated set of settings, data and cache (`--profile NAME`).
///
/// Every profile has its own directories under the XDG base directories, its own D-Bus name (so a
/// second launch of the same profile raises the running window) and, later, its own keychain
/// entries. The default profile is called "default".
class Profile
{
public:
    static constexpr auto DefaultName = "default";

    /// Validates `name` (letters, digits, '_' and '-', starting with a letter or digit, at most 64
    /// characters) and computes the profile's paths. Touches nothing on disk.
    [[nodiscard]] static Result<Profile> resolve(const QString &name);

    /// Creates the profile's directories, readable by the owner only.
    [[nodiscard]] Result<void> ensureDirectories() const;

    [[nodiscard]] const QString &name() const { return m_name; }
    [[nodiscard]] bool isDefault() const;
    [[nodiscard]] const QString &dataDir() const { return m_dataDir; }
    [[nodiscard]] const QString &configDir() const { return m_configDir; }
    [[nodiscard]] const QString &cacheDir() const { return m_cacheDir; }
    /// INI file for user interface state (window geometry, pane sizes) and preferences.
    [[nodiscard]] QString settingsFile() const;
    /// The well-known D-Bus name this profile's running instance owns.
    [[nodiscard]] QString dbusServiceName() const;

private:
    Profile() = default;

    QString m_name;
    QString m_dataDir;
    QString m_configDir;
    QString m_cacheDir;
};

} // namespace confab
