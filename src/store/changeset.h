#pragma once

#include "store/types.h"

#include <QList>
#include <QMetaType>

#include <map>
#include <optional>

namespace confab::store {

/// A message that changed in place (edit, reaction, delivery state) or moved (a pending message
/// the server accepted moves from the local tail to its sequence).
struct MessageChange
{
    Message message;
    MessageKey previousKey; ///< equals message.key unless the message moved
};

/// Everything one write did to one conversation's messages, in the order it happened.
struct ConversationMessages
{
    QList<Message> inserted;
    QList<MessageChange> changed;
    QList<MessageKey> removed;
    std::optional<MessageKey> prunedThrough; ///< housekeeping dropped every sent message up to this key
};

/// What one committed write changed; the store turns it into its typed signals.
struct ChangeSet
{
    QList<Conversation> conversationsAdded;
    QList<Conversation> conversationsChanged;
    QList<qint64> conversationsRemoved;
    std::map<qint64, ConversationMessages> messages; ///< by conversation id
    QList<qint64> membersChanged;                    ///< conversation ids
    bool accountsChanged = false;
    bool outboxChanged = false; ///< new or rescheduled outbox work

    [[nodiscard]] bool isEmpty() const
    {
        return conversationsAdded.isEmpty() && conversationsChanged.isEmpty() && conversationsRemoved.isEmpty() &&
               messages.empty() && membersChanged.isEmpty() && !accountsChanged && !outboxChanged;
    }
};

/// The smallest range holding every key of `keys` (which must not be empty).
[[nodiscard]] MessageKeyRange rangeOf(const QList<MessageKey> &keys);

} // namespace confab::store

Q_DECLARE_METATYPE(confab::store::ChangeSet)
Q_DECLARE_METATYPE(confab::store::MessageChange)
