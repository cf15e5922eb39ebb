#include "protocols/xchat/account/eventnormalizer.h"

#include "crypto/base64.h"
#include "protocols/xchat/thriftcodec.h"

#include <QJsonObject>

#include <algorithm>

namespace confab::xchat {

namespace {

qint64 toNumber(const std::string &s)
{
    return fromWire(s).toLongLong();
}

QString entityKindName(const wire::RichTextContent &c)
{
    if (c.__isset.hashtag)
        return QStringLiteral("hashtag");
    if (c.__isset.cashtag)
        return QStringLiteral("cashtag");
    if (c.__isset.mention)
        return QStringLiteral("mention");
    if (c.__isset.url)
        return QStringLiteral("url");
    if (c.__isset.email)
        return QStringLiteral("email");
    if (c.__isset.address)
        return QStringLiteral("address");
    if (c.__isset.phone_number)
        return QStringLiteral("phone");
    return QStringLiteral("unknown");
}

QJsonArray entitiesJson(const std::vector<wire::RichTextEntity> &entities)
{
    QJsonArray out;
    for (const auto &e : entities) {
        QJsonObject o;
        o.insert(QStringLiteral("start"), e.start_index);
        o.insert(QStringLiteral("end"), e.end_index);
        o.insert(QStringLiteral("kind"), entityKindName(e.content));
        out.append(o);
    }
    return out;
}

QString mediaTypeName(qint32 type)
{
    switch (type) {
    case 1: return QStringLiteral("image");
    case 2: return QStringLiteral("gif");
    case 3: return QStringLiteral("video");
    case 4: return QStringLiteral("audio");
    case 6: return QStringLiteral("svg");
    default: return QStringLiteral("file");
    }
}

QList<store::Attachment> attachmentsOf(const wire::MessageContents &m, const crypto::SecureBytes *key)
{
    QList<store::Attachment> out;
    int ordinal = 0;
    for (const auto &a : m.attachments) {
        if (!a.__isset.media)
            continue;
        const wire::MediaAttachment &media = a.media;
        store::Attachment att;
        att.ordinal = ordinal++;
        att.mediaId = fromWire(media.media_hash_key);
        att.fileName = fromWire(media.filename);
        att.sizeBytes = media.filesize_bytes;
        att.width = static_cast<int>(std::clamp<qint64>(media.dimensions.width, 0, 1 << 20));
        att.height = static_cast<int>(std::clamp<qint64>(media.dimensions.height, 0, 1 << 20));
        att.durationMs = media.duration_millis;
        if (key)
            att.mediaKey = key->toByteArray();
        // The sender's claim only; the real type is found after decrypting.
        att.extra.insert(QStringLiteral("claimedType"), mediaTypeName(media.type));
        att.extra.insert(QStringLiteral("attachmentId"), fromWire(media.attachment_id));
        out << att;
    }
    return out;
}

QString replyValidationName(ReplyValidation v)
{
    switch (v) {
    case ReplyValidation::Valid: return QStringLiteral("valid");
    case ReplyValidation::Invalid: return QStringLiteral("invalid");
    case ReplyValidation::None: break;
    }
    return QStringLiteral("none");
}

QString groupChangeText(const wire::GroupChange &g)
{
    if (g.__isset.group_create)
        return QStringLiteral("created the group");
    if (g.__isset.group_member_add)
        return QStringLiteral("added members");
    if (g.__isset.group_member_remove)
        return QStringLiteral("removed members");
    if (g.__isset.group_title_change)
        return QStringLiteral("changed the group name");
    if (g.__isset.group_avatar_change)
        return QStringLiteral("changed the group picture");
    if (g.__isset.group_admin_add)
        return QStringLiteral("added admins");
    if (g.__isset.group_admin_remove)
        return QStringLiteral("removed admins");
    return QStringLiteral("changed the group");
}

QString groupChangeKind(const wire::GroupChange &g)
{
    if (g.__isset.group_create)
        return QStringLiteral("groupCreated");
    if (g.__isset.group_member_add)
        return QStringLiteral("membersAdded");
    if (g.__isset.group_member_remove)
        return QStringLiteral("membersRemoved");
    if (g.__isset.group_title_change)
        return QStringLiteral("titleChanged");
    return QStringLiteral("groupChanged");
}

} // namespace

QString failureReason(int failureType)
{
    switch (failureType) {
    case 3: return QStringLiteral("The message was too large to send.");
    case 4:
    case 12: return QStringLiteral("Too many messages were sent too quickly. Try again later.");
    case 5:
    case 13:
    case 16: return QStringLiteral("X could not verify this message's signature.");
    case 6: return QStringLiteral("The message used an outdated conversation key. Send it again.");
    case 7: return QStringLiteral("The recipient has not accepted this conversation yet.");
    case 8: return QStringLiteral("The recipient's encryption key has changed. Send it again.");
    case 9: return QStringLiteral("Only encrypted messages are allowed here.");
    case 10: return QStringLiteral("Only group admins can do this.");
    case 11: return QStringLiteral("X flagged this message as spam.");
    case 15: return QStringLiteral("You are no longer a member of this group.");
    default: return QStringLiteral("X could not deliver this message.");
    }
}

NormalizedEvents normalizeEvents(const QString &me, const QList<QByteArray> &keyEvents, const QList<QByteArray> &events,
                                 const EventVerifier::Batch &batch, const ConversationKeyRing &ring)
{
    NormalizedEvents out;
    auto noteSequence = [&out](qint64 seq) {
        if (seq <= 0)
            return;
        out.newestSequence = std::max(out.newestSequence, seq);
        out.oldestSequence = out.oldestSequence == 0 ? seq : std::min(out.oldestSequence, seq);
    };

    // Who the current key was wrapped for, from the key change that made it current.
    if (const auto current = ring.currentVersion()) {
        for (const QByteArray &k : keyEvents) {
            auto event = decodeEventBase64(k);
            if (!event || !event.value().detail.__isset.conversation_key_change_event)
                continue;
            const auto &change = event.value().detail.conversation_key_change_event;
            if (fromWire(change.conversation_key_version) != *current)
                continue;
            QHash<QString, QString> recipients;
            for (const auto &p : change.conversation_participant_keys)
                recipients.insert(fromWire(p.user_id), fromWire(p.public_key_version));
            out.currentKeyRecipients = recipients;
        }
    }

    for (const VerifiedEvent &e : batch.events) {
        const qint64 seq = e.sequenceId.toLongLong();
        if (e.type != EventType::Typing)
            noteSequence(seq);
        switch (e.type) {
        case EventType::Message: {
            const auto &c = e.contents.contents;
            if (c.__isset.message) {
                store::IncomingMessage m;
                m.remoteId = e.messageId;
                m.sequence = seq;
                m.senderId = e.senderId;
                m.outgoing = e.senderId == me;
                m.createdMs = e.createdAtMsec;
                m.text = fromWire(c.message.message_text);
                m.attachments = attachmentsOf(c.message, ring.key(e.keyVersion));
                m.kind = m.attachments.isEmpty() ? store::MessageKind::Text : store::MessageKind::Media;
                m.extra.insert(QStringLiteral("keyVersion"), e.keyVersion);
                m.extra.insert(QStringLiteral("verified"), e.verified);
                // The signed event, so that a reply can embed it for the receivers to check.
                m.extra.insert(QStringLiteral("raw"),
                                              QString::fromLatin1(crypto::base64::encodePadded(encodeThrift(e.event))));
                if (!c.message.entities.empty())
                    m.extra.insert(QStringLiteral("entities"), entitiesJson(c.message.entities));
                if (c.message.__isset.replying_to_preview) {
                    const auto &p = c.message.replying_to_preview;
                    QJsonObject reply;
                    reply.insert(QStringLiteral("sequence"), fromWire(p.replying_to_message_sequence_id));
                    reply.insert(QStringLiteral("messageId"), fromWire(p.replying_to_message_id));
                    reply.insert(QStringLiteral("senderId"), QString::number(p.sender_id));
                    reply.insert(QStringLiteral("senderName"), fromWire(p.sender_display_name));
                    reply.insert(QStringLiteral("text"), fromWire(p.message_text));
                    reply.insert(QStringLiteral("validation"), replyValidationName(e.replyValidation));
                    m.extra.insert(QStringLiteral("reply"), reply);
                }
                out.messages << m;
            } else if (c.__isset.reaction_add || c.__isset.reaction_remove) {
                const wire::MessageReaction &r = c.__isset.reaction_add ? c.reaction_add : c.reaction_remove;
                TargetedChange t;
                t.kind =
                    c.__isset.reaction_add ? TargetedChange::Kind::ReactionAdd : TargetedChange::Kind::ReactionRemove;
                t.targets << toNumber(r.message_sequence_id);
                t.actorId = e.senderId;
                t.actionMessageId = e.messageId;
                t.atMs = e.createdAtMsec;
                t.emoji = fromWire(r.emoji);
                out.changes << t;
            } else if (c.__isset.message_edit) {
                TargetedChange t;
                t.kind = TargetedChange::Kind::Edit;
                t.targets << toNumber(c.message_edit.message_sequence_id);
                t.actorId = e.senderId;
                t.actionMessageId = e.messageId;
                t.atMs = e.createdAtMsec;
                t.text = fromWire(c.message_edit.updated_text);
                t.entities = entitiesJson(c.message_edit.entities);
                out.changes << t;
            } else if (c.__isset.mark_conversation_read) {
                out.readMarkers << ReadMarkerChange{e.senderId,
                                                    toNumber(c.mark_conversation_read.seen_until_sequence_id)};
            }
            break;
        }
        case EventType::MessageDeleted: {
            const auto &d = e.event.detail.message_delete_event;
            TargetedChange t;
            t.kind =
                d.delete_message_action == 1 ? TargetedChange::Kind::DeleteForSelf : TargetedChange::Kind::DeleteForAll;
            for (const auto &s : d.sequence_ids)
                t.targets << toNumber(s);
            t.actorId = e.senderId;
            t.actionMessageId = e.messageId;
            t.atMs = e.createdAtMsec;
            // Deleting for oneself only concerns this account's own devices.
            if (t.kind == TargetedChange::Kind::DeleteForAll || e.senderId == me)
                out.changes << t;
            break;
        }
        case EventType::ReadReceipt:
            out.readMarkers << ReadMarkerChange{
                e.senderId, toNumber(e.event.detail.mark_conversation_read_event.seen_until_sequence_id)};
            break;
        case EventType::Typing:
            if (e.senderId != me)
                out.typing << TypingNotice{e.senderId, e.createdAtMsec};
            break;
        case EventType::GroupChange: {
            out.membersChanged = true;
            store::IncomingMessage m;
            m.remoteId = e.messageId.isEmpty() ? QStringLiteral("group:") + e.sequenceId : e.messageId;
            m.sequence = seq;
            m.senderId = e.senderId;
            m.outgoing = e.senderId == me;
            m.createdMs = e.createdAtMsec;
            m.kind = store::MessageKind::System;
            const auto &g = e.event.detail.group_change_event.group_change;
            m.text = groupChangeText(g);
            m.extra.insert(QStringLiteral("system"), groupChangeKind(g));
            if (g.__isset.group_title_change)
                m.extra.insert(QStringLiteral("title"), fromWire(g.group_title_change.custom_title));
            if (g.__isset.group_member_add) {
                QJsonArray ids;
                for (const auto &id : g.group_member_add.member_ids)
                    ids.append(fromWire(id));
                m.extra.insert(QStringLiteral("members"), ids);
            }
            out.messages << m;
            break;
        }
        case EventType::Failure: {
            const int type = e.failureType;
            store::IncomingMessage m;
            m.remoteId = QStringLiteral("failure:") + e.sequenceId;
            m.sequence = seq;
            m.senderId = e.senderId;
            m.createdMs = e.createdAtMsec;
            m.kind = store::MessageKind::Failure;
            m.text = failureReason(type);
            QJsonObject failure;
            failure.insert(QStringLiteral("source"), QStringLiteral("service"));
            failure.insert(QStringLiteral("failureType"), type);
            failure.insert(QStringLiteral("about"), e.messageId);
            m.extra.insert(QStringLiteral("failure"), failure);
            out.messages << m;
            TargetedChange t;
            t.kind = TargetedChange::Kind::SendFailed;
            t.targetMessageId = e.messageId;
            t.text = m.text;
            t.atMs = e.createdAtMsec;
            out.changes << t;
            break;
        }
        default: break; // key changes (handled above), settings, unknown: nothing to show
        }
    }

    // Events that failed the receiver rules: visible, explained, never dropped silently.
    for (const auto &[index, error] : batch.eventErrors) {
        auto event = decodeEventBase64(events.value(index));
        if (!event) {
            ++out.unreadable;
            out.problems << error;
            continue;
        }
        const wire::MessageEvent &ev = event.value();
        const qint64 seq = toNumber(ev.sequence_id);
        const auto &d = ev.detail;
        // The REST read endpoint takes no signature, so read markers arrive unsigned (spec §8):
        // the server vouches for them.
        if (d.__isset.mark_conversation_read_event && !ev.__isset.message_event_signature) {
            noteSequence(seq);
            out.readMarkers << ReadMarkerChange{fromWire(ev.sender_id),
                                                toNumber(d.mark_conversation_read_event.seen_until_sequence_id)};
            continue;
        }
        if (d.__isset.mark_conversation_unread_event && !ev.__isset.message_event_signature) {
            noteSequence(seq);
            continue;
        }
        if (d.__isset.message_typing_event)
            continue;
        noteSequence(seq);
        out.problems << error;
        if (seq <= 0) {
            ++out.unreadable;
            continue;
        }
        store::IncomingMessage m;
        m.remoteId = fromWire(ev.message_id).isEmpty() ? QStringLiteral("failure:") + fromWire(ev.sequence_id)
                                                       : fromWire(ev.message_id);
        m.sequence = seq;
        m.senderId = fromWire(ev.sender_id);
        m.outgoing = m.senderId == me;
        m.createdMs = toNumber(ev.created_at_msec);
        m.kind = store::MessageKind::Failure;
        const bool unknownKey =
            d.__isset.message_create_event && !ring.key(fromWire(d.message_create_event.conversation_key_version));
        m.text = unknownKey ? QStringLiteral("This message was encrypted with a key this device does not have.")
                            : error.kind() == ErrorKind::Crypto
            ? QStringLiteral("This message could not be verified and was not shown. It may have been tampered with.")
            : QStringLiteral("This message could not be read.");
        QJsonObject failure;
        failure.insert(QStringLiteral("source"), QStringLiteral("verification"));
        failure.insert(QStringLiteral("kind"), unknownKey ? QStringLiteral("unknownKey") : errorKindName(error.kind()));
        failure.insert(QStringLiteral("detail"), error.detail());
        m.extra.insert(QStringLiteral("failure"), failure);
        out.messages << m;
    }
    return out;
}

} // namespace confab::xchat
