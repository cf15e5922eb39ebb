// The real `confab` binary and its secrets, run the way a person runs it: signed in through the
// OAuth flow against confab-localserver with its demo peers, then quit by the session (SIGTERM)
// and started again. Runs three times from ctest (see CMakeLists.txt):
// - inside tests/secrets/with-keyring.sh (an unlocked gnome-keyring): the sign-in and keys come
//   back after a restart without a browser; the tokens, private keys and sealing key read from
//   the keychain appear in no file of the profile and not in the log;
// - inside `with-keyring.sh --no-secret-service` (a bus with no keychain) and
//   `with-keyring.sh --locked-keyring` (a keychain that reads but cannot store, with nobody to
//   unlock it): Confab starts, says what is wrong and how to fix it (log and banner), works for
//   the session, leaves no cache and no secret behind, and asks to sign in again next time.
// In both, the demo's message texts appear in no file while the app runs or after it quit.

#include "accounts/accountregistry.h"
#include "accounts/secretnames.h"
#include "accounts/tokenentry.h"
#include "app/appid.h"
#include "launcher.h"
#include "localserver/demo/demoscript.h"
#include "localserverprocess.h"
#include "secrets/keychainsecretstore.h"
#include "store/sealer.h"
#include "wait.h"

#include <QDirIterator>
#include <QImage>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace confab;
using confab::test::take;

namespace {

constexpr int Timeout = 90'000;
const auto ProfileName = QStringLiteral("appsecrets");

/// Every file under `dir`, whole.
QList<QPair<QString, QByteArray>> filesUnder(const QString &dir)
{
    QList<QPair<QString, QByteArray>> out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly))
            out.append({f.fileName(), f.readAll()});
    }
    return out;
}

/// Messages in a Confab database, read beside the running app; -1 while it cannot be read.
int messageRows(const QString &path)
{
    if (!QFileInfo::exists(path))
        return -1;
    int rows = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT count(*) FROM messages WHERE content_sealed IS NOT NULL")) && q.next())
                rows = q.value(0).toInt();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return rows;
}

/// How many of the database's sealed message contents open with `key` and hold one of `texts`:
/// the positive control for the scan (the texts are there, sealed).
int sealedTextsFound(const QString &path, const crypto::SecureBytes &key, const QStringList &texts)
{
    const store::Sealer sealer(key);
    int found = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("unseal"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
        if (db.open()) {
            QSqlQuery q(db);
            q.exec(QStringLiteral("SELECT content_sealed FROM messages WHERE content_sealed IS NOT NULL"));
            while (q.next()) {
                const Result<QByteArray> opened = sealer.open(q.value(0).toByteArray());
                if (!opened)
                    continue;
                for (const QString &text : texts) {
                    if (opened.value().contains(text.toUtf8())) {
                        ++found;
                        break;
                    }
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("unseal"));
    return found;
}

/// The demo's scripted texts the person at the keyboard receives (long enough not to turn up by
/// chance in binary data), and how many messages the scripts make.
struct DemoTexts
{
    QStringList texts;
    int messages = 0;
};

DemoTexts demoTexts()
{
    using localserver::demo::ScriptLine;
    std::vector<localserver::demo::ConversationScript> scripts{localserver::demo::groupHistory()};
    for (const auto &peer : localserver::demo::PeerPersonas)
        scripts.push_back(localserver::demo::directHistory(QString::fromLatin1(peer.username)));
    DemoTexts out;
    for (const auto &script : scripts) {
        for (const ScriptLine &line : script.lines) {
            if (line.kind == ScriptLine::Kind::Text || line.kind == ScriptLine::Kind::Reply ||
                line.kind == ScriptLine::Kind::Image)
                ++out.messages;
            const QString text = QString::fromUtf8(line.text);
            if (line.kind != ScriptLine::Kind::Scene && text.size() >= 16)
                out.texts.append(text);
        }
    }
    return out;
}

QByteArray utf16(const QString &text)
{
    return QByteArray(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
}

} // namespace

class AppSecretsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signInRunQuitAndComeBack();

private:
    QString dataDir(const Launcher &l) const
    {
        return l.home() + QStringLiteral("/data/confab/profiles/") + ProfileName;
    }
    QString cacheDir(const Launcher &l) const
    {
        return l.home() + QStringLiteral("/cache/confab/profiles/") + ProfileName;
    }
    QString settingsFile(const Launcher &l) const
    {
        return l.home() + QStringLiteral("/config/confab/profiles/") + ProfileName + QStringLiteral("/confab.conf");
    }
    QStringList arguments(const QStringList &more = {}) const
    {
        return QStringList{QStringLiteral("--profile"),    ProfileName,
                                          QStringLiteral("--server"),     m_server.toString(),
                                                         QStringLiteral("--sign-in-as"), QStringLiteral("sam")} + more;
    }
    /// The secrets the keychain holds for the profile, to look for on disk.
    QList<QPair<QString, QByteArray>> keychainNeedles(const Launcher &l);

    bool m_keychain = false;
    QByteArray m_expectedProblem; ///< what the log must say about the keychain (empty: nothing)
    confab::test::LocalServerProcess m_serverProcess;
    QUrl m_server;
};

void AppSecretsTest::initTestCase()
{
    const QByteArray mode = qgetenv("CONFAB_TEST_SECRETS");
    QVERIFY2(mode == "keychain" || mode == "none" || mode == "locked",
             "run by ctest: CONFAB_TEST_SECRETS=keychain|none|locked");
    m_keychain = mode == "keychain";
    // The keychain this run expects must really be there, really be missing, or answer reads
    // and refuse writes.
    secrets::KeychainSecretStore probe(QStringLiteral("im.confab.ConfabTest.appsecrets-probe"));
    QCOMPARE(take(probe.probe(5000)).ok(), mode != "none");
    m_expectedProblem = mode == "none"     ? QByteArray("No keychain is available. Install and start a Secret Service")
                        : mode == "locked" ? QByteArray("The keychain did not work: it may be locked or not running.")
                                           : QByteArray();

    m_server = m_serverProcess.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve")});
    QVERIFY2(!m_server.isEmpty(), m_serverProcess.log().constData());
}

QList<QPair<QString, QByteArray>> AppSecretsTest::keychainNeedles(const Launcher &l)
{
    QList<QPair<QString, QByteArray>> needles;
    const QList<accounts::AccountRecord> records = accounts::AccountRegistry(settingsFile(l)).load();
    if (records.size() != 1)
        return needles;
    secrets::KeychainSecretStore keychain(
        secrets::KeychainSecretStore::serviceNameFor(QString::fromLatin1(AppId), ProfileName, false));
    auto tokenEntry = take(keychain.read(accounts::secretnames::tokens(records.first().key)));
    auto deviceKeys = take(keychain.read(accounts::secretnames::xchatDeviceKeys(records.first().userId)));
    auto sealing = take(keychain.read(accounts::secretnames::sealingKey()));
    if (!tokenEntry.ok() || !tokenEntry.value() || !deviceKeys.ok() || !deviceKeys.value() || !sealing.ok() ||
        !sealing.value())
        return needles;
    auto tokens = accounts::decodeTokens(*tokenEntry.value());
    if (!tokens || tokens.value().refreshToken.isEmpty())
        return needles;
    const QByteArray blob = deviceKeys.value()->view().last(64).toByteArray();
    needles = {
        {QStringLiteral("access token"), tokens.value().accessToken.toUtf8()},
         {QStringLiteral("refresh token"), tokens.value().refreshToken.toUtf8()},
          {QStringLiteral("identity private key"), blob.left(32)},
           {QStringLiteral("signing private key"), blob.right(32)},
            {QStringLiteral("identity private key (base64)"), blob.left(32).toBase64()},
             {QStringLiteral("signing private key (base64)"), blob.right(32).toBase64()},
              {QStringLiteral("sealing key"), sealing.value()->toByteArray()},
               {QStringLiteral("sealing key (base64)"), sealing.value()->toByteArray().toBase64()},
              };
    return needles;
}

void AppSecretsTest::signInRunQuitAndComeBack()
{
    Launcher launcher;
    launcher.environment().insert(QStringLiteral("CONFAB_COLOR_SCHEME"), QStringLiteral("light"));
    const DemoTexts demo = demoTexts();
    QVERIFY(demo.texts.size() > 20);

    // 1. Confab signs sam in (browser flow, auto-approved) and the demo peers send their history.
    QProcess *app = launcher.start(arguments());
    QByteArray appLog;
    connect(app, &QProcess::readyReadStandardError, this, [&] { appLog += app->readAllStandardError(); });
    QTRY_VERIFY_WITH_TIMEOUT(m_serverProcess.log().contains("demo: seeded"), Timeout);
    const QString database = m_keychain ? dataDir(launcher) + QStringLiteral("/confab.db")
                                        : cacheDir(launcher) + QStringLiteral("/session.db");
    QTRY_VERIFY_WITH_TIMEOUT(messageRows(database) >= demo.messages, Timeout);
    QVERIFY2(app->state() == QProcess::Running, appLog.constData());

    // 2. While it runs: nothing secret and no message text in any file of the profile.
    QList<QPair<QString, QByteArray>> needles;
    if (m_keychain) {
        needles = keychainNeedles(launcher);
        QVERIFY2(needles.size() == 8, "the keychain holds the account's tokens, device keys and the sealing key");
        // The texts are in the database, sealed with the keychain's key: what the scan looks for
        // is really there to be found, in a form it must not find.
        const crypto::SecureBytes sealingKey(needles.at(6).second);
        const int unsealed = sealedTextsFound(database, sealingKey, demo.texts);
        qInfo() << unsealed << "sealed messages hold a demo text";
        QVERIFY(unsealed >= demo.texts.size() / 2);
    }
    for (const QString &text : demo.texts) {
        needles.append({QStringLiteral("message \"%1\"").arg(text), text.toUtf8()});
        needles.append({QStringLiteral("message \"%1\" (UTF-16)").arg(text), utf16(text)});
    }
    auto scan = [&](const QString &when) {
        const auto files = filesUnder(launcher.home());
        qInfo().noquote() << "scanning" << files.size() << "files and" << appLog.size() << "bytes of log for"
                          << needles.size() << "secrets and texts" << when;
        for (const auto &[path, bytes] : files) {
            for (const auto &[what, needle] : needles) {
                if (bytes.contains(needle))
                    return QStringLiteral("%1 found in %2 %3").arg(what, path, when);
            }
        }
        for (const auto &[what, needle] : needles) {
            if (appLog.contains(needle))
                return QStringLiteral("%1 found in the log %2").arg(what, when);
        }
        return QString();
    };
    const int rows = messageRows(database);
    qInfo() << "the app holds" << rows << "messages; the demo scripts make" << demo.messages;
    const QString whileRunning = scan(QStringLiteral("while Confab runs"));
    QVERIFY2(whileRunning.isEmpty(), qPrintable(whileRunning));

    // 3. The session ends (SIGTERM): Confab quits cleanly.
    app->terminate();
    QVERIFY(app->waitForFinished(20'000));
    appLog += app->readAllStandardError();
    QCOMPARE(app->exitStatus(), QProcess::NormalExit);
    QCOMPARE(app->exitCode(), 0);
    const QString afterQuit = scan(QStringLiteral("after Confab quit"));
    QVERIFY2(afterQuit.isEmpty(), qPrintable(afterQuit));
    QVERIFY(!QFileInfo::exists(dataDir(launcher) + QStringLiteral("/secrets.sealed")));

    if (m_keychain) {
        QVERIFY2(!appLog.contains("Secrets are kept for this session only"), appLog.constData());
        QVERIFY(messageRows(database) >= demo.messages);
    } else {
        QVERIFY2(appLog.contains(m_expectedProblem), appLog.constData());
        // The session's cache went with the session: its key was only in memory.
        for (const char *suffix : {"", "-wal", "-shm"})
            QVERIFY2(!QFileInfo::exists(database + QLatin1String(suffix)), suffix);
        QVERIFY(!QFileInfo::exists(dataDir(launcher) + QStringLiteral("/confab.db")));
    }

    // 4. The next start: with a keychain sam is back without a browser; without one, signed in
    //    again, and the window says why.
    const QString shot = QStringLiteral(CONFAB_BUILD_DIR "/tests/app/appsecrets-%1.png") .arg(
        m_keychain ? QStringLiteral("keychain") : QStringLiteral("no-keychain"));
    QFile::remove(shot);
    Launcher::Outcome again = launcher.run(arguments({QStringLiteral("--screenshot"), shot}), Timeout);
    QVERIFY2(again.finished && again.exitCode == 0, qPrintable(again.err));
    const bool signedInAgain = again.err.contains(QStringLiteral("sign-in: signed in"));
    QCOMPARE(signedInAgain, !m_keychain);
    if (!m_keychain)
        QVERIFY2(again.err.contains(QString::fromLatin1(m_expectedProblem)), qPrintable(again.err));
    QCOMPARE(again.err.contains(QStringLiteral("Secrets are kept for this session only")), !m_keychain);
    QCOMPARE(accounts::AccountRegistry(settingsFile(launcher)).load().size(), 1);

    QImage image(shot);
    QVERIFY(!image.isNull());
    // The banner is the top strip: Theme.warningBackground (light) when there is no keychain.
    const QColor top = image.pixelColor(image.width() / 2, 4);
    const bool banner = top == QColor(0xfff4d6);
    QVERIFY2(banner == !m_keychain, qPrintable(top.name()));
}

QTEST_GUILESS_MAIN(AppSecretsTest)
#include "tst_appsecrets.moc"
