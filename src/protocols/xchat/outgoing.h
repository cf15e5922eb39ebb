#pragma once

#include "core/result.h"
#include "crypto/p256.h"
#include "crypto/securebytes.h"
#include "protocols/xchat/actionsigner.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>
#include <wire/xchat_types.h>

namespace confab::xchat {

struct VerifiedEvent;

/// One recipient of a conversation key: a user's identity key at one published version, taken
/// from a binding-verified key record (SigningKeyDirectory).
struct Participant
{
    QString userId;
    QString publicKeyVersion;
    crypto::P256PublicKey identityKey;
};

/// A new conversation key, wrapped for every participant and signed, ready for one of the
/// key-carrying endpoints (`…/keys`, `…/group`, `…/members`).
struct PreparedConversationChange
{
    QString conversationId;              ///< canonical: `min:max` or `g…`
    crypto::SecureBytes conversationKey; ///< the new key in plaintext: keep it, never log it
    QString keyVersion;                  ///< conversation_key_version (a millisecond timestamp)
    QJsonArray participantKeys;          ///< conversation_participant_keys
    QJsonArray actionSignatures;         ///< action_signatures (never with signature_payload)
    QJsonObject requestBody;             ///< the whole request body for the endpoint it was made for
};

/// A message ready for `POST …/{id}/messages`.
struct EncryptedMessage
{
    QString messageId;                       ///< the signed UUID; keep it for retries
    QByteArray encodedMessageCreateEvent;    ///< padded base64 Thrift MessageCreateEvent
    QByteArray encodedMessageEventSignature; ///< padded base64 Thrift MessageEventSignature

    /// `{message_id, encoded_message_create_event, encoded_message_event_signature}`.
    [[nodiscard]] QJsonObject requestBody() const;
};

/// What a group looks like before a member add, as the member-add signature covers it.
struct GroupRoster
{
    QStringList memberIds;
    QStringList adminIds;
    std::optional<QString> title;
    std::optional<QString> avatarUrl;
    std::optional<qint64> ttlMsec;
    std::optional<bool> screenCaptureBlocking;
};

/// The sending side of X Chat for one account: builds and signs every action a client sends
/// (spec §2.3, §3), so that receivers running EventVerifier accept them. Pure computation, no
/// I/O; keep one per account so that conversation-key versions only ever increase.
class OutgoingActions
{
public:
    OutgoingActions(QString userId, ActionSigner signer);

    [[nodiscard]] const QString &userId() const { return m_userId; }
    [[nodiscard]] const ActionSigner &signer() const { return m_signer; }

    /// Starts a 1:1 or rotates a conversation's key: a fresh random 32-byte key whose version is
    /// the current time in milliseconds (always above any version made here before), wrapped for
    /// every participant (include this account too, or it cannot read its own messages), with
    /// one KeyChange action signature over the plaintext key. The body is for
    /// `POST /2/chat/conversations/{id}/keys`.
    [[nodiscard]] Result<PreparedConversationChange>
    prepareConversationKeyChange(const QString &canonicalConversationId, const QList<Participant> &participants);

    /// Creates a group (`groupId` from `POST …/group/initialize`): a fresh key for every
    /// participant and two action signatures, the KeyChange and the GroupCreate (whose payload has
    /// no conversation id). `memberIds` lists every member, this account included; no admins
    /// means this account. The title is sent and signed as given and must not contain a comma.
    /// The body is for `POST /2/chat/conversations/group`.
    [[nodiscard]] Result<PreparedConversationChange>
    prepareGroupCreate(const QString &groupId, const QStringList &memberIds, const QStringList &adminIds,
                       const std::optional<QString> &title, const QList<Participant> &participants);

    /// Adds members to a group, rotating its key: `participants` are everyone after the add.
    /// Two action signatures, the KeyChange and the v7 GroupMemberAddChange over `current` (the
    /// roster before the add). The body is for `POST /2/chat/conversations/{id}/members`.
    [[nodiscard]] Result<PreparedConversationChange> prepareMemberAdd(const QString &groupId,
                                                                      const GroupRoster &current,
                                                                      const QStringList &newMemberIds,
                                                                      const QList<Participant> &participants);

    /// Encrypts `contents` with the conversation key of `keyVersion` and signs the result, under
    /// `messageId` (a resend of a message keeps its id) or a fresh one.
    [[nodiscard]] Result<EncryptedMessage>
    encryptMessage(const QString &canonicalConversationId, const crypto::SecureBytes &conversationKey,
                   const QString &keyVersion, const wire::MessageEntryHolder &contents, bool shouldNotify = true,
                   std::optional<qint64> ttlMsec = std::nullopt, const QString &messageId = {}) const;

    /// The body for `POST …/{id}/messages/delete`: `sequence_ids`, `delete_message_action`
    /// (`delete_for_all` or `delete_for_self`) and one signed MessageDeleteEvent.
    [[nodiscard]] Result<QJsonObject> prepareMessageDelete(const QString &canonicalConversationId,
                                                           const QStringList &sequenceIds, bool forAll) const;

private:
    /// The new key, wrapped for `participants`, with its KeyChange action signature.
    Result<PreparedConversationChange> prepareKeyChange(const QString &conversationId,
                                                        const QList<Participant> &participants);
    QString nextKeyVersion();

    QString m_userId;
    ActionSigner m_signer;
    qint64 m_lastKeyVersion = 0;
};

/// A fresh message id: a random UUID without braces.
[[nodiscard]] QString newMessageId();

/// The canonical 1:1 id `min:max` of two numeric user ids (ordered numerically).
[[nodiscard]] QString directConversationId(const QString &userA, const QString &userB);

/// A conversation id as URL paths want it: `min-max` for a 1:1, unchanged for a group.
[[nodiscard]] QString conversationPathId(const QString &canonicalConversationId);

/// The canonical id (`min:max`) for a path id (`min-max`); group ids are unchanged.
[[nodiscard]] QString canonicalConversationId(const QString &pathId);

// ---- message contents -----------------------------------------------------------------------

enum class EntityKind { Hashtag, Cashtag, Mention, Url, Email, Address, PhoneNumber };

/// A rich-text span over the message text.
struct TextEntity
{
    qint32 start = 0;
    qint32 end = 0;
    EntityKind kind = EntityKind::Url;
};

/// MediaAttachment.type.
enum class MediaType : qint32 { Image = 1, Gif = 2, Video = 3, Audio = 4, File = 5, Svg = 6 };

/// An uploaded, encrypted media item to attach to a message.
struct MediaAttachmentInfo
{
    QString mediaHashKey; ///< from `POST /2/chat/media/upload/initialize`
    qint64 width = 0;
    qint64 height = 0;
    MediaType type = MediaType::Image;
    qint64 filesizeBytes = 0; ///< of the plaintext
    QString filename;
    QString attachmentId; ///< empty: a fresh UUID is used
    std::optional<qint64> durationMillis;
};

/// A text message.
[[nodiscard]] wire::MessageEntryHolder textContent(const QString &text, const QList<TextEntity> &entities = {});

/// A message with media attachments and an optional caption.
[[nodiscard]] wire::MessageEntryHolder mediaContent(const QList<MediaAttachmentInfo> &media,
                                                    const QString &caption = {});

/// A reply to `original`, a signed message event (as received, or as `POST …/messages` returned
/// it) whose decrypted contents are `originalContents`. The preview quotes the original's text,
/// entities and attachments and embeds the signed original, so that receivers can check it
/// (ReplyValidation::Valid). `keyChanges` may carry the key change events that let a receiver
/// without the original's key decrypt it. Refused unless `original` is a message with a numeric
/// sender.
[[nodiscard]] Result<wire::MessageEntryHolder> replyContent(const QString &text, const wire::MessageEvent &original,
                                                            const wire::MessageContents &originalContents,
                                                            const std::optional<QString> &senderDisplayName = {},
                                                            const std::vector<wire::MessageEvent> &keyChanges = {});
/// The same for a message that went through EventVerifier.
[[nodiscard]] Result<wire::MessageEntryHolder> replyContent(const QString &text, const VerifiedEvent &original,
                                                            const std::optional<QString> &senderDisplayName = {});

/// Adds (or, with `add` false, removes) an emoji reaction to the message at `targetSequenceId`.
[[nodiscard]] wire::MessageEntryHolder reactionContent(const QString &targetSequenceId, const QString &emoji,
                                                       bool add = true);

/// Replaces the text of the message at `targetSequenceId`.
[[nodiscard]] wire::MessageEntryHolder editContent(const QString &targetSequenceId, const QString &newText,
                                                   const QList<TextEntity> &entities = {});

} // namespace confab::xchat
