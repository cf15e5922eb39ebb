// X Chat (encrypted DMs) wire format, Apache Thrift IDL.
//
// Source: /work/shared/specs/xchat-protocol.md sections 3 and 10, checked against X's official test
// vectors (/work/shared/vectors/xchat-sdk-vectors.json): every MessageEvent vector and every
// decrypted MessageEntryHolder (including a reply's ReplyingToPreview) decodes with this file and
// no field is skipped.
//
// Encoding: TBinaryProtocol (strict write), fields in ascending id order. string and binary share
// wire type 11.
// Conventions in this file:
//  - Every field is `optional`, so absent fields stay absent and partial data still decodes.
//  - Enum-valued fields are typed i32 so that unknown values still decode. The enums below only
//    document the known values.
//  - Fields that X defines but the spec does not describe are left out on purpose. Thrift skips
//    unknown field ids when decoding. Code that re-encodes must keep the original bytes, because the
//    skipped fields are lost otherwise.
//
// Top-level types: MessageEvent (`encoded_event`, `conversation_key_events`), MessageCreateEvent
// (`encoded_message_create_event`), MessageEventSignature (`encoded_message_event_signature`),
// MessageEventDetail (`encoded_message_event_detail`), and MessageEntryHolder (the plaintext
// inside MessageCreateEvent.contents after secretbox decryption).

namespace cpp confab.xchat.wire

// ===================================================================================
// Enums (documentation only; the fields that carry them are i32)
// ===================================================================================

// Why the server rejected a message (MessageFailureEvent.failure_type).
enum FailureType {
    EMPTY_DETAIL = 1
    INTERNAL_ERROR = 2
    CONTENTS_TOO_LARGE = 3
    TOO_MANY_MESSAGES = 4
    INVALID_SENDER_SIGNATURE = 5
    NON_LATEST_CKEY_VERSION = 6
    RECIPIENT_HAS_NOT_TRUSTED_CONVERSATION = 7
    RECIPIENT_KEY_HAS_CHANGED = 8
    ONLY_ENCRYPTED_MESSAGES_ALLOWED = 9
    REQUESTER_NOT_ADMIN = 10
    FLAGGED_AS_SPAM = 11
    RATE_LIMIT_UPSELL = 12
    SIGNATURE_FAILED_TO_VERIFY_AGAINST_PUBLIC_KEY = 13
    GENERIC_ERROR = 14
    SENDER_NOT_GROUP_MEMBER = 15
    INVALID_SIGNATURE_VERSION = 16
    INVALID_PIN_REQUEST = 17
    TOO_MANY_PINS = 18
}

// Scope of a delete (MessageDeleteEvent.delete_message_action; "1 self|2 all" in the signed payload).
enum DeleteMessageAction {
    DELETE_FOR_SELF = 1
    DELETE_FOR_ALL = 2
}

// Kind of media (MediaAttachment.type).
enum MediaType {
    IMAGE = 1
    GIF = 2
    VIDEO = 3
    AUDIO = 4
    FILE = 5
    SVG = 6
}

// ===================================================================================
// Event side (server-visible): MessageEvent and its detail union
// ===================================================================================

// Message franking data attached to an MCE (abuse reporting).
struct FrankingData {
    1: optional binary franking_tag
    2: optional binary encrypted_nonce
    // 3 is deprecated upstream and not described by the spec.
    4: optional list<binary> encrypted_media_hashes   // one per media attachment, in attachment order
}

// A new encrypted message (or reaction/edit/read marker); the payload of encoded_message_create_event.
struct MessageCreateEvent {
    100: optional binary contents                     // nonce(24) || tag(16) || ct, XSalsa20-Poly1305 secretbox of a MessageEntryHolder
    101: optional string conversation_key_version     // millisecond timestamp string
    102: optional bool should_notify                  // SDK default true
    103: optional i64 ttl_msec
    104: optional i64 delivered_at_msec
    105: optional bool is_pending_public_key
    106: optional i32 priority                        // queue priority
    107: optional list<i32> additional_action_list
    108: optional FrankingData franking_data
    109: optional bool is_message_request
}

// Group creation (GroupChange member 1).
struct GroupCreate {
    1: optional list<string> member_ids
    2: optional list<string> admin_ids
    3: optional string title                          // may be secretbox ciphertext (b64)
    4: optional string avatar_url                     // may be secretbox ciphertext (b64)
    5: optional string conversation_key_version
    6: optional bool is_legacy_group_upgrade
    7: optional i64 ttl_msec
}

// Group title change.
struct GroupTitleChange {
    1: optional string custom_title
    2: optional string conversation_key_version
}

// Group avatar URL change.
struct GroupAvatarUrlChange {
    1: optional string custom_avatar_url
    2: optional string conversation_key_version
}

// A list of user ids (admin add/remove, member remove, join reject).
struct GroupIds {
    1: optional list<string> ids
}

// Group invite link enabled.
struct GroupInviteEnable {
    1: optional i64 expires_at_msec
    2: optional string invite_url
    3: optional string affiliate_id
}

// Group invite link disabled.
struct GroupInviteDisable {
    1: optional string disabled_by_member_id
}

// A user asked to join a group.
struct GroupJoinRequest {
    1: optional string requesting_user_id
}

// Group permission settings (also used as the admin-settings change).
struct GroupAdminSettings {
    1: optional bool edit_group_info
    2: optional bool edit_message_ttl
    3: optional bool block_screen_capture
    4: optional bool add_member
    5: optional bool send_message
    6: optional bool start_call
}

// Members added to a group, with a snapshot of the group state.
struct GroupMemberAddChange {
    1: optional list<string> member_ids
    2: optional list<string> current_member_ids
    3: optional list<string> current_admin_ids
    4: optional string current_title
    5: optional string current_avatar_url
    6: optional string conversation_key_version
    7: optional i64 current_ttl_msec
    8: optional list<string> current_pending_member_ids
    9: optional bool screen_capture_blocking_enabled
    // 10 is not described by the spec.
    11: optional GroupInviteEnable group_invite_enable
    12: optional GroupAdminSettings admin_settings
}

// The kind of group change; exactly one member is set.
union GroupChange {
    1: optional GroupCreate group_create
    2: optional GroupTitleChange group_title_change
    3: optional GroupAvatarUrlChange group_avatar_change
    4: optional GroupIds group_admin_add
    5: optional GroupMemberAddChange group_member_add
    6: optional GroupIds group_admin_remove
    7: optional GroupIds group_member_remove
    8: optional GroupInviteEnable group_invite_enable
    9: optional GroupInviteDisable group_invite_disable
    10: optional GroupJoinRequest group_join_request
    11: optional GroupIds group_join_reject
    12: optional GroupAdminSettings group_admin_settings_change
}

// A group change (MessageEventDetail member 4).
struct GroupChangeEvent {
    1: optional GroupChange group_change
    2: optional bool for_key_rotation
}

// A conversation key wrapped (ECIES) for one participant's identity key version.
struct ConversationParticipantKey {
    1: optional string user_id
    2: optional string encrypted_conversation_key     // padded std b64 of ephPub(65) || ct(32) || tag(16)
    3: optional string public_key_version
}

// A new conversation key (MessageEventDetail member 3).
struct ConversationKeyChangeEvent {
    1: optional string conversation_key_version
    2: optional list<ConversationParticipantKey> conversation_participant_keys
    // 3 is obsolete. 4 (ratchet_tree_change) is deliberately left out: the spec says to skip it.
    5: optional bool for_key_rotation
}

// A typing indicator (unsigned).
struct MessageTypingEvent {
    1: optional string conversation_id
}

// The server rejected a message (unsigned).
struct MessageFailureEvent {
    1: optional i32 failure_type                      // FailureType
    2: optional i32 rate_limit_tier                   // set for RATE_LIMIT_UPSELL; values not in the spec
}

// Messages deleted, by sequence id.
struct MessageDeleteEvent {
    1: optional list<string> sequence_ids
    2: optional i32 delete_message_action             // DeleteMessageAction
}

// History-clearing options of a conversation delete.
struct ClearConversationOptions {
    1: optional bool clear_all_messages
    2: optional i64 sort_order_msec
}

// A conversation deleted or cleared.
struct ConversationDeleteEvent {
    1: optional string conversation_id
    2: optional ClearConversationOptions clear_conversation_options
}

// The disappearing-message TTL was set.
struct MessageDurationChange {
    1: optional i64 ttl_msec
    2: optional bool apply_to_all_messages
}

// The disappearing-message TTL was removed.
struct MessageDurationRemove {
    1: optional i64 current_ttl_msec
}

// A list of conversation ids (mute/unmute).
struct ConversationIds {
    1: optional list<string> conversation_ids
}

// A settings toggle with no real payload (screen-capture detection/blocking).
struct Placeholder {
    1: optional string placeholder
}

// The kind of conversation-settings change; exactly one member is set.
union ConversationMetadataChange {
    1: optional MessageDurationChange message_duration_change
    2: optional MessageDurationRemove message_duration_remove
    3: optional ConversationIds mute_conversation
    4: optional ConversationIds unmute_conversation
    5: optional Placeholder enable_screen_capture_detection
    6: optional Placeholder disable_screen_capture_detection
    7: optional Placeholder enable_screen_capture_blocking
    8: optional Placeholder disable_screen_capture_blocking
}

// A conversation-settings change (MessageEventDetail member 9).
struct ConversationMetadataChangeEvent {
    1: optional ConversationMetadataChange conversation_metadata_change
}

// Grok search response notification.
struct GrokSearchResponseEvent {
    1: optional string search_response_id
}

// Read marker (MessageEventDetail member 12).
struct MarkConversationReadEvent {
    1: optional string seen_until_sequence_id
    2: optional i64 seen_at_millis
}

// Unread marker (MessageEventDetail member 13).
struct MarkConversationUnreadEvent {
    1: optional string seen_until_sequence_id
}

// A conversation member deleted their account (unsigned).
struct MemberAccountDeleteEvent {
    1: optional string member_id
}

// The payload of a MessageEvent; exactly one member is set. This is also encoded_message_event_detail.
union MessageEventDetail {
    1: optional MessageCreateEvent message_create_event
    // 2 is not described by the spec. 11 was removed upstream.
    3: optional ConversationKeyChangeEvent conversation_key_change_event
    4: optional GroupChangeEvent group_change_event
    5: optional MessageFailureEvent message_failure_event
    6: optional MessageTypingEvent message_typing_event
    7: optional MessageDeleteEvent message_delete_event
    8: optional ConversationDeleteEvent conversation_delete_event
    9: optional ConversationMetadataChangeEvent conversation_metadata_change_event
    10: optional GrokSearchResponseEvent grok_search_response_event
    12: optional MarkConversationReadEvent mark_conversation_read_event
    13: optional MarkConversationUnreadEvent mark_conversation_unread_event
    14: optional MemberAccountDeleteEvent member_account_delete_event
}

// The signing key of one member (multi-signer key hydration).
struct MessageSigningKeyInfo {
    1: optional string member_id
    2: optional string public_key_version             // ^[0-9]+$
    3: optional string signing_public_key
}

// An event signature; the payload of encoded_message_event_signature.
struct MessageEventSignature {
    1: optional string signature                      // b64 (no padding) of raw r||s (64 bytes)
    2: optional string public_key_version             // signer's key version, ^[0-9]+$
    3: optional string signature_version              // "7"; missing = 7
    4: optional string signing_public_key             // informational only: never trust it (spec 2.4 rule 1)
    5: optional list<MessageSigningKeyInfo> message_signing_key_info_list
}

// A server-sequenced conversation event; the payload of encoded_event.
struct MessageEvent {
    1: optional string sequence_id                    // 19-digit snowflake-like string; order by it
    2: optional string message_id                     // signer's UUID (dedup, reply anchor)
    3: optional string sender_id
    4: optional string conversation_id                // canonical "min:max" or "g…"
    5: optional string conversation_token
    6: optional string created_at_msec                // decimal string
    7: optional MessageEventDetail detail
    8: optional i32 relay_source                      // enum; values not in the spec
    9: optional MessageEventSignature message_event_signature
    10: optional string previous_sequence_id
    11: optional bool is_trusted
}

// ===================================================================================
// Plaintext side: the secretbox-decrypted MessageCreateEvent.contents
// ===================================================================================

// A struct with no fields (rich-text entity kind markers).
struct Empty {
}

// The kind of a rich-text entity; exactly one member is set, and each member is an Empty marker.
union RichTextContent {
    1: optional Empty hashtag
    2: optional Empty cashtag
    3: optional Empty mention
    4: optional Empty url
    5: optional Empty email
    6: optional Empty address
    7: optional Empty phone_number
}

// A rich-text span over message_text.
struct RichTextEntity {
    1: optional i32 start_index                       // units (UTF-16 or code points) not specified
    2: optional i32 end_index
    3: optional RichTextContent content
}

// Pixel dimensions of a media item.
struct MediaDimensions {
    1: optional i64 width
    2: optional i64 height
}

// An encrypted media attachment (bytes are uploaded separately, secretstream-encrypted).
struct MediaAttachment {
    1: optional string media_hash_key
    2: optional MediaDimensions dimensions
    3: optional i32 type                              // MediaType
    4: optional i64 duration_millis
    5: optional i64 filesize_bytes
    6: optional string filename
    7: optional string attachment_id
    8: optional string legacy_media_url_https
    9: optional string legacy_media_preview_url
    10: optional string grok_tag
}

// A post (tweet) attachment, hydrated on the receiver side.
struct PostAttachment {
    1: optional string rest_id
    2: optional string post_url
    3: optional string attachment_id
}

// An image belonging to a URL preview (encrypted if the containing MCE has a key version).
struct UrlAttachmentImage {
    1: optional string media_hash_key
    2: optional i64 filesize_bytes
    3: optional string filename
    4: optional MediaDimensions dimensions
}

// A URL preview card, hydrated on the sender side.
struct UrlAttachment {
    1: optional string url
    2: optional UrlAttachmentImage banner_image_media_hash_key
    3: optional UrlAttachmentImage favicon_image_media_hash_key
    4: optional string display_title
    5: optional string attachment_id
}

// A unified card attachment, hydrated on the receiver side.
struct UnifiedCardAttachment {
    1: optional string url
    2: optional string attachment_id
}

// A payments attachment (opaque payload plus fallback text).
struct MoneyAttachment {
    1: optional string fallback_text
    2: optional binary payload
}

// One attachment; exactly one member is set.
union MessageAttachment {
    1: optional MediaAttachment media
    2: optional PostAttachment post
    3: optional UrlAttachment url
    4: optional UnifiedCardAttachment unified_card
    5: optional MoneyAttachment money
}

// Quoted preview of the message being replied to, with the signed original embedded for verification.
struct ReplyingToPreview {
    1: optional i64 sender_id                         // i64, unlike MessageEvent.sender_id (confirmed by the vectors)
    2: optional string message_text                   // must be a prefix of the original's text
    3: optional list<RichTextEntity> entities
    4: optional list<MessageAttachment> attachments
    5: optional string sender_display_name
    6: optional string replying_to_message_sequence_id
    7: optional string replying_to_message_id         // the original's message_id (UUID)
    8: optional MessageEvent raw_event_message_create // the signed original MCE event
    9: optional MessageEvent raw_event_edit_message   // the signed latest edit of the original, if any
    10: optional list<MessageEvent> raw_event_ckces   // key-change events needed to decrypt the above
    // 11 (call card) is not described by the spec.
    12: optional string replying_to_attachment_id
}

// The text and entities of a forwarded message.
struct ForwardedMessage {
    1: optional string message_text
    2: optional list<RichTextEntity> entities
}

// A call-to-action button.
struct CallToAction {
    1: optional string label
    2: optional string url
}

// A chat message.
struct MessageContents {
    1: optional string message_text
    2: optional list<RichTextEntity> entities
    3: optional list<MessageAttachment> attachments   // at most 10
    4: optional ReplyingToPreview replying_to_preview
    // 5 is a retired id.
    6: optional ForwardedMessage forwarded_message
    7: optional i32 sent_from                         // enum (composer surface); values not in the spec
    // 8 (quick_reply) is left out because the spec gives no shape for it.
    9: optional list<CallToAction> ctas
    10: optional map<string, string> additional_fields
}

// A reaction added or removed; targets the message by sequence id.
struct MessageReaction {
    1: optional string message_sequence_id
    2: optional string emoji
    3: optional string message_attachment_id
}

// An edit of an earlier message; targets it by sequence id.
struct MessageEdit {
    1: optional string message_sequence_id
    2: optional string updated_text
    3: optional list<RichTextEntity> entities
}

// An encrypted read marker (plaintext side).
struct MarkConversationRead {
    1: optional string seen_until_sequence_id
    2: optional i64 seen_at_millis
}

// An encrypted unread marker (plaintext side).
struct MarkConversationUnread {
    1: optional string seen_until_sequence_id
}

// What an MCE carries; exactly one member is set.
union MessageEntryContents {
    1: optional MessageContents message
    2: optional MessageReaction reaction_add
    3: optional MessageReaction reaction_remove
    4: optional MessageEdit message_edit
    5: optional MarkConversationRead mark_conversation_read
    6: optional MarkConversationUnread mark_conversation_unread
    // 7..16 (pin/unpin, screen capture, calls, drafts, message-request accept, nickname,
    // verified status) are not described by the spec and are skipped.
}

// The secretbox plaintext of MessageCreateEvent.contents.
struct MessageEntryHolder {
    1: optional MessageEntryContents contents
}
