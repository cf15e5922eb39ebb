#pragma once

#include "core/error.h"
#include "protocols/xchat/conversationkeyring.h"
#include "protocols/xchat/eventverifier.h"
#include "store/types.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>

namespace confab::xchat {

/// A change an event makes to messages the store may already have (X names targets by sequence).
struct TargetedChange
{
    enum class Kind { ReactionAdd, ReactionRemove, Edit, DeleteForAll, DeleteForSelf, SendFailed };
    Kind kind = Kind::ReactionAdd;
    QList<qint64> targets;   ///< sequence ids
    QString targetMessageId; ///< SendFailed: the message that failed
    QString actorId;
    QString actionMessageId; ///< the event's own message id
    qint64 atMs = 0;
    QString emoji;       ///< reactions
    QString text;        ///< edits: the new text; SendFailed: why, for the person
    QJsonArray entities; ///< edits
};

struct ReadMarkerChange
{
    QString userId;
    qint64 sequence = 0;
};

struct TypingNotice
{
    QString userId;
    qint64 createdMs = 0;
};

/// What one batch of verified events means for the store, in the store's protocol-neutral terms.
struct NormalizedEvents
{
    QList<store::IncomingMessage> messages; ///< text, media, system and failure rows
    QList<TargetedChange> changes;          ///< in sequence order
    QList<ReadMarkerChange> readMarkers;
    QList<TypingNotice> typing;
    bool membersChanged = false; ///< a group change: reread the roster
    qint64 newestSequence = 0;   ///< of the events in the conversation's chain
    qint64 oldestSequence = 0;
    int unreadable = 0;    ///< events that did not even decode
    QList<Error> problems; ///< why, for the log (no contents)
    /// Who the (new) current key was wrapped for: user id -> identity key version.
    std::optional<QHash<QString, QString>> currentKeyRecipients;
};

/// The person-readable sentence for a MessageFailureEvent's FailureType (spec §3).
[[nodiscard]] QString failureReason(int failureType);

/// Turns the verifier's output for `events` (and `keyEvents`) into store records. `ring` gives
/// the media keys of attachments. Pure: runs on the worker with the verification.
[[nodiscard]] NormalizedEvents normalizeEvents(const QString &myUserId, const QList<QByteArray> &keyEvents,
                                               const QList<QByteArray> &events, const EventVerifier::Batch &batch,
                                               const ConversationKeyRing &ring);

} // namespace confab::xchat
