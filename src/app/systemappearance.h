#pragma once

#include <QDBusVariant>
#include <QObject>
#include <QQmlEngine>

namespace confab {

/// Whether the views should be light or dark, following the system unless the user chose.
///
/// The system's choice comes from the XDG desktop portal's `org.freedesktop.appearance
/// color-scheme` setting (GNOME, KDE and others publish it there, and announce changes), and,
/// where no portal answers, from the lightness of the platform palette. `CONFAB_COLOR_SCHEME=light`
/// or `=dark` in the environment overrides both (handy for screenshots). Reading the portal is
/// asynchronous: the GUI thread never waits on it. Exposed to QML as the `SystemAppearance`
/// singleton of Confab.App.
class SystemAppearance : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    /// The user's choice: follow the system, or always light, or always dark.
    Q_PROPERTY(Preference preference READ preference WRITE setPreference NOTIFY preferenceChanged)
    /// True when the system asks for dark right now (false when it expresses no preference).
    Q_PROPERTY(bool systemDark READ isSystemDark NOTIFY systemDarkChanged)
    /// The result: true when the views should use their dark palette.
    Q_PROPERTY(bool dark READ isDark NOTIFY darkChanged)
    /// CONFAB_COLOR_SCHEME chose the preference for this run: a saved choice does not apply.
    Q_PROPERTY(bool forcedByEnvironment READ isForcedByEnvironment CONSTANT)

public:
    enum class Preference { FollowSystem, Light, Dark };
    Q_ENUM(Preference)

    explicit SystemAppearance(QObject *parent = nullptr);
    ~SystemAppearance() override;

    [[nodiscard]] Preference preference() const { return m_preference; }
    void setPreference(Preference preference);
    [[nodiscard]] bool isSystemDark() const { return m_systemDark; }
    [[nodiscard]] bool isDark() const;
    [[nodiscard]] bool isForcedByEnvironment() const { return m_forced; }

Q_SIGNALS:
    void preferenceChanged();
    void systemDarkChanged();
    void darkChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

public Q_SLOTS:
    /// Receives the portal's SettingChanged signal (QtDBus connects only to public slots).
    void onPortalSettingChanged(const QString &group, const QString &key, const QDBusVariant &value);

private:
    void readPortal();
    void applyPortalValue(const QVariant &value);
    void updateFromPalette();
    void setSystemDark(bool dark);

    Preference m_preference = Preference::FollowSystem;
    bool m_systemDark = false;
    bool m_forced = false;
    bool m_portalKnowsScheme = false; ///< the portal gave a definite light/dark answer
    bool m_listening = false;         ///< connected to the portal's SettingChanged signal
};

} // namespace confab
