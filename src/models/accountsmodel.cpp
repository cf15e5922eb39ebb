#include "models/accountsmodel.h"

#include "accounts/accountmanager.h"
#include "store/types.h"

namespace confab::models {

using accounts::Account;

AccountsModel::AccountsModel(accounts::AccountManager &manager, QObject *parent)
    : QAbstractListModel(parent)
    , m_manager(manager)
{
    const QList<Account *> existing = manager.accounts();
    for (Account *a : existing)
        add(a);
    connect(&manager, &accounts::AccountManager::accountAdded, this, &AccountsModel::add);
    connect(&manager, &accounts::AccountManager::accountRemoved, this, &AccountsModel::removeKey);
    connect(&manager, &accounts::AccountManager::accountChanged, this, [this](Account *a) { changed(a, {}); });
}

int AccountsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant AccountsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(static_cast<std::size_t>(index.row()));
    if (role == KeyRole)
        return row.key;
    const Account *a = row.account.data();
    if (!a)
        return {}; // destroyed; accountRemoved is on its way
    const accounts::AccountRecord &r = a->record();
    switch (role) {
    case Qt::DisplayRole: return r.displayName.isEmpty() ? r.username : r.displayName;
    case KindRole: return store::accountKindName(r.kind);
    case DisplayNameRole: return r.displayName;
    case UsernameRole: return r.username;
    case ServerRole: return r.server.toDisplayString();
    case StateRole: return static_cast<int>(a->state());
    case StateTextRole: return stateText(a->state());
    case ProblemRole: return a->lastProblem() ? a->lastProblem()->message() : QString();
    case KeysBackedUpRole: return r.keysBackedUp;
    case SignedOutRole: return a->state() == Account::State::SignedOut;
    case SignOutLosesKeysRole: return m_manager.signOutLosesKeys(row.key);
    case StoreAccountIdRole: return a->storeAccountId();
    default: break;
    }
    return {};
}

QHash<int, QByteArray> AccountsModel::roleNames() const
{
    static const QHash<int, QByteArray> names{
        {KeyRole, "key"},
        {KindRole, "kind"},
        {DisplayNameRole, "displayName"},
        {UsernameRole, "username"},
        {ServerRole, "server"},
        {StateRole, "state"},
        {StateTextRole, "stateText"},
        {ProblemRole, "problem"},
        {KeysBackedUpRole, "keysBackedUp"},
        {SignedOutRole, "signedOut"},
        {SignOutLosesKeysRole, "signOutLosesKeys"},
        {StoreAccountIdRole, "storeAccountId"},
    };
    return names;
}

int AccountsModel::rowOf(const QString &key) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].key == key)
            return static_cast<int>(i);
    }
    return -1;
}

QString AccountsModel::stateText(Account::State state)
{
    switch (state) {
    case Account::State::SignedOut: return tr("Signed out");
    case Account::State::Stopped: return tr("Not connected");
    case Account::State::Starting: return tr("Connecting…");
    case Account::State::Syncing: return tr("Updating…");
    case Account::State::Online: return tr("Online");
    case Account::State::Offline: return tr("Offline, trying again");
    case Account::State::RateLimited: return tr("Paused by the service, trying again soon");
    case Account::State::SignInRequired: return tr("Sign-in required");
    case Account::State::Failed: return tr("Needs attention");
    }
    return {};
}

void AccountsModel::add(Account *account)
{
    if (!account)
        return;
    // Already shown (an account the manager had when the model was made).
    if (const int existing = rowOf(account->key());
        existing >= 0 && m_rows[static_cast<std::size_t>(existing)].account == account)
        return;
    const int row = static_cast<int>(m_rows.size());
    beginInsertRows(QModelIndex(), row, row);
    m_rows.push_back(Row{account->key(), account});
    endInsertRows();
    Q_EMIT countChanged();

    connect(account, &Account::stateChanged, this, [this, account] {
        changed(account, {StateRole, StateTextRole, SignedOutRole, SignOutLosesKeysRole, StoreAccountIdRole});
    });
    connect(account, &Account::problem, this, [this, account] { changed(account, {ProblemRole}); });
    connect(account, &Account::recordChanged, this, [this, account] {
        changed(account,
                {DisplayNameRole, UsernameRole, ServerRole, KeysBackedUpRole, SignOutLosesKeysRole, Qt::DisplayRole});
    });
}

void AccountsModel::removeKey(const QString &key)
{
    // The row of this key whose account is gone or is the manager's no more.
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].key != key)
            continue;
        const Account *a = m_rows[i].account.data();
        if (a && m_manager.account(key) == a)
            continue; // the replacement, already added
        const int row = static_cast<int>(i);
        beginRemoveRows(QModelIndex(), row, row);
        m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(i));
        endRemoveRows();
        Q_EMIT countChanged();
        return;
    }
}

void AccountsModel::changed(Account *account, const QList<int> &roles)
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].account.data() == account) {
            const QModelIndex at = index(static_cast<int>(i));
            Q_EMIT dataChanged(at, at, roles);
            return;
        }
    }
}

} // namespace confab::models
