#include "protocols/xchat/signedpayload.h"

#include "crypto/base64.h"
#include "protocols/xchat/thriftcodec.h"

#include <utility>

namespace confab::xchat {

namespace {

QStringList strs(const std::vector<std::string> &list)
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(list.size()));
    for (const auto &s : list)
        out << fromWire(s);
    return out;
}

template<typename T>
std::optional<T> opt(bool isSet, const T &value)
{
    return isSet ? std::optional<T>(value) : std::nullopt;
}

std::optional<QString> optStr(bool isSet, const std::string &value)
{
    return isSet ? std::optional<QString>(fromWire(value)) : std::nullopt;
}

crypto::SecureBytes secure(Result<QByteArray> &&bytes)
{
    QByteArray plain = std::move(bytes).value();
    crypto::SecureBytes out(plain);
    crypto::wipe(plain);
    return out;
}

} // namespace

SignedPayload::SignedPayload(QString eventType)
{
    m_components << std::move(eventType);
}

SignedPayload &SignedPayload::add(const QString &component)
{
    m_components << component;
    return *this;
}

SignedPayload &SignedPayload::add(const std::optional<QString> &component)
{
    m_components << component.value_or(QStringLiteral("null"));
    return *this;
}

SignedPayload &SignedPayload::add(std::optional<qint64> number)
{
    m_components << (number ? QString::number(*number) : QStringLiteral("null"));
    return *this;
}

SignedPayload &SignedPayload::add(std::optional<bool> flag)
{
    m_components << (flag ? (*flag ? QStringLiteral("true") : QStringLiteral("false")) : QStringLiteral("null"));
    return *this;
}

SignedPayload &SignedPayload::addAll(const QStringList &components)
{
    m_components << components;
    return *this;
}

Result<QByteArray> SignedPayload::bytes() const
{
    for (qsizetype i = 0; i < m_components.size(); ++i) {
        if (m_components[i].contains(QLatin1Char(','))) {
            return Error(
                ErrorKind::InvalidInput,
                QStringLiteral("A comma is not allowed here (in a title, a URL or an id)."),
                               QStringLiteral("component %1 of %2 contains ','").arg(i).arg(m_components.first()));
        }
    }
    return m_components.join(QLatin1Char(',')).toUtf8();
}

namespace payload {

Result<QByteArray> messageCreate(const QString &msg, const QString &sender, const QString &conv,
                                 const QString &keyVersion, QByteArrayView encryptedContents)
{
    return SignedPayload(QStringLiteral("MessageCreateEvent"))
                             .add(msg)
                             .add(sender)
                             .add(conv)
                             .add(keyVersion)
                             .add(QString::fromLatin1(crypto::base64::encodeUnpadded(encryptedContents)))
                             .bytes();
}

Result<crypto::SecureBytes> conversationKeyChange(const QString &msg, const QString &sender, const QString &conv,
                                                  const QString &keyVersion, const crypto::SecureBytes &conversationKey)
{
    QByteArray keyText = crypto::base64::encodeUnpadded(conversationKey.view());
    auto bytes = SignedPayload(QStringLiteral("ConversationKeyChangeEvent"))
                                   .add(msg)
                                   .add(sender)
                                   .add(conv)
                                   .add(keyVersion)
                                   .add(QString::fromLatin1(keyText))
                                   .bytes();
    crypto::wipe(keyText);
    if (!bytes)
        return bytes.error();
    return secure(std::move(bytes));
}

Result<QByteArray> messageDelete(const QString &msg, const QString &sender, const QString &conv, int deleteAction,
                                 const QStringList &sequenceIds)
{
    return SignedPayload(QStringLiteral("MessageDeleteEvent"))
                             .add(msg)
                             .add(sender)
                             .add(conv)
                             .add(QString::number(deleteAction))
                             .addAll(sequenceIds)
                             .bytes();
}

Result<QByteArray> markRead(const QString &msg, const QString &sender, const QString &conv, const QString &seenUntil,
                            std::optional<qint64> seenAtMillis)
{
    SignedPayload p(QStringLiteral("MarkConversationReadEvent"));
    p.add(msg).add(sender).add(conv).add(seenUntil);
    if (seenAtMillis)
        p.add(seenAtMillis);
    return p.bytes();
}

Result<QByteArray> markUnread(const QString &msg, const QString &sender, const QString &conv,
                              const std::optional<QString> &seenUntil)
{
    SignedPayload p(QStringLiteral("MarkConversationUnreadEvent"));
    p.add(msg).add(sender).add(conv);
    if (seenUntil)
        p.add(*seenUntil);
    return p.bytes();
}

Result<QByteArray> conversationDelete(const QString &msg, const QString &sender, const QString &conv,
                                      std::optional<bool> clearAll, std::optional<qint64> sortOrderMsec)
{
    SignedPayload p(QStringLiteral("ConversationDeleteEvent"));
    p.add(msg).add(sender).add(conv);
    if (clearAll)
        p.add(clearAll);
    if (sortOrderMsec)
        p.add(sortOrderMsec);
    return p.bytes();
}

Result<QByteArray> groupCreate(const QString &msg, const QString &sender, const QString &keyVersion,
                               const QStringList &memberIds, std::optional<bool> isLegacyGroupUpgrade,
                               const std::optional<QString> &title, const std::optional<QString> &avatarUrl)
{
    return SignedPayload(QStringLiteral("GroupChangeEvent.GroupCreate"))
                             .add(msg)
                             .add(sender)
                             .add(keyVersion)
                             .addAll(memberIds)
                             .add(isLegacyGroupUpgrade)
                             .add(title)
                             .add(avatarUrl)
                             .bytes();
}

Result<QByteArray> groupMemberAdd(const QString &msg, const QString &sender, const QString &conv,
                                  const QStringList &newMemberIds, const QStringList &currentMemberIds,
                                  const QStringList &currentAdminIds, const std::optional<QString> &currentTitle,
                                  const std::optional<QString> &currentAvatarUrl, std::optional<qint64> currentTtlMsec,
                                  const QString &keyVersion, std::optional<bool> screenCaptureBlocking,
                                  const std::optional<GroupInvite> &invite)
{
    SignedPayload p(QStringLiteral("GroupChangeEvent.GroupMemberAddChange"));
    p.add(msg)
        .add(sender)
        .add(conv)
        .addAll(newMemberIds)
        .addAll(currentMemberIds)
        .addAll(currentAdminIds)
        .add(currentTitle)
        .add(currentAvatarUrl)
        .add(currentTtlMsec)
        .add(keyVersion)
        .add(screenCaptureBlocking);
    if (invite)
        p.add(invite->url).add(invite->affiliateId).add(invite->expiresAtMsec);
    return p.bytes();
}

Result<QByteArray> groupIds(GroupIdsChange change, const QString &msg, const QString &sender, const QString &conv,
                            const QStringList &ids)
{
    static const char *const names[] = {"GroupChangeEvent.GroupMemberRemoveChange",
                                        "GroupChangeEvent.GroupAdminAddChange",
                                        "GroupChangeEvent.GroupAdminRemoveChange", "GroupChangeEvent.GroupJoinReject"};
    return SignedPayload(QString::fromLatin1(names[static_cast<int>(change)]))
        .add(msg)
        .add(sender)
        .add(conv)
        .addAll(ids)
        .bytes();
}

Result<QByteArray> groupValue(GroupValueChange change, const QString &msg, const QString &sender, const QString &conv,
                              const QString &keyVersion, const std::optional<QString> &value)
{
    return SignedPayload(change == GroupValueChange::Title ? QStringLiteral("GroupChangeEvent.GroupTitleChange")
                                                           : QStringLiteral("GroupChangeEvent.GroupAvatarUrlChange"))
                                                                 .add(msg)
                                                                 .add(sender)
                                                                 .add(conv)
                                                                 .add(keyVersion)
                                                                 .add(value)
                                                                 .bytes();
}

Result<QByteArray> groupInviteEnable(const QString &msg, const QString &sender, const QString &conv,
                                     const std::optional<QString> &url, std::optional<qint64> expiresAtMsec,
                                     const std::optional<QString> &affiliateId)
{
    return SignedPayload(QStringLiteral("GroupChangeEvent.GroupInviteEnable"))
                             .add(msg)
                             .add(sender)
                             .add(conv)
                             .add(url)
                             .add(expiresAtMsec)
                             .add(affiliateId)
                             .bytes();
}

Result<QByteArray> groupInviteDisable(const QString &msg, const QString &sender, const QString &conv,
                                      const std::optional<QString> &disabledBy)
{
    return SignedPayload(
        QStringLiteral("GroupChangeEvent.GroupInviteDisable")).add(msg).add(sender).add(conv).add(disabledBy).bytes();
}

Result<QByteArray> groupJoinRequest(const QString &msg, const QString &sender, const QString &conv,
                                    const std::optional<QString> &requestingUser)
{
    return SignedPayload(
        QStringLiteral("GroupChangeEvent.GroupJoinRequest")).add(msg).add(sender).add(conv).add(requestingUser).bytes();
}

Result<QByteArray> metadataChange(const QString &variant, const QString &msg, const QString &sender,
                                  const QString &conv, const QStringList &extras)
{
    return SignedPayload(QStringLiteral("ConversationMetadataChangeEvent.") + variant)
                             .add(msg)
                             .add(sender)
                             .add(conv)
                             .addAll(extras)
                             .bytes();
}

} // namespace payload

namespace {

Error notSigned()
{
    return Error(ErrorKind::NotFound, QStringLiteral("This kind of event is not signed."));
}

Result<QByteArray> groupPayload(const wire::GroupChangeEvent &event, const QString &msg, const QString &sender,
                                const QString &conv)
{
    const wire::GroupChange &c = event.group_change;
    const auto &s = c.__isset;
    if (s.group_create) {
        const auto &g = c.group_create;
        return payload::groupCreate(msg, sender, fromWire(g.conversation_key_version), strs(g.member_ids),
                                    opt(g.__isset.is_legacy_group_upgrade, g.is_legacy_group_upgrade),
                                    optStr(g.__isset.title, g.title), optStr(g.__isset.avatar_url, g.avatar_url));
    }
    if (s.group_member_add) {
        const auto &g = c.group_member_add;
        std::optional<payload::GroupInvite> invite;
        if (g.__isset.group_invite_enable) {
            const auto &i = g.group_invite_enable;
            invite = payload::GroupInvite{fromWire(i.invite_url), optStr(i.__isset.affiliate_id, i.affiliate_id),
                                          opt<qint64>(i.__isset.expires_at_msec, i.expires_at_msec)};
        }
        return payload::groupMemberAdd(
            msg, sender, conv, strs(g.member_ids), strs(g.current_member_ids), strs(g.current_admin_ids),
            optStr(g.__isset.current_title, g.current_title),
            optStr(g.__isset.current_avatar_url, g.current_avatar_url),
            opt<qint64>(g.__isset.current_ttl_msec, g.current_ttl_msec), fromWire(g.conversation_key_version),
            opt(g.__isset.screen_capture_blocking_enabled, g.screen_capture_blocking_enabled), invite);
    }
    if (s.group_member_remove)
        return payload::groupIds(payload::GroupIdsChange::MemberRemove, msg, sender, conv,
                                 strs(c.group_member_remove.ids));
    if (s.group_admin_add)
        return payload::groupIds(payload::GroupIdsChange::AdminAdd, msg, sender, conv, strs(c.group_admin_add.ids));
    if (s.group_admin_remove)
        return payload::groupIds(payload::GroupIdsChange::AdminRemove, msg, sender, conv,
                                 strs(c.group_admin_remove.ids));
    if (s.group_join_reject)
        return payload::groupIds(payload::GroupIdsChange::JoinReject, msg, sender, conv, strs(c.group_join_reject.ids));
    if (s.group_title_change) {
        const auto &g = c.group_title_change;
        return payload::groupValue(payload::GroupValueChange::Title, msg, sender, conv,
                                   fromWire(g.conversation_key_version),
                                   optStr(g.__isset.custom_title, g.custom_title));
    }
    if (s.group_avatar_change) {
        const auto &g = c.group_avatar_change;
        return payload::groupValue(payload::GroupValueChange::AvatarUrl, msg, sender, conv,
                                   fromWire(g.conversation_key_version),
                                   optStr(g.__isset.custom_avatar_url, g.custom_avatar_url));
    }
    if (s.group_invite_enable) {
        const auto &i = c.group_invite_enable;
        return payload::groupInviteEnable(msg, sender, conv, optStr(i.__isset.invite_url, i.invite_url),
                                          opt<qint64>(i.__isset.expires_at_msec, i.expires_at_msec),
                                          optStr(i.__isset.affiliate_id, i.affiliate_id));
    }
    if (s.group_invite_disable) {
        const auto &i = c.group_invite_disable;
        return payload::groupInviteDisable(msg, sender, conv,
                                           optStr(i.__isset.disabled_by_member_id, i.disabled_by_member_id));
    }
    if (s.group_join_request) {
        const auto &i = c.group_join_request;
        return payload::groupJoinRequest(msg, sender, conv, optStr(i.__isset.requesting_user_id, i.requesting_user_id));
    }
    return notSigned(); // admin settings changes and unknown members are not signed
}

Result<QByteArray> metadataPayload(const wire::ConversationMetadataChange &c, const QString &msg, const QString &sender,
                                   const QString &conv)
{
    const auto &s = c.__isset;
    if (s.message_duration_change)
        return payload::metadataChange(QStringLiteral("MessageDurationChange"), msg, sender, conv,
                                                      {QString::number(c.message_duration_change.ttl_msec)});
    if (s.message_duration_remove)
        return payload::metadataChange(QStringLiteral("MessageDurationRemove"), msg, sender, conv);
    if (s.mute_conversation)
        return payload::metadataChange(QStringLiteral("MuteConversation"), msg, sender, conv,
                                                      strs(c.mute_conversation.conversation_ids));
    if (s.unmute_conversation)
        return payload::metadataChange(QStringLiteral("UnmuteConversation"), msg, sender, conv,
                                                      strs(c.unmute_conversation.conversation_ids));
    if (s.enable_screen_capture_detection)
        return payload::metadataChange(QStringLiteral("EnableScreenCaptureDetection"), msg, sender, conv);
    if (s.disable_screen_capture_detection)
        return payload::metadataChange(QStringLiteral("DisableScreenCaptureDetection"), msg, sender, conv);
    if (s.enable_screen_capture_blocking)
        return payload::metadataChange(QStringLiteral("EnableScreenCaptureBlocking"), msg, sender, conv);
    if (s.disable_screen_capture_blocking)
        return payload::metadataChange(QStringLiteral("DisableScreenCaptureBlocking"), msg, sender, conv);
    return notSigned();
}

} // namespace

Result<QByteArray> payloadForEvent(const wire::MessageEvent &event)
{
    const QString msg = fromWire(event.message_id);
    const QString sender = fromWire(event.sender_id);
    const QString conv = fromWire(event.conversation_id);
    const wire::MessageEventDetail &d = event.detail;
    const auto &s = d.__isset;

    Result<QByteArray> bytes = notSigned();
    if (s.message_create_event) {
        const auto &mce = d.message_create_event;
        bytes =
            payload::messageCreate(msg, sender, conv, fromWire(mce.conversation_key_version),
                                   QByteArrayView(mce.contents.data(), static_cast<qsizetype>(mce.contents.size())));
    } else if (s.conversation_key_change_event) {
        return Error(ErrorKind::Internal, QStringLiteral("A key change is verified with its unwrapped key."));
    } else if (s.message_delete_event) {
        const auto &del = d.message_delete_event;
        bytes = payload::messageDelete(msg, sender, conv, del.delete_message_action, strs(del.sequence_ids));
    } else if (s.mark_conversation_read_event) {
        const auto &r = d.mark_conversation_read_event;
        bytes = payload::markRead(msg, sender, conv, fromWire(r.seen_until_sequence_id),
                                  opt<qint64>(r.__isset.seen_at_millis, r.seen_at_millis));
    } else if (s.mark_conversation_unread_event) {
        const auto &u = d.mark_conversation_unread_event;
        bytes =
            payload::markUnread(msg, sender, conv, optStr(u.__isset.seen_until_sequence_id, u.seen_until_sequence_id));
    } else if (s.conversation_delete_event) {
        const auto &c = d.conversation_delete_event;
        const bool hasOptions = c.__isset.clear_conversation_options;
        const auto &o = c.clear_conversation_options;
        bytes = payload::conversationDelete(msg, sender, conv,
                                            opt(hasOptions && o.__isset.clear_all_messages, o.clear_all_messages),
                                            opt<qint64>(hasOptions && o.__isset.sort_order_msec, o.sort_order_msec));
    } else if (s.group_change_event) {
        bytes = groupPayload(d.group_change_event, msg, sender, conv);
    } else if (s.conversation_metadata_change_event) {
        bytes = metadataPayload(d.conversation_metadata_change_event.conversation_metadata_change, msg, sender, conv);
    }
    return bytes;
}

Result<crypto::SecureBytes> keyChangePayload(const wire::MessageEvent &event,
                                             const crypto::SecureBytes &conversationKey)
{
    if (!event.detail.__isset.conversation_key_change_event)
        return Error(ErrorKind::Internal, QStringLiteral("Not a key change."));
    return payload::conversationKeyChange(
        fromWire(event.message_id), fromWire(event.sender_id), fromWire(event.conversation_id),
        fromWire(event.detail.conversation_key_change_event.conversation_key_version), conversationKey);
}

} // namespace confab::xchat
