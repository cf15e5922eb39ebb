#pragma once

#include "accounts/account.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QString>

#include <vector>

namespace confab::accounts {
class AccountManager;
}

namespace confab::models {

/// Every account of the profile, in the AccountManager's order (new ones at the end), for the
/// account list and its status rows. Follows the manager (added, removed, changed) and each
/// account's state, problems and record with row inserts, removes and dataChanged: never a reset
/// for one change.
class AccountsModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        /// QString: the account's stable local key ("xchat:<user id>@<host:port>"), for actions.
        KeyRole = Qt::UserRole + 1,
        /// QString: the account's kind as the store names it ("xchat", "acs", "aionvision").
        KindRole,
        /// QString: the person's name on the service (may be empty before the first sign-in).
        DisplayNameRole,
        /// QString: the @handle, without the "@".
        UsernameRole,
        /// QString: the service's base URL, for display ("https://api.x.com").
        ServerRole,
        /// int: accounts::Account::State.
        StateRole,
        /// QString: the state for a person ("Online", "Sign-in required", ...), translated.
        StateTextRole,
        /// QString: the last problem the account reported, for a person; empty when none.
        ProblemRole,
        /// bool: the person holds a key backup of this account's end-to-end keys.
        KeysBackedUpRole,
        /// bool: signed out: kept in the list to sign in again, nothing secret left.
        SignedOutRole,
        /// bool: signing out now would lose the end-to-end keys for good (no key backup): ask first.
        SignOutLosesKeysRole,
        /// qint64: the account's id in the store (its conversations carry it); 0 before its first
        /// start. What ConversationFilterModel::accountId takes.
        StoreAccountIdRole,
    };
    Q_ENUM(Role)

    explicit AccountsModel(accounts::AccountManager &manager, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// The row of the account with `key`, or -1.
    [[nodiscard]] Q_INVOKABLE int rowOf(const QString &key) const;
    /// The text StateTextRole shows for `state`.
    [[nodiscard]] static QString stateText(accounts::Account::State state);

Q_SIGNALS:
    void countChanged();

private:
    struct Row
    {
        QString key; ///< kept apart: the account object may be gone before accountRemoved
        QPointer<accounts::Account> account;
    };

    void add(accounts::Account *account);
    void removeKey(const QString &key);
    void changed(accounts::Account *account, const QList<int> &roles);

    accounts::AccountManager &m_manager;
    std::vector<Row> m_rows;
};

} // namespace confab::models
