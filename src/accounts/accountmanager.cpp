#include "accounts/accountmanager.h"

#include "accounts/secretnames.h"
#include "accounts/tokenentry.h"
#include "accounts/xchatsession.h"
#include "core/logging.h"
#include "core/worker.h"
#include "crypto/keybackup.h"
#include "secrets/oauthclient.h"
#include "secrets/secretstore.h"
#include "store/store.h"

#include <qcoro/qcorofuture.h>

namespace confab::accounts {

namespace {

Error cancelled()
{
    return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."), QStringLiteral("the account manager is gone"));
}

Error unknownAccount(const QString &key)
{
    return Error(ErrorKind::NotFound, QStringLiteral("This account is not in the list."), key);
}

secrets::OAuthEndpoints endpointsFor(const QUrl &server, const QString &clientId)
{
    if (server.host() == QLatin1String("api.x.com"))
        return secrets::OAuthEndpoints::forX(clientId);
    return secrets::OAuthEndpoints::forServer(server, clientId);
}

/// Opens a key backup on a worker thread (Argon2id: half a second, 256 MiB).
QFuture<Result<crypto::KeyBackupContents>> openBackup(QByteArray text, QString passphrase)
{
    return onWorker([text, passphrase] { return crypto::importKeyBackup(text, passphrase); });
}

} // namespace

AccountManager::AccountManager(secrets::SecretStore &secrets, store::Store &store, store::OutboxDispatcher &dispatcher,
                               Options options, QObject *parent)
    : QObject(parent)
    , m_secrets(secrets)
    , m_store(store)
    , m_dispatcher(dispatcher)
    , m_options(std::move(options))
    , m_registry(m_options.settingsFile)
{}

AccountManager::~AccountManager()
{
    *m_alive = false;
    m_accounts.clear();
}

QList<Account *> AccountManager::accounts() const
{
    QList<Account *> out;
    for (const auto &a : m_accounts)
        out << a.get();
    return out;
}

Account *AccountManager::account(const QString &key) const
{
    for (const auto &a : m_accounts) {
        if (a->key() == key)
            return a.get();
    }
    return nullptr;
}

std::unique_ptr<XChatSession> AccountManager::makeXChat(AccountRecord record, secrets::OAuthTokens tokens)
{
    XChatSession::Parts parts{m_secrets, m_store, m_dispatcher, m_options.xchat};
    return std::make_unique<XChatSession>(std::move(record), parts, std::move(tokens));
}

void AccountManager::adopt(std::unique_ptr<Account> account)
{
    Account *a = account.get();
    connect(a, &Account::recordChanged, this, [this, a] {
        if (!a->key().isEmpty())
            m_registry.upsert(a->record());
        Q_EMIT accountChanged(a);
    });
    connect(a, &Account::stateChanged, this, [this, a] { Q_EMIT accountChanged(a); });
    m_accounts.push_back(std::move(account));
    Q_EMIT accountAdded(a);
}

void AccountManager::startInBackground(Account *account)
{
    [](Account *a, std::shared_ptr<bool> alive) -> QCoro::Task<> {
        QPointer<Account> guard(a);
        auto started = co_await a->start();
        if (Account *still = guard.data(); *alive && still && !started)
            qCInfo(lcSecrets) << "account" << still->key() << "did not start:" << started.error().toString();
    }(account, m_alive);
}

QCoro::Task<void> AccountManager::restore()
{
    auto alive = m_alive;
    const QList<AccountRecord> records = m_registry.load();
    for (const AccountRecord &record : records) {
        if (account(record.key))
            continue;
        if (record.kind != store::AccountKind::XChat) {
            qCWarning(lcSecrets) << "no engine for account kind" << store::accountKindName(record.kind) << "yet";
            continue;
        }
        if (record.signedOut) {
            adopt(makeXChat(record, {}));
            continue;
        }
        auto entry = co_await m_secrets.read(secretnames::tokens(record.key));
        if (!*alive)
            co_return;
        std::optional<Error> missing;
        secrets::OAuthTokens tokens;
        if (!entry) {
            missing = entry.error();
        } else if (!entry.value()) {
            missing = Error(
                ErrorKind::Unauthorized,
                tr("Confab could not keep this account's sign-in (%1). Sign in again.").arg(m_secrets.description()),
                QStringLiteral("no tokens in the secret store"));
        } else if (auto decoded = decodeTokens(*entry.value()); !decoded) {
            missing = decoded.error();
        } else {
            tokens = std::move(decoded).value();
        }
        auto session = makeXChat(record, tokens);
        Account *a = session.get();
        adopt(std::move(session));
        if (missing)
            a->requireSignIn(*missing);
        else
            startInBackground(a);
    }
}

QCoro::Task<Result<Account *>> AccountManager::signInXChat(XChatSignIn request)
{
    auto alive = m_alive;
    // A key backup is checked before the browser opens: a wrong passphrase should not cost a sign-in.
    std::optional<crypto::KeyBackupContents> backup;
    if (!request.keyBackup.isEmpty()) {
        auto opened = co_await openBackup(request.keyBackup, request.keyBackupPassphrase);
        if (!*alive)
            co_return cancelled();
        if (!opened)
            co_return opened.error();
        backup = std::move(opened).value();
    }

    secrets::OAuthClient client(endpointsFor(request.server, request.clientId));
    secrets::OAuthSignIn signIn(&client, m_options.openUrl);
    auto tokens = co_await signIn.run(request.signIn);
    if (!*alive)
        co_return cancelled();
    if (!tokens)
        co_return tokens.error();

    AccountRecord record;
    record.kind = store::AccountKind::XChat;
    record.server = request.server;
    record.clientId = request.clientId;
    std::unique_ptr<XChatSession> session = makeXChat(record, tokens.value());
    if (backup)
        session->restoreKeysAtStart(backup->backupBlob);
    auto started = co_await session->start();
    if (!*alive)
        co_return cancelled();
    if (!started) {
        // Nothing of a failed first start stays behind: no tokens in the keychain, no list entry.
        if (!session->key().isEmpty())
            (void)co_await m_secrets.remove(secretnames::tokens(session->key()));
        co_return started.error();
    }
    if (backup && backup->userId != session->record().userId) {
        co_return Error(ErrorKind::InvalidInput, tr("This key backup belongs to another X account."),
                        QStringLiteral("backup of %1, signed in as %2").arg(backup->userId, session->record().userId));
    }
    // Signing in to an account already in the list replaces it.
    for (auto it = m_accounts.begin(); it != m_accounts.end(); ++it) {
        if ((*it)->key() == session->key()) {
            if ((*it)->record().keysBackedUp)
                session->noteKeysBackedUp();
            (*it)->stop();
            const QString key = (*it)->key();
            m_accounts.erase(it);
            Q_EMIT accountRemoved(key);
            break;
        }
    }
    if (backup)
        session->noteKeysBackedUp(); // the person has a backup of these very keys
    m_registry.upsert(session->record());
    Account *a = session.get();
    qCInfo(lcSecrets) << "signed in" << a->key();
    adopt(std::move(session));
    co_return a;
}

bool AccountManager::signOutLosesKeys(const QString &key) const
{
    const Account *a = account(key);
    return a && a->record().kind == store::AccountKind::XChat && !a->record().keysBackedUp &&
           a->state() != Account::State::SignedOut;
}

QCoro::Task<Result<QByteArray>> AccountManager::exportKeyBackup(QString key, QString passphrase)
{
    auto *session = qobject_cast<XChatSession *>(account(key));
    if (!session)
        co_return unknownAccount(key);
    co_return co_await session->exportKeyBackup(std::move(passphrase));
}

QCoro::Task<Result<void>> AccountManager::wipe(Account *account, bool revoke)
{
    auto alive = m_alive;
    QPointer<Account> guard(account);
    account->stop();
    if (revoke) {
        co_await account->revokeAccess();
        if (!*alive || !guard)
            co_return cancelled();
    }
    std::optional<Error> failed;
    const QStringList names = account->secretNames();
    for (const QString &name : names) {
        auto removed = co_await m_secrets.remove(name);
        if (!*alive || !guard)
            co_return cancelled();
        if (!removed && !failed)
            failed = removed.error();
    }
    if (const qint64 id = account->storeAccountId(); id != 0) {
        auto removed = co_await m_store.removeAccount(id);
        if (!*alive)
            co_return cancelled();
        if (!removed && !failed)
            failed = removed.error();
    }
    if (failed)
        co_return *failed;
    co_return Result<void>();
}

QCoro::Task<Result<void>> AccountManager::signOut(QString key)
{
    auto alive = m_alive;
    Account *a = account(key);
    if (!a)
        co_return unknownAccount(key);
    if (a->state() == Account::State::SignedOut)
        co_return Result<void>();
    auto wiped = co_await wipe(a, true);
    if (!*alive)
        co_return cancelled();
    // The list keeps a signed-out entry (no secrets, no cache) to sign in again.
    AccountRecord record = a->record();
    record.signedOut = true;
    m_registry.upsert(record);
    for (auto it = m_accounts.begin(); it != m_accounts.end(); ++it) {
        if (it->get() == a) {
            m_accounts.erase(it);
            break;
        }
    }
    Q_EMIT accountRemoved(key);
    adopt(makeXChat(record, {}));
    if (!wiped)
        co_return wiped.error();
    co_return Result<void>();
}

QCoro::Task<Result<void>> AccountManager::remove(QString key)
{
    auto alive = m_alive;
    Account *a = account(key);
    if (!a)
        co_return unknownAccount(key);
    auto wiped = co_await wipe(a, a->state() != Account::State::SignedOut);
    if (!*alive)
        co_return cancelled();
    m_registry.remove(key);
    for (auto it = m_accounts.begin(); it != m_accounts.end(); ++it) {
        if (it->get() == a) {
            m_accounts.erase(it);
            break;
        }
    }
    Q_EMIT accountRemoved(key);
    if (!wiped)
        co_return wiped.error();
    co_return Result<void>();
}

} // namespace confab::accounts
