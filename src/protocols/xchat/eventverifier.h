#pragma once

#include "core/result.h"
#include "crypto/p256.h"
#include "protocols/xchat/conversationkeyring.h"
#include "protocols/xchat/signingkeydirectory.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <vector>
#include <wire/xchat_types.h>

namespace confab::xchat {

/// Key changes from this sequence id on, signed at v6 or later, are dropped when their signature
/// fails (spec §2.4 rule 3); older ones still give an unverified, decrypt-only key.
inline constexpr auto KeyChangeEnforcementSequenceId = "2070276095283454002";

enum class EventType {
    Message,
    KeyChange,
    GroupChange,
    MessageDeleted,
    ConversationDeleted,
    Typing,
    ReadReceipt,
    MarkedUnread,
    Failure,
    SettingsChange,
    MemberDeleted,
    GrokSearch,
    Unknown, ///< a detail union member this version of Confab does not know
};

/// What a decrypted MessageCreateEvent carries.
enum class ContentType { Text, Reaction, ReactionRemoved, Edit, MarkRead, MarkUnread, Unknown };

/// Whether a reply's quoted preview matches the signed original it embeds.
enum class ReplyValidation { None, Valid, Invalid };

/// One event after the receiver rules: decoded, signature checked, contents decrypted.
struct VerifiedEvent
{
    EventType type = EventType::Unknown;
    QString sequenceId;
    QString previousSequenceId;
    QString messageId;
    QString senderId;
    QString conversationId;
    qint64 createdAtMsec = 0;
    /// The signature verified with the sender's binding-verified signing key. Unsigned event
    /// types (typing, failure, ...) are false; signed types only get here verified, except old
    /// key changes (see KeyChangeEnforcementSequenceId).
    bool verified = false;

    // Message
    QString keyVersion;
    ContentType contentType = ContentType::Unknown;
    wire::MessageEntryHolder contents;
    ReplyValidation replyValidation = ReplyValidation::None;

    // KeyChange
    bool keyBecameCurrent = false;

    // Failure
    int failureType = 0;

    wire::MessageEvent event; ///< the event as decoded
};

/// This account's identity: who "I" am when unwrapping conversation keys.
struct LocalIdentity
{
    QString userId;
    QString keyVersion;
    crypto::P256KeyPair identityKey;
};

/// X Chat's receiver rules (spec §2.4) for one conversation: verify before decrypting, only with
/// binding-verified signing keys from the directory, fail closed, key changes first, reply
/// previews re-verified. Pure computation: safe to run on a worker thread (one verifier per
/// conversation at a time).
class EventVerifier
{
public:
    EventVerifier(LocalIdentity me, const SigningKeyDirectory &directory, ConversationKeyRing &keys);

    /// Processes one event. A failed check is an Error (Crypto for signatures and decryption,
    /// Protocol for malformed events); an event type Confab does not know is EventType::Unknown.
    [[nodiscard]] Result<VerifiedEvent> process(wire::MessageEvent event);
    [[nodiscard]] Result<VerifiedEvent> processBase64(QByteArrayView encodedEvent);

    struct Batch
    {
        std::vector<VerifiedEvent> events;                    ///< in input order, failures left out
        std::vector<std::pair<qsizetype, Error>> keyErrors;   ///< index into conversationKeyEvents
        std::vector<std::pair<qsizetype, Error>> eventErrors; ///< index into events
    };
    /// Processes a page: `meta.conversation_key_events` first, then the events. Never throws away
    /// the page for one bad event: failures are reported per index.
    [[nodiscard]] Batch processBatch(const QList<QByteArray> &conversationKeyEvents, const QList<QByteArray> &events);

private:
    Result<void> verifySignature(const wire::MessageEvent &event, QByteArrayView payload,
                                 int *signatureVersion = nullptr) const;
    Result<VerifiedEvent> processKeyChange(VerifiedEvent out);
    Result<VerifiedEvent> processMessage(VerifiedEvent out);
    Result<crypto::SecureBytes> unwrapForMe(const wire::ConversationKeyChangeEvent &change) const;
    ReplyValidation validateReply(const wire::ReplyingToPreview &preview) const;

    LocalIdentity m_me;
    const SigningKeyDirectory &m_directory;
    ConversationKeyRing &m_keys;
};

} // namespace confab::xchat
