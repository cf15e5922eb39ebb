#pragma once

#include "accounts/accountrecord.h"
#include "core/result.h"

#include <QObject>
#include <QStringList>
#include <qcoro/qcorotask.h>

#include <optional>

namespace confab::accounts {

/// One signed-in account of any kind, as the app and the views see it. Each kind (X Chat now, ACS
/// and AionVision later) implements it around its own engine; AccountManager owns them all, and
/// every engine writes into the one store, so all conversations meet in one list.
class Account : public QObject
{
    Q_OBJECT
public:
    enum class State {
        SignedOut,      ///< in the list, no secrets: sign in again to use it
        Stopped,        ///< not started yet, or stopped
        Starting,       ///< keys, first contact
        Syncing,        ///< fetching what is new
        Online,         ///< up to date, live updates running
        Offline,        ///< the service cannot be reached; retrying
        RateLimited,    ///< the service asked to wait; retrying after the reset
        SignInRequired, ///< the sign-in expired or was revoked: sign in again
        Failed,         ///< something needs the person (see lastProblem())
    };
    Q_ENUM(State)

    explicit Account(AccountRecord record, QObject *parent = nullptr);

    [[nodiscard]] const AccountRecord &record() const { return m_record; }
    [[nodiscard]] QString key() const { return m_record.key; }
    [[nodiscard]] State state() const { return m_state; }
    /// The last problem the account reported, for the UI's account row.
    [[nodiscard]] const std::optional<Error> &lastProblem() const { return m_lastProblem; }

    /// The person holds a key backup of this account's end-to-end keys (exported or restored).
    void noteKeysBackedUp();
    /// Shows that the person must sign in again (secrets missing, sign-in revoked), and why.
    void requireSignIn(const Error &why);

    /// Connects and keeps the account up to date until stop().
    [[nodiscard]] virtual QCoro::Task<Result<void>> start() = 0;
    virtual void stop() = 0;
    /// Revokes at the service what can be revoked (tokens). Best effort: a failure is logged and
    /// signing out goes on.
    [[nodiscard]] virtual QCoro::Task<void> revokeAccess() = 0;
    /// Every SecretStore entry the account owns (wiped when it signs out).
    [[nodiscard]] virtual QStringList secretNames() const = 0;
    /// The account's row in the store (its conversations and messages), 0 before the first start.
    [[nodiscard]] virtual qint64 storeAccountId() const = 0;
    /// Whether the person is looking at Confab: accounts that poll do it faster then.
    virtual void setWindowActive(bool active) = 0;

Q_SIGNALS:
    void stateChanged(confab::accounts::Account::State state);
    void problem(const confab::Error &error);
    /// The record changed (name, backup flag): AccountManager saves it.
    void recordChanged();

protected:
    void setState(State state);
    void reportProblem(const Error &error);
    AccountRecord &mutableRecord() { return m_record; }

private:
    AccountRecord m_record;
    State m_state = State::Stopped;
    std::optional<Error> m_lastProblem;
};

} // namespace confab::accounts
