#include "models/conversationlistmodel.h"

#include "core/logging.h"
#include "models/modeltext.h"
#include "store/store.h"

#include <algorithm>
#include <unordered_set>

namespace confab::models {

namespace {

/// The store's list order: last activity, then id, both descending.
bool before(const store::Conversation &a, const store::Conversation &b)
{
    if (a.lastActivityMs != b.lastActivityMs)
        return a.lastActivityMs > b.lastActivityMs;
    return a.id > b.id;
}

QString kindName(store::ConversationKind kind)
{
    switch (kind) {
    case store::ConversationKind::Direct: return QStringLiteral("direct");
    case store::ConversationKind::Group: return QStringLiteral("group");
    case store::ConversationKind::Thread: return QStringLiteral("thread");
    case store::ConversationKind::Assistant: return QStringLiteral("assistant");
    }
    return {};
}

QDateTime activityTime(const store::Conversation &c)
{
    return c.lastActivityMs > 0 ? QDateTime::fromMSecsSinceEpoch(c.lastActivityMs).toLocalTime() : QDateTime();
}

} // namespace

ConversationListModel::ConversationListModel(store::Store &store, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
{
    connect(&store, &store::Store::conversationAdded, this, &ConversationListModel::added);
    connect(&store, &store::Store::conversationChanged, this, &ConversationListModel::changedConversation);
    connect(&store, &store::Store::conversationRemoved, this, &ConversationListModel::removed);
    connect(&store, &store::Store::databaseRecreated, this, &ConversationListModel::databaseRecreated);
    for (auto changed : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(this, changed, this, &ConversationListModel::updateUnreadTotal);
    connect(this, &QAbstractItemModel::dataChanged, this, &ConversationListModel::updateUnreadTotal);
    connect(this, &QAbstractItemModel::modelReset, this, &ConversationListModel::updateUnreadTotal);
    load();
}

void ConversationListModel::updateUnreadTotal()
{
    int total = 0;
    for (const Entry &e : m_rows) {
        if (!e.conversation.muted)
            total += e.conversation.unreadCount;
    }
    if (total != m_unreadTotal) {
        m_unreadTotal = total;
        Q_EMIT unreadTotalChanged();
    }
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_rows.at(static_cast<std::size_t>(index.row()));
    const store::Conversation &c = e.conversation;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole: return c.title;
    case ConversationIdRole: return c.id;
    case AccountIdRole: return c.accountId;
    case AccountBadgeRole: return m_badges ? m_badges(c.accountId).label : QString();
    case AccountColorRole: return m_badges ? m_badges(c.accountId).colorKey : QString();
    case AvatarUrlRole: return c.avatarUrl;
    case InitialsRole: return modeltext::initialsOf(c.title);
    case KindRole: return kindName(c.kind);
    case LastMessagePreviewRole: return e.previewText;
    case LastActivityRole: return activityTime(c);
    case LastActivityTextRole: return modeltext::activityText(activityTime(c), QDateTime::currentDateTime());
    case UnreadCountRole: return c.unreadCount;
    case MutedRole: return c.muted;
    case TypingRole: {
        const auto it = m_typing.find(c.id);
        return it == m_typing.end() ? QString() : it->second;
    }
    case DraftRole: {
        const auto it = m_drafts.find(c.id);
        return it == m_drafts.end() ? QString() : it->second;
    }
    case TrustWarningRole: return trustWarning(c);
    case SearchTextRole: return e.searchText;
    default: break;
    }
    return {};
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    static const QHash<int, QByteArray> names{
        {ConversationIdRole, "conversationId"},
        {AccountIdRole, "accountId"},
        {AccountBadgeRole, "accountBadge"},
        {AccountColorRole, "accountColor"},
        {TitleRole, "title"},
        {AvatarUrlRole, "avatarUrl"},
        {InitialsRole, "initials"},
        {KindRole, "kind"},
        {LastMessagePreviewRole, "lastMessagePreview"},
        {LastActivityRole, "lastActivity"},
        {LastActivityTextRole, "lastActivityText"},
        {UnreadCountRole, "unreadCount"},
        {MutedRole, "muted"},
        {TypingRole, "typing"},
        {DraftRole, "draft"},
        {TrustWarningRole, "trustWarning"},
        {SearchTextRole, "searchText"},
    };
    return names;
}

int ConversationListModel::rowOf(qint64 conversationId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].conversation.id == conversationId)
            return static_cast<int>(i);
    }
    return -1;
}

void ConversationListModel::setBadgeLookup(BadgeLookup lookup)
{
    m_badges = std::move(lookup);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1), {AccountBadgeRole, AccountColorRole});
}

void ConversationListModel::reload()
{
    load();
}

void ConversationListModel::setTyping(qint64 conversationId, const QStringList &names)
{
    setRowText(m_typing, conversationId, modeltext::typingText(names), TypingRole);
}

void ConversationListModel::setDraft(qint64 conversationId, const QString &summary)
{
    setRowText(m_drafts, conversationId, summary, DraftRole);
}

void ConversationListModel::setRowText(std::map<qint64, QString> &texts, qint64 conversationId, const QString &text,
                                       int role)
{
    const auto it = texts.find(conversationId);
    const QString before = it == texts.end() ? QString() : it->second;
    if (text.isEmpty())
        texts.erase(conversationId);
    else
        texts[conversationId] = text;
    if (before != text)
        notifyRow(conversationId, {role});
}

void ConversationListModel::setTrustWarning(qint64 conversationId, bool warning)
{
    const int row = rowOf(conversationId);
    const bool before = row >= 0 && trustWarning(m_rows[static_cast<std::size_t>(row)].conversation);
    m_trustOverrides[conversationId] = warning;
    if (row >= 0 && before != warning)
        notifyRow(conversationId, {TrustWarningRole});
}

void ConversationListModel::refreshTimeTexts()
{
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1), {LastActivityTextRole});
}

void ConversationListModel::load()
{
    const quint64 generation = ++m_generation;
    m_loaded = false;
    if (!m_loading) {
        m_loading = true;
        Q_EMIT loadingChanged();
    }
    // Signals that arrive before the answer are already in it (ignored): the store answers in
    // order, and posts a write's signals before it finishes the futures of later jobs. An answer
    // that was ready before the model asked is applied at once; signals of writes before it may
    // then arrive after it and re-apply what it holds (every change is idempotent here).
    // A screenful first (the window paints it sooner), then the whole list.
    m_store.conversations(0, FirstRows).then(this, [this, generation](Result<QList<store::Conversation>> result) {
        if (generation != m_generation)
            return;
        if (!result) {
            m_loading = false;
            Q_EMIT loadingChanged();
            qCWarning(lcUi).noquote() << "could not read the conversation list:" << result.error().toString();
            setLoadError(result.error().message());
            return;
        }
        setLoadError(QString());
        setLoaded(result.value());
        if (result.value().size() < FirstRows) {
            m_loading = false;
            Q_EMIT loadingChanged();
            return;
        }
        loadRest(generation);
    });
}

void ConversationListModel::loadRest(quint64 generation)
{
    m_store.conversations().then(this, [this, generation](Result<QList<store::Conversation>> result) {
        if (generation != m_generation)
            return;
        m_loading = false;
        Q_EMIT loadingChanged();
        if (!result) {
            qCWarning(lcUi).noquote() << "could not read the conversation list:" << result.error().toString();
            setLoadError(result.error().message());
            return;
        }
        setRest(result.value());
    });
}

void ConversationListModel::setRest(const QList<store::Conversation> &conversations)
{
    // The answer is the whole list as of now. Normally the rows shown are its first rows and the
    // rest goes below them in one insert. An answer that was ready before the model asked is
    // applied at once, ahead of the signals of writes that came after the first screenful; what
    // those changed is put in place here with removals, moves and inserts, never a reset, so a
    // view keeps its place and selection (the signals then find their rows as they are).
    std::vector<Entry> rows = sortedEntries(conversations);
    std::unordered_set<qint64> inAnswer;
    for (const Entry &e : rows)
        inAnswer.insert(e.conversation.id);
    for (std::size_t i = m_rows.size(); i-- > 0;) {
        if (!inAnswer.contains(m_rows[i].conversation.id)) {
            beginRemoveRows(QModelIndex(), static_cast<int>(i), static_cast<int>(i));
            m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(i));
            endRemoveRows();
        }
    }
    // Every row shown is now in the answer: put the answer's rows in place one by one until the
    // rows shown are used up; what is left is new, below them.
    std::size_t i = 0;
    for (; i < m_rows.size(); ++i) {
        const qint64 id = rows[i].conversation.id;
        if (m_rows[i].conversation.id == id)
            continue;
        const int from = rowOf(id);
        if (from >= 0) {
            beginMoveRows(QModelIndex(), from, from, QModelIndex(), static_cast<int>(i));
            Entry moving = std::move(m_rows[static_cast<std::size_t>(from)]);
            m_rows.erase(m_rows.begin() + from);
            m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(i), std::move(moving));
            endMoveRows();
            m_rows[i] = std::move(rows[i]);
            Q_EMIT dataChanged(index(static_cast<int>(i)), index(static_cast<int>(i)));
        } else {
            beginInsertRows(QModelIndex(), static_cast<int>(i), static_cast<int>(i));
            m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(i), std::move(rows[i]));
            endInsertRows();
        }
    }
    const std::size_t shown = m_rows.size();
    if (shown < rows.size()) {
        beginInsertRows(QModelIndex(), static_cast<int>(shown), static_cast<int>(rows.size()) - 1);
        m_rows.insert(m_rows.end(), std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(shown)),
                      std::make_move_iterator(rows.end()));
        endInsertRows();
    }
    Q_EMIT countChanged();
}

std::vector<ConversationListModel::Entry>
ConversationListModel::sortedEntries(const QList<store::Conversation> &conversations) const
{
    std::vector<Entry> rows;
    rows.reserve(static_cast<std::size_t>(conversations.size()));
    for (const store::Conversation &c : conversations)
        rows.push_back(makeEntry(c));
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Entry &a, const Entry &b) { return before(a.conversation, b.conversation); });
    return rows;
}

void ConversationListModel::setLoaded(const QList<store::Conversation> &conversations)
{
    std::vector<Entry> rows = sortedEntries(conversations);
    m_loaded = true;
    const std::size_t previous = m_rows.size();
    if (m_rows.empty()) {
        if (!rows.empty()) {
            beginInsertRows(QModelIndex(), 0, static_cast<int>(rows.size()) - 1);
            m_rows = std::move(rows);
            endInsertRows();
        }
    } else {
        // A reload: the whole list is new.
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }
    if (previous != m_rows.size())
        Q_EMIT countChanged();
}

void ConversationListModel::added(const store::Conversation &conversation)
{
    if (!m_loaded)
        return;
    if (rowOf(conversation.id) >= 0) {
        changedConversation(conversation);
        return;
    }
    const std::size_t at = insertionPoint(conversation);
    beginInsertRows(QModelIndex(), static_cast<int>(at), static_cast<int>(at));
    m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(at), makeEntry(conversation));
    endInsertRows();
    Q_EMIT countChanged();
}

void ConversationListModel::changedConversation(const store::Conversation &conversation)
{
    if (!m_loaded)
        return;
    const int from = rowOf(conversation.id);
    if (from < 0) {
        added(conversation);
        return;
    }
    // Where it belongs among the other rows (the list is sorted).
    int to = 0;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (static_cast<int>(i) != from && before(m_rows[i].conversation, conversation))
            ++to;
    }
    if (to != from) {
        beginMoveRows(QModelIndex(), from, from, QModelIndex(), to > from ? to + 1 : to);
        Entry moving = std::move(m_rows[static_cast<std::size_t>(from)]);
        m_rows.erase(m_rows.begin() + from);
        m_rows.insert(m_rows.begin() + to, std::move(moving));
        endMoveRows();
    }
    m_rows[static_cast<std::size_t>(to)] = makeEntry(conversation);
    const QModelIndex at = index(to);
    Q_EMIT dataChanged(at, at);
}

void ConversationListModel::removed(qint64 conversationId)
{
    m_typing.erase(conversationId);
    m_drafts.erase(conversationId);
    m_trustOverrides.erase(conversationId);
    if (!m_loaded)
        return;
    const int row = rowOf(conversationId);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_rows.erase(m_rows.begin() + row);
    endRemoveRows();
    Q_EMIT countChanged();
}

void ConversationListModel::databaseRecreated()
{
    // Everything cached is gone: what the app set about conversations too.
    m_typing.clear();
    m_drafts.clear();
    m_trustOverrides.clear();
    load();
}

ConversationListModel::Entry ConversationListModel::makeEntry(const store::Conversation &c) const
{
    Entry e;
    e.conversation = c;
    if (c.preview) {
        const store::MessagePreview &p = *c.preview;
        QString text = p.text.simplified(); // one line
        if (p.deleted) {
            text = tr("Message deleted");
        } else if (text.isEmpty() && p.kind == static_cast<int>(store::MessageKind::Media)) {
            text = tr("Attachment");
        }
        if (p.outgoing && !text.isEmpty() && p.kind != static_cast<int>(store::MessageKind::System) &&
            p.kind != static_cast<int>(store::MessageKind::KeyChange))
            text = tr("You: %1").arg(text);
        e.previewText = text;
    }
    e.searchText = modeltext::foldForSearch(c.title + QLatin1Char('\n') + e.previewText);
    return e;
}

std::size_t ConversationListModel::insertionPoint(const store::Conversation &conversation) const
{
    const auto it = std::partition_point(
        m_rows.begin(), m_rows.end(), [&conversation](const Entry &e) { return before(e.conversation, conversation); });
    return static_cast<std::size_t>(it - m_rows.begin());
}

bool ConversationListModel::trustWarning(const store::Conversation &c) const
{
    if (const auto it = m_trustOverrides.find(c.id); it != m_trustOverrides.end())
        return it->second;
    // What the store knows: the newest entry is a key change, or an engine flagged it in `extra`.
    if (c.preview && c.preview->kind == static_cast<int>(store::MessageKind::KeyChange))
        return true;
    return c.extra.value(QLatin1String("trustWarning")).toBool();
}

void ConversationListModel::setLoadError(const QString &message)
{
    if (m_loadError == message)
        return;
    m_loadError = message;
    Q_EMIT loadErrorChanged();
}

void ConversationListModel::notifyRow(qint64 conversationId, const QList<int> &roles)
{
    const int row = rowOf(conversationId);
    if (row < 0)
        return;
    const QModelIndex at = index(row);
    Q_EMIT dataChanged(at, at, roles);
}

} // namespace confab::models
