#pragma once

#include "store/types.h"

#include <QAbstractListModel>
#include <QString>

#include <vector>

namespace confab::store {
class Store;
}

namespace confab::models {

/// The members of one conversation, sorted by name (admins are not set apart: see IsAdminRole).
/// Loads from the store asynchronously and follows membersChanged with row inserts, moves, removes
/// and dataChanged: never a reset for a change.
class MemberListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(qint64 conversationId READ conversationId CONSTANT)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        /// QString: the member's user id on the service.
        UserIdRole = Qt::UserRole + 1,
        /// QString: the name to show (display name, else @username, else the id).
        NameRole,
        /// QString: the @handle without the "@" (may be empty).
        UsernameRole,
        /// QString: the avatar's URL (empty: use InitialsRole).
        AvatarRole,
        /// QString: one or two initials of the name.
        InitialsRole,
        /// bool: a group admin.
        IsAdminRole,
        /// qint64: the position up to which this member has read (the store's sort key).
        ReadMarkerRole,
        /// QString: the member's key version. Undefined: the store keeps no member keys yet.
        KeyVersionRole,
        /// QString: the member's identity key fingerprint. Undefined: the store keeps no member keys yet.
        KeyFingerprintRole,
        /// bool: the person verified this member's key out of band. Undefined: the store keeps no
        /// verification state yet.
        VerifiedRole,
    };
    Q_ENUM(Role)

    MemberListModel(store::Store &store, qint64 conversationId, QObject *parent = nullptr);

    [[nodiscard]] qint64 conversationId() const { return m_conversationId; }
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// The row of a member, or -1.
    [[nodiscard]] Q_INVOKABLE int rowOf(const QString &userId) const;

public Q_SLOTS:
    /// Reads the members again (what membersChanged does).
    void refresh();

Q_SIGNALS:
    void countChanged();

private:
    void apply(QList<store::Member> members);
    [[nodiscard]] static QString nameOf(const store::Member &member);

    store::Store &m_store;
    const qint64 m_conversationId;
    std::vector<store::Member> m_rows;
    quint64 m_reading = 0; ///< the newest read wins
};

} // namespace confab::models
