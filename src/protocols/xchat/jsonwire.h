#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <wire/xchat_types.h>

namespace confab::xchat {

/// The JSON forms of X Chat's signature objects (OpenAPI `…MessageEventSignature` and
/// `…ActionSignatures`), both ways: clients build request bodies with the `…ToJson` functions,
/// a server reads them back with the `…FromJson` functions, which check the OpenAPI constraints.

/// `{signature, public_key_version, signature_version, signing_public_key?,
/// message_signing_key_info_list?}`; fields absent from `signature` are left out.
[[nodiscard]] QJsonObject signatureToJson(const wire::MessageEventSignature &signature);

/// Reads a `message_event_signature` object. `signature` (pattern `^[A-Za-z0-9+/=_-]+$`),
/// `public_key_version` and `signature_version` (both `^[0-9]+$`) are required; the optional
/// `signing_public_key` and `message_signing_key_info_list` must be a string and a list of
/// `{member_id, public_key_version, signing_public_key}` string objects. Anything else is an
/// InvalidInput error naming the field.
[[nodiscard]] Result<wire::MessageEventSignature> signatureFromJson(const QJsonObject &json);

/// One entry of a request's `action_signatures`.
struct ActionSignature
{
    QString messageId;               ///< the signer's UUID; becomes the event's message_id
    QByteArray encodedDetail;        ///< encoded_message_event_detail: padded base64 Thrift
    wire::MessageEventDetail detail; ///< the same, decoded
    wire::MessageEventSignature signature;
};

/// `{message_id, encoded_message_event_detail, message_event_signature}`. Never writes
/// `signature_payload`: for a key change that would disclose the plaintext conversation key.
[[nodiscard]] QJsonObject actionSignatureToJson(const QString &messageId, const QByteArray &encodedDetail,
                                                const wire::MessageEventSignature &signature);

/// Reads one `action_signatures` entry: `message_id` (non-empty), `encoded_message_event_detail`
/// (pattern `^[A-Za-z0-9+/=_-]+$`, base64 of a MessageEventDetail that decodes) and
/// `message_event_signature` (see signatureFromJson) are required. `signature_payload`, which
/// the API allows for server logs, is ignored.
[[nodiscard]] Result<ActionSignature> actionSignatureFromJson(const QJsonObject &json);

} // namespace confab::xchat
