// SystemAppearance follows the desktop's colour scheme as the XDG desktop portal publishes it, over
// a real session bus (dbus-run-session). The portal itself is played by a small D-Bus object on a
// second connection, because xdg-desktop-portal needs a whole desktop session behind it.

#include "app/systemappearance.h"

#include <QDBusAbstractAdaptor>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using confab::SystemAppearance;

namespace {
const auto PortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const auto PortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
} // namespace

/// org.freedesktop.portal.Settings with just the appearance colour scheme.
class FakePortal : public QObject
{
    Q_OBJECT

public:
    explicit FakePortal(uint scheme) : m_scheme(scheme) {}
    uint scheme() const { return m_scheme; }

    void change(QDBusConnection &connection, uint scheme)
    {
        m_scheme = scheme;
        QDBusMessage signal = QDBusMessage::createSignal(PortalPath, QStringLiteral("org.freedesktop.portal.Settings"),
                                                                                    QStringLiteral("SettingChanged"));
        signal << QStringLiteral("org.freedesktop.appearance")
                                 << QStringLiteral("color-scheme") << QVariant::fromValue(QDBusVariant(scheme));
        QVERIFY(connection.send(signal));
    }

private:
    uint m_scheme;
};

class FakePortalSettings : public QDBusAbstractAdaptor
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")

public:
    explicit FakePortalSettings(FakePortal *portal) : QDBusAbstractAdaptor(portal), m_portal(portal) {}

public Q_SLOTS:
    // Like xdg-desktop-portal before 1.15, Read returns the value wrapped in a second variant.
    QDBusVariant Read(const QString &group, const QString &key)
    {
        if (group != QLatin1String("org.freedesktop.appearance") || key != QLatin1String("color-scheme"))
            return QDBusVariant(QVariant::fromValue(QDBusVariant(0u)));
        return QDBusVariant(QVariant::fromValue(QDBusVariant(m_portal->scheme())));
    }

private:
    FakePortal *m_portal;
};

class TestSystemAppearance : public QObject
{
    Q_OBJECT

private:
    QDBusConnection m_portalBus = QDBusConnection(QStringLiteral("none"));
    std::unique_ptr<FakePortal> m_portal;

    void startPortal(uint scheme)
    {
        m_portalBus = QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("portal"));
        QVERIFY(m_portalBus.isConnected());
        m_portal = std::make_unique<FakePortal>(scheme);
        new FakePortalSettings(m_portal.get());
        QVERIFY(m_portalBus.registerObject(PortalPath, m_portal.get(), QDBusConnection::ExportAdaptors));
        QVERIFY(m_portalBus.registerService(PortalService));
    }

    void stopPortal()
    {
        if (!m_portal)
            return;
        m_portalBus.unregisterService(PortalService);
        m_portalBus.unregisterObject(PortalPath);
        m_portal.reset();
        QDBusConnection::disconnectFromBus(QStringLiteral("portal"));
    }

    static void setPaletteDark(bool dark)
    {
        QPalette palette = QGuiApplication::palette();
        palette.setColor(QPalette::Window, dark ? QColor(0x202020) : QColor(0xf0f0f0));
        QGuiApplication::setPalette(palette);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QDBusConnection::sessionBus().isConnected(), "run under dbus-run-session"); }
    void init() { setPaletteDark(false); }
    void cleanup() { stopPortal(); }

    void withoutAPortalThePaletteDecides()
    {
        SystemAppearance appearance;
        QVERIFY(!appearance.isDark());
        QSignalSpy darkChanged(&appearance, &SystemAppearance::darkChanged);
        setPaletteDark(true);
        QTRY_VERIFY(appearance.isDark());
        QCOMPARE(darkChanged.count(), 1);
        setPaletteDark(false);
        QTRY_VERIFY(!appearance.isDark());
        QCOMPARE(darkChanged.count(), 2);
    }

    void followsThePortal()
    {
        startPortal(1); // prefer dark
        SystemAppearance appearance;
        QTRY_VERIFY(appearance.isDark());
        QVERIFY(appearance.isSystemDark());

        QSignalSpy darkChanged(&appearance, &SystemAppearance::darkChanged);
        m_portal->change(m_portalBus, 2); // prefer light
        QTRY_VERIFY(!appearance.isDark());
        QCOMPARE(darkChanged.count(), 1);

        // A definite portal answer wins over the palette.
        setPaletteDark(true);
        QTest::qWait(50);
        QVERIFY(!appearance.isDark());

        // "No preference" hands the decision back to the palette.
        m_portal->change(m_portalBus, 0);
        QTRY_VERIFY(appearance.isDark());
    }

    void ignoresOtherSettingsAndGarbage()
    {
        startPortal(2);
        SystemAppearance appearance;
        QTest::qWait(100);
        QVERIFY(!appearance.isDark());
        QDBusMessage other = QDBusMessage::createSignal(PortalPath, QStringLiteral("org.freedesktop.portal.Settings"),
                                                                                   QStringLiteral("SettingChanged"));
        other << QStringLiteral("org.gnome.desktop.interface")
                                << QStringLiteral("color-scheme") << QVariant::fromValue(QDBusVariant(1u));
        QVERIFY(m_portalBus.send(other));
        QDBusMessage garbage = QDBusMessage::createSignal(PortalPath, QStringLiteral("org.freedesktop.portal.Settings"),
                                                                                     QStringLiteral("SettingChanged"));
        garbage << QStringLiteral("org.freedesktop.appearance")
                                  << QStringLiteral("color-scheme")
                                                    << QVariant::fromValue(QDBusVariant(QStringLiteral("dark please")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("unexpected color-scheme value")));
        QVERIFY(m_portalBus.send(garbage));
        QTest::qWait(200);
        QVERIFY(!appearance.isDark());
    }

    void theUsersChoiceWins()
    {
        startPortal(1);
        SystemAppearance appearance;
        QTRY_VERIFY(appearance.isDark());
        QSignalSpy darkChanged(&appearance, &SystemAppearance::darkChanged);
        QSignalSpy preferenceChanged(&appearance, &SystemAppearance::preferenceChanged);

        appearance.setPreference(SystemAppearance::Preference::Light);
        QVERIFY(!appearance.isDark());
        QVERIFY(appearance.isSystemDark());
        QCOMPARE(darkChanged.count(), 1);
        QCOMPARE(preferenceChanged.count(), 1);

        m_portal->change(m_portalBus, 2); // the system changes, but the choice still says light
        QTRY_VERIFY(!appearance.isSystemDark());
        QCOMPARE(darkChanged.count(), 1);

        appearance.setPreference(SystemAppearance::Preference::Dark);
        QVERIFY(appearance.isDark());
        appearance.setPreference(SystemAppearance::Preference::FollowSystem);
        QVERIFY(!appearance.isDark());
        QCOMPARE(darkChanged.count(), 3);
    }

    void environmentOverride()
    {
        qputenv("CONFAB_COLOR_SCHEME", "dark");
        {
            SystemAppearance appearance;
            QCOMPARE(appearance.preference(), SystemAppearance::Preference::Dark);
            QVERIFY(appearance.isDark());
        }
        qputenv("CONFAB_COLOR_SCHEME", "light");
        setPaletteDark(true);
        {
            SystemAppearance appearance;
            QCOMPARE(appearance.preference(), SystemAppearance::Preference::Light);
            QVERIFY(!appearance.isDark());
        }
        qunsetenv("CONFAB_COLOR_SCHEME");
    }
};

QTEST_MAIN(TestSystemAppearance)
#include "tst_systemappearance.moc"
