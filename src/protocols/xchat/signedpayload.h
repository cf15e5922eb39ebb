#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>
#include <wire/xchat_types.h>

namespace confab::xchat {

/// The signature version Confab signs with, and the oldest it accepts (spec §2.3).
inline constexpr auto SignatureVersion = "7";
inline constexpr int CurrentSignatureVersion = 7;
inline constexpr int MinimumSignatureVersion = 2;
/// From this version on, a key-change signature covers the plaintext conversation key.
inline constexpr int KeyChangePlaintextSignatureVersion = 6;

/// A comma-joined signature payload (spec §2.3): components joined with ',' and no escaping, so
/// a component containing a comma is refused; absent values render as `null`; lists contribute
/// one component per element; booleans are `true`/`false`.
class SignedPayload
{
public:
    explicit SignedPayload(QString eventType);

    SignedPayload &add(const QString &component);
    SignedPayload &add(const std::optional<QString> &component);
    SignedPayload &add(std::optional<qint64> number);
    SignedPayload &add(std::optional<bool> flag);
    SignedPayload &addAll(const QStringList &components);

    /// The UTF-8 bytes to sign or verify, or InvalidInput if a component contains a comma.
    [[nodiscard]] Result<QByteArray> bytes() const;

private:
    QStringList m_components;
};

/// Payload builders for every signed event type of spec §2.3. `msg` is the signer's message UUID,
/// `conv` the canonical conversation id (`min:max` or `g…`).
namespace payload {

[[nodiscard]] Result<QByteArray> messageCreate(const QString &msg, const QString &sender, const QString &conv,
                                               const QString &keyVersion, QByteArrayView encryptedContents);
/// Covers the plaintext conversation key, so the payload itself is secret.
[[nodiscard]] Result<crypto::SecureBytes> conversationKeyChange(const QString &msg, const QString &sender,
                                                                const QString &conv, const QString &keyVersion,
                                                                const crypto::SecureBytes &conversationKey);
[[nodiscard]] Result<QByteArray> messageDelete(const QString &msg, const QString &sender, const QString &conv,
                                               int deleteAction, const QStringList &sequenceIds);
[[nodiscard]] Result<QByteArray> markRead(const QString &msg, const QString &sender, const QString &conv,
                                          const QString &seenUntil, std::optional<qint64> seenAtMillis);
[[nodiscard]] Result<QByteArray> markUnread(const QString &msg, const QString &sender, const QString &conv,
                                            const std::optional<QString> &seenUntil);
[[nodiscard]] Result<QByteArray> conversationDelete(const QString &msg, const QString &sender, const QString &conv,
                                                    std::optional<bool> clearAll, std::optional<qint64> sortOrderMsec);
/// No conversation id: the group id does not exist until the server accepts the create.
[[nodiscard]] Result<QByteArray> groupCreate(const QString &msg, const QString &sender, const QString &keyVersion,
                                             const QStringList &memberIds, std::optional<bool> isLegacyGroupUpgrade,
                                             const std::optional<QString> &title,
                                             const std::optional<QString> &avatarUrl);
struct GroupInvite
{
    QString url;
    std::optional<QString> affiliateId;
    std::optional<qint64> expiresAtMsec;
};
[[nodiscard]] Result<QByteArray>
groupMemberAdd(const QString &msg, const QString &sender, const QString &conv, const QStringList &newMemberIds,
               const QStringList &currentMemberIds, const QStringList &currentAdminIds,
               const std::optional<QString> &currentTitle, const std::optional<QString> &currentAvatarUrl,
               std::optional<qint64> currentTtlMsec, const QString &keyVersion,
               std::optional<bool> screenCaptureBlocking, const std::optional<GroupInvite> &invite = std::nullopt);
/// GroupMemberRemoveChange, GroupAdminAddChange, GroupAdminRemoveChange, GroupJoinReject.
enum class GroupIdsChange { MemberRemove, AdminAdd, AdminRemove, JoinReject };
[[nodiscard]] Result<QByteArray> groupIds(GroupIdsChange change, const QString &msg, const QString &sender,
                                          const QString &conv, const QStringList &ids);
enum class GroupValueChange { Title, AvatarUrl };
[[nodiscard]] Result<QByteArray> groupValue(GroupValueChange change, const QString &msg, const QString &sender,
                                            const QString &conv, const QString &keyVersion,
                                            const std::optional<QString> &value);
[[nodiscard]] Result<QByteArray> groupInviteEnable(const QString &msg, const QString &sender, const QString &conv,
                                                   const std::optional<QString> &url,
                                                   std::optional<qint64> expiresAtMsec,
                                                   const std::optional<QString> &affiliateId);
[[nodiscard]] Result<QByteArray> groupInviteDisable(const QString &msg, const QString &sender, const QString &conv,
                                                    const std::optional<QString> &disabledBy);
[[nodiscard]] Result<QByteArray> groupJoinRequest(const QString &msg, const QString &sender, const QString &conv,
                                                  const std::optional<QString> &requestingUser);
/// ConversationMetadataChangeEvent.<variant>, e.g. "MessageDurationChange" with extras {ttl}.
[[nodiscard]] Result<QByteArray> metadataChange(const QString &variant, const QString &msg, const QString &sender,
                                                const QString &conv, const QStringList &extras = {});

} // namespace payload

/// The payload a received event was signed over, rebuilt from the event itself. Returns NotFound
/// for event types that are not signed (typing, failure, member account delete, admin settings,
/// unknown), and Internal for key changes, whose payload is secret: use keyChangePayload.
[[nodiscard]] Result<QByteArray> payloadForEvent(const wire::MessageEvent &event);

/// A key change's payload, which covers the unwrapped conversation key and so stays secret.
[[nodiscard]] Result<crypto::SecureBytes> keyChangePayload(const wire::MessageEvent &event,
                                                           const crypto::SecureBytes &conversationKey);

} // namespace confab::xchat
