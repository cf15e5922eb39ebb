#pragma once

#include <QSortFilterProxyModel>
#include <QString>

namespace confab::models {

/// The conversation list filtered by text (title and preview, case- and accent-insensitive: "cafe"
/// finds "Café") and by account. Keeps the source's order (newest activity first); set it on a
/// ConversationListModel (or any model with its SearchTextRole and AccountIdRole).
class ConversationFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    /// Words every shown conversation contains (in any order); empty: no text filter.
    Q_PROPERTY(QString filterText READ filterText WRITE setFilterText NOTIFY filterTextChanged)
    /// Only this account's conversations; 0: every account.
    Q_PROPERTY(qint64 accountId READ accountId WRITE setAccountId NOTIFY accountIdChanged)
public:
    explicit ConversationFilterModel(QObject *parent = nullptr);

    [[nodiscard]] QString filterText() const { return m_text; }
    void setFilterText(const QString &text);
    [[nodiscard]] qint64 accountId() const { return m_accountId; }
    void setAccountId(qint64 accountId);

Q_SIGNALS:
    void filterTextChanged();
    void accountIdChanged();

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QStringList m_words; ///< m_text folded and split
    qint64 m_accountId = 0;
};

} // namespace confab::models
