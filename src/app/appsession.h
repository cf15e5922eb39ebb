#pragma once

#include "core/result.h"
#include "protocols/xchat/account/xchataccount.h"

#include <QAbstractItemModel>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QString>
#include <QUrl>
#include <qcoro/qcorotask.h>

#include <memory>

class QNetworkAccessManager;

namespace confab::accounts {
class Account;
class AccountManager;
} // namespace confab::accounts
namespace confab::models {
class AccountsModel;
struct AccountBadge;
class ConversationFilterModel;
class ConversationListModel;
} // namespace confab::models
namespace confab::net {
class Cancellation;
}
namespace confab::secrets {
class SwitchableSecretStore;
}
namespace confab::store {
class OutboxDispatcher;
class Store;
} // namespace confab::store

namespace confab {

/// The running profile's secrets, message store and accounts, and what the views may ask of them:
/// signing in and out, key backups, and where secrets are kept. Exposed to QML as the `Session`
/// singleton of Confab.App; main() builds one and calls start().
///
/// At start it finds where secrets can live: the OS keychain (probed first), or, when the person
/// opted in to it, a file sealed with a passphrase they type (the views ask for it: phase
/// Unlock). With no keychain and no opt-in, secrets are kept in memory for this session, the
/// views say why and how to fix it, and everything else works. Nothing here ever blocks the GUI
/// thread.
class AppSession : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Session)
    QML_SINGLETON

    /// Where start-up is (see Phase).
    Q_PROPERTY(Phase phase READ phase NOTIFY phaseChanged)
    /// Start-up is over and nothing is in flight that the first screen would show (sign-in,
    /// accounts starting): used by `--screenshot`.
    Q_PROPERTY(bool settled READ isSettled NOTIFY settledChanged)
    /// Why secrets are kept for this session only, and how to fix it; empty when they are kept.
    Q_PROPERTY(QString secretsProblem READ secretsProblem NOTIFY secretsChanged)
    /// Whether secrets outlive this run (keychain or passphrase file).
    Q_PROPERTY(bool secretsPersistent READ secretsPersistent NOTIFY secretsChanged)
    /// Started with --ephemeral: nothing is kept after quitting, on purpose.
    Q_PROPERTY(bool ephemeral READ isEphemeral CONSTANT)
    /// Where secrets are, for a person ("the system keychain", ...).
    Q_PROPERTY(QString secretsWhere READ secretsWhere NOTIFY secretsChanged)
    /// A passphrase operation (unlock, opt-in) is running.
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    /// Why the last unlock or opt-in failed; empty otherwise.
    Q_PROPERTY(QString passphraseError READ passphraseError NOTIFY busyChanged)
    /// Start-up failed (phase Failed): what happened and what to do.
    Q_PROPERTY(QString failure READ failure NOTIFY phaseChanged)
    /// Something the person should know about the message cache (it was damaged and replaced).
    Q_PROPERTY(QString storeNotice READ storeNotice NOTIFY storeNoticeChanged)
    /// Talking to a --server (confab-localserver) instead of X: no client id to enter.
    Q_PROPERTY(bool customServer READ hasCustomServer CONSTANT)
    /// A sign-in is waiting for the browser.
    Q_PROPERTY(bool signingIn READ isSigningIn NOTIFY signInChanged)
    /// Why the last sign-in failed; empty otherwise.
    Q_PROPERTY(QString signInError READ signInError NOTIFY signInChanged)
    /// The page the browser was sent to, for "copy the link" when no browser opened.
    Q_PROPERTY(QString signInLink READ signInLink NOTIFY signInChanged)
    /// Accounts in the list (signed in or out).
    Q_PROPERTY(int accountCount READ accountCount NOTIFY accountsChanged)
    /// The accounts (models::AccountsModel); null until the store is open.
    Q_PROPERTY(QAbstractItemModel *accounts READ accountsModel NOTIFY modelsChanged)
    /// Every account's conversations, newest first, filterable (models::ConversationFilterModel
    /// over models::ConversationListModel); null until the store is open.
    Q_PROPERTY(QAbstractItemModel *conversations READ conversationsModel NOTIFY modelsChanged)
    /// Unread messages in every conversation that is not muted (the window title, the tray).
    Q_PROPERTY(int unreadTotal READ unreadTotal NOTIFY unreadTotalChanged)

public:
    enum class Phase {
        Starting, ///< finding the keychain, opening the cache, bringing accounts back
        Unlock,   ///< waiting for the passphrase of the secrets file
        Ready,    ///< running
        Failed,   ///< cannot run (see failure)
    };
    Q_ENUM(Phase)

    struct Config
    {
        QString appId;   ///< e.g. "im.confab.Confab": the keychain service's base name
        QString profile; ///< the profile's name
        bool defaultProfile = true;
        QString dataDir;        ///< the profile's data folder (database, secrets file)
        QString cacheDir;       ///< the profile's cache folder (a session-only database)
        QString settingsFile;   ///< the profile's settings (account list, the opt-in)
        QUrl server;            ///< --server, or empty for X
        QString signInAs;       ///< --sign-in-as: sign in this user on a loopback server at start
        bool ephemeral = false; ///< --ephemeral: keep nothing after quitting (secrets, accounts, cache)
        int keychainProbeMs = 10000;
        xchat::XChatAccountConfig xchat;
    };

    explicit AppSession(Config config, QObject *parent = nullptr);
    ~AppSession() override;

    /// Makes `instance` the object QML sees (before the engine loads anything; it must outlive
    /// the engine).
    static void setInstance(AppSession *instance);
    static AppSession *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /// Finds the secrets, opens the store and brings the accounts back (in the background).
    void start();

    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] bool isSettled() const;
    [[nodiscard]] QString secretsProblem() const { return m_secretsProblem; }
    [[nodiscard]] bool secretsPersistent() const;
    [[nodiscard]] bool isEphemeral() const { return m_config.ephemeral; }
    [[nodiscard]] const QString &cacheDir() const { return m_config.cacheDir; }
    [[nodiscard]] const QString &dataDir() const { return m_config.dataDir; }
    [[nodiscard]] QString secretsWhere() const;
    [[nodiscard]] bool isBusy() const { return m_busy; }
    [[nodiscard]] QString passphraseError() const { return m_passphraseError; }
    [[nodiscard]] QString failure() const { return m_failure; }
    [[nodiscard]] QString storeNotice() const { return m_storeNotice; }
    [[nodiscard]] bool hasCustomServer() const { return !m_config.server.isEmpty(); }
    [[nodiscard]] bool isSigningIn() const { return m_signingIn; }
    [[nodiscard]] QString signInError() const { return m_signInError; }
    [[nodiscard]] QString signInLink() const { return m_signInLink; }
    [[nodiscard]] int accountCount() const;

    /// Null before the store is open (phase Starting or Unlock).
    [[nodiscard]] accounts::AccountManager *accountManager() const { return m_accounts.get(); }
    [[nodiscard]] QAbstractItemModel *accountsModel() const;
    [[nodiscard]] QAbstractItemModel *conversationsModel() const;
    [[nodiscard]] models::ConversationListModel *conversationList() const { return m_conversationList.get(); }
    [[nodiscard]] store::Store *store() const;
    /// The profile's settings file (account list, preferences, verified keys).
    [[nodiscard]] const QString &settingsFile() const { return m_config.settingsFile; }

    /// Another filtered view of every conversation (the quick switcher's), owned by the caller.
    Q_INVOKABLE QAbstractItemModel *newConversationFilter();

    /// What is wrong with `passphrase` for a new secrets file (too short, ...), or empty.
    Q_INVOKABLE QString passphraseProblem(const QString &passphrase) const;
    /// Phase Unlock: opens the secrets file with `passphrase`.
    Q_INVOKABLE void unlockSecretsFile(const QString &passphrase);
    /// Phase Unlock: keep secrets in memory this time (the file stays as it is).
    Q_INVOKABLE void skipUnlock();
    /// The opt-in: from now on keep secrets in a file sealed with `passphrase`, carrying over
    /// what this session holds.
    Q_INVOKABLE void keepSecretsInFile(const QString &passphrase);

    /// Signs in to X (with the person's X app client id) or to the --server, in the browser.
    /// `loginHint` preselects the account; `keyBackupFile` and `backupPassphrase` restore this
    /// account's end-to-end keys from a key backup made on another device.
    Q_INVOKABLE void signIn(const QString &clientId = {}, const QString &loginHint = {}, const QUrl &keyBackupFile = {},
                            const QString &backupPassphrase = {});
    /// Signs in again to an account that needs it (its sign-in expired, was revoked or was lost).
    Q_INVOKABLE void signInAgain(const QString &accountKey);
    Q_INVOKABLE void cancelSignIn();

    /// Whether signing out of the account would lose its end-to-end keys (never backed up).
    Q_INVOKABLE bool signOutLosesKeys(const QString &accountKey) const;
    /// Saves the account's keys as a key backup protected by `passphrase` to `file`. Emits
    /// keyBackupFinished.
    Q_INVOKABLE void exportKeyBackup(const QString &accountKey, const QString &passphrase, const QUrl &file);
    /// Signs out (revokes, wipes the account's secrets and cached conversations). Emits
    /// accountActionFinished.
    Q_INVOKABLE void signOut(const QString &accountKey);
    /// Signs out and forgets the account.
    Q_INVOKABLE void removeAccount(const QString &accountKey);

    [[nodiscard]] int unreadTotal() const;

    /// Polls fast while the window is active.
    Q_INVOKABLE void setWindowActive(bool active);

Q_SIGNALS:
    void phaseChanged();
    void settledChanged();
    void secretsChanged();
    void busyChanged();
    void storeNoticeChanged();
    void signInChanged();
    void accountsChanged();
    /// The store and the account manager exist (before the accounts are back).
    void storeReady();
    void modelsChanged();
    void unreadTotalChanged();
    /// A sign-in finished: `error` is empty on success.
    void signInFinished(const QString &accountKey, const QString &error);
    void keyBackupFinished(const QString &accountKey, const QString &error);
    void accountActionFinished(const QString &accountKey, const QString &error);

private:
    [[nodiscard]] QCoro::Task<void> startUp();
    [[nodiscard]] QCoro::Task<void> openWithSecrets(bool persistentDatabase);
    [[nodiscard]] QCoro::Task<void> unlock(QString passphrase);
    [[nodiscard]] QCoro::Task<void> optIn(QString passphrase);
    [[nodiscard]] QCoro::Task<void> runSignIn(QString clientId, QString loginHint, QUrl keyBackupFile,
                                              QString backupPassphrase);
    [[nodiscard]] QCoro::Task<void> runExport(QString accountKey, QString passphrase, QUrl file);
    [[nodiscard]] QCoro::Task<void> runSignOut(QString accountKey, bool remove);
    /// No usable keychain: secrets in memory for the session, and the views say why.
    void keepSecretsInMemory(const Error &why);
    void setPhase(Phase phase);
    void setBusy(bool busy, const QString &error = {});
    void setSigningIn(bool signingIn, const QString &error = {});
    void watch(accounts::Account *account);
    void updateSettled();
    [[nodiscard]] bool openInBrowser(const QUrl &url);
    [[nodiscard]] models::AccountBadge badgeFor(qint64 accountId) const;
    [[nodiscard]] QString secretsFilePath() const;
    [[nodiscard]] QString sessionDatabasePath() const;
    [[nodiscard]] bool optedInToFile() const;
    void removeSessionDatabase() const;

    Config m_config;
    Phase m_phase = Phase::Starting;
    bool m_settled = false;
    QString m_secretsProblem;
    bool m_busy = false;
    QString m_passphraseError;
    QString m_failure;
    QString m_storeNotice;
    bool m_signingIn = false;
    bool m_autoSignInPending = false;
    QString m_signInError;
    QString m_signInLink;
    bool m_sessionDatabase = false;
    bool m_windowActive = true;

    std::unique_ptr<secrets::SwitchableSecretStore> m_secrets;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<store::OutboxDispatcher> m_dispatcher;
    std::unique_ptr<accounts::AccountManager> m_accounts;
    std::unique_ptr<models::AccountsModel> m_accountsModel;
    std::unique_ptr<models::ConversationListModel> m_conversationList;
    std::unique_ptr<models::ConversationFilterModel> m_conversationFilter;
    std::unique_ptr<QNetworkAccessManager> m_headlessBrowser; ///< --sign-in-as only
    QPointer<net::Cancellation> m_signInCancel;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace confab
