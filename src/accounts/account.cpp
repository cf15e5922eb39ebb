#include "accounts/account.h"

namespace confab::accounts {

Account::Account(AccountRecord record, QObject *parent) : QObject(parent), m_record(std::move(record))
{
    if (m_record.signedOut)
        m_state = State::SignedOut;
}

void Account::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void Account::noteKeysBackedUp()
{
    if (m_record.keysBackedUp)
        return;
    m_record.keysBackedUp = true;
    Q_EMIT recordChanged();
}

void Account::requireSignIn(const Error &why)
{
    setState(State::SignInRequired);
    reportProblem(why);
}

void Account::reportProblem(const Error &error)
{
    m_lastProblem = error;
    Q_EMIT problem(error);
}

} // namespace confab::accounts
