// A second launch of a running profile raises the first window instead of starting twice; other
// profiles run side by side. Runs on its own session bus (dbus-run-session).

#include "launcher.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QTest>

class TestSingleInstance : public QObject
{
    Q_OBJECT

private:
    static bool isOwned(const QString &name)
    {
        return QDBusConnection::sessionBus().interface()->isServiceRegistered(name).value();
    }

    /// Collects everything a process wrote to stderr so far into `log` and returns it.
    static const QString &collect(QProcess *process, QString &log)
    {
        log += QString::fromUtf8(process->readAllStandardError());
        return log;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QDBusConnection::sessionBus().isConnected(), "run under dbus-run-session"); }

    void secondLaunchRaisesTheFirst()
    {
        Launcher launcher;
        const QString name = QStringLiteral("im.confab.Confab.Profile_solo");
        QVERIFY(!isOwned(name));
        QProcess *first = launcher.start({QStringLiteral("--profile"), QStringLiteral("solo")});
        QTRY_VERIFY_WITH_TIMEOUT(isOwned(name), 30'000);

        launcher.environment().insert(QStringLiteral("XDG_ACTIVATION_TOKEN"), QStringLiteral("token-123"));
        const auto second = launcher.run({QStringLiteral("--profile"), QStringLiteral("solo")}, 30'000);
        QVERIFY(second.finished);
        QCOMPARE(second.exitCode, 0);
        QVERIFY2(second.err.contains(QLatin1String("already running")), qPrintable(second.err));

        QString log;
        QTRY_VERIFY_WITH_TIMEOUT(collect(first, log).contains(QLatin1String("Activated by another launch")), 10'000);
        QCOMPARE(first->state(), QProcess::Running);
        QVERIFY(isOwned(name));
    }

    void otherProfilesRunSideBySide()
    {
        Launcher launcher;
        QProcess *work = launcher.start({QStringLiteral("--profile"), QStringLiteral("work")});
        QProcess *home = launcher.start({QStringLiteral("--profile"), QStringLiteral("home")});
        QTRY_VERIFY_WITH_TIMEOUT(isOwned(QStringLiteral("im.confab.Confab.Profile_work")), 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(isOwned(QStringLiteral("im.confab.Confab.Profile_home")), 30'000);
        QCOMPARE(work->state(), QProcess::Running);
        QCOMPARE(home->state(), QProcess::Running);
    }

    void aCrashedInstanceDoesNotBlockTheProfile()
    {
        Launcher launcher;
        const QString name = QStringLiteral("im.confab.Confab.Profile_crashy");
        QProcess *first = launcher.start({QStringLiteral("--profile"), QStringLiteral("crashy")});
        QTRY_VERIFY_WITH_TIMEOUT(isOwned(name), 30'000);
        first->kill(); // SIGKILL: no chance to clean up
        QVERIFY(first->waitForFinished(10'000));
        QTRY_VERIFY_WITH_TIMEOUT(!isOwned(name), 10'000);

        QProcess *again = launcher.start({QStringLiteral("--profile"), QStringLiteral("crashy")});
        QTRY_VERIFY_WITH_TIMEOUT(isOwned(name), 30'000);
        QCOMPARE(again->state(), QProcess::Running);
    }

    void withoutABusALockFileKeepsTheProfileSingle()
    {
        Launcher launcher;
        launcher.environment().insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                                                     QStringLiteral("unix:path=/nonexistent/confab-test-bus"));
        QProcess *first = launcher.start({QStringLiteral("--profile"), QStringLiteral("nobus")});
        const QString lock = launcher.home() + QLatin1String("/data/confab/profiles/nobus/confab.lock");
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(lock), 30'000);

        const auto second = launcher.run({QStringLiteral("--profile"), QStringLiteral("nobus")}, 30'000);
        QVERIFY(second.finished);
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains(QLatin1String("already running")), qPrintable(second.err));
        QCOMPARE(first->state(), QProcess::Running);

        // After a crash the stale lock is taken over.
        first->kill();
        QVERIFY(first->waitForFinished(10'000));
        QProcess *again = launcher.start({QStringLiteral("--profile"), QStringLiteral("nobus")});
        QTest::qWait(3'000);
        QString log;
        QVERIFY2(again->state() == QProcess::Running, qPrintable(collect(again, log)));
    }
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
