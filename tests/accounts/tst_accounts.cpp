// Accounts end to end: AccountManager against an in-process confab-localserver (auto-approved
// OAuth 2.0 PKCE sign-in through a browser played by the test), a real SQLite store and, in the
// keychain tests, a real gnome-keyring on a private D-Bus session (with-keyring.sh).
//
// - twoAccountsAndARestart: two X Chat accounts side by side in one store; after a restart both
//   come back from the keychain without a browser, on the same sealed database.
// - signOutWipes: sign-out revokes the sign-in at the server, wipes the keychain entries and the
//   cached conversations, and keeps a signed-out entry; remove() forgets it.
// - keyBackupToANewDevice: a key backup exported on one "machine" restores the same keys on a
//   fresh one, which reads what was sent before; a wrong passphrase fails before the browser.
// - withoutAKeychain: a session-only store signs in; after a restart the account asks to sign in
//   again and says why.
// - nothingSecretOnDisk: after signing in and sending, no token, private key, sealing key or
//   message text is anywhere in the profile's files (database, WAL, settings) or in what Confab
//   logged (debug output included), in either mode.

#include "accounts/accountmanager.h"
#include "accounts/secretnames.h"
#include "accounts/secretsealingkey.h"
#include "accounts/tokenentry.h"
#include "accounts/xchatsession.h"
#include "chatharness.h"
#include "secrets/keychainsecretstore.h"
#include "secrets/memorysecretstore.h"
#include "signinbrowser.h"
#include "store/outboxdispatcher.h"
#include "store/store.h"
#include "wait.h"

#include <QDirIterator>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace confab;
using namespace confab::accounts;
using confab::localserver::ServerOptions;
using confab::localserver::test::ChatUser;
using confab::localserver::test::devOptions;
using confab::localserver::test::Harness;
using confab::secrets::test::BrowserPage;
using confab::secrets::test::SignInBrowser;
using confab::test::take;
using confab::test::waitTask;

namespace {

const QString ClientId = QStringLiteral("confab-desktop");
constexpr int Timeout = 20000;

#define VERIFY_OK(expression)                                                                                          \
    do {                                                                                                               \
        const auto &verifyOk_ = (expression);                                                                          \
        QVERIFY2(verifyOk_.ok(), qPrintable(verifyOk_.ok() ? QString() : verifyOk_.error().toString()));               \
    } while (false)

/// The person's browser: follows the authorize page (auto-approved) back to Confab.
struct Browser
{
    int opened = 0;
    secrets::OAuthSignIn::UrlOpener opener()
    {
        return [this](const QUrl &url) {
            ++opened;
            QTimer::singleShot(0, [url] {
                SignInBrowser browser;
                const BrowserPage page = browser.get(url);
                if (page.status == 302)
                    browser.get(page.location());
            });
            return true;
        };
    }
};

/// A profile on disk: its settings file and store, the secrets and the accounts.
struct Profile
{
    QString dir;
    secrets::SecretStore *secrets = nullptr;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<store::OutboxDispatcher> dispatcher;
    std::unique_ptr<AccountManager> manager;

    Result<void> open(const QUrl &server, secrets::OAuthSignIn::UrlOpener opener)
    {
        store = std::make_unique<store::Store>();
        store::StoreOptions options;
        options.path = dir + QStringLiteral("/confab.db");
        options.housekeepingIntervalMs = 0;
        SecretSealingKey sealing(*secrets);
        auto opened = take(store->open(options, sealing));
        if (!opened)
            return opened.error();
        dispatcher = std::make_unique<store::OutboxDispatcher>(*store);
        AccountManager::Options o;
        o.settingsFile = dir + QStringLiteral("/settings.ini");
        o.xchat.baseUrl = server;
        o.xchat.activePollMs = 200;
        o.xchat.idlePollMs = 500;
        o.xchat.maxPollMs = 1000;
        o.openUrl = std::move(opener);
        manager = std::make_unique<AccountManager>(*secrets, *store, *dispatcher, o);
        return {};
    }

    void close()
    {
        manager.reset();
        dispatcher.reset();
        store.reset();
    }
};

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

/// Everything logged while a test runs (Qt's message handler), to scan for secrets.
QByteArray g_log;
QtMessageHandler g_previousHandler = nullptr;
void recordLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_log += message.toUtf8() + '\n';
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

} // namespace

class AccountsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        ServerOptions options = devOptions();
        options.autoApprove = true;
        m_harness = std::make_unique<Harness>(options);
        VERIFY_OK(m_harness->start());
        m_keychainWorks = take(m_probe.probe()).ok();
        QVERIFY2(m_keychainWorks, "this test runs inside with-keyring.sh (an unlocked gnome-keyring)");
    }

    void twoAccountsAndARestart();
    void signOutWipes();
    void keyBackupToANewDevice();
    void withoutAKeychain();
    void nothingSecretOnDisk_data();
    void nothingSecretOnDisk();

private:
    /// A keychain store for a new "machine" (its own service name).
    std::unique_ptr<secrets::KeychainSecretStore> newKeychain()
    {
        return std::make_unique<secrets::KeychainSecretStore>(
            QStringLiteral("im.confab.ConfabTest.accounts%1").arg(++m_machines));
    }
    ChatUser *newUser(const QString &name)
    {
        auto user =
            m_harness->addUser(QStringLiteral("%1%2").arg(name).arg(++m_users), localserver::test::allScopes(), false);
        return user ? user.value() : nullptr;
    }
    Result<Account *> signIn(Profile &p, ChatUser &user, QByteArray backup = {}, QString passphrase = {})
    {
        AccountManager::XChatSignIn request;
        request.server = m_harness->server().baseUrl();
        request.clientId = ClientId;
        request.signIn.loginHint = user.username;
        request.keyBackup = std::move(backup);
        request.keyBackupPassphrase = std::move(passphrase);
        return waitTask(p.manager->signInXChat(request), 60000);
    }

    std::unique_ptr<Harness> m_harness;
    secrets::KeychainSecretStore m_probe{QStringLiteral("im.confab.ConfabTest.probe")};
    bool m_keychainWorks = false;
    int m_machines = 0;
    int m_users = 0;
    QTemporaryDir m_root;
};

void AccountsTest::twoAccountsAndARestart()
{
    ChatUser *ada = newUser(QStringLiteral("ada"));
    ChatUser *bea = newUser(QStringLiteral("bea"));
    QVERIFY(ada && bea);
    auto keychain = newKeychain();
    Profile p{m_root.filePath(QStringLiteral("two")), keychain.get(), {}, {}, {}};
    QVERIFY(QDir().mkpath(p.dir));
    Browser browser;
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));

    auto a = signIn(p, *ada);
    VERIFY_OK(a);
    auto b = signIn(p, *bea);
    VERIFY_OK(b);
    QCOMPARE(browser.opened, 2);
    QCOMPARE(p.manager->accounts().size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(a.value()->state(), Account::State::Online, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(b.value()->state(), Account::State::Online, Timeout);
    QCOMPARE(a.value()->record().userId, ada->id);
    QCOMPARE(a.value()->record().username, ada->username);
    QVERIFY(a.value()->storeAccountId() != b.value()->storeAccountId());
    const QString keyA = a.value()->key();
    // The keychain holds each account's sign-in and device keys.
    for (const QString &name : a.value()->secretNames()) {
        auto entry = take(keychain->read(name));
        QVERIFY(entry.ok() && entry.value().has_value());
    }

    // A peer writes to both: both conversations land in the one store.
    ChatUser *cyd = newUser(QStringLiteral("cyd"));
    QVERIFY(cyd);
    VERIFY_OK(m_harness->registerKeys(*cyd));
    auto toAda = m_harness->startDirect(*cyd, *ada);
    auto toBea = m_harness->startDirect(*cyd, *bea);
    VERIFY_OK(toAda);
    VERIFY_OK(toBea);
    VERIFY_OK(m_harness->sendText(*cyd, toAda.value(), QStringLiteral("hello ada")));
    VERIFY_OK(m_harness->sendText(*cyd, toBea.value(), QStringLiteral("hello bea")));
    auto conversationsOf = [&p](qint64 accountId) -> qsizetype {
        auto all = take(p.store->conversations(accountId));
        return all ? all.value().size() : -1;
    };
    QTRY_COMPARE_WITH_TIMEOUT(conversationsOf(a.value()->storeAccountId()), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(conversationsOf(b.value()->storeAccountId()), 1, Timeout);

    // Restart: the same profile comes back from the keychain, without a browser, on the same
    // sealed database (the sealing key came back too).
    p.close();
    Browser none;
    VERIFY_OK(p.open(m_harness->server().baseUrl(), none.opener()));
    QVERIFY(waitTask(p.manager->restore(), 60000));
    QCOMPARE(p.manager->accounts().size(), 2);
    Account *back = p.manager->account(keyA);
    QVERIFY(back);
    QTRY_COMPARE_WITH_TIMEOUT(back->state(), Account::State::Online, Timeout);
    QCOMPARE(none.opened, 0);
    QCOMPARE(conversationsOf(back->storeAccountId()), 1);
    p.close();
}

void AccountsTest::signOutWipes()
{
    ChatUser *eve = newUser(QStringLiteral("eve"));
    QVERIFY(eve);
    auto keychain = newKeychain();
    Profile p{m_root.filePath(QStringLiteral("signout")), keychain.get(), {}, {}, {}};
    QVERIFY(QDir().mkpath(p.dir));
    Browser browser;
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));
    auto a = signIn(p, *eve);
    VERIFY_OK(a);
    QTRY_COMPARE_WITH_TIMEOUT(a.value()->state(), Account::State::Online, Timeout);
    auto *session = qobject_cast<XChatSession *>(a.value());
    QVERIFY(session);
    const secrets::OAuthTokens tokens = session->tokenProvider().tokens();
    const QString key = a.value()->key();
    const QStringList names = a.value()->secretNames();
    const qint64 storeId = a.value()->storeAccountId();
    QVERIFY(p.manager->signOutLosesKeys(key));

    QSignalSpy removed(p.manager.get(), &AccountManager::accountRemoved);
    VERIFY_OK(waitTask(p.manager->signOut(key)));
    QCOMPARE(removed.size(), 1);
    // Revoked at the server: the old tokens no longer work.
    const localserver::test::ApiClient api(m_harness->server().baseUrl(), tokens.accessToken);
    QCOMPARE(api.get(QStringLiteral("/2/users/me")).status, 401);
    // Nothing left in the keychain or the cache.
    for (const QString &name : names) {
        auto entry = take(keychain->read(name));
        QVERIFY(entry.ok());
        QVERIFY2(!entry.value().has_value(), qPrintable(name));
    }
    auto accounts = take(p.store->accounts());
    VERIFY_OK(accounts);
    for (const store::Account &sa : accounts.value())
        QVERIFY(sa.id != storeId);
    // Still listed, signed out; and so after a restart.
    Account *listed = p.manager->account(key);
    QVERIFY(listed);
    QCOMPARE(listed->state(), Account::State::SignedOut);
    QVERIFY(!p.manager->signOutLosesKeys(key));
    p.close();
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));
    QVERIFY(waitTask(p.manager->restore(), 60000));
    QVERIFY(p.manager->account(key));
    QCOMPARE(p.manager->account(key)->state(), Account::State::SignedOut);
    // Remove forgets it.
    VERIFY_OK(waitTask(p.manager->remove(key)));
    QVERIFY(!p.manager->account(key));
    p.close();
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));
    QVERIFY(waitTask(p.manager->restore(), 60000));
    QVERIFY(p.manager->accounts().isEmpty());
    p.close();
}

void AccountsTest::keyBackupToANewDevice()
{
    ChatUser *kim = newUser(QStringLiteral("kim"));
    ChatUser *lou = newUser(QStringLiteral("lou"));
    QVERIFY(kim && lou);
    VERIFY_OK(m_harness->registerKeys(*lou));
    const QString passphrase = QStringLiteral("correct horse battery staple");

    // Machine 1: sign in (keys made and registered), export a backup.
    auto keychain1 = newKeychain();
    Profile one{m_root.filePath(QStringLiteral("machine1")), keychain1.get(), {}, {}, {}};
    QVERIFY(QDir().mkpath(one.dir));
    Browser browser;
    VERIFY_OK(one.open(m_harness->server().baseUrl(), browser.opener()));
    auto first = signIn(one, *kim);
    VERIFY_OK(first);
    QTRY_COMPARE_WITH_TIMEOUT(first.value()->state(), Account::State::Online, Timeout);
    auto *session1 = qobject_cast<XChatSession *>(first.value());
    QVERIFY(session1);
    const QString version = session1->engine().keyVersion();
    const QString fingerprint = session1->engine().fingerprint();
    QVERIFY(one.manager->signOutLosesKeys(first.value()->key()));
    auto weak = waitTask(one.manager->exportKeyBackup(first.value()->key(), QStringLiteral("short")));
    QVERIFY(!weak.ok());
    QCOMPARE(weak.error().kind(), ErrorKind::InvalidInput);
    auto backup = waitTask(one.manager->exportKeyBackup(first.value()->key(), passphrase));
    VERIFY_OK(backup);
    QVERIFY(backup.value().startsWith("-----BEGIN CONFAB KEY BACKUP-----"));
    QVERIFY(!one.manager->signOutLosesKeys(first.value()->key()));

    // Lou writes to Kim while machine 2 does not exist yet.
    auto direct = m_harness->startDirect(*lou, *kim);
    VERIFY_OK(direct);
    VERIFY_OK(m_harness->sendText(*lou, direct.value(), QStringLiteral("written before the new device")));
    one.close();

    // Machine 2: a wrong passphrase fails before any browser opens.
    auto keychain2 = newKeychain();
    Profile two{m_root.filePath(QStringLiteral("machine2")), keychain2.get(), {}, {}, {}};
    QVERIFY(QDir().mkpath(two.dir));
    Browser browser2;
    VERIFY_OK(two.open(m_harness->server().baseUrl(), browser2.opener()));
    auto wrong = signIn(two, *kim, backup.value(), QStringLiteral("not the passphrase at all"));
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().kind(), ErrorKind::Crypto);
    QCOMPARE(browser2.opened, 0);
    // The right one restores the same keys: same version, same fingerprint, and the old message
    // decrypts.
    auto second = signIn(two, *kim, backup.value(), passphrase);
    VERIFY_OK(second);
    QTRY_COMPARE_WITH_TIMEOUT(second.value()->state(), Account::State::Online, Timeout);
    auto *session2 = qobject_cast<XChatSession *>(second.value());
    QVERIFY(session2);
    QCOMPARE(session2->engine().keyVersion(), version);
    QCOMPARE(session2->engine().fingerprint(), fingerprint);
    QVERIFY(!two.manager->signOutLosesKeys(second.value()->key()));
    const qint64 conv = session2->engine().conversationId(direct.value().id);
    QVERIFY(conv != 0);
    auto rows = take(two.store->newestMessages(conv, 10));
    VERIFY_OK(rows);
    QStringList texts;
    for (const store::Message &m : rows.value())
        texts << m.text;
    QVERIFY2(texts.contains(QStringLiteral("written before the new device")), qPrintable(texts.join(u'|')));
    two.close();
}

void AccountsTest::withoutAKeychain()
{
    ChatUser *max = newUser(QStringLiteral("max"));
    QVERIFY(max);
    auto memory = std::make_unique<secrets::MemorySecretStore>();
    Profile p{m_root.filePath(QStringLiteral("nokeychain")), memory.get(), {}, {}, {}};
    QVERIFY(QDir().mkpath(p.dir));
    Browser browser;
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));
    auto a = signIn(p, *max);
    VERIFY_OK(a);
    QTRY_COMPARE_WITH_TIMEOUT(a.value()->state(), Account::State::Online, Timeout);
    const QString key = a.value()->key();
    p.close();

    // The next run has a fresh memory: the account is listed and asks to sign in again, saying why.
    auto memory2 = std::make_unique<secrets::MemorySecretStore>();
    p.secrets = memory2.get();
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));
    QVERIFY(waitTask(p.manager->restore(), 60000));
    Account *back = p.manager->account(key);
    QVERIFY(back);
    QCOMPARE(back->state(), Account::State::SignInRequired);
    QVERIFY(back->lastProblem().has_value());
    QVERIFY2(back->lastProblem()->message().contains(QLatin1String("memory only")),
             qPrintable(back->lastProblem()->message()));
    p.close();
}

void AccountsTest::nothingSecretOnDisk_data()
{
    QTest::addColumn<bool>("keychain");
    QTest::newRow("keychain") << true;
    QTest::newRow("no keychain") << false;
}

void AccountsTest::nothingSecretOnDisk()
{
    QFETCH(bool, keychain);
    g_log.clear();
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=true"));
    g_previousHandler = qInstallMessageHandler(recordLog);
    const auto restoreLogging = qScopeGuard([] {
        qInstallMessageHandler(g_previousHandler);
        QLoggingCategory::setFilterRules(QString());
    });
    ChatUser *sam = newUser(QStringLiteral("sam"));
    ChatUser *tod = newUser(QStringLiteral("tod"));
    QVERIFY(sam && tod);
    VERIFY_OK(m_harness->registerKeys(*tod));
    std::unique_ptr<secrets::SecretStore> secretStore;
    if (keychain)
        secretStore = newKeychain();
    else
        secretStore = std::make_unique<secrets::MemorySecretStore>();
    const QString dir = m_root.filePath(keychain ? QStringLiteral("scan-keychain") : QStringLiteral("scan-memory"));
    Profile p{dir, secretStore.get(), {}, {}, {}};
    QVERIFY(QDir().mkpath(p.dir));
    Browser browser;
    VERIFY_OK(p.open(m_harness->server().baseUrl(), browser.opener()));
    auto a = signIn(p, *sam);
    VERIFY_OK(a);
    QTRY_COMPARE_WITH_TIMEOUT(a.value()->state(), Account::State::Online, Timeout);
    auto *session = qobject_cast<XChatSession *>(a.value());
    QVERIFY(session);

    // Talk both ways.
    const QString mine = QStringLiteral("my very private words %1").arg(keychain);
    const QString theirs = QStringLiteral("their very private words %1").arg(keychain);
    auto direct = m_harness->startDirect(*tod, *sam);
    VERIFY_OK(direct);
    VERIFY_OK(m_harness->sendText(*tod, direct.value(), theirs));
    QTRY_VERIFY_WITH_TIMEOUT(session->engine().conversationId(direct.value().id) != 0, Timeout);
    const qint64 conv = session->engine().conversationId(direct.value().id);
    auto sent = waitTask(session->engine().sendText(conv, mine));
    VERIFY_OK(sent);
    auto delivered = [&] {
        auto rows = take(p.store->newestMessages(conv, 10));
        if (!rows)
            return false;
        bool gotTheirs = false;
        bool sentMine = false;
        for (const store::Message &m : rows.value()) {
            gotTheirs = gotTheirs || m.text == theirs;
            sentMine = sentMine || (m.text == mine && m.delivery == store::DeliveryState::Sent);
        }
        return gotTheirs && sentMine;
    };
    QTRY_VERIFY_WITH_TIMEOUT(delivered(), Timeout);

    // What must never be on disk.
    const secrets::OAuthTokens tokens = session->tokenProvider().tokens();
    auto deviceKeys = take(secretStore->read(secretnames::xchatDeviceKeys(a.value()->record().userId)));
    auto sealing = take(secretStore->read(secretnames::sealingKey()));
    QVERIFY(deviceKeys.ok() && deviceKeys.value().has_value());
    QVERIFY(sealing.ok() && sealing.value().has_value());
    const QByteArray blob = deviceKeys.value()->view().last(64).toByteArray();
    QList<QPair<QString, QByteArray>> needles{
        {QStringLiteral("access token"), tokens.accessToken.toUtf8()},
         {QStringLiteral("refresh token"), tokens.refreshToken.toUtf8()},
          {QStringLiteral("identity private key"), blob.left(32)},
           {QStringLiteral("signing private key"), blob.right(32)},
            {QStringLiteral("identity private key (base64)"), blob.left(32).toBase64()},
             {QStringLiteral("sealing key"), sealing.value()->toByteArray()},
              {QStringLiteral("my message"), mine.toUtf8()},
               {QStringLiteral("their message"), theirs.toUtf8()},
                {QStringLiteral("my message (UTF-16)"),
                                QByteArray(reinterpret_cast<const char *>(mine.utf16()), mine.size() * 2)},
               };
    QVERIFY(!tokens.refreshToken.isEmpty());
    p.close(); // everything flushed: settings synced, WAL checkpointed or left as it is
    const auto files = filesUnder(dir);
    QVERIFY(files.size() >= 2); // the database and the settings at least
    for (const auto &[path, bytes] : files) {
        for (const auto &[what, needle] : needles)
            QVERIFY2(!bytes.contains(needle), qPrintable(QStringLiteral("%1 found in %2").arg(what, path)));
    }
    // Nor in what Confab logged meanwhile (debug output included).
    QVERIFY(g_log.size() > 1000);
    for (const auto &[what, needle] : needles)
        QVERIFY2(!g_log.contains(needle), qPrintable(QStringLiteral("%1 found in the log").arg(what)));
    qInfo() << "scanned" << files.size() << "files and" << g_log.size() << "bytes of log for" << needles.size()
            << "secrets";
}

QTEST_GUILESS_MAIN(AccountsTest)
#include "tst_accounts.moc"
