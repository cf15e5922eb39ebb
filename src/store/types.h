#pragma once

// The store's protocol-neutral records. Everything here is plain data that crosses threads by
// value: the store thread fills it in, models and engines read it. Text fields hold plaintext in
// memory only; the database holds them sealed (see docs/architecture.md, "What the store keeps
// in clear").

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <compare>
#include <optional>

namespace confab::store {

/// Which service an account belongs to. Stored as its name ("xchat", "acs", "aionvision").
enum class AccountKind { XChat, Acs, AionVision };

[[nodiscard]] QString accountKindName(AccountKind kind);
[[nodiscard]] std::optional<AccountKind> accountKindFromName(const QString &name);

struct Account
{
    qint64 id = 0; ///< local row id
    AccountKind kind = AccountKind::XChat;
    QString remoteId;      ///< the service's user id (X user id, ACS identity, ...)
    QString displayName;   ///< sealed at rest
    QJsonObject syncState; ///< protocol cursors (no secrets, no content): clear at rest
};

enum class ConversationKind { Direct = 0, Group = 1, Thread = 2, Assistant = 3 };

/// A conversation's last message as the conversation list shows it.
struct MessagePreview
{
    QString senderId;
    QString text; ///< a short excerpt; empty for media without caption (see `kind`)
    int kind = 0; ///< MessageKind of the message
    bool outgoing = false;
    bool deleted = false;
};

struct Conversation
{
    qint64 id = 0; ///< local row id
    qint64 accountId = 0;
    QString remoteId; ///< the protocol's id (canonical X id, ACS thread id, session id)
    ConversationKind kind = ConversationKind::Direct;
    QString title;     ///< sealed at rest
    QString avatarUrl; ///< sealed at rest
    qint64 lastActivityMs = 0;
    int unreadCount = 0;
    bool muted = false;
    qint64 readMarker = 0;                 ///< sort key of the newest message this account has read
    bool historyComplete = false;          ///< the oldest message of the conversation is in the store
    std::optional<MessagePreview> preview; ///< sealed at rest
    QJsonObject extra;                     ///< protocol-specific (key versions, flags): sealed at rest
    QJsonObject syncState;                 ///< protocol cursors (sequence ids, pagination tokens): clear at rest
};

/// What an engine knows about a conversation. Unset optionals keep what the store has.
struct ConversationInput
{
    qint64 accountId = 0;
    QString remoteId;
    ConversationKind kind = ConversationKind::Direct;
    std::optional<QString> title;
    std::optional<QString> avatarUrl;
    std::optional<bool> muted;
    std::optional<qint64> lastActivityMs; ///< only ever moves forward
    std::optional<QJsonObject> extra;
    std::optional<QJsonObject> syncState;
    std::optional<bool> historyComplete;
};

struct Member
{
    QString userId;      ///< clear: needed to join messages to senders
    QString displayName; ///< sealed at rest
    QString username;    ///< sealed at rest
    QString avatarUrl;   ///< sealed at rest
    bool admin = false;
    qint64 readMarker = 0; ///< sort key of the newest message this member has read
};

enum class MessageKind {
    Text = 0,      ///< text, optionally with attachments
    Media = 1,     ///< attachments, optionally with a caption in `text`
    System = 2,    ///< a member joined, a title changed, ...
    KeyChange = 3, ///< a conversation or peer key changed (a trust event)
    Failure = 4,   ///< a message that could not be verified or decrypted: `extra` says why
    /// A reaction or edit of this account on its way through the outbox. Its effect already shows
    /// on its target; the row is not part of the timeline or the preview and leaves once sent.
    Action = 5,
};

/// Where a message is on its way. Incoming messages are Received.
enum class DeliveryState {
    Pending = 0, ///< written locally, waiting for its (next) attempt
    Sending = 1, ///< an attempt is on the wire
    Sent = 2,    ///< the server has it (it has a server sequence)
    Failed = 3,  ///< gave up: needs the user's retry or discard (`failureReason`)
    Received = 4,
};

/// A message's position in its conversation: server messages by the server's sequence, then
/// local messages still in the outbox in the order they were written. Sorting by key gives the
/// timeline order; keys are unique within a conversation.
struct MessageKey
{
    bool pending = false;
    qint64 sortKey = 0; ///< server sequence, or the local order when pending

    friend auto operator<=>(const MessageKey &, const MessageKey &) = default;
    [[nodiscard]] bool isNull() const { return !pending && sortKey == 0; }
};

/// The first and last keys a change touched (inclusive), so a model can find its rows.
struct MessageKeyRange
{
    MessageKey first;
    MessageKey last;
};

/// Attachment metadata. Everything but the ordinal and the download bookkeeping is sealed at rest.
struct Attachment
{
    int ordinal = 0;
    QString mediaId; ///< the service's handle (X media_hash_key)
    QString fileName;
    QString mimeType;
    qint64 sizeBytes = 0;
    int width = 0;
    int height = 0;
    qint64 durationMs = 0;
    QByteArray mediaKey; ///< the key that decrypts the media: secret, sealed at rest
    QJsonObject extra;
};

struct Message
{
    qint64 id = 0; ///< local row id, stable for the message's life
    qint64 conversationId = 0;
    QString remoteId; ///< the protocol's id (X message_id, minted by the sender)
    MessageKey key;
    QString senderId;
    bool outgoing = false;
    qint64 createdMs = 0;
    qint64 editedMs = 0; ///< 0: never edited
    MessageKind kind = MessageKind::Text;
    bool deleted = false; ///< deleted for everyone: the body is gone, the row stays as a marker
    QString text;         ///< sealed at rest
    QJsonObject extra;    ///< entities, reply preview, reactions, verification: sealed at rest
    QList<Attachment> attachments;
    DeliveryState delivery = DeliveryState::Received;
    // Outbox bookkeeping (outgoing messages not yet sent):
    int attempts = 0;
    qint64 nextAttemptMs = 0; ///< 0: none scheduled
    QString failureReason;    ///< the last attempt's error, for the person
};

/// A message an engine read from its service. `key.pending` must be false.
struct IncomingMessage
{
    QString remoteId;
    qint64 sequence = 0; ///< the server's ordering (X sequence_id)
    QString senderId;
    bool outgoing = false; ///< sent by this account (from another device, or confirmed)
    qint64 createdMs = 0;
    qint64 editedMs = 0;
    MessageKind kind = MessageKind::Text;
    bool deleted = false;
    QString text;
    QJsonObject extra;
    QList<Attachment> attachments;
};

/// A message the person sends: written to the outbox before any network I/O.
struct OutgoingMessage
{
    QString remoteId; ///< minted once by the engine, reused on every attempt
    QString senderId;
    qint64 createdMs = 0; ///< 0: now
    MessageKind kind = MessageKind::Text;
    QString text;
    QJsonObject extra;
    QList<Attachment> attachments;
    QByteArray payload; ///< what the engine needs to (re)send it, opaque here: sealed at rest
};

/// An outbox entry handed to a transport.
struct OutboxItem
{
    Message message;
    qint64 accountId = 0;
    QString conversationRemoteId;
    QByteArray payload;
};

/// What the server said when it accepted a message.
struct SendReceipt
{
    qint64 sequence = 0;
    qint64 createdMs = 0; ///< 0: keep the local time
};

/// Outcome of `insertMessages`.
struct InsertReport
{
    int inserted = 0;   ///< new rows
    int duplicates = 0; ///< already there: nothing changed
    int confirmed = 0;  ///< own pending messages the server echoed: now sent
};

/// What a conversation view needs to open it, read in one store job (Store::opening): the
/// conversation, who "me" is in it, its members and its newest messages, all of one moment.
struct ConversationOpening
{
    Conversation conversation;
    QString selfUserId; ///< the account's own remote id (empty when the account is gone)
    QList<Member> members;
    QList<Message> newest; ///< as newestMessages() returns them
};

/// A message whose text contains the searched phrase.
struct SearchHit
{
    qint64 messageId = 0;
    qint64 conversationId = 0;
    MessageKey key;
    qint64 createdMs = 0;
    QString senderId;
    QString text;       ///< the whole text (decrypted in memory only)
    int matchStart = 0; ///< in `text`
    int matchLength = 0;
};

/// How `Store::open` went.
struct OpenReport
{
    int schemaVersionBefore = 0; ///< 0: a new database
    int schemaVersion = 0;
    int interruptedSends = 0; ///< outbox entries found "sending" (a crash): pending again
    bool recreated = false;   ///< the old file was unusable and was moved aside
    QString movedAsideTo;     ///< where it went
    QString reason;           ///< why, for the person
    int salvagedSends = 0;    ///< unsent messages carried over from the unusable file
};

/// What `Store::housekeep` did.
struct HousekeepingReport
{
    int prunedMessages = 0;
    qint64 freedPages = 0;
    bool checkpointed = false;
    qint64 fileBytes = 0;
    qint64 walBytes = 0;
};

} // namespace confab::store

Q_DECLARE_METATYPE(confab::store::Conversation)
Q_DECLARE_METATYPE(confab::store::Message)
Q_DECLARE_METATYPE(confab::store::MessageKey)
Q_DECLARE_METATYPE(confab::store::MessageKeyRange)
Q_DECLARE_METATYPE(confab::store::SearchHit)
