#include "app/appsession.h"

#include "accounts/account.h"
#include "accounts/accountmanager.h"
#include "accounts/secretsealingkey.h"
#include "app/qmlsingleton.h"
#include "core/logging.h"
#include "core/worker.h"
#include "crypto/passphrasebox.h"
#include "models/accountsmodel.h"
#include "models/conversationfiltermodel.h"
#include "models/conversationlistmodel.h"
#include "net/cancellation.h"
#include "secrets/filesecretstore.h"
#include "secrets/keychainsecretstore.h"
#include "secrets/memorysecretstore.h"
#include "secrets/switchablesecretstore.h"
#include "store/outboxdispatcher.h"
#include "store/store.h"

#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>
#include <QSettings>
#include <qcoro/qcorofuture.h>

#include <utility>

namespace confab {

namespace {

QPointer<AppSession> s_instance;

constexpr auto StorageKey = "Secrets/storage";
constexpr auto StorageFile = "file";
/// The client id confab-localserver knows Confab by.
constexpr auto LocalServerClientId = "confab-desktop";

/// Reads a small file the person picked (a key backup) off the GUI thread.
QFuture<Result<QByteArray>> readSmallFile(const QString &path)
{
    return onWorker([path]() -> Result<QByteArray> {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Error(ErrorKind::Storage, QCoreApplication::translate("confab::AppSession", "Could not read %1: %2")
                                                 .arg(QFileInfo(path).fileName(), file.errorString()));
        constexpr qint64 Limit = 1024 * 1024; // a key backup is a few kilobytes
        if (file.size() > Limit)
            return Error(ErrorKind::InvalidInput,
                         QCoreApplication::translate("confab::AppSession", "%1 is too large to be a key backup.")
                             .arg(QFileInfo(path).fileName()));
        return file.readAll();
    });
}

/// Writes `bytes` to `path` atomically, readable by the owner only, off the GUI thread.
QFuture<Result<void>> writePrivateFile(const QString &path, const QByteArray &bytes)
{
    return onWorker([path, bytes]() -> Result<void> {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) ||
            !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
            file.write(bytes) != bytes.size() || !file.commit())
            return Error(ErrorKind::Storage, QCoreApplication::translate("confab::AppSession", "Could not save %1: %2")
                                                 .arg(QFileInfo(path).fileName(), file.errorString()));
        return {};
    });
}

} // namespace

AppSession::AppSession(Config config, QObject *parent) : QObject(parent), m_config(std::move(config)) {}

AppSession::~AppSession()
{
    *m_alive = false;
    if (auto *cancel = m_signInCancel.data())
        cancel->cancel();
    // Views' models go first; accounts stop before the dispatcher that sends for them and the
    // store they write to.
    m_conversationFilter.reset();
    m_conversationList.reset();
    m_accountsModel.reset();
    m_accounts.reset();
    m_dispatcher.reset();
    m_store.reset();
    if (m_sessionDatabase)
        removeSessionDatabase();
}

void AppSession::setInstance(AppSession *instance)
{
    s_instance = instance;
}

AppSession *AppSession::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    Q_UNUSED(jsEngine)
    // Views loaded without the app (QML tests): a session that never starts.
    return qmlSingleton(s_instance, [] { return new AppSession(Config{}); });
}

void AppSession::start()
{
    m_autoSignInPending = !m_config.signInAs.isEmpty();
    (void)startUp();
}

// ---- secrets and the store ------------------------------------------------------------------

QCoro::Task<void> AppSession::startUp()
{
    const std::shared_ptr<bool> alive = m_alive;
    if (m_config.ephemeral) {
        // Asked to keep nothing (scripts/run's demo): no keychain entries, no account list, no cache.
        m_secrets = std::make_unique<secrets::SwitchableSecretStore>(std::make_unique<secrets::MemorySecretStore>());
        Q_EMIT secretsChanged();
        co_await openWithSecrets(false);
        co_return;
    }
    if (optedInToFile()) {
        if (QFileInfo::exists(secretsFilePath())) {
            setPhase(Phase::Unlock); // the views ask for the passphrase
            co_return;
        }
        qCWarning(lcSecrets) << "the secrets file is gone; looking for the keychain instead";
        QSettings(m_config.settingsFile, QSettings::IniFormat).remove(QString::fromLatin1(StorageKey));
    }

    auto keychain = std::make_unique<secrets::KeychainSecretStore>(
        secrets::KeychainSecretStore::serviceNameFor(m_config.appId, m_config.profile, m_config.defaultProfile));
    QFuture<Result<void>> probing = keychain->probe(m_config.keychainProbeMs);
    const Result<void> probed = co_await probing;
    if (!*alive)
        co_return;
    if (probed) {
        m_secrets = std::make_unique<secrets::SwitchableSecretStore>(std::move(keychain));
        co_await openWithSecrets(true);
        co_return;
    }
    keepSecretsInMemory(probed.error());
    co_await openWithSecrets(false);
}

QCoro::Task<void> AppSession::openWithSecrets(bool persistentDatabase)
{
    const std::shared_ptr<bool> alive = m_alive;
    // With secrets for this session only, the cache's sealing key dies with the session too, so
    // the cache is a throwaway file in the cache folder instead of the profile's database.
    store::StoreOptions options;
    m_sessionDatabase = !persistentDatabase;
    if (m_sessionDatabase) {
        removeSessionDatabase(); // a previous session's, unreadable without its key
        options.path = sessionDatabasePath();
    } else {
        options.path = m_config.dataDir + QStringLiteral("/confab.db");
    }
    m_store = std::make_unique<store::Store>();
    accounts::SecretSealingKey sealing(*m_secrets);
    QFuture<Result<store::OpenReport>> opening = m_store->open(options, sealing);
    const Result<store::OpenReport> opened = co_await opening;
    if (!*alive)
        co_return;
    if (!opened && persistentDatabase && opened.error().kind() == ErrorKind::Keychain) {
        // The keychain answered the probe but refuses to store (locked, with nobody to unlock it;
        // no default collection): carry on as without a keychain.
        m_store.reset();
        keepSecretsInMemory(opened.error());
        co_await openWithSecrets(false);
        co_return;
    }
    if (!opened) {
        m_failure = tr("Confab could not open its message cache: %1").arg(opened.error().message());
        qCCritical(lcStore).noquote() << opened.error().toString();
        setPhase(Phase::Failed);
        co_return;
    }
    if (opened.value().recreated) {
        m_storeNotice = opened.value().reason;
        Q_EMIT storeNoticeChanged();
    }
    connect(m_store.get(), &store::Store::databaseRecreated, this, [this](const store::OpenReport &report) {
        m_storeNotice = report.reason;
        Q_EMIT storeNoticeChanged();
    });

    m_dispatcher = std::make_unique<store::OutboxDispatcher>(*m_store);
    accounts::AccountManager::Options managerOptions;
    managerOptions.settingsFile =
        m_config.ephemeral ? sessionDatabasePath() + QStringLiteral(".accounts") : m_config.settingsFile;
    managerOptions.xchat = m_config.xchat;
    managerOptions.openUrl = [this](const QUrl &url) { return openInBrowser(url); };
    m_accounts =
        std::make_unique<accounts::AccountManager>(*m_secrets, *m_store, *m_dispatcher, std::move(managerOptions));
    connect(m_accounts.get(), &accounts::AccountManager::accountAdded, this, [this](accounts::Account *account) {
        watch(account);
        Q_EMIT accountsChanged();
        updateSettled();
    });
    connect(m_accounts.get(), &accounts::AccountManager::accountRemoved, this, [this] {
        Q_EMIT accountsChanged();
        updateSettled();
    });
    for (accounts::Account *account : m_accounts->accounts())
        watch(account);
    m_accountsModel = std::make_unique<models::AccountsModel>(*m_accounts);
    m_conversationList = std::make_unique<models::ConversationListModel>(*m_store);
    m_conversationList->setBadgeLookup([this](qint64 accountId) { return badgeFor(accountId); });
    connect(m_accounts.get(), &accounts::AccountManager::accountAdded, m_conversationList.get(),
            [this] { m_conversationList->setBadgeLookup([this](qint64 id) { return badgeFor(id); }); });
    connect(m_accounts.get(), &accounts::AccountManager::accountRemoved, m_conversationList.get(),
            [this] { m_conversationList->setBadgeLookup([this](qint64 id) { return badgeFor(id); }); });
    connect(m_conversationList.get(), &models::ConversationListModel::unreadTotalChanged, this,
            &AppSession::unreadTotalChanged);
    m_conversationFilter = std::make_unique<models::ConversationFilterModel>();
    m_conversationFilter->setSourceModel(m_conversationList.get());
    Q_EMIT modelsChanged();
    Q_EMIT unreadTotalChanged();
    Q_EMIT storeReady();
    Q_EMIT accountsChanged();
    setPhase(Phase::Ready);

    co_await m_accounts->restore();
    if (!*alive)
        co_return;
    if (m_autoSignInPending) {
        bool have = false;
        for (accounts::Account *account : m_accounts->accounts()) {
            const auto state = account->state();
            if (account->record().username.compare(m_config.signInAs, Qt::CaseInsensitive) == 0 &&
                state != accounts::Account::State::SignedOut && state != accounts::Account::State::SignInRequired)
                have = true;
        }
        if (have) {
            m_autoSignInPending = false;
        } else {
            QCoro::Task<void> signingIn = runSignIn(QString(), m_config.signInAs, QUrl(), QString());
            co_await std::move(signingIn);
            if (!*alive)
                co_return;
            m_autoSignInPending = false;
        }
    }
    updateSettled();
}

void AppSession::keepSecretsInMemory(const Error &why)
{
    qCWarning(lcSecrets).noquote() << why.toString() << "Secrets are kept for this session only.";
    m_secretsProblem = tr("%1 Until then, Confab keeps your sign-in for this session only: you will sign in again "
                          "next time.")
                           .arg(why.message());
    m_secrets = std::make_unique<secrets::SwitchableSecretStore>(std::make_unique<secrets::MemorySecretStore>());
    Q_EMIT secretsChanged();
}

QString AppSession::passphraseProblem(const QString &passphrase) const
{
    const Result<void> checked = crypto::checkPassphrase(passphrase);
    return checked ? QString() : checked.error().message();
}

void AppSession::unlockSecretsFile(const QString &passphrase)
{
    if (m_phase != Phase::Unlock || m_busy)
        return;
    (void)unlock(passphrase);
}

QCoro::Task<void> AppSession::unlock(QString passphrase)
{
    const std::shared_ptr<bool> alive = m_alive;
    setBusy(true);
    auto opened = co_await secrets::FileSecretStore::open(secretsFilePath(), std::move(passphrase));
    if (!*alive)
        co_return;
    if (!opened) {
        setBusy(false, opened.error().message());
        co_return;
    }
    m_secrets = std::make_unique<secrets::SwitchableSecretStore>(std::move(opened.value()));
    setBusy(false);
    Q_EMIT secretsChanged();
    setPhase(Phase::Starting);
    co_await openWithSecrets(true);
}

void AppSession::skipUnlock()
{
    if (m_phase != Phase::Unlock || m_busy)
        return;
    m_secretsProblem = tr("The secrets file stays locked, so Confab keeps your sign-in for this session only.");
    m_secrets = std::make_unique<secrets::SwitchableSecretStore>(std::make_unique<secrets::MemorySecretStore>());
    Q_EMIT secretsChanged();
    setPhase(Phase::Starting);
    (void)openWithSecrets(false);
}

void AppSession::keepSecretsInFile(const QString &passphrase)
{
    if (m_phase != Phase::Ready || m_busy || !m_secrets || m_secrets->persistent() || m_config.ephemeral)
        return;
    (void)optIn(passphrase);
}

QCoro::Task<void> AppSession::optIn(QString passphrase)
{
    const std::shared_ptr<bool> alive = m_alive;
    if (const QString problem = passphraseProblem(passphrase); !problem.isEmpty()) {
        setBusy(false, problem);
        co_return;
    }
    setBusy(true);
    auto opened = co_await secrets::FileSecretStore::open(secretsFilePath(), std::move(passphrase));
    if (!*alive)
        co_return;
    if (!opened) {
        setBusy(false, opened.error().message());
        co_return;
    }
    const Result<void> moved = co_await m_secrets->moveTo(std::move(opened.value()));
    if (!*alive)
        co_return;
    if (!moved) {
        setBusy(false, moved.error().message());
        co_return;
    }
    QSettings settings(m_config.settingsFile, QSettings::IniFormat);
    settings.setValue(QString::fromLatin1(StorageKey), QString::fromLatin1(StorageFile));
    settings.sync();
    m_secretsProblem.clear();
    setBusy(false);
    Q_EMIT secretsChanged();
}

bool AppSession::secretsPersistent() const
{
    return m_secrets && m_secrets->persistent();
}

QString AppSession::secretsWhere() const
{
    return m_secrets ? m_secrets->description() : QString();
}

QString AppSession::secretsFilePath() const
{
    return m_config.dataDir + QStringLiteral("/secrets.sealed");
}

QString AppSession::sessionDatabasePath() const
{
    return m_config.cacheDir + QStringLiteral("/session.db");
}

bool AppSession::optedInToFile() const
{
    return QSettings(m_config.settingsFile, QSettings::IniFormat).value(QString::fromLatin1(StorageKey)).toString() ==
           QLatin1String(StorageFile);
}

void AppSession::removeSessionDatabase() const
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal", ".accounts"})
        QFile::remove(sessionDatabasePath() + QLatin1String(suffix));
}

store::Store *AppSession::store() const
{
    return m_store.get();
}

QAbstractItemModel *AppSession::accountsModel() const
{
    return m_accountsModel.get();
}

QAbstractItemModel *AppSession::conversationsModel() const
{
    return m_conversationFilter.get();
}

QAbstractItemModel *AppSession::newConversationFilter()
{
    if (!m_conversationList)
        return nullptr;
    auto *filter = new models::ConversationFilterModel; // no parent: QML owns it
    filter->setSourceModel(m_conversationList.get());
    return filter;
}

models::AccountBadge AppSession::badgeFor(qint64 accountId) const
{
    // With one account there is nothing to tell apart: no badge. With several, each account's
    // conversations carry its @handle and a colour of its own.
    if (!m_accounts)
        return {};
    const QList<accounts::Account *> all = m_accounts->accounts();
    if (all.size() < 2)
        return {};
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (all.at(i)->storeAccountId() == accountId)
            return {QLatin1Char('@') + all.at(i)->record().username, QString::number(i % 8)};
    }
    return {};
}

// ---- accounts -------------------------------------------------------------------------------

int AppSession::accountCount() const
{
    return m_accounts ? int(m_accounts->accounts().size()) : 0;
}

void AppSession::signIn(const QString &clientId, const QString &loginHint, const QUrl &keyBackupFile,
                        const QString &backupPassphrase)
{
    if (m_phase != Phase::Ready || m_signingIn)
        return;
    (void)runSignIn(clientId.trimmed(), loginHint.trimmed(), keyBackupFile, backupPassphrase);
}

void AppSession::signInAgain(const QString &accountKey)
{
    if (!m_accounts)
        return;
    if (accounts::Account *account = m_accounts->account(accountKey))
        signIn(account->record().clientId, account->record().username);
}

void AppSession::cancelSignIn()
{
    if (auto *cancel = m_signInCancel.data())
        cancel->cancel();
}

QCoro::Task<void> AppSession::runSignIn(QString clientId, QString loginHint, QUrl keyBackupFile,
                                        QString backupPassphrase)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::AccountManager::XChatSignIn request;
    if (hasCustomServer()) {
        request.server = m_config.server;
        request.clientId = QString::fromLatin1(LocalServerClientId);
    } else if (clientId.isEmpty()) {
        setSigningIn(false, tr("Enter the client id of your X app (developer.x.com, \"Keys and tokens\", "
                               "OAuth 2.0 Client ID) to sign in to X."));
        Q_EMIT signInFinished({}, m_signInError);
        co_return;
    } else {
        request.clientId = clientId;
    }
    request.signIn.loginHint = loginHint;
    request.signIn.keepWaitingWhenBrowserFails = true;
    auto *cancel = new net::Cancellation(this);
    m_signInCancel = cancel;
    request.signIn.cancellation = cancel;
    m_signInLink.clear();
    setSigningIn(true);

    if (!keyBackupFile.isEmpty()) {
        QFuture<Result<QByteArray>> reading = readSmallFile(keyBackupFile.toLocalFile());
        Result<QByteArray> backup = co_await reading;
        if (!*alive)
            co_return;
        if (!backup) {
            cancel->deleteLater();
            setSigningIn(false, backup.error().message());
            Q_EMIT signInFinished({}, m_signInError);
            co_return;
        }
        request.keyBackup = std::move(backup.value());
        request.keyBackupPassphrase = std::move(backupPassphrase);
    }

    Result<accounts::Account *> signedIn = co_await m_accounts->signInXChat(std::move(request));
    if (!*alive)
        co_return;
    cancel->deleteLater();
    if (!signedIn) {
        qCInfo(lcSecrets).noquote() << "sign-in failed:" << signedIn.error().toString();
        setSigningIn(false, signedIn.error().message());
        Q_EMIT signInFinished({}, m_signInError);
        co_return;
    }
    setSigningIn(false);
    Q_EMIT signInFinished(signedIn.value()->key(), {});
}

bool AppSession::openInBrowser(const QUrl &url)
{
    m_signInLink = url.toString(QUrl::FullyEncoded);
    Q_EMIT signInChanged();
    if (!m_config.signInAs.isEmpty() && hasCustomServer()) {
        // --sign-in-as: the local server approves on its own (auto-approve and login_hint), and
        // Confab follows its redirect back to its own loopback listener, like a browser would.
        if (!m_headlessBrowser) {
            m_headlessBrowser = std::make_unique<QNetworkAccessManager>();
            m_headlessBrowser->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
        }
        QNetworkReply *reply = m_headlessBrowser->get(QNetworkRequest(url));
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        return true;
    }
    return QDesktopServices::openUrl(url);
}

bool AppSession::signOutLosesKeys(const QString &accountKey) const
{
    return m_accounts && m_accounts->signOutLosesKeys(accountKey);
}

void AppSession::exportKeyBackup(const QString &accountKey, const QString &passphrase, const QUrl &file)
{
    if (!m_accounts)
        return;
    (void)runExport(accountKey, passphrase, file);
}

QCoro::Task<void> AppSession::runExport(QString accountKey, QString passphrase, QUrl file)
{
    const std::shared_ptr<bool> alive = m_alive;
    if (const QString problem = passphraseProblem(passphrase); !problem.isEmpty()) {
        Q_EMIT keyBackupFinished(accountKey, problem);
        co_return;
    }
    Result<QByteArray> backup = co_await m_accounts->exportKeyBackup(accountKey, std::move(passphrase));
    if (!*alive)
        co_return;
    if (!backup) {
        Q_EMIT keyBackupFinished(accountKey, backup.error().message());
        co_return;
    }
    QFuture<Result<void>> writing = writePrivateFile(file.toLocalFile(), backup.value());
    const Result<void> written = co_await writing;
    if (!*alive)
        co_return;
    Q_EMIT keyBackupFinished(accountKey, written ? QString() : written.error().message());
}

void AppSession::signOut(const QString &accountKey)
{
    if (m_accounts)
        (void)runSignOut(accountKey, false);
}

void AppSession::removeAccount(const QString &accountKey)
{
    if (m_accounts)
        (void)runSignOut(accountKey, true);
}

QCoro::Task<void> AppSession::runSignOut(QString accountKey, bool remove)
{
    const std::shared_ptr<bool> alive = m_alive;
    QCoro::Task<Result<void>> work = remove ? m_accounts->remove(accountKey) : m_accounts->signOut(accountKey);
    const Result<void> done = co_await std::move(work);
    if (!*alive)
        co_return;
    Q_EMIT accountActionFinished(accountKey, done ? QString() : done.error().message());
}

int AppSession::unreadTotal() const
{
    return m_conversationList ? m_conversationList->unreadTotal() : 0;
}

void AppSession::setWindowActive(bool active)
{
    m_windowActive = active;
    if (!m_accounts)
        return;
    for (accounts::Account *account : m_accounts->accounts())
        account->setWindowActive(active);
}

void AppSession::watch(accounts::Account *account)
{
    account->setWindowActive(m_windowActive);
    connect(account, &accounts::Account::stateChanged, this, &AppSession::updateSettled);
}

// ---- state ----------------------------------------------------------------------------------

bool AppSession::isSettled() const
{
    return m_settled;
}

void AppSession::updateSettled()
{
    bool settled = m_phase != Phase::Starting && !m_signingIn && !m_autoSignInPending;
    if (settled && m_accounts) {
        for (accounts::Account *account : m_accounts->accounts()) {
            const auto state = account->state();
            if (state == accounts::Account::State::Starting || state == accounts::Account::State::Syncing)
                settled = false;
        }
    }
    if (settled != m_settled) {
        m_settled = settled;
        Q_EMIT settledChanged();
    }
}

void AppSession::setPhase(Phase phase)
{
    if (phase == m_phase)
        return;
    m_phase = phase;
    Q_EMIT phaseChanged();
    updateSettled();
}

void AppSession::setBusy(bool busy, const QString &error)
{
    m_busy = busy;
    m_passphraseError = error;
    Q_EMIT busyChanged();
}

void AppSession::setSigningIn(bool signingIn, const QString &error)
{
    m_signingIn = signingIn;
    m_signInError = error;
    Q_EMIT signInChanged();
    updateSettled();
}

} // namespace confab
