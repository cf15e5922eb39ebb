#pragma once

#include "protocols/xchat/account/eventnormalizer.h"
#include "protocols/xchat/conversationkeyring.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/signingkeydirectory.h"

#include <QByteArray>
#include <QFuture>
#include <QList>

namespace confab::xchat {

/// One conversation's batch of events to verify, decrypt and normalise away from the GUI thread.
/// Everything is copied in: the worker shares nothing with the account while it runs.
struct VerifyJob
{
    QString myUserId;
    LocalIdentity identity;
    SigningKeyDirectory directory;
    ConversationKeyRing ring;
    QList<QByteArray> keyEvents; ///< meta.conversation_key_events: processed first
    QList<QByteArray> events;    ///< ascending by sequence
};

struct VerifyOutput
{
    ConversationKeyRing ring; ///< the ring after the batch: the account adopts it
    NormalizedEvents normalized;
};

/// Runs the receiver rules and the normalisation on QThreadPool::globalInstance().
[[nodiscard]] QFuture<VerifyOutput> verifyOnWorker(VerifyJob job);

} // namespace confab::xchat
