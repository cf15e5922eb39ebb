#include "app/appid.h"
#include "app/commandline.h"
#include "app/profile.h"
#include "secrets/keychainsecretstore.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;

class TestCommandLine : public QObject
{
    Q_OBJECT

private:
    static Result<LaunchOptions> parse(const QStringList &arguments)
    {
        QCommandLineParser parser;
        CommandLine::configure(parser);
        if (!parser.parse(QStringList{QStringLiteral("confab")} + arguments))
            return Error(ErrorKind::InvalidInput, parser.errorText());
        return CommandLine::read(parser);
    }

private Q_SLOTS:
    void defaults()
    {
        const auto options = parse({});
        QVERIFY(options.ok());
        QCOMPARE(options.value().profile, QStringLiteral("default"));
        QVERIFY(options.value().server.isEmpty());
        QVERIFY(options.value().screenshotPath.isEmpty());
    }

    void profileAndServer()
    {
        const auto options = parse({QStringLiteral("--profile"),
            QStringLiteral("work"), QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:8080/")});
        QVERIFY(options.ok());
        QCOMPARE(options.value().profile, QStringLiteral("work"));
        QCOMPARE(options.value().server, QUrl(QStringLiteral("http://127.0.0.1:8080")));
    }

    void signInAsOnlyOnThisComputer()
    {
        const auto local =
            parse({QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:8080"),
                                                              QStringLiteral("--sign-in-as"), QStringLiteral("sam")});
        QVERIFY(local.ok());
        QCOMPARE(local.value().signInAs, QStringLiteral("sam"));
        // Never without the browser against X or any other remote server.
        const auto real = parse({QStringLiteral("--sign-in-as"), QStringLiteral("sam")});
        QVERIFY(real.hasError());
        QVERIFY(real.error().message().contains(QLatin1String("--server on this computer")));
        const auto remote =
            parse({QStringLiteral("--server"), QStringLiteral("https://api.x.com"),
                                                              QStringLiteral("--sign-in-as"), QStringLiteral("sam")});
        QVERIFY(remote.hasError());
    }

    void positionalArgumentsAreRejected()
    {
        const auto options = parse({QStringLiteral("stray")});
        QVERIFY(options.hasError());
        QVERIFY(options.error().message().contains(QLatin1String("stray")));
    }

    void serverUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("loopback v4") << "http://127.0.0.1:8080" << true;
        QTest::newRow("loopback v4 other") << "http://127.0.0.53:1" << true;
        QTest::newRow("loopback v6") << "http://[::1]:9000" << true;
        QTest::newRow("localhost") << "http://localhost:9000" << true;
        QTest::newRow("https anywhere") << "https://api.x.com" << true;
        QTest::newRow("plain http remote") << "http://example.com" << false;
        QTest::newRow("plain http lan") << "http://192.168.1.5:8080" << false;
        QTest::newRow("other scheme") << "ftp://127.0.0.1" << false;
        QTest::newRow("relative") << "127.0.0.1:8080" << false;
        QTest::newRow("no host") << "http://" << false;
        QTest::newRow("garbage") << "ht tp://%%" << false;
    }

    void serverUrl()
    {
        QFETCH(QString, url);
        QFETCH(bool, accepted);
        const auto result = CommandLine::validateServerUrl(url);
        QCOMPARE(result.ok(), accepted);
        if (!accepted)
            QVERIFY2(result.error().message().contains(QLatin1String("--server")),
                     qPrintable(result.error().message()));
    }

    void informationOnly()
    {
        const QString app = QStringLiteral("confab");
        QVERIFY(CommandLine::wantsInformationOnly({app, QStringLiteral("--help")}));
        QVERIFY(CommandLine::wantsInformationOnly(
            {app, QStringLiteral("--profile"), QStringLiteral("x"), QStringLiteral("-v")}));
        QVERIFY(!CommandLine::wantsInformationOnly({app, QStringLiteral("--profile"), QStringLiteral("x")}));
        QVERIFY(!CommandLine::wantsInformationOnly({app, QStringLiteral("--"), QStringLiteral("--help")}));
    }

    void profileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("default") << "default" << true;
        QTest::newRow("dashes") << "work-2" << true;
        QTest::newRow("underscore") << "a_b" << true;
        QTest::newRow("digit first") << "2nd" << true;
        QTest::newRow("64 chars") << QString(64, QLatin1Char('a')) << true;
        QTest::newRow("65 chars") << QString(65, QLatin1Char('a')) << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("traversal") << "../evil" << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("hidden") << ".hidden" << false;
        QTest::newRow("dash first") << "-x" << false;
        QTest::newRow("space") << "my profile" << false;
        QTest::newRow("dot") << "a.b" << false;
    }

    void profileNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(Profile::resolve(name).ok(), valid);
    }

    void profilesAreIsolated()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        qputenv("XDG_DATA_HOME", (home.path() + QLatin1String("/data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", (home.path() + QLatin1String("/config")).toUtf8());
        qputenv("XDG_CACHE_HOME", (home.path() + QLatin1String("/cache")).toUtf8());

        const auto work = Profile::resolve(QStringLiteral("work"));
        const auto home2 = Profile::resolve(QStringLiteral("home"));
        const auto standard = Profile::resolve(QStringLiteral("default"));
        QVERIFY(work.ok() && home2.ok() && standard.ok());

        QCOMPARE(work.value().dataDir(), home.path() + QLatin1String("/data/confab/profiles/work"));
        QCOMPARE(work.value().configDir(), home.path() + QLatin1String("/config/confab/profiles/work"));
        QCOMPARE(work.value().cacheDir(), home.path() + QLatin1String("/cache/confab/profiles/work"));
        QVERIFY(work.value().settingsFile().startsWith(work.value().configDir()));
        QVERIFY(work.value().dataDir() != home2.value().dataDir());
        QVERIFY(work.value().settingsFile() != home2.value().settingsFile());

        QCOMPARE(standard.value().dbusServiceName(), QStringLiteral("im.confab.Confab"));
        QCOMPARE(work.value().dbusServiceName(), QStringLiteral("im.confab.Confab.Profile_work"));
        QVERIFY(!QFileInfo::exists(work.value().dataDir())); // resolve touches nothing

        // Each profile has its own keychain entries (the service name the app's secrets use).
        auto service = [](const Profile &p) {
            return secrets::KeychainSecretStore::serviceNameFor(QString::fromLatin1(AppId), p.name(), p.isDefault());
        };
        QCOMPARE(service(standard.value()), QString::fromLatin1(AppId));
        QVERIFY(service(work.value()) != service(home2.value()));
        QVERIFY(service(work.value()) != service(standard.value()));
        QVERIFY(service(work.value()).contains(QLatin1String("work")));

        QVERIFY(work.value().ensureDirectories().ok());
        for (const QString &dir : {work.value().dataDir(), work.value().configDir(), work.value().cacheDir()}) {
            const QFileInfo info(dir);
            QVERIFY2(info.isDir(), qPrintable(dir));
            QCOMPARE(info.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                     QFile::Permissions());
        }
    }

    void unwritableProfileFolderIsAClearError()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QFile blocker(home.path() + QLatin1String("/data"));
        QVERIFY(blocker.open(QIODevice::WriteOnly)); // a file where the data folder should go
        blocker.close();
        qputenv("XDG_DATA_HOME", blocker.fileName().toUtf8());
        const auto profile = Profile::resolve(QStringLiteral("blocked"));
        QVERIFY(profile.ok());
        const auto made = profile.value().ensureDirectories();
        QVERIFY(made.hasError());
        QCOMPARE(made.error().kind(), ErrorKind::Storage);
        QVERIFY(made.error().message().contains(QLatin1String("profile folder")));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
