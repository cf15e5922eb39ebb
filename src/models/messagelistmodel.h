#pragma once

#include "core/result.h"
#include "models/modeltext.h"
#include "store/changeset.h"
#include "store/types.h"

#include <QAbstractListModel>
#include <QDate>
#include <QFuture>
#include <QString>

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace confab::store {
class Store;
}

namespace confab::models {

/// One conversation's timeline for a ListView laid out bottom to top: the newest entry is row 0,
/// older ones follow, and a day separator row sits above (after) the oldest message of each day.
///
/// Loads the newest page from the store asynchronously; canFetchMore()/fetchMore() read older
/// pages (messagesBefore) and, once the store has nothing older and the conversation's history is
/// not complete, ask the history source (the app's hook around the engine's loadOlder()), whose
/// messages arrive through the store's signals. One fetch is in flight at a time; the GUI thread
/// never waits. The store's messagesInserted/Changed/Removed and historyPruned are applied row by
/// row (a pending message that the server accepted moves with beginMoveRows), day separators and
/// group flags are kept right with their own inserts, removes and dataChanged: never a reset for a
/// change (only reload() and a recreated database reset). Sender names come from the store's
/// members, refreshed on membersChanged.
///
/// The model holds a window of the timeline: every message from the oldest loaded one up to the
/// newest. Messages that land below it are read by the next fetchMore().
class MessageListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(qint64 conversationId READ conversationId CONSTANT)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(bool fetching READ fetching NOTIFY fetchingChanged)
    /// The conversation's first message is in the model: nothing older exists.
    Q_PROPERTY(bool atBeginning READ atBeginning NOTIFY atBeginningChanged)
    /// Why the last read failed, for a person; empty when it did not.
    Q_PROPERTY(QString loadError READ loadError NOTIFY loadErrorChanged)
public:
    /// What a row shows.
    enum class RowKind {
        Message,      ///< text and/or attachments from a member (or this account)
        DaySeparator, ///< the date of the messages below it in the view (DateTextRole)
        KeyChange,    ///< a member's encryption key changed: a trust event (TextRole explains)
        System,       ///< a group change ("created the group"): the sender did it
        Failure,      ///< a message that could not be verified, decrypted or delivered: TextRole says why
    };
    Q_ENUM(RowKind)

    /// Where one of this account's messages is. Others' messages are None.
    enum class Delivery {
        None,    ///< not an outgoing message
        Pending, ///< waiting in the outbox, or on the wire
        Sent,    ///< the server has it
        Failed,  ///< gave up: retry or discard (FailureReasonRole says why)
        Read,    ///< another member read up to it
    };
    Q_ENUM(Delivery)

    /// What the receiver rules said about a message's signature.
    enum class Verification {
        NotVerified, ///< nothing to check (own unsent messages, unsigned kinds) or decrypt-only
        Verified,    ///< signed by the sender's binding-verified key
        Failed,      ///< refused: VerificationReasonRole says why
    };
    Q_ENUM(Verification)

    enum Role {
        /// qint64: the store's row id of the message (stable for its life); 0 on separators.
        MessageIdRole = Qt::UserRole + 1,
        /// QString: the protocol's message id.
        RemoteIdRole,
        /// int: RowKind.
        KindRole,
        /// QString: the sender's user id.
        SenderIdRole,
        /// QString: the sender's name from the members (name, else @username, else the id).
        SenderNameRole,
        /// QString: the sender's avatar URL from the members (may be empty).
        SenderAvatarRole,
        /// bool: sent by this account (from this or another device).
        OutgoingRole,
        /// QString: the text as plain text (never rich text); empty when deleted. Failure rows:
        /// why the message cannot be shown.
        TextRole,
        /// QVariantList of {start, length, url} (UTF-16 offsets into TextRole): the links to show.
        EntitiesRole,
        /// QDateTime: when it was written (local time); separators: the start of their day.
        TimeRole,
        /// QString: the time as the view shows it ("14:05").
        TimeTextRole,
        /// QString: separators: "Today", "Yesterday" or the date; empty on other rows.
        DateTextRole,
        /// bool: the text was edited after sending.
        EditedRole,
        /// bool: deleted for everyone: the row stays as a marker, without text.
        DeletedRole,
        /// QVariantList of {emoji, count, mine}, most used first.
        ReactionsRole,
        /// QString: the quoted message's protocol id; empty when this is not a reply.
        ReplyToIdRole,
        /// QString: the quoted text as the reply carries it.
        ReplyTextRole,
        /// QString: who wrote the quoted message (from the members, else as the reply names them).
        ReplySenderRole,
        /// bool: the quote was checked against the signed original and matches it.
        ReplyValidRole,
        /// QVariantList of {name, type, mimeType, size, width, height, durationMs, mediaId,
        /// downloadState, ordinal}. downloadState comes from the app's lookup (setAttachmentStates):
        /// "" (on the server only), "downloading", "cached" or "failed".
        AttachmentsRole,
        /// int: Delivery.
        DeliveryRole,
        /// QString: why sending failed (Delivery::Failed), for a person.
        FailureReasonRole,
        /// int: Verification.
        VerificationRole,
        /// QString: why verification failed, for a person.
        VerificationReasonRole,
        /// bool: the oldest message of a run of one sender within a few minutes (shows the name).
        FirstInGroupRole,
        /// bool: the newest message of such a run (shows the avatar and time).
        LastInGroupRole,
        /// QString: TextRole as safe HTML for Text.StyledText: everything escaped, only the links
        /// of EntitiesRole as anchors (modeltext::linkedHtml). Never the sender's own markup.
        LinkedTextRole,
        /// double: how much of this outgoing message's files went up (0..1); -1 when none is
        /// going up (setUploadProgress).
        UploadProgressRole,
    };
    Q_ENUM(Role)

    /// Loads older messages from the service into the store: the number it added. Normally the
    /// engine's loadOlder() (XChatAccount::loadOlder through confab::toFuture).
    using HistorySource = std::function<QFuture<Result<int>>()>;

    struct Options
    {
        int pageSize = 50;                    ///< messages per page read from the store
        qint64 groupWindowMs = 5 * 60 * 1000; ///< messages of one sender this close form a group
    };

    MessageListModel(store::Store &store, qint64 conversationId, QObject *parent = nullptr);
    MessageListModel(store::Store &store, qint64 conversationId, Options options, QObject *parent = nullptr);

    /// Where history beyond the store comes from (unset: only what the store has).
    void setHistorySource(HistorySource source);

    /// An attachment's download state by (conversation, media id): "", "downloading", "cached"
    /// or "failed". The media layer knows it; the model only shows it.
    using AttachmentStates = std::function<QString(qint64 conversationId, const QString &mediaId)>;
    void setAttachmentStates(AttachmentStates states);
    /// A message's attachments changed state: its row's attachments are read again.
    void attachmentStateChanged(qint64 messageId);
    /// Bytes of an outgoing message's files that went up so far (the account reports them).
    void setUploadProgress(qint64 messageId, qint64 sent, qint64 total);

    [[nodiscard]] qint64 conversationId() const { return m_conversationId; }
    [[nodiscard]] bool loading() const { return m_loading; }
    [[nodiscard]] bool fetching() const { return m_fetching; }
    [[nodiscard]] bool atBeginning() const { return m_storeExhausted && m_historyComplete; }
    [[nodiscard]] QString loadError() const { return m_loadError; }

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    /// The row of a message by its store id, or -1 (not loaded).
    /// Reads the next older page if there is one and none is being read (fetchMore for views:
    /// Qt 6.4's ListView does not call fetchMore when its oldest row's delegate was reused).
    Q_INVOKABLE void loadOlder();
    [[nodiscard]] Q_INVOKABLE int rowOfMessage(qint64 messageId) const;
    /// The row of a message by its protocol id (a reply's target), or -1 (not loaded).
    [[nodiscard]] Q_INVOKABLE int rowOfRemoteId(const QString &remoteId) const;

public Q_SLOTS:
    /// Reads everything again from the newest page (a reset).
    void reload();

Q_SIGNALS:
    void loadingChanged();
    void fetchingChanged();
    void atBeginningChanged();
    void loadErrorChanged();

private:
    struct Row
    {
        bool separator = false;
        store::MessageKey key; ///< the message's; a separator's anchor's
        qint64 anchorId = 0;   ///< separator: the message right above it in the model
        store::Message message;
        QDate day;
        bool firstInGroup = true;
        bool lastInGroup = true;
        QList<TextLink> links;
    };

    void connectStore();
    void load();
    void loadMembers();
    void startFetch();
    void finishFetch();
    void appendPage(const QList<store::Message> &page, int requested);

    void inserted(qint64 conversationId, const QList<store::Message> &messages);
    void changed(qint64 conversationId, const QList<store::MessageChange> &changes);
    void removed(qint64 conversationId, const QList<store::MessageKey> &keys);
    void pruned(qint64 conversationId, const store::MessageKey &through);
    void conversationChanged(const store::Conversation &conversation);
    void conversationRemoved(qint64 conversationId);

    [[nodiscard]] bool inWindow(const store::MessageKey &key) const;
    [[nodiscard]] Row messageRow(const store::Message &message) const;
    [[nodiscard]] static Row separatorRow(const Row &anchor);
    [[nodiscard]] std::size_t insertionPoint(const store::MessageKey &key) const;
    [[nodiscard]] std::optional<std::size_t> findMessage(qint64 messageId) const;
    /// Inserts or updates a message (not yet fixed up).
    void place(const store::Message &message);
    void update(std::size_t row, const store::Message &message);
    void insertRowAt(std::size_t at, Row row);
    void removeRowAt(std::size_t at);
    /// Puts day separators where they belong and refreshes group flags and separator dates.
    void fixup();
    [[nodiscard]] bool wantsSeparator(const std::vector<Row> &rows, std::size_t messageRow) const;
    [[nodiscard]] bool sameGroup(const Row &newer, const Row &older) const;
    void computeFlags(std::vector<Row> &rows, std::size_t row) const;
    void setLoading(bool loading);
    void setFetching(bool fetching);
    void setLoadError(const QString &message);
    void setHistoryComplete(bool complete);
    void setStoreExhausted(bool exhausted);

    [[nodiscard]] QString nameOf(const QString &userId) const;
    [[nodiscard]] Delivery deliveryOf(const store::Message &message) const;
    [[nodiscard]] QVariantList reactionsOf(const store::Message &message) const;
    [[nodiscard]] QVariantList attachmentsOf(const store::Message &message) const;

    store::Store &m_store;
    const qint64 m_conversationId;
    const Options m_options;
    HistorySource m_historySource;
    AttachmentStates m_attachmentStates;
    QHash<qint64, double> m_uploads; ///< message id -> fraction of its files up
    std::vector<Row> m_rows;

    std::map<QString, store::Member> m_members; ///< by user id
    qint64 m_accountId = 0;
    QString m_selfUserId;

    quint64 m_generation = 0;        ///< bumps on reload: answers of older loads are dropped
    quint64 m_membersGeneration = 0; ///< the newest members read wins
    bool m_loaded = false;           ///< the newest page arrived: signals apply from now on
    bool m_loading = false;
    bool m_fetching = false;
    bool m_gone = false;                      ///< the conversation was removed
    std::optional<store::MessageKey> m_floor; ///< the oldest key read from the store
    bool m_storeExhausted = false;            ///< the store has nothing older than the window
    bool m_historyComplete = false;           ///< the conversation's first message is in the store
    bool m_historyEnded = false;              ///< the history source found nothing more this session
    bool m_stalled = false;                   ///< a read failed: no more fetching until reload()
    QString m_loadError;
};

} // namespace confab::models
