#include "models/memberlistmodel.h"

#include "core/logging.h"
#include "core/whilealive.h"
#include "models/modeltext.h"
#include "store/store.h"

#include <QCollator>

#include <algorithm>

namespace confab::models {

namespace {

int toInt(std::size_t n)
{
    return static_cast<int>(n);
}

bool sameMember(const store::Member &a, const store::Member &b)
{
    return a.userId == b.userId && a.displayName == b.displayName && a.username == b.username &&
           a.avatarUrl == b.avatarUrl && a.admin == b.admin && a.readMarker == b.readMarker;
}

} // namespace

MemberListModel::MemberListModel(store::Store &store, qint64 conversationId, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
    , m_conversationId(conversationId)
{
    connect(&store, &store::Store::membersChanged, this, [this](qint64 id) {
        if (id == m_conversationId)
            refresh();
    });
    connect(&store, &store::Store::conversationRemoved, this, [this](qint64 id) {
        if (id == m_conversationId)
            apply({});
    });
    connect(&store, &store::Store::databaseRecreated, this, &MemberListModel::refresh);
    refresh();
}

void MemberListModel::refresh()
{
    const quint64 reading = ++m_reading;
    // The model may be replaced (another conversation opened) before the store answers.
    thenWhileAlive(m_store.members(m_conversationId), &m_store, this,
                   [this, reading](Result<QList<store::Member>> members) {
                       if (reading != m_reading)
                           return;
                       if (!members) {
                           qCWarning(lcUi).noquote() << "could not read the members:" << members.error().toString();
                           return;
                       }
                       apply(std::move(members).value());
                   });
}

QString MemberListModel::nameOf(const store::Member &m)
{
    if (!m.displayName.isEmpty())
        return m.displayName;
    if (!m.username.isEmpty())
        return QLatin1Char('@') + m.username;
    return m.userId;
}

void MemberListModel::apply(QList<store::Member> members)
{
    QCollator collator;
    collator.setCaseSensitivity(Qt::CaseInsensitive);
    collator.setNumericMode(true);
    std::stable_sort(members.begin(), members.end(), [&collator](const store::Member &a, const store::Member &b) {
        const int byName = collator.compare(nameOf(a), nameOf(b));
        return byName != 0 ? byName < 0 : a.userId < b.userId;
    });
    const std::size_t before = m_rows.size();

    // Members that left go.
    for (std::size_t i = m_rows.size(); i-- > 0;) {
        const bool stays = std::any_of(members.cbegin(), members.cend(),
                                       [&](const store::Member &m) { return m.userId == m_rows[i].userId; });
        if (!stays) {
            beginRemoveRows(QModelIndex(), toInt(i), toInt(i));
            m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(i));
            endRemoveRows();
        }
    }
    // Then row by row: the member in place, moved up from further down, or new.
    for (std::size_t i = 0; i < static_cast<std::size_t>(members.size()); ++i) {
        const store::Member &wanted = members.at(static_cast<qsizetype>(i));
        if (i < m_rows.size() && m_rows[i].userId == wanted.userId) {
            if (!sameMember(m_rows[i], wanted)) {
                m_rows[i] = wanted;
                Q_EMIT dataChanged(index(toInt(i)), index(toInt(i)));
            }
            continue;
        }
        std::size_t found = m_rows.size();
        for (std::size_t j = i + 1; j < m_rows.size(); ++j) {
            if (m_rows[j].userId == wanted.userId) {
                found = j;
                break;
            }
        }
        if (found < m_rows.size()) {
            beginMoveRows(QModelIndex(), toInt(found), toInt(found), QModelIndex(), toInt(i));
            store::Member moving = std::move(m_rows[found]);
            m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(found));
            m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(i), std::move(moving));
            endMoveRows();
            if (!sameMember(m_rows[i], wanted)) {
                m_rows[i] = wanted;
                Q_EMIT dataChanged(index(toInt(i)), index(toInt(i)));
            }
            continue;
        }
        beginInsertRows(QModelIndex(), toInt(i), toInt(i));
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(i), wanted);
        endInsertRows();
    }
    if (before != m_rows.size())
        Q_EMIT countChanged();
}

int MemberListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : toInt(m_rows.size());
}

QVariant MemberListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const store::Member &m = m_rows.at(static_cast<std::size_t>(index.row()));
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return nameOf(m);
    case UserIdRole: return m.userId;
    case UsernameRole: return m.username;
    case AvatarRole: return m.avatarUrl;
    case InitialsRole: return modeltext::initialsOf(m.displayName.isEmpty() ? m.username : m.displayName);
    case IsAdminRole: return m.admin;
    case ReadMarkerRole: return m.readMarker;
    // The store's Member carries no key version, fingerprint or verification state: these stay
    // undefined until it does (the engine knows them; see docs/architecture.md, src/models).
    case KeyVersionRole:
    case KeyFingerprintRole:
    case VerifiedRole: return {};
    default: break;
    }
    return {};
}

QHash<int, QByteArray> MemberListModel::roleNames() const
{
    static const QHash<int, QByteArray> names{
        {UserIdRole, "userId"},
        {NameRole, "name"},
        {UsernameRole, "username"},
        {AvatarRole, "avatar"},
        {InitialsRole, "initials"},
        {IsAdminRole, "isAdmin"},
        {ReadMarkerRole, "readMarker"},
        {KeyVersionRole, "keyVersion"},
        {KeyFingerprintRole, "keyFingerprint"},
        {VerifiedRole, "verified"},
    };
    return names;
}

int MemberListModel::rowOf(const QString &userId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].userId == userId)
            return toInt(i);
    }
    return -1;
}

} // namespace confab::models
