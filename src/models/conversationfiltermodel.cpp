#include "models/conversationfiltermodel.h"

#include "models/conversationlistmodel.h"
#include "models/modeltext.h"

namespace confab::models {

ConversationFilterModel::ConversationFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void ConversationFilterModel::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_words = modeltext::foldForSearch(text).simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateRowsFilter();
    Q_EMIT filterTextChanged();
}

void ConversationFilterModel::setAccountId(qint64 accountId)
{
    if (accountId == m_accountId)
        return;
    m_accountId = accountId;
    invalidateRowsFilter();
    Q_EMIT accountIdChanged();
}

bool ConversationFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex row = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_accountId != 0 && row.data(ConversationListModel::AccountIdRole).toLongLong() != m_accountId)
        return false;
    if (m_words.isEmpty())
        return true;
    const QString haystack = row.data(ConversationListModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!haystack.contains(word))
            return false;
    }
    return true;
}

} // namespace confab::models
