#include "protocols/xchat/eventverifier.h"

#include "core/logging.h"
#include "crypto/base64.h"
#include "crypto/ecies.h"
#include "crypto/secretbox.h"
#include "protocols/xchat/signedpayload.h"
#include "protocols/xchat/thriftcodec.h"

namespace confab::xchat {

namespace {

Error cryptoError(const QString &message, const QString &detail)
{
    return Error(ErrorKind::Crypto, message, detail);
}

EventType typeOf(const wire::MessageEventDetail &d)
{
    const auto &s = d.__isset;
    if (s.message_create_event)
        return EventType::Message;
    if (s.conversation_key_change_event)
        return EventType::KeyChange;
    if (s.group_change_event)
        return EventType::GroupChange;
    if (s.message_delete_event)
        return EventType::MessageDeleted;
    if (s.conversation_delete_event)
        return EventType::ConversationDeleted;
    if (s.message_typing_event)
        return EventType::Typing;
    if (s.mark_conversation_read_event)
        return EventType::ReadReceipt;
    if (s.mark_conversation_unread_event)
        return EventType::MarkedUnread;
    if (s.message_failure_event)
        return EventType::Failure;
    if (s.conversation_metadata_change_event)
        return EventType::SettingsChange;
    if (s.member_account_delete_event)
        return EventType::MemberDeleted;
    if (s.grok_search_response_event)
        return EventType::GrokSearch;
    return EventType::Unknown;
}

ContentType contentTypeOf(const wire::MessageEntryContents &c)
{
    const auto &s = c.__isset;
    if (s.message)
        return ContentType::Text;
    if (s.reaction_add)
        return ContentType::Reaction;
    if (s.reaction_remove)
        return ContentType::ReactionRemoved;
    if (s.message_edit)
        return ContentType::Edit;
    if (s.mark_conversation_read)
        return ContentType::MarkRead;
    if (s.mark_conversation_unread)
        return ContentType::MarkUnread;
    return ContentType::Unknown;
}

/// Opens an MCE's contents with `key` and decodes the MessageEntryHolder.
Result<wire::MessageEntryHolder> decryptContents(const wire::MessageCreateEvent &mce, const crypto::SecureBytes &key)
{
    auto plain =
        crypto::openSecretBox(QByteArrayView(mce.contents.data(), static_cast<qsizetype>(mce.contents.size())), key);
    if (!plain)
        return plain.error();
    auto holder = decodeThrift<wire::MessageEntryHolder>(plain.value(), "message contents");
    crypto::wipe(plain.value());
    return holder;
}

} // namespace

EventVerifier::EventVerifier(LocalIdentity me, const SigningKeyDirectory &directory, ConversationKeyRing &keys)
    : m_me(std::move(me))
    , m_directory(directory)
    , m_keys(keys)
{}

Result<void> EventVerifier::verifySignature(const wire::MessageEvent &event, QByteArrayView payload,
                                            int *signatureVersion) const
{
    if (!event.__isset.message_event_signature) {
        return cryptoError(QStringLiteral("This message is not signed, so it cannot be trusted."),
                                          QStringLiteral("event %1 has no signature").arg(fromWire(event.message_id)));
    }
    const wire::MessageEventSignature &sig = event.message_event_signature;
    int version = CurrentSignatureVersion; // a missing version counts as 7
    if (sig.__isset.signature_version && !sig.signature_version.empty()) {
        bool ok = false;
        version = fromWire(sig.signature_version).toInt(&ok);
        if (!ok || version < MinimumSignatureVersion) {
            return cryptoError(
                QStringLiteral("This message uses an outdated signature and cannot be trusted."),
                               QStringLiteral("signature_version '%1'").arg(fromWire(sig.signature_version)));
        }
    }
    if (signatureVersion)
        *signatureVersion = version;
    const QString sender = fromWire(event.sender_id);
    const QString keyVersion = fromWire(sig.public_key_version);
    const SigningKeyDirectory::Entry *entry = m_directory.find(sender, keyVersion);
    if (!entry) {
        // Never fall back to the signing_public_key embedded in the event (rule 1).
        return cryptoError(
            QStringLiteral("The sender's key is not known or not verified yet."),
                           QStringLiteral("no binding-verified key for user %1 version %2").arg(sender, keyVersion));
    }
    auto signature = crypto::base64::decode(QByteArray::fromStdString(sig.signature));
    if (!signature)
        return cryptoError(QStringLiteral("The signature is malformed."), signature.error().detail());
    if (auto verified = entry->signingKey.verify(payload, signature.value()); !verified) {
        return cryptoError(QStringLiteral("The signature does not match: the message may have been tampered with."),
                                          QStringLiteral("event %1 from %2").arg(fromWire(event.message_id), sender));
    }
    return {};
}

Result<crypto::SecureBytes> EventVerifier::unwrapForMe(const wire::ConversationKeyChangeEvent &change) const
{
    for (const wire::ConversationParticipantKey &entry : change.conversation_participant_keys) {
        if (fromWire(entry.user_id) != m_me.userId || fromWire(entry.public_key_version) != m_me.keyVersion)
            continue;
        auto wrapped = crypto::base64::decode(QByteArray::fromStdString(entry.encrypted_conversation_key));
        if (!wrapped)
            return cryptoError(QStringLiteral("The conversation key is malformed."), wrapped.error().detail());
        return crypto::unwrapConversationKey(wrapped.value(), m_me.identityKey);
    }
    return Error(ErrorKind::NotFound, QStringLiteral("This key change holds no key for this device."),
                                                     QStringLiteral("no entry for user %1 key version %2").arg(
                                                         m_me.userId, m_me.keyVersion));
}

Result<VerifiedEvent> EventVerifier::processKeyChange(VerifiedEvent out)
{
    const auto &change = out.event.detail.conversation_key_change_event;
    out.keyVersion = fromWire(change.conversation_key_version);
    if (!compareVersions(out.keyVersion, out.keyVersion)) {
        return Error(ErrorKind::Protocol,
                     QStringLiteral("A key change is malformed."),
                                    QStringLiteral("conversation_key_version '%1'").arg(out.keyVersion));
    }
    auto key = unwrapForMe(change);
    if (!key)
        return key.error();

    int signatureVersion = CurrentSignatureVersion;
    Result<void> verified = Error(ErrorKind::Crypto, QStringLiteral("The key change could not be verified."));
    if (out.event.__isset.message_event_signature && out.event.message_event_signature.__isset.signature_version) {
        bool ok = false;
        signatureVersion = fromWire(out.event.message_event_signature.signature_version).toInt(&ok);
        if (!ok)
            signatureVersion = 0;
    }
    if (signatureVersion >= KeyChangePlaintextSignatureVersion) {
        auto payload = keyChangePayload(out.event, key.value());
        if (!payload)
            return payload.error();
        verified = verifySignature(out.event, payload.value().view());
    }
    // Before v6 the payload covered every participant's wrapped key, which a recipient never sees
    // in full: such changes cannot be verified and only ever give a decrypt-only key.
    if (!verified) {
        const bool enforced =
            signatureVersion >= KeyChangePlaintextSignatureVersion &&
            compareVersions(out.sequenceId, QString::fromLatin1(KeyChangeEnforcementSequenceId)).value_or(1) >= 0;
        if (enforced)
            return verified.error();
        qCInfo(lcCrypto) << "Keeping an unverifiable older key change as decrypt-only, version" << out.keyVersion;
        m_keys.add(out.keyVersion, key.value(), ConversationKeyRing::Trust::Unverified);
        out.verified = false;
        return out;
    }
    out.verified = true;
    out.keyBecameCurrent = m_keys.add(out.keyVersion, key.value(), ConversationKeyRing::Trust::Verified);
    return out;
}

Result<VerifiedEvent> EventVerifier::processMessage(VerifiedEvent out)
{
    const wire::MessageCreateEvent &mce = out.event.detail.message_create_event;
    out.keyVersion = fromWire(mce.conversation_key_version);
    if (!mce.__isset.conversation_key_version || out.keyVersion.isEmpty()) {
        return cryptoError(
            QStringLiteral("An unencrypted message was refused."),
                           QStringLiteral("event %1 has no conversation key version").arg(out.messageId));
    }
    // Verify before decrypting (rule 2).
    auto payload = payloadForEvent(out.event);
    if (!payload)
        return payload.error();
    if (auto verified = verifySignature(out.event, payload.value()); !verified)
        return verified.error();
    out.verified = true;

    const crypto::SecureBytes *key = m_keys.key(out.keyVersion);
    if (!key) {
        return Error(ErrorKind::Crypto,
                     QStringLiteral("The key for this message is missing."),
                                    QStringLiteral("no conversation key version %1").arg(out.keyVersion));
    }
    auto contents = decryptContents(mce, *key);
    if (!contents)
        return contents.error();
    out.contents = std::move(contents).value();
    out.contentType = contentTypeOf(out.contents.contents);
    if (out.contentType == ContentType::Text && out.contents.contents.message.__isset.replying_to_preview)
        out.replyValidation = validateReply(out.contents.contents.message.replying_to_preview);
    return out;
}

ReplyValidation EventVerifier::validateReply(const wire::ReplyingToPreview &preview) const
{
    if (!preview.__isset.raw_event_message_create)
        return ReplyValidation::Invalid;
    const wire::MessageEvent &original = preview.raw_event_message_create;
    if (!original.detail.__isset.message_create_event)
        return ReplyValidation::Invalid;
    if (preview.__isset.replying_to_message_id && preview.replying_to_message_id != original.message_id)
        return ReplyValidation::Invalid;
    if (preview.__isset.sender_id && QString::number(preview.sender_id) != fromWire(original.sender_id))
        return ReplyValidation::Invalid;

    auto payload = payloadForEvent(original);
    if (!payload || !verifySignature(original, payload.value()))
        return ReplyValidation::Invalid;

    // The original's key: ours, or one from the key changes the preview carries. Any key that
    // opens the (signed) ciphertext is the right one.
    const wire::MessageCreateEvent &mce = original.detail.message_create_event;
    const QString version = fromWire(mce.conversation_key_version);
    std::optional<crypto::SecureBytes> carried;
    const crypto::SecureBytes *key = m_keys.key(version);
    if (!key) {
        for (const wire::MessageEvent &ckce : preview.raw_event_ckces) {
            if (!ckce.detail.__isset.conversation_key_change_event ||
                fromWire(ckce.detail.conversation_key_change_event.conversation_key_version) != version)
                continue;
            if (auto unwrapped = unwrapForMe(ckce.detail.conversation_key_change_event)) {
                carried = std::move(unwrapped).value();
                key = &*carried;
                break;
            }
        }
    }
    if (!key)
        return ReplyValidation::Invalid;
    auto originalContents = decryptContents(mce, *key);
    if (!originalContents || !originalContents.value().contents.__isset.message)
        return ReplyValidation::Invalid;

    const std::string &quoted = preview.message_text;
    auto quotes = [&](const std::string &text) { return text.compare(0, quoted.size(), quoted) == 0; };
    if (quotes(originalContents.value().contents.message.message_text))
        return ReplyValidation::Valid;
    // The preview may quote the original's latest edit, when that edit is signed by the same sender.
    if (preview.__isset.raw_event_edit_message) {
        const wire::MessageEvent &edit = preview.raw_event_edit_message;
        auto editPayload = payloadForEvent(edit);
        if (edit.sender_id == original.sender_id && edit.detail.__isset.message_create_event && editPayload &&
            verifySignature(edit, editPayload.value())) {
            const QString editVersion = fromWire(edit.detail.message_create_event.conversation_key_version);
            const crypto::SecureBytes *editKey = editVersion == version ? key : m_keys.key(editVersion);
            if (editKey) {
                auto edited = decryptContents(edit.detail.message_create_event, *editKey);
                if (edited && edited.value().contents.__isset.message_edit &&
                    quotes(edited.value().contents.message_edit.updated_text))
                    return ReplyValidation::Valid;
            }
        }
    }
    return ReplyValidation::Invalid;
}

Result<VerifiedEvent> EventVerifier::process(wire::MessageEvent event)
{
    VerifiedEvent out;
    out.type = typeOf(event.detail);
    out.sequenceId = fromWire(event.sequence_id);
    out.previousSequenceId = fromWire(event.previous_sequence_id);
    out.messageId = fromWire(event.message_id);
    out.senderId = fromWire(event.sender_id);
    out.conversationId = fromWire(event.conversation_id);
    out.createdAtMsec = fromWire(event.created_at_msec).toLongLong();
    out.failureType = out.type == EventType::Failure ? event.detail.message_failure_event.failure_type : 0;
    out.event = std::move(event);

    switch (out.type) {
    case EventType::Message: return processMessage(std::move(out));
    case EventType::KeyChange: return processKeyChange(std::move(out));
    case EventType::Failure: out.failureType = event.detail.message_failure_event.failure_type; return out;
    case EventType::Typing:
    case EventType::MemberDeleted:
    case EventType::GrokSearch:
    case EventType::Unknown: return out; // not signed
    default: break;
    }
    // The remaining types are signed: verify or refuse.
    auto payload = payloadForEvent(out.event);
    if (!payload) {
        if (payload.error().kind() == ErrorKind::NotFound)
            return out; // an unsigned variant (admin settings) or an unknown group change member
        return payload.error();
    }
    if (auto verified = verifySignature(out.event, payload.value()); !verified)
        return verified.error();
    out.verified = true;
    return out;
}

Result<VerifiedEvent> EventVerifier::processBase64(QByteArrayView encodedEvent)
{
    auto event = decodeEventBase64(encodedEvent);
    if (!event)
        return event.error();
    return process(std::move(event).value());
}

EventVerifier::Batch EventVerifier::processBatch(const QList<QByteArray> &conversationKeyEvents,
                                                 const QList<QByteArray> &events)
{
    Batch batch;
    for (qsizetype i = 0; i < conversationKeyEvents.size(); ++i) {
        auto result = processBase64(conversationKeyEvents[i]);
        if (!result)
            batch.keyErrors.emplace_back(i, result.error());
    }
    batch.events.reserve(static_cast<std::size_t>(events.size()));
    for (qsizetype i = 0; i < events.size(); ++i) {
        auto result = processBase64(events[i]);
        if (result)
            batch.events.push_back(std::move(result).value());
        else
            batch.eventErrors.emplace_back(i, result.error());
    }
    return batch;
}

} // namespace confab::xchat
