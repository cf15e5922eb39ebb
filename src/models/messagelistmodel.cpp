#include "models/messagelistmodel.h"

#include "core/logging.h"
#include "core/whilealive.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QVariantMap>

#include <algorithm>
#include <cmath>

namespace confab::models {

namespace {

QDate localDay(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().date() : QDate();
}

MessageListModel::RowKind rowKindOf(store::MessageKind kind)
{
    switch (kind) {
    case store::MessageKind::System: return MessageListModel::RowKind::System;
    case store::MessageKind::KeyChange: return MessageListModel::RowKind::KeyChange;
    case store::MessageKind::Failure: return MessageListModel::RowKind::Failure;
    case store::MessageKind::Text:
    case store::MessageKind::Media:
    case store::MessageKind::Action: break;
    }
    return MessageListModel::RowKind::Message;
}

int toInt(std::size_t n)
{
    return static_cast<int>(n);
}

std::ptrdiff_t offset(std::size_t n)
{
    return static_cast<std::ptrdiff_t>(n);
}

} // namespace

MessageListModel::MessageListModel(store::Store &store, qint64 conversationId, QObject *parent)
    : MessageListModel(store, conversationId, Options{}, parent)
{}

MessageListModel::MessageListModel(store::Store &store, qint64 conversationId, Options options, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
    , m_conversationId(conversationId)
    , m_options(options)
{
    connectStore();
    load();
}

void MessageListModel::setHistorySource(HistorySource source)
{
    m_historySource = std::move(source);
}

void MessageListModel::setAttachmentStates(AttachmentStates states)
{
    m_attachmentStates = std::move(states);
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (!m_rows[i].message.attachments.isEmpty())
            Q_EMIT dataChanged(index(toInt(i)), index(toInt(i)), {AttachmentsRole});
    }
}

void MessageListModel::attachmentStateChanged(qint64 messageId)
{
    const int row = rowOfMessage(messageId);
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {AttachmentsRole});
}

void MessageListModel::setUploadProgress(qint64 messageId, qint64 sent, qint64 total)
{
    const double fraction = total > 0 ? std::clamp(double(sent) / double(total), 0.0, 1.0) : 0.0;
    const double before = m_uploads.value(messageId, -1.0);
    // A redraw per half percent at most.
    if (before >= 0 && fraction < 1.0 && std::abs(fraction - before) < 0.005)
        return;
    m_uploads.insert(messageId, fraction);
    const int row = rowOfMessage(messageId);
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {UploadProgressRole});
}

void MessageListModel::connectStore()
{
    connect(&m_store, &store::Store::messagesInserted, this,
            [this](qint64 id, const QList<store::Message> &messages) { inserted(id, messages); });
    connect(&m_store, &store::Store::messagesChanged, this,
            [this](qint64 id, const QList<store::MessageChange> &changes) { changed(id, changes); });
    connect(&m_store, &store::Store::messagesRemoved, this,
            [this](qint64 id, const QList<store::MessageKey> &keys) { removed(id, keys); });
    connect(&m_store, &store::Store::historyPruned, this, &MessageListModel::pruned);
    connect(&m_store, &store::Store::conversationChanged, this, &MessageListModel::conversationChanged);
    connect(&m_store, &store::Store::conversationRemoved, this, &MessageListModel::conversationRemoved);
    connect(&m_store, &store::Store::membersChanged, this, [this](qint64 id) {
        if (id == m_conversationId && m_loaded)
            loadMembers();
    });
    connect(&m_store, &store::Store::databaseRecreated, this, &MessageListModel::reload);
}

// ---- loading ---------------------------------------------------------------------------------

void MessageListModel::load()
{
    // One store job reads the conversation, who "me" is, the members and the newest page, all of
    // one moment. The store answers in order and posts a write's signals before it finishes the
    // futures of later jobs, so signals that arrive before the answer are already in it and are
    // ignored. An answer that was ready before the model asked is applied at once; signals of
    // writes before it may then arrive after it and re-apply what it holds (every change is
    // idempotent here), ending in the same state.
    const quint64 generation = ++m_generation;
    ++m_membersGeneration; // a members read still under way is older than this
    setLoading(true);
    const int requested = m_options.pageSize;
    // The model may be replaced (another conversation opened) before the store answers.
    thenWhileAlive(m_store.opening(m_conversationId, requested), &m_store, this,
                   [this, generation, requested](Result<store::ConversationOpening> opened) {
                       if (generation != m_generation)
                           return;
                       setLoading(false);
                       if (!opened) {
                           qCWarning(lcUi).noquote() << "could not read the conversation:" << opened.error().toString();
                           setLoadError(opened.error().message());
                           return;
                       }
                       store::ConversationOpening &o = opened.value();
                       m_accountId = o.conversation.accountId;
                       m_selfUserId = o.selfUserId;
                       setHistoryComplete(o.conversation.historyComplete);
                       m_members.clear();
                       for (const store::Member &m : o.members)
                           m_members[m.userId] = m;
                       m_loaded = true;
                       appendPage(o.newest, requested);
                   });
}

void MessageListModel::loadMembers()
{
    const quint64 generation = m_generation;
    const quint64 reading = ++m_membersGeneration;
    thenWhileAlive(m_store.members(m_conversationId), &m_store, this,
                   [this, generation, reading](Result<QList<store::Member>> members) {
                       if (generation != m_generation || reading != m_membersGeneration)
                           return;
                       if (!members) {
                           qCWarning(lcUi).noquote() << "could not read the members:" << members.error().toString();
                           return;
                       }
                       m_members.clear();
                       for (const store::Member &m : members.value())
                           m_members[m.userId] = m;
                       if (!m_rows.empty())
                           Q_EMIT dataChanged(index(0), index(toInt(m_rows.size()) - 1),
                                              {SenderNameRole, SenderAvatarRole, ReplySenderRole, DeliveryRole});
                   });
}

void MessageListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_loaded = false;
    m_gone = false;
    m_floor.reset();
    m_fetching = false;
    m_historyEnded = false;
    m_stalled = false;
    setStoreExhausted(false);
    endResetModel();
    Q_EMIT fetchingChanged();
    setLoadError(QString());
    load();
}

void MessageListModel::loadOlder()
{
    if (canFetchMore(QModelIndex()))
        fetchMore(QModelIndex());
}

bool MessageListModel::canFetchMore(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_loaded || m_fetching || m_gone || m_stalled)
        return false;
    if (!m_storeExhausted)
        return true;
    return m_historySource && !m_historyComplete && !m_historyEnded;
}

void MessageListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    setFetching(true);
    // Started from the event loop: views call this in the middle of their own work.
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, generation] {
            if (generation == m_generation)
                startFetch();
        },
        Qt::QueuedConnection);
}

void MessageListModel::startFetch()
{
    const quint64 generation = m_generation;
    if (!m_storeExhausted && m_floor) {
        const int requested = m_options.pageSize;
        thenWhileAlive(m_store.messagesBefore(m_conversationId, *m_floor, requested), &m_store, this,
                       [this, generation, requested](Result<QList<store::Message>> page) {
                           if (generation != m_generation)
                               return;
                           setFetching(false);
                           if (!page) {
                               qCWarning(lcUi).noquote() << "could not read older messages:" << page.error().toString();
                               setLoadError(page.error().message());
                               m_stalled = true; // until reload(): a view would ask again at once
                               return;
                           }
                           setLoadError(QString());
                           appendPage(page.value(), requested);
                       });
        return;
    }
    if (!m_historySource) {
        setFetching(false);
        return;
    }
    // The store has nothing older: the service has. What the source adds reaches the store and,
    // the store being exhausted, comes in through messagesInserted at the bottom of the window.
    QFuture<Result<int>> loaded = m_historySource();
    thenWhileAlive(loaded, &m_store, this, [this, generation](QFuture<Result<int>> done) {
        if (generation != m_generation)
            return;
        setFetching(false);
        if (done.resultCount() == 0) {
            m_historyEnded = true;
            return;
        }
        const Result<int> added = done.result();
        if (!added) {
            qCInfo(lcUi).noquote() << "could not load older messages:" << added.error().toString();
            setLoadError(added.error().message());
            m_stalled = true; // until reload(): a view would ask again at once
            return;
        }
        setLoadError(QString());
        if (added.value() == 0 && !m_historyComplete)
            m_historyEnded = true;
    }).onCanceled(&m_store, [self = QPointer<MessageListModel>(this), generation] {
        MessageListModel *const model = self.data();
        if (model == nullptr || generation != model->m_generation)
            return;
        model->setFetching(false);
        model->m_historyEnded = true;
    });
}

void MessageListModel::appendPage(const QList<store::Message> &page, int requested)
{
    // `page` is newest first, every key below the window (or the first page).
    if (!page.isEmpty()) {
        const store::MessageKey oldest = page.constLast().key;
        if (!m_floor || oldest < *m_floor)
            m_floor = oldest;
    }
    std::vector<Row> block;
    for (const store::Message &m : page) {
        if (m.kind == store::MessageKind::Action || findMessage(m.id))
            continue;
        block.push_back(messageRow(m));
    }
    std::stable_sort(block.begin(), block.end(), [](const Row &a, const Row &b) { return a.key > b.key; });
    const bool below = m_rows.empty() || block.empty() || block.front().key < m_rows.back().key;
    if (below && !block.empty()) {
        // One insert for the whole page, with its own separators and group flags.
        std::vector<Row> rows;
        for (std::size_t i = 0; i < block.size(); ++i) {
            rows.push_back(block[i]);
            if (i + 1 == block.size() || block[i + 1].day != block[i].day)
                rows.push_back(separatorRow(block[i]));
        }
        for (std::size_t i = 0; i < rows.size(); ++i)
            computeFlags(rows, i);
        const int first = toInt(m_rows.size());
        beginInsertRows(QModelIndex(), first, first + toInt(rows.size()) - 1);
        m_rows.insert(m_rows.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
        endInsertRows();
    } else {
        for (const Row &r : block)
            place(r.message);
    }
    if (page.size() < requested)
        setStoreExhausted(true);
    fixup();
}

// ---- the store's signals ---------------------------------------------------------------------

void MessageListModel::inserted(qint64 conversationId, const QList<store::Message> &messages)
{
    if (conversationId != m_conversationId || !m_loaded)
        return;
    for (const store::Message &m : messages)
        place(m);
    fixup();
}

void MessageListModel::changed(qint64 conversationId, const QList<store::MessageChange> &changes)
{
    if (conversationId != m_conversationId || !m_loaded)
        return;
    for (const store::MessageChange &c : changes)
        place(c.message);
    fixup();
}

void MessageListModel::removed(qint64 conversationId, const QList<store::MessageKey> &keys)
{
    if (conversationId != m_conversationId || !m_loaded)
        return;
    for (const store::MessageKey &key : keys) {
        for (std::size_t i = 0; i < m_rows.size(); ++i) {
            if (!m_rows[i].separator && m_rows[i].key == key) {
                removeRowAt(i);
                break;
            }
        }
    }
    fixup();
}

void MessageListModel::pruned(qint64 conversationId, const store::MessageKey &through)
{
    if (conversationId != m_conversationId || !m_loaded)
        return;
    // Housekeeping dropped the cached history up to `through`; it comes back from the service
    // (the conversation's historyComplete went off, a conversationChanged tells).
    for (std::size_t i = m_rows.size(); i-- > 0;) {
        if (!m_rows[i].separator && m_rows[i].key <= through)
            removeRowAt(i);
    }
    fixup();
}

void MessageListModel::conversationChanged(const store::Conversation &conversation)
{
    if (conversation.id != m_conversationId)
        return;
    m_accountId = conversation.accountId;
    setHistoryComplete(conversation.historyComplete);
}

void MessageListModel::conversationRemoved(qint64 conversationId)
{
    if (conversationId != m_conversationId)
        return;
    m_gone = true;
    if (!m_rows.empty()) {
        beginRemoveRows(QModelIndex(), 0, toInt(m_rows.size()) - 1);
        m_rows.clear();
        endRemoveRows();
    }
}

// ---- rows ------------------------------------------------------------------------------------

bool MessageListModel::inWindow(const store::MessageKey &key) const
{
    return m_storeExhausted || (m_floor && key >= *m_floor);
}

MessageListModel::Row MessageListModel::messageRow(const store::Message &message) const
{
    Row r;
    r.key = message.key;
    r.message = message;
    r.day = localDay(message.createdMs);
    if (!message.deleted)
        r.links = modeltext::linksOf(message.text, message.extra.value(QLatin1String("entities")).toArray());
    return r;
}

MessageListModel::Row MessageListModel::separatorRow(const Row &anchor)
{
    Row r;
    r.separator = true;
    r.key = anchor.key;
    r.anchorId = anchor.message.id;
    r.day = anchor.day;
    return r;
}

std::size_t MessageListModel::insertionPoint(const store::MessageKey &key) const
{
    // Rows are in descending key order; a separator carries its anchor's key and follows it.
    const auto it =
        std::partition_point(m_rows.begin(), m_rows.end(), [&key](const Row &row) { return row.key > key; });
    return static_cast<std::size_t>(it - m_rows.begin());
}

std::optional<std::size_t> MessageListModel::findMessage(qint64 messageId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (!m_rows[i].separator && m_rows[i].message.id == messageId)
            return i;
    }
    return std::nullopt;
}

void MessageListModel::place(const store::Message &message)
{
    const std::optional<std::size_t> at = findMessage(message.id);
    // Reactions and edits on their way (Action rows) are not part of the timeline.
    if (message.kind == store::MessageKind::Action || !inWindow(message.key)) {
        if (at)
            removeRowAt(*at);
        return;
    }
    if (at) {
        update(*at, message);
        return;
    }
    insertRowAt(insertionPoint(message.key), messageRow(message));
}

void MessageListModel::update(std::size_t row, const store::Message &message)
{
    Row fresh = messageRow(message);
    fresh.firstInGroup = m_rows[row].firstInGroup;
    fresh.lastInGroup = m_rows[row].lastInGroup;
    if (message.key != m_rows[row].key) {
        // A move (a pending message the server accepted takes its place in the sequence).
        const std::size_t point = insertionPoint(message.key);
        const std::size_t to = point > row ? point - 1 : point; // among the other rows
        if (to != row) {
            beginMoveRows(QModelIndex(), toInt(row), toInt(row), QModelIndex(), toInt(to > row ? to + 1 : to));
            Row moving = std::move(m_rows[row]);
            m_rows.erase(m_rows.begin() + offset(row));
            m_rows.insert(m_rows.begin() + offset(to), std::move(moving));
            endMoveRows();
            row = to;
        }
    }
    m_rows[row] = std::move(fresh);
    const QModelIndex at = index(toInt(row));
    Q_EMIT dataChanged(at, at);
}

void MessageListModel::insertRowAt(std::size_t at, Row row)
{
    beginInsertRows(QModelIndex(), toInt(at), toInt(at));
    m_rows.insert(m_rows.begin() + offset(at), std::move(row));
    endInsertRows();
}

void MessageListModel::removeRowAt(std::size_t at)
{
    beginRemoveRows(QModelIndex(), toInt(at), toInt(at));
    m_rows.erase(m_rows.begin() + offset(at));
    endRemoveRows();
}

bool MessageListModel::wantsSeparator(const std::vector<Row> &rows, std::size_t messageRow) const
{
    // A separator above the oldest message of each day (and of the window).
    for (std::size_t j = messageRow + 1; j < rows.size(); ++j) {
        if (!rows[j].separator)
            return rows[j].day != rows[messageRow].day;
    }
    return true;
}

bool MessageListModel::sameGroup(const Row &newer, const Row &older) const
{
    if (newer.separator || older.separator)
        return false;
    const store::Message &a = newer.message;
    const store::Message &b = older.message;
    return rowKindOf(a.kind) == RowKind::Message && rowKindOf(b.kind) == RowKind::Message && a.senderId == b.senderId &&
           a.outgoing == b.outgoing && newer.day == older.day &&
           qAbs(a.createdMs - b.createdMs) <= m_options.groupWindowMs;
}

void MessageListModel::computeFlags(std::vector<Row> &rows, std::size_t row) const
{
    Row &r = rows[row];
    if (r.separator)
        return;
    const bool olderJoins = row + 1 < rows.size() && sameGroup(r, rows[row + 1]);
    const bool newerJoins = row > 0 && sameGroup(rows[row - 1], r);
    r.firstInGroup = !olderJoins;
    r.lastInGroup = !newerJoins;
}

void MessageListModel::fixup()
{
    // 1. Separators that are not right below their message, or no longer end a day, go.
    for (std::size_t i = m_rows.size(); i-- > 0;) {
        if (!m_rows[i].separator)
            continue;
        const bool keep = i > 0 && !m_rows[i - 1].separator && m_rows[i - 1].message.id == m_rows[i].anchorId &&
                          wantsSeparator(m_rows, i - 1);
        if (!keep)
            removeRowAt(i);
    }
    // 2. Missing ones come.
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].separator || !wantsSeparator(m_rows, i))
            continue;
        if (i + 1 < m_rows.size() && m_rows[i + 1].separator)
            continue; // kept above: it is this message's
        insertRowAt(i + 1, separatorRow(m_rows[i]));
        ++i;
    }
    // 3. Separator dates and group flags.
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        Row &r = m_rows[i];
        if (r.separator) {
            const Row &anchor = m_rows[i - 1]; // pass 1 made sure there is one
            r.key = anchor.key;
            if (r.day != anchor.day) {
                r.day = anchor.day;
                const QModelIndex at = index(toInt(i));
                Q_EMIT dataChanged(at, at, {DateTextRole, TimeRole});
            }
            continue;
        }
        const bool first = r.firstInGroup;
        const bool last = r.lastInGroup;
        computeFlags(m_rows, i);
        if (first != m_rows[i].firstInGroup || last != m_rows[i].lastInGroup) {
            const QModelIndex at = index(toInt(i));
            Q_EMIT dataChanged(at, at, {FirstInGroupRole, LastInGroupRole});
        }
    }
}

// ---- state -----------------------------------------------------------------------------------

void MessageListModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

void MessageListModel::setFetching(bool fetching)
{
    if (m_fetching == fetching)
        return;
    m_fetching = fetching;
    Q_EMIT fetchingChanged();
}

void MessageListModel::setLoadError(const QString &message)
{
    if (m_loadError == message)
        return;
    m_loadError = message;
    Q_EMIT loadErrorChanged();
}

void MessageListModel::setHistoryComplete(bool complete)
{
    const bool before = atBeginning();
    if (m_historyComplete && !complete)
        m_historyEnded = false; // pruned: the source has more again
    m_historyComplete = complete;
    if (before != atBeginning())
        Q_EMIT atBeginningChanged();
}

void MessageListModel::setStoreExhausted(bool exhausted)
{
    const bool before = atBeginning();
    m_storeExhausted = exhausted;
    if (before != atBeginning())
        Q_EMIT atBeginningChanged();
}

// ---- data ------------------------------------------------------------------------------------

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : toInt(m_rows.size());
}

int MessageListModel::rowOfMessage(qint64 messageId) const
{
    const auto at = findMessage(messageId);
    return at ? toInt(*at) : -1;
}

int MessageListModel::rowOfRemoteId(const QString &remoteId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (!m_rows[i].separator && m_rows[i].message.remoteId == remoteId)
            return toInt(i);
    }
    return -1;
}

QString MessageListModel::nameOf(const QString &userId) const
{
    const auto it = m_members.find(userId);
    if (it == m_members.end())
        return userId;
    if (!it->second.displayName.isEmpty())
        return it->second.displayName;
    if (!it->second.username.isEmpty())
        return QLatin1Char('@') + it->second.username;
    return userId;
}

MessageListModel::Delivery MessageListModel::deliveryOf(const store::Message &m) const
{
    if (!m.outgoing)
        return Delivery::None;
    switch (m.delivery) {
    case store::DeliveryState::Pending:
    case store::DeliveryState::Sending: return Delivery::Pending;
    case store::DeliveryState::Failed: return Delivery::Failed;
    case store::DeliveryState::Sent:
    case store::DeliveryState::Received: break;
    }
    if (m.key.pending)
        return Delivery::Pending;
    // Read once another member's read marker reached it.
    const QString self = m_selfUserId.isEmpty() ? m.senderId : m_selfUserId;
    for (const auto &[userId, member] : m_members) {
        if (userId != self && member.readMarker >= m.key.sortKey)
            return Delivery::Read;
    }
    return Delivery::Sent;
}

QVariantList MessageListModel::reactionsOf(const store::Message &m) const
{
    // extra.reactions: {emoji: [user ids]}.
    struct Reaction
    {
        QString emoji;
        int count = 0;
        bool mine = false;
    };
    std::vector<Reaction> all;
    const QJsonObject reactions = m.extra.value(QLatin1String("reactions")).toObject();
    for (auto it = reactions.constBegin(); it != reactions.constEnd(); ++it) {
        const QJsonArray users = it.value().toArray();
        if (users.isEmpty())
            continue;
        Reaction r{it.key(), static_cast<int>(users.size()), false};
        for (const QJsonValue &u : users)
            r.mine = r.mine || (!m_selfUserId.isEmpty() && u.toString() == m_selfUserId);
        all.push_back(r);
    }
    std::stable_sort(all.begin(), all.end(), [](const Reaction &a, const Reaction &b) { return a.count > b.count; });
    QVariantList out;
    for (const Reaction &r : all)
        out.append(QVariantMap{{QStringLiteral("emoji"), r.emoji}, {QStringLiteral("count"), r.count},
                                                                    {QStringLiteral("mine"), r.mine}});
    return out;
}

QVariantList MessageListModel::attachmentsOf(const store::Message &m) const
{
    QVariantList out;
    for (const store::Attachment &a : m.attachments) {
        const QString type = a.mimeType.isEmpty() ? a.extra.value(QLatin1String("claimedType")).toString() : a.mimeType;
        out.append(QVariantMap{
            {QStringLiteral("ordinal"), a.ordinal},
             {QStringLiteral("name"), a.fileName},
              {QStringLiteral("type"), type},
               {QStringLiteral("mimeType"), a.mimeType},
                {QStringLiteral("size"), a.sizeBytes},
                 {QStringLiteral("width"), a.width},
                  {QStringLiteral("height"), a.height},
                   {QStringLiteral("durationMs"), a.durationMs},
                    {QStringLiteral("mediaId"), a.mediaId},
                     {QStringLiteral("downloadState"),
                                     m_attachmentStates ? m_attachmentStates(m.conversationId, a.mediaId) : QString()},
                    });
    }
    return out;
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(static_cast<std::size_t>(index.row()));
    if (r.separator) {
        switch (role) {
        case Qt::DisplayRole:
        case DateTextRole: return modeltext::dayText(r.day, QDate::currentDate());
        case KindRole: return static_cast<int>(RowKind::DaySeparator);
        case MessageIdRole: return qint64(0);
        case TimeRole: return r.day.startOfDay();
        case FirstInGroupRole:
        case LastInGroupRole: return true;
        default: return {};
        }
    }
    const store::Message &m = r.message;
    const QJsonObject reply = m.extra.value(QLatin1String("reply")).toObject();
    switch (role) {
    case Qt::DisplayRole:
    case TextRole: return m.deleted ? QString() : m.text;
    case MessageIdRole: return m.id;
    case RemoteIdRole: return m.remoteId;
    case KindRole: return static_cast<int>(rowKindOf(m.kind));
    case SenderIdRole: return m.senderId;
    case SenderNameRole: return nameOf(m.senderId);
    case SenderAvatarRole: {
        const auto it = m_members.find(m.senderId);
        return it == m_members.end() ? QString() : it->second.avatarUrl;
    }
    case OutgoingRole: return m.outgoing;
    case EntitiesRole: {
        QVariantList out;
        for (const TextLink &l : r.links)
            out.append(QVariantMap{{QStringLiteral("start"), l.start}, {QStringLiteral("length"), l.length},
                                                                        {QStringLiteral("url"), l.url}});
        return out;
    }
    case TimeRole: return m.createdMs > 0 ? QDateTime::fromMSecsSinceEpoch(m.createdMs).toLocalTime() : QDateTime();
    case TimeTextRole:
        return m.createdMs > 0 ? modeltext::clockText(QDateTime::fromMSecsSinceEpoch(m.createdMs).toLocalTime().time())
                               : QString();
    case DateTextRole: return QString();
    case EditedRole: return m.editedMs != 0;
    case DeletedRole: return m.deleted;
    case ReactionsRole: return reactionsOf(m);
    case ReplyToIdRole: return reply.value(QLatin1String("messageId")).toString();
    case ReplyTextRole: return reply.value(QLatin1String("text")).toString();
    case ReplySenderRole: {
        if (reply.isEmpty())
            return QString();
        const QString senderId = reply.value(QLatin1String("senderId")).toString();
        if (!senderId.isEmpty() && senderId == m_selfUserId)
            return QCoreApplication::translate("confab::models::MessageListModel", "You");
        if (m_members.count(senderId) != 0)
            return nameOf(senderId);
        return reply.value(QLatin1String("senderName")).toString();
    }
    case ReplyValidRole:
        return !reply.isEmpty() && reply.value(QLatin1String("validation")).toString() == QLatin1String("valid");
    case AttachmentsRole: return attachmentsOf(m);
    case DeliveryRole: return static_cast<int>(deliveryOf(m));
    case FailureReasonRole: return m.delivery == store::DeliveryState::Failed ? m.failureReason : QString();
    case VerificationRole:
        if (m.kind == store::MessageKind::Failure)
            return static_cast<int>(Verification::Failed);
        return static_cast<int>(m.extra.value(QLatin1String("verified")).toBool() ? Verification::Verified
                                                                                  : Verification::NotVerified);
    case VerificationReasonRole: return m.kind == store::MessageKind::Failure ? m.text : QString();
    case FirstInGroupRole: return r.firstInGroup;
    case LastInGroupRole: return r.lastInGroup;
    case LinkedTextRole: return m.deleted ? QString() : modeltext::linkedHtml(m.text, r.links);
    case UploadProgressRole:
        if (!m.outgoing || m.attachments.isEmpty() || m.delivery == store::DeliveryState::Sent ||
            m.delivery == store::DeliveryState::Failed)
            return -1.0;
        return m_uploads.value(m.id, 0.0);
    default: break;
    }
    return {};
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    static const QHash<int, QByteArray> names{
        {MessageIdRole, "messageId"},
        {RemoteIdRole, "remoteId"},
        {KindRole, "kind"},
        {SenderIdRole, "senderId"},
        {SenderNameRole, "senderName"},
        {SenderAvatarRole, "senderAvatar"},
        {OutgoingRole, "outgoing"},
        {TextRole, "text"},
        {EntitiesRole, "entities"},
        {TimeRole, "time"},
        {TimeTextRole, "timeText"},
        {DateTextRole, "dateText"},
        {EditedRole, "edited"},
        {DeletedRole, "deleted"},
        {ReactionsRole, "reactions"},
        {ReplyToIdRole, "replyToId"},
        {ReplyTextRole, "replyText"},
        {ReplySenderRole, "replySender"},
        {ReplyValidRole, "replyValid"},
        {AttachmentsRole, "attachments"},
        {DeliveryRole, "delivery"},
        {FailureReasonRole, "failureReason"},
        {VerificationRole, "verification"},
        {VerificationReasonRole, "verificationReason"},
        {FirstInGroupRole, "firstInGroup"},
        {LastInGroupRole, "lastInGroup"},
        {LinkedTextRole, "linkedText"},
        {UploadProgressRole, "uploadProgress"},
    };
    return names;
}

} // namespace confab::models
