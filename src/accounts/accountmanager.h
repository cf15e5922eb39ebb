#pragma once

#include "accounts/account.h"
#include "accounts/accountregistry.h"
#include "protocols/xchat/account/xchataccount.h"
#include "secrets/oauthsignin.h"

#include <QObject>
#include <QUrl>

#include <memory>
#include <vector>

namespace confab::secrets {
class SecretStore;
}
namespace confab::store {
class OutboxDispatcher;
class Store;
} // namespace confab::store

namespace confab::accounts {

class XChatSession;

/// Every account of a profile: signs them in, brings them back at start, signs them out and
/// removes them. Each account has its own engine; all of them write into the one store, so their
/// conversations meet in one list. Lives on the GUI thread and never blocks it.
///
/// Sign-out revokes what the service lets revoke, wipes the account's SecretStore entries and
/// its cached conversations, and keeps it in the list (signed out) to sign in again; remove() also
/// forgets it.
class AccountManager : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString settingsFile;                    ///< the profile's settings (the account list)
        xchat::XChatAccountConfig xchat;         ///< engine settings; baseUrl comes per account
        secrets::OAuthSignIn::UrlOpener openUrl; ///< the person's browser (QDesktopServices in the app)
    };

    /// A new X Chat sign-in.
    struct XChatSignIn
    {
        QUrl server = QUrl(QStringLiteral("https://api.x.com"));
        QString clientId;              ///< the person's X app (or confab-localserver's client)
        secrets::SignInOptions signIn; ///< login hint, timeout, cancellation
        QByteArray keyBackup;          ///< a key backup from another device, to restore (optional)
        QString keyBackupPassphrase;
    };

    AccountManager(secrets::SecretStore &secrets, store::Store &store, store::OutboxDispatcher &dispatcher,
                   Options options, QObject *parent = nullptr);
    ~AccountManager() override;

    [[nodiscard]] QList<Account *> accounts() const;
    [[nodiscard]] Account *account(const QString &key) const;

    /// Brings back every account in the list: tokens and keys from the SecretStore, then each
    /// engine starts. An account whose secrets are gone (a session-only store, a wiped keychain)
    /// shows SignInRequired; a signed-out one stays SignedOut.
    [[nodiscard]] QCoro::Task<void> restore();

    /// Signs in to X (browser, PKCE, tokens), starts the engine (keys made and registered, or
    /// restored from the key backup), and adds the account. Signing in to an account already in the
    /// list replaces its sign-in.
    [[nodiscard]] QCoro::Task<Result<Account *>> signInXChat(XChatSignIn request);

    /// True when signing out would lose this account's end-to-end keys for good: X Chat keys that
    /// were never exported as a key backup. The UI asks before signing out.
    [[nodiscard]] bool signOutLosesKeys(const QString &key) const;
    /// This device's X Chat keys as a passphrase-protected backup text to save.
    [[nodiscard]] QCoro::Task<Result<QByteArray>> exportKeyBackup(QString key, QString passphrase);

    [[nodiscard]] QCoro::Task<Result<void>> signOut(QString key);
    [[nodiscard]] QCoro::Task<Result<void>> remove(QString key);

Q_SIGNALS:
    void accountAdded(confab::accounts::Account *account);
    /// The account object is deleted after this returns.
    void accountRemoved(const QString &key);
    void accountChanged(confab::accounts::Account *account);

private:
    [[nodiscard]] std::unique_ptr<XChatSession> makeXChat(AccountRecord record, secrets::OAuthTokens tokens);
    void adopt(std::unique_ptr<Account> account);
    [[nodiscard]] QCoro::Task<Result<void>> wipe(Account *account, bool revoke);
    void startInBackground(Account *account);

    secrets::SecretStore &m_secrets;
    store::Store &m_store;
    store::OutboxDispatcher &m_dispatcher;
    Options m_options;
    AccountRegistry m_registry;
    std::vector<std::unique_ptr<Account>> m_accounts;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace confab::accounts
