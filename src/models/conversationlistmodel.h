#pragma once

#include "core/error.h"
#include "store/types.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <vector>

namespace confab::store {
class Store;
struct OpenReport;
} // namespace confab::store

namespace confab::models {

/// How the conversation list marks which account a conversation belongs to.
struct AccountBadge
{
    QString label;    ///< short text ("X", "work"), empty for none
    QString colorKey; ///< a key the theme turns into a colour ("0".."7", "xchat", ...)
};

/// Every account's conversations in one list, newest activity first (the store's order: last
/// activity, then id, both descending).
///
/// Loads the list from the store asynchronously (never blocking): first a screenful, so the
/// window shows its rows sooner, then the whole list; then follows the store's
/// conversationAdded/Changed/Removed with row inserts, moves (beginMoveRows when the activity
/// changes the order), removes and dataChanged: never a reset for one change. databaseRecreated
/// reloads. Typing indicators and trust warnings of the engines come in through setTyping() and
/// setTrustWarning(), which the app connects; the account badges through setBadgeLookup(), so
/// the model knows nothing of protocols. Filter it with ConversationFilterModel.
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    /// Unread messages in every conversation that is not muted (the window title, the tray).
    Q_PROPERTY(int unreadTotal READ unreadTotal NOTIFY unreadTotalChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString loadError READ loadError NOTIFY loadErrorChanged)
public:
    enum Role {
        /// qint64: the conversation's local id (the store's row id); what the other models take.
        ConversationIdRole = Qt::UserRole + 1,
        /// qint64: the store's id of the account it belongs to.
        AccountIdRole,
        /// QString: the account's short label from the badge lookup (empty without one).
        AccountBadgeRole,
        /// QString: the account's colour key from the badge lookup.
        AccountColorRole,
        /// QString: the group's name or the peer's.
        TitleRole,
        /// QString: the avatar's URL as the service gave it (empty: use InitialsRole).
        AvatarUrlRole,
        /// QString: one or two initials of the title, for an avatar placeholder.
        InitialsRole,
        /// QString: "direct", "group", "thread" or "assistant".
        KindRole,
        /// QString: the last message as one line of plain text ("You: " before the person's own).
        LastMessagePreviewRole,
        /// QDateTime: the last activity (local time); invalid when there was none.
        LastActivityRole,
        /// QString: the last activity for the list ("14:05", "Yesterday", "Tue", "3/2/24").
        LastActivityTextRole,
        /// int: messages from others after the read marker.
        UnreadCountRole,
        /// bool: muted by the person.
        MutedRole,
        /// QString: who is typing ("Ana is typing…"); empty when nobody is.
        TypingRole,
        /// bool: a member's key changed and the person has not acknowledged it (setTrustWarning), or
        /// the newest entry of the conversation is a key change.
        TrustWarningRole,
        /// QString: title and preview folded for matching (modeltext::foldForSearch), for filters.
        SearchTextRole,
        /// QString: what the person wrote here and has not sent yet, as one line (setDraft); empty
        /// when nothing waits.
        DraftRole,
    };
    Q_ENUM(Role)

    using BadgeLookup = std::function<AccountBadge(qint64 accountId)>;

    explicit ConversationListModel(store::Store &store, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] bool loading() const { return m_loading; }
    [[nodiscard]] int unreadTotal() const { return m_unreadTotal; }
    [[nodiscard]] QString loadError() const { return m_loadError; }

    /// The row of a conversation, or -1.
    [[nodiscard]] Q_INVOKABLE int rowOf(qint64 conversationId) const;
    /// The account badges (the app builds them from the AccountManager); refreshes every row.
    void setBadgeLookup(BadgeLookup lookup);

public Q_SLOTS:
    /// Reads the whole list again (after a failed load, say).
    void reload();
    /// Who is typing in a conversation now, by name (empty: nobody). The app connects the engines'
    /// typing signals here, with user ids turned into names.
    void setTyping(qint64 conversationId, const QStringList &names);
    /// What waits unsent in a conversation, as one line (empty: nothing). The app keeps drafts.
    void setDraft(qint64 conversationId, const QString &summary);
    /// Shows or clears a conversation's trust warning (a member's key changed: the engine's
    /// peerKeyChanged; cleared when the person acknowledges it). Overrides what the store says.
    void setTrustWarning(qint64 conversationId, bool warning);
    /// Recomputes the time texts ("Yesterday" turns into a weekday): call at midnight.
    void refreshTimeTexts();

Q_SIGNALS:
    void countChanged();
    void unreadTotalChanged();
    void loadingChanged();
    void loadErrorChanged();

private:
    struct Entry
    {
        store::Conversation conversation;
        QString previewText;
        QString searchText;
    };

    void load();
    void updateUnreadTotal();
    void loadRest(quint64 generation);
    void setLoaded(const QList<store::Conversation> &conversations);
    /// The whole list after the first screenful: appends what is missing below the rows shown, and
    /// puts in place (never with a reset) what changed since the first screenful was read.
    void setRest(const QList<store::Conversation> &conversations);
    void added(const store::Conversation &conversation);
    void changedConversation(const store::Conversation &conversation);
    void removed(qint64 conversationId);
    void databaseRecreated();
    [[nodiscard]] Entry makeEntry(const store::Conversation &conversation) const;
    /// Entries for `conversations` in the list's order.
    [[nodiscard]] std::vector<Entry> sortedEntries(const QList<store::Conversation> &conversations) const;
    /// Where a conversation belongs in m_rows, which must not hold it.
    [[nodiscard]] std::size_t insertionPoint(const store::Conversation &conversation) const;
    [[nodiscard]] bool trustWarning(const store::Conversation &conversation) const;
    void setLoadError(const QString &message);
    void notifyRow(qint64 conversationId, const QList<int> &roles);
    /// Sets (or clears, when empty) a conversation's text the app feeds in, and tells the row.
    void setRowText(std::map<qint64, QString> &texts, qint64 conversationId, const QString &text, int role);

    store::Store &m_store;
    std::vector<Entry> m_rows;
    BadgeLookup m_badges;
    std::map<qint64, QString> m_typing;      ///< conversation -> typing text
    std::map<qint64, QString> m_drafts;      ///< conversation -> draft line
    std::map<qint64, bool> m_trustOverrides; ///< conversation -> warning the app set
    bool m_loaded = false;                   ///< the first list arrived: signals apply from now on
    bool m_loading = false;
    int m_unreadTotal = 0;
    quint64 m_generation = 0; ///< bumps on reload: older answers are dropped
    /// Rows read first, before the whole list: more than a tall window shows.
    static constexpr int FirstRows = 40;
    QString m_loadError;
};

} // namespace confab::models
