#include "protocols/xchat/outgoing.h"

#include "crypto/base64.h"
#include "crypto/ecies.h"
#include "crypto/secretbox.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/jsonwire.h"
#include "protocols/xchat/signedpayload.h"
#include "protocols/xchat/thriftcodec.h"

#include <QDateTime>
#include <QUuid>

#include <algorithm>

namespace confab::xchat {

namespace {

std::vector<std::string> toWire(const QStringList &list)
{
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(list.size()));
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

QJsonArray toJson(const QStringList &list)
{
    QJsonArray out;
    for (const QString &s : list)
        out.append(s);
    return out;
}

QByteArray encodeDetail(const wire::MessageEventDetail &detail)
{
    return crypto::base64::encodePadded(encodeThrift(detail));
}

std::vector<wire::RichTextEntity> toWire(const QList<TextEntity> &entities)
{
    std::vector<wire::RichTextEntity> out;
    out.reserve(static_cast<std::size_t>(entities.size()));
    for (const TextEntity &e : entities) {
        wire::RichTextContent content;
        switch (e.kind) {
        case EntityKind::Hashtag: content.__set_hashtag({}); break;
        case EntityKind::Cashtag: content.__set_cashtag({}); break;
        case EntityKind::Mention: content.__set_mention({}); break;
        case EntityKind::Url: content.__set_url({}); break;
        case EntityKind::Email: content.__set_email({}); break;
        case EntityKind::Address: content.__set_address({}); break;
        case EntityKind::PhoneNumber: content.__set_phone_number({}); break;
        }
        wire::RichTextEntity entity;
        entity.__set_start_index(e.start);
        entity.__set_end_index(e.end);
        entity.__set_content(content);
        out.push_back(std::move(entity));
    }
    return out;
}

wire::MessageEntryHolder hold(const wire::MessageContents &contents)
{
    wire::MessageEntryContents entry;
    entry.__set_message(contents);
    wire::MessageEntryHolder holder;
    holder.__set_contents(entry);
    return holder;
}

bool isNumericId(const QString &s)
{
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](QChar c) { return c.isDigit() && c.unicode() < 128; });
}

/// Numeric order of two decimal ids of any length (no leading zeros assumed).
bool numericLess(const QString &a, const QString &b)
{
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

} // namespace

QJsonObject EncryptedMessage::requestBody() const
{
    return QJsonObject{
        {QStringLiteral("message_id"), messageId},
         {QStringLiteral("encoded_message_create_event"), QString::fromLatin1(encodedMessageCreateEvent)},
          {QStringLiteral("encoded_message_event_signature"), QString::fromLatin1(encodedMessageEventSignature)},
         };
}

OutgoingActions::OutgoingActions(QString userId, ActionSigner signer)
    : m_userId(std::move(userId))
    , m_signer(std::move(signer))
{}

QString OutgoingActions::nextKeyVersion()
{
    m_lastKeyVersion = std::max(QDateTime::currentMSecsSinceEpoch(), m_lastKeyVersion + 1);
    return QString::number(m_lastKeyVersion);
}

Result<PreparedConversationChange> OutgoingActions::prepareKeyChange(const QString &conversationId,
                                                                     const QList<Participant> &participants)
{
    if (participants.isEmpty()) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("A conversation key needs at least one participant."),
                                    QStringLiteral("no participants for %1").arg(conversationId));
    }
    PreparedConversationChange out;
    out.conversationId = conversationId;
    out.conversationKey = crypto::SecureBytes::random(crypto::ConversationKeySize);
    out.keyVersion = nextKeyVersion();

    wire::ConversationKeyChangeEvent change;
    change.__set_conversation_key_version(out.keyVersion.toStdString());
    std::vector<wire::ConversationParticipantKey> entries;
    for (const Participant &p : participants) {
        auto wrapped = crypto::wrapConversationKey(out.conversationKey, p.identityKey);
        if (!wrapped)
            return wrapped.error();
        const QByteArray encrypted = crypto::base64::encodePadded(wrapped.value());
        wire::ConversationParticipantKey entry;
        entry.__set_user_id(p.userId.toStdString());
        entry.__set_encrypted_conversation_key(encrypted.toStdString());
        entry.__set_public_key_version(p.publicKeyVersion.toStdString());
        entries.push_back(std::move(entry));
        out.participantKeys.append(QJsonObject{
            {QStringLiteral("user_id"), p.userId},
             {QStringLiteral("encrypted_conversation_key"), QString::fromLatin1(encrypted)},
              {QStringLiteral("public_key_version"), p.publicKeyVersion},
             });
    }
    change.__set_conversation_participant_keys(std::move(entries));
    change.__set_for_key_rotation(false);
    wire::MessageEventDetail detail;
    detail.__set_conversation_key_change_event(std::move(change));

    // The payload covers the plaintext key: it stays in SecureBytes and is never sent.
    const QString messageId = newMessageId();
    auto payload =
        payload::conversationKeyChange(messageId, m_userId, conversationId, out.keyVersion, out.conversationKey);
    if (!payload)
        return payload.error();
    auto signature = m_signer.sign(payload.value());
    if (!signature)
        return signature.error();
    out.actionSignatures.append(actionSignatureToJson(messageId, encodeDetail(detail), signature.value()));
    return out;
}

Result<PreparedConversationChange> OutgoingActions::prepareConversationKeyChange(const QString &canonicalConversationId,
                                                                                 const QList<Participant> &participants)
{
    auto out = prepareKeyChange(canonicalConversationId, participants);
    if (!out)
        return out;
    PreparedConversationChange &change = out.value();
    change.requestBody = QJsonObject{
        {QStringLiteral("conversation_key_version"), change.keyVersion},
         {QStringLiteral("conversation_participant_keys"), change.participantKeys},
          {QStringLiteral("action_signatures"), change.actionSignatures},
         };
    return out;
}

Result<PreparedConversationChange>
OutgoingActions::prepareGroupCreate(const QString &groupId, const QStringList &memberIds, const QStringList &adminIds,
                                    const std::optional<QString> &title, const QList<Participant> &participants)
{
    const QStringList admins = adminIds.isEmpty() ? QStringList{m_userId} : adminIds;
    auto out = prepareKeyChange(groupId, participants);
    if (!out)
        return out;
    PreparedConversationChange &change = out.value();

    wire::GroupCreate create;
    create.__set_member_ids(toWire(memberIds));
    create.__set_admin_ids(toWire(admins));
    if (title)
        create.__set_title(title->toStdString());
    create.__set_conversation_key_version(change.keyVersion.toStdString());
    wire::GroupChange groupChange;
    groupChange.__set_group_create(std::move(create));
    wire::GroupChangeEvent event;
    event.__set_group_change(std::move(groupChange));
    event.__set_for_key_rotation(false);
    wire::MessageEventDetail detail;
    detail.__set_group_change_event(std::move(event));

    const QString messageId = newMessageId();
    auto payload =
        payload::groupCreate(messageId, m_userId, change.keyVersion, memberIds, std::nullopt, title, std::nullopt);
    if (!payload)
        return payload.error();
    auto signature = m_signer.sign(payload.value());
    if (!signature)
        return signature.error();
    change.actionSignatures.append(actionSignatureToJson(messageId, encodeDetail(detail), signature.value()));

    change.requestBody = QJsonObject{
        {QStringLiteral("conversation_id"), groupId},
         {QStringLiteral("conversation_key_version"), change.keyVersion},
          {QStringLiteral("conversation_participant_keys"), change.participantKeys},
           {QStringLiteral("group_members"), toJson(memberIds)},
            {QStringLiteral("group_admins"), toJson(admins)},
             {QStringLiteral("action_signatures"), change.actionSignatures},
            };
    if (title)
        change.requestBody.insert(QStringLiteral("group_name"), *title);
    return out;
}

Result<PreparedConversationChange> OutgoingActions::prepareMemberAdd(const QString &groupId, const GroupRoster &current,
                                                                     const QStringList &newMemberIds,
                                                                     const QList<Participant> &participants)
{
    if (newMemberIds.isEmpty()) {
        return Error(ErrorKind::InvalidInput, QStringLiteral("Choose at least one person to add."),
                                                             QStringLiteral("no new members for %1").arg(groupId));
    }
    auto out = prepareKeyChange(groupId, participants);
    if (!out)
        return out;
    PreparedConversationChange &change = out.value();

    wire::GroupMemberAddChange add;
    add.__set_member_ids(toWire(newMemberIds));
    add.__set_current_member_ids(toWire(current.memberIds));
    add.__set_current_admin_ids(toWire(current.adminIds));
    if (current.title)
        add.__set_current_title(current.title->toStdString());
    if (current.avatarUrl)
        add.__set_current_avatar_url(current.avatarUrl->toStdString());
    add.__set_conversation_key_version(change.keyVersion.toStdString());
    if (current.ttlMsec)
        add.__set_current_ttl_msec(*current.ttlMsec);
    if (current.screenCaptureBlocking)
        add.__set_screen_capture_blocking_enabled(*current.screenCaptureBlocking);
    wire::GroupChange groupChange;
    groupChange.__set_group_member_add(std::move(add));
    wire::GroupChangeEvent event;
    event.__set_group_change(std::move(groupChange));
    event.__set_for_key_rotation(false);
    wire::MessageEventDetail detail;
    detail.__set_group_change_event(std::move(event));

    const QString messageId = newMessageId();
    auto payload = payload::groupMemberAdd(messageId, m_userId, groupId, newMemberIds, current.memberIds,
                                           current.adminIds, current.title, current.avatarUrl, current.ttlMsec,
                                           change.keyVersion, current.screenCaptureBlocking);
    if (!payload)
        return payload.error();
    auto signature = m_signer.sign(payload.value());
    if (!signature)
        return signature.error();
    change.actionSignatures.append(actionSignatureToJson(messageId, encodeDetail(detail), signature.value()));

    change.requestBody = QJsonObject{
        {QStringLiteral("user_ids"), toJson(newMemberIds)},
         {QStringLiteral("conversation_key_version"), change.keyVersion},
          {QStringLiteral("conversation_participant_keys"), change.participantKeys},
           {QStringLiteral("action_signatures"), change.actionSignatures},
          };
    return out;
}

Result<EncryptedMessage> OutgoingActions::encryptMessage(const QString &canonicalConversationId,
                                                         const crypto::SecureBytes &conversationKey,
                                                         const QString &keyVersion,
                                                         const wire::MessageEntryHolder &contents, bool shouldNotify,
                                                         std::optional<qint64> ttlMsec, const QString &messageId) const
{
    QByteArray plaintext = encodeThrift(contents);
    auto box = crypto::sealSecretBox(plaintext, conversationKey);
    crypto::wipe(plaintext);
    if (!box)
        return box.error();

    EncryptedMessage out;
    out.messageId = messageId.isEmpty() ? newMessageId() : messageId;
    auto payload = payload::messageCreate(out.messageId, m_userId, canonicalConversationId, keyVersion, box.value());
    if (!payload)
        return payload.error();
    auto signature = m_signer.sign(payload.value());
    if (!signature)
        return signature.error();

    wire::MessageCreateEvent mce;
    mce.__set_contents(box.value().toStdString());
    mce.__set_conversation_key_version(keyVersion.toStdString());
    mce.__set_should_notify(shouldNotify);
    if (ttlMsec)
        mce.__set_ttl_msec(*ttlMsec);
    out.encodedMessageCreateEvent = crypto::base64::encodePadded(encodeThrift(mce));
    out.encodedMessageEventSignature = crypto::base64::encodePadded(encodeThrift(signature.value()));
    return out;
}

Result<QJsonObject> OutgoingActions::prepareMessageDelete(const QString &canonicalConversationId,
                                                          const QStringList &sequenceIds, bool forAll) const
{
    if (sequenceIds.isEmpty()) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("Choose at least one message to delete."),
                                    QStringLiteral("no sequence ids for %1").arg(canonicalConversationId));
    }
    const int action = forAll ? 2 : 1; // DeleteMessageAction: 1 for self, 2 for all
    wire::MessageDeleteEvent del;
    del.__set_sequence_ids(toWire(sequenceIds));
    del.__set_delete_message_action(action);
    wire::MessageEventDetail detail;
    detail.__set_message_delete_event(std::move(del));

    const QString messageId = newMessageId();
    auto payload = payload::messageDelete(messageId, m_userId, canonicalConversationId, action, sequenceIds);
    if (!payload)
        return payload.error();
    auto signature = m_signer.sign(payload.value());
    if (!signature)
        return signature.error();
    return QJsonObject{
        {QStringLiteral("sequence_ids"), toJson(sequenceIds)},
         {QStringLiteral("delete_message_action"), forAll ? QStringLiteral("delete_for_all") : QStringLiteral("delete_for_self")},
             {QStringLiteral("action_signatures"),
                             QJsonArray{actionSignatureToJson(messageId, encodeDetail(detail), signature.value())}},
         };
}

QString newMessageId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString directConversationId(const QString &userA, const QString &userB)
{
    return numericLess(userB, userA) ? userB + QLatin1Char(':') + userA : userA + QLatin1Char(':') + userB;
}

QString conversationPathId(const QString &canonicalConversationId)
{
    if (canonicalConversationId.startsWith(QLatin1Char('g')))
        return canonicalConversationId;
    QString out = canonicalConversationId;
    return out.replace(QLatin1Char(':'), QLatin1Char('-'));
}

QString canonicalConversationId(const QString &pathId)
{
    const qsizetype separator =
        pathId.indexOf(QLatin1Char('-')) >= 0 ? pathId.indexOf(QLatin1Char('-')) : pathId.indexOf(QLatin1Char(':'));
    if (separator < 0)
        return pathId;
    const QString a = pathId.left(separator);
    const QString b = pathId.mid(separator + 1);
    if (!isNumericId(a) || !isNumericId(b))
        return pathId;
    return directConversationId(a, b);
}

// ---- message contents -----------------------------------------------------------------------

wire::MessageEntryHolder textContent(const QString &text, const QList<TextEntity> &entities)
{
    wire::MessageContents contents;
    contents.__set_message_text(text.toStdString());
    if (!entities.isEmpty())
        contents.__set_entities(toWire(entities));
    return hold(contents);
}

wire::MessageEntryHolder mediaContent(const QList<MediaAttachmentInfo> &media, const QString &caption)
{
    std::vector<wire::MessageAttachment> attachments;
    for (const MediaAttachmentInfo &m : media) {
        wire::MediaDimensions dimensions;
        dimensions.__set_width(m.width);
        dimensions.__set_height(m.height);
        wire::MediaAttachment item;
        item.__set_media_hash_key(m.mediaHashKey.toStdString());
        item.__set_dimensions(dimensions);
        item.__set_type(static_cast<qint32>(m.type));
        if (m.durationMillis)
            item.__set_duration_millis(*m.durationMillis);
        item.__set_filesize_bytes(m.filesizeBytes);
        if (!m.filename.isEmpty())
            item.__set_filename(m.filename.toStdString());
        item.__set_attachment_id((m.attachmentId.isEmpty() ? newMessageId() : m.attachmentId).toStdString());
        wire::MessageAttachment attachment;
        attachment.__set_media(std::move(item));
        attachments.push_back(std::move(attachment));
    }
    wire::MessageContents contents;
    contents.__set_message_text(caption.toStdString());
    contents.__set_attachments(std::move(attachments));
    return hold(contents);
}

Result<wire::MessageEntryHolder> replyContent(const QString &text, const wire::MessageEvent &original,
                                              const wire::MessageContents &originalContents,
                                              const std::optional<QString> &senderDisplayName,
                                              const std::vector<wire::MessageEvent> &keyChanges)
{
    if (!original.__isset.detail || !original.detail.__isset.message_create_event) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("Only messages can be replied to."),
                                    QStringLiteral("event %1 is not a message").arg(fromWire(original.message_id)));
    }
    bool numeric = false;
    const qint64 senderId = fromWire(original.sender_id).toLongLong(&numeric);
    if (!numeric) {
        return Error(ErrorKind::InvalidInput, QStringLiteral("Only messages can be replied to."),
                                                             QStringLiteral("sender id of event %1 is not numeric").arg(
                                                                 fromWire(original.message_id)));
    }
    wire::ReplyingToPreview preview;
    preview.__set_sender_id(senderId);
    preview.__set_message_text(originalContents.message_text);
    if (originalContents.__isset.entities)
        preview.__set_entities(originalContents.entities);
    if (originalContents.__isset.attachments)
        preview.__set_attachments(originalContents.attachments);
    if (senderDisplayName)
        preview.__set_sender_display_name(senderDisplayName->toStdString());
    if (original.__isset.sequence_id)
        preview.__set_replying_to_message_sequence_id(original.sequence_id);
    preview.__set_replying_to_message_id(original.message_id);
    preview.__set_raw_event_message_create(original);
    if (!keyChanges.empty())
        preview.__set_raw_event_ckces(keyChanges);

    wire::MessageContents contents;
    contents.__set_message_text(text.toStdString());
    contents.__set_replying_to_preview(std::move(preview));
    return hold(contents);
}

Result<wire::MessageEntryHolder> replyContent(const QString &text, const VerifiedEvent &original,
                                              const std::optional<QString> &senderDisplayName)
{
    if (original.type != EventType::Message || !original.contents.contents.__isset.message) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("Only messages can be replied to."),
                                    QStringLiteral("event %1 is not a text message").arg(original.messageId));
    }
    return replyContent(text, original.event, original.contents.contents.message, senderDisplayName);
}

wire::MessageEntryHolder reactionContent(const QString &targetSequenceId, const QString &emoji, bool add)
{
    wire::MessageReaction reaction;
    reaction.__set_message_sequence_id(targetSequenceId.toStdString());
    reaction.__set_emoji(emoji.toStdString());
    wire::MessageEntryContents entry;
    if (add)
        entry.__set_reaction_add(reaction);
    else
        entry.__set_reaction_remove(reaction);
    wire::MessageEntryHolder holder;
    holder.__set_contents(entry);
    return holder;
}

wire::MessageEntryHolder editContent(const QString &targetSequenceId, const QString &newText,
                                     const QList<TextEntity> &entities)
{
    wire::MessageEdit edit;
    edit.__set_message_sequence_id(targetSequenceId.toStdString());
    edit.__set_updated_text(newText.toStdString());
    if (!entities.isEmpty())
        edit.__set_entities(toWire(entities));
    wire::MessageEntryContents entry;
    entry.__set_message_edit(edit);
    wire::MessageEntryHolder holder;
    holder.__set_contents(entry);
    return holder;
}

} // namespace confab::xchat
