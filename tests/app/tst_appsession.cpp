// The opt-in for computers without a keychain, end to end through the app's session (run inside
// `with-keyring.sh --no-secret-service`): a session starts on memory and says why, the person
// chooses a passphrase file (a weak passphrase is refused), the signed-in account is carried into
// it; the next start asks for the passphrase (a wrong one is refused and nothing changes), and
// with the right one the account is back without a browser; "Not now" keeps the file and asks
// to sign in again.

#include "accounts/account.h"
#include "accounts/accountmanager.h"
#include "app/appsession.h"
#include "localserverprocess.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;

namespace {
constexpr int Timeout = 60'000;
const auto Passphrase = QStringLiteral("correct horse battery staple");
} // namespace

class AppSessionTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void optInToAPassphraseFile();
    void unlockAtTheNextStart();
    void notNowKeepsTheFile();

private:
    std::unique_ptr<AppSession> start(bool signIn)
    {
        AppSession::Config config;
        config.appId = QStringLiteral("im.confab.ConfabTest");
        config.profile = QStringLiteral("optin");
        config.defaultProfile = false;
        config.dataDir = m_dir.filePath(QStringLiteral("data"));
        config.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        config.settingsFile = m_dir.filePath(QStringLiteral("confab.conf"));
        config.server = m_server;
        if (signIn)
            config.signInAs = QStringLiteral("sam");
        config.keychainProbeMs = 5000;
        QDir().mkpath(config.dataDir);
        QDir().mkpath(config.cacheDir);
        auto session = std::make_unique<AppSession>(config);
        session->start();
        return session;
    }
    static accounts::Account::State stateOf(AppSession &session)
    {
        const auto all = session.accountManager()->accounts();
        return all.isEmpty() ? accounts::Account::State::Stopped : all.constFirst()->state();
    }

    confab::test::LocalServerProcess m_serverProcess;
    QUrl m_server;
    QTemporaryDir m_dir;
};

void AppSessionTest::initTestCase()
{
    m_server = m_serverProcess.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve")});
    QVERIFY2(!m_server.isEmpty(), m_serverProcess.log().constData());
}

void AppSessionTest::optInToAPassphraseFile()
{
    auto session = start(true);
    QTRY_VERIFY_WITH_TIMEOUT(session->isSettled(), Timeout);
    QCOMPARE(session->phase(), AppSession::Phase::Ready);
    QVERIFY(!session->secretsPersistent());
    QVERIFY(session->secretsProblem().contains(QLatin1String("No keychain is available")));
    QCOMPARE(session->accountCount(), 1);
    QCOMPARE(stateOf(*session), accounts::Account::State::Online);

    // Too short: refused, nothing written.
    QVERIFY(!session->passphraseProblem(QStringLiteral("short")).isEmpty());
    session->keepSecretsInFile(QStringLiteral("short"));
    QTRY_VERIFY(!session->isBusy());
    QVERIFY(!session->passphraseError().isEmpty());
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("data/secrets.sealed"))));

    session->keepSecretsInFile(Passphrase);
    QTRY_VERIFY_WITH_TIMEOUT(session->secretsPersistent(), Timeout);
    QVERIFY(session->secretsProblem().isEmpty());
    QVERIFY(session->passphraseError().isEmpty());
    QVERIFY(QFileInfo::exists(m_dir.filePath(QStringLiteral("data/secrets.sealed"))));
    QCOMPARE(QSettings(m_dir.filePath(QStringLiteral("confab.conf")), QSettings::IniFormat)
                           .value(QStringLiteral("Secrets/storage")).toString(), QStringLiteral("file"));
}

void AppSessionTest::unlockAtTheNextStart()
{
    auto session = start(false);
    QTRY_COMPARE(session->phase(), AppSession::Phase::Unlock);
    QVERIFY(session->isSettled()); // waiting for the person, not busy

    session->unlockSecretsFile(QStringLiteral("not the passphrase at all"));
    QTRY_VERIFY_WITH_TIMEOUT(!session->isBusy() && !session->passphraseError().isEmpty(), Timeout);
    QCOMPARE(session->phase(), AppSession::Phase::Unlock);

    session->unlockSecretsFile(Passphrase);
    QTRY_COMPARE_WITH_TIMEOUT(session->phase(), AppSession::Phase::Ready, Timeout);
    QVERIFY(session->secretsPersistent());
    // The account came back from the file: no browser, no new sign-in.
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*session), accounts::Account::State::Online, Timeout);
    QCOMPARE(session->accountCount(), 1);
}

void AppSessionTest::notNowKeepsTheFile()
{
    const QString file = m_dir.filePath(QStringLiteral("data/secrets.sealed"));
    QFile before(file);
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray sealed = before.readAll();
    before.close();

    auto session = start(false);
    QTRY_COMPARE(session->phase(), AppSession::Phase::Unlock);
    session->skipUnlock();
    QTRY_COMPARE_WITH_TIMEOUT(session->phase(), AppSession::Phase::Ready, Timeout);
    QVERIFY(!session->secretsPersistent());
    QVERIFY(!session->secretsProblem().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*session), accounts::Account::State::SignInRequired, Timeout);
    session.reset();

    QFile after(file);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), sealed);
}

QTEST_GUILESS_MAIN(AppSessionTest)
#include "tst_appsession.moc"
