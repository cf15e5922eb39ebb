// The GUI smoke test: the real confab binary, started as a person would (but offscreen), with a
// fresh profile. It must show the two-pane window with the right title and palette.

#include "launcher.h"

#include <QColor>
#include <QImage>
#include <QSet>
#include <QTest>

class TestLaunch : public QObject
{
    Q_OBJECT

private:
    /// Distance between two colours, per channel at most.
    static int distance(QColor a, QColor b)
    {
        return std::max({std::abs(a.red() - b.red()), std::abs(a.green() - b.green()), std::abs(a.blue() - b.blue())});
    }

    static QImage screenshot(Launcher &launcher, const QStringList &arguments, const QString &name)
    {
        const QString path = QStringLiteral(CONFAB_BUILD_DIR "/tests/") + name;
        QFile::remove(path);
        const auto outcome = launcher.run(arguments + QStringList{QStringLiteral("--screenshot"), path});
        if (!outcome.finished || outcome.exitCode != 0) {
            qWarning("confab failed (exit %d): %s", outcome.exitCode, qPrintable(outcome.err));
            return {};
        }
        return QImage(path);
    }

private Q_SLOTS:
    void versionWorksWithoutADisplay()
    {
        Launcher launcher;
        launcher.environment().remove(QStringLiteral("QT_QPA_PLATFORM"));
        launcher.environment().remove(QStringLiteral("DISPLAY"));
        launcher.environment().remove(QStringLiteral("WAYLAND_DISPLAY"));
        const auto outcome = launcher.run({QStringLiteral("--version")});
        QVERIFY(outcome.finished);
        QCOMPARE(outcome.exitCode, 0);
        QCOMPARE(outcome.out.trimmed(), QStringLiteral("confab 0.1.0"));
    }

    void helpListsTheOptions()
    {
        Launcher launcher;
        launcher.environment().remove(QStringLiteral("DISPLAY"));
        const auto outcome = launcher.run({QStringLiteral("--help")});
        QCOMPARE(outcome.exitCode, 0);
        for (const char *option : {"--profile <name>", "--server <url>", "--version", "--help"})
            QVERIFY2(outcome.out.contains(QLatin1String(option)), option);
        QVERIFY2(!outcome.out.contains(QLatin1String("--screenshot")), "test-only option must stay hidden");
    }

    void badArgumentsAreExplained_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("explanation");
        QTest::newRow("bad profile") << QStringList{QStringLiteral("--profile"), QStringLiteral("../x")}
                                                                   << QStringLiteral("is not a valid profile name");
        QTest::newRow("unencrypted server")
            << QStringList{QStringLiteral("--server"), QStringLiteral("http://example.com")}
                                          << QStringLiteral("unencrypted");
        QTest::newRow("not a url") << QStringList{QStringLiteral("--server"), QStringLiteral("nonsense")}
                                                                 << QStringLiteral("--server needs an absolute");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")}
                                                       << QStringLiteral("Unknown option 'frobnicate'");
    }

    void badArgumentsAreExplained()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, explanation);
        Launcher launcher;
        const auto outcome = launcher.run(arguments);
        QVERIFY(outcome.finished);
        QVERIFY2(outcome.exitCode != 0, "a bad argument must not start the app");
        QVERIFY2(outcome.err.contains(explanation), qPrintable(outcome.err));
        QVERIFY2(!QFileInfo::exists(launcher.home() + QLatin1String("/data/confab/profiles/x")), "nothing created");
    }

    void showsTheTwoPaneWindow_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QColor>("sidebar");
        QTest::addColumn<QColor>("conversation");
        QTest::addColumn<QColor>("text");
        // Theme.qml's sidebar, window and text colours.
        QTest::newRow("light") << "light" << QColor(0xf3f4f6) << QColor(0xffffff) << QColor(0x1b1d21);
        QTest::newRow("dark") << "dark" << QColor(0x1d2025) << QColor(0x16181c) << QColor(0xe8eaed);
    }

    void showsTheTwoPaneWindow()
    {
        QFETCH(QString, scheme);
        QFETCH(QColor, sidebar);
        QFETCH(QColor, conversation);
        QFETCH(QColor, text);

        Launcher launcher;
        launcher.environment().insert(QStringLiteral("CONFAB_COLOR_SCHEME"), scheme);
        const QImage image = screenshot(launcher, {QStringLiteral("--profile"), QStringLiteral("smoke")},
                                                   QStringLiteral("smoke-%1.png").arg(scheme));
        QVERIFY2(!image.isNull(), "no screenshot was written");

        QCOMPARE(image.text(QStringLiteral("Title")), QStringLiteral("Confab — smoke"));
        QCOMPARE(image.size(), QSize(1100, 720));

        // Not blank: many colours (text is antialiased), and both panes in their palette colours.
        QSet<QRgb> colours;
        int textPixels = 0;
        for (int y = 0; y < image.height(); y += 2) {
            for (int x = 0; x < image.width(); x += 2) {
                const QColor pixel = image.pixelColor(x, y);
                colours.insert(pixel.rgb());
                if (distance(pixel, text) < 40)
                    ++textPixels;
            }
        }
        QVERIFY2(colours.size() > 50, qPrintable(QStringLiteral("only %1 colours").arg(colours.size())));
        QVERIFY2(textPixels > 100, "no text was drawn");
        QVERIFY2(distance(image.pixelColor(40, 200), sidebar) <= 2, "left pane is not the conversation list");
        QVERIFY2(distance(image.pixelColor(1000, 100), conversation) <= 2, "right pane is not the conversation");

        // The profile got its folders, private to the user.
        const QFileInfo data(launcher.home() + QLatin1String("/data/confab/profiles/smoke"));
        QVERIFY(data.isDir());
        QCOMPARE(data.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
    }

    void defaultProfileTitleIsPlain()
    {
        Launcher launcher;
        const QImage image = screenshot(launcher, {}, QStringLiteral("smoke-default.png"));
        QVERIFY(!image.isNull());
        QCOMPARE(image.text(QStringLiteral("Title")), QStringLiteral("Confab"));
    }
};

QTEST_GUILESS_MAIN(TestLaunch)
#include "tst_launch.moc"
