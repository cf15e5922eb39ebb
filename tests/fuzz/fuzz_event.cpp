// Fuzz target: event decoding and the receiver rules (spec §2.4).
//
// Every input is tried three ways:
//  1. as a Thrift MessageEvent (decodeThrift), then through EventVerifier::process with a key
//     directory and key ring primed from X's vectors, exactly as received;
//  2. the same decoded event re-signed with the vectors' signing key (and, for key changes, over
//     the key unwrapped with the vectors' identity key), so that the code after a successful
//     signature check (key ring updates, decryption) sees hostile field values too;
//  3. as the plaintext MessageEntryHolder of a message from a known, hostile sender: sealed with
//     the conversation key into the vectors' message event, signed, and processed, which reaches
//     the contents decoder and the reply-preview validation (with its embedded signed originals).
// Results are discarded: the target only has to not crash, leak or hang.

#include "crypto/base64.h"
#include "crypto/ecies.h"
#include "crypto/secretbox.h"
#include "fuzzsupport.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/signedpayload.h"
#include "protocols/xchat/thriftcodec.h"

#include <cstdint>
#include <memory>
#include <optional>

using namespace confab;
using namespace confab::xchat;

namespace {

struct Fixture
{
    Fixture()
        : me{fuzz::Vectors::get().text("event_sender_id"), fuzz::Vectors::get().text("event_recipient_key_version"),
             fuzz::Vectors::get().keyPair("identity_private_b64")}
        , signer(fuzz::Vectors::get().keyPair("signing_private_b64"))
    {
        const fuzz::Vectors &v = fuzz::Vectors::get();
        PublicKeyRecord record{
            v.text("event_sender_id"),     v.text("event_signing_key_version"),          v.bytes("identity_public_b64"),
            v.bytes("signing_public_b64"), v.bytes("identity_public_key_signature_b64"), {}};
        if (!directory.addRecord(record))
            std::abort();
        // Prime the key ring the way a client does: through the key-change event.
        EventVerifier verifier(me, directory, keys);
        if (!verifier.processBase64(v.text("event_key_change_b64").toLatin1()) || !keys.currentKey())
            std::abort();
        auto message = decodeEventBase64(v.text("event_message_b64").toLatin1());
        if (!message)
            std::abort();
        messageTemplate = std::move(message).value();
    }

    LocalIdentity me;
    crypto::P256KeyPair signer;
    SigningKeyDirectory directory;
    ConversationKeyRing keys; ///< holds the vectors' conversation key, verified and current
    wire::MessageEvent messageTemplate;
};

const Fixture *fixture = nullptr;

/// The key change's entry for this device, unwrapped, as EventVerifier finds it.
std::optional<crypto::SecureBytes> unwrapMine(const wire::ConversationKeyChangeEvent &change)
{
    for (const wire::ConversationParticipantKey &entry : change.conversation_participant_keys) {
        if (QString::fromStdString(entry.user_id) != fixture->me.userId ||
            QString::fromStdString(entry.public_key_version) != fixture->me.keyVersion)
            continue;
        auto wrapped = crypto::base64::decode(QByteArray::fromStdString(entry.encrypted_conversation_key));
        if (!wrapped)
            return std::nullopt;
        auto key = crypto::unwrapConversationKey(wrapped.value(), fixture->me.identityKey);
        if (!key)
            return std::nullopt;
        return std::move(key).value();
    }
    return std::nullopt;
}

/// Signs `event` as its payload requires, with the vectors' signing key. False if it cannot be
/// signed (an unsigned type, a payload component with a comma, a key change not for us).
bool resign(wire::MessageEvent &event)
{
    std::optional<crypto::SecureBytes> key;
    if (event.detail.__isset.conversation_key_change_event) {
        key = unwrapMine(event.detail.conversation_key_change_event);
        if (!key)
            return false;
    }
    auto payload = key ? keyChangePayload(event, *key).map([](const crypto::SecureBytes &p) { return p.toByteArray(); })
                       : payloadForEvent(event);
    if (!payload)
        return false;
    auto signature = fixture->signer.sign(payload.value());
    if (!signature)
        return false;
    wire::MessageEventSignature sig = event.message_event_signature;
    if (!event.__isset.message_event_signature) {
        sig.__set_public_key_version(fuzz::Vectors::get().text("event_signing_key_version").toStdString());
        sig.__set_signature_version(SignatureVersion);
    }
    sig.__set_signature(crypto::base64::encodeUnpadded(signature.value()).toStdString());
    event.__set_message_event_signature(sig);
    return true;
}

void processWith(const wire::MessageEvent &event, bool freshKeys)
{
    ConversationKeyRing keys = freshKeys ? ConversationKeyRing() : fixture->keys;
    EventVerifier verifier(fixture->me, fixture->directory, keys);
    (void)verifier.process(event);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietLogging();
    static const Fixture instance;
    fixture = &instance;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::view(data, size);

    // 1 and 2: the input as a received event.
    if (auto event = decodeThrift<wire::MessageEvent>(input, "event")) {
        processWith(event.value(), false);
        wire::MessageEvent resigned = event.value();
        if (resign(resigned)) {
            // A key change starts from an empty ring, so that its version can become current.
            processWith(resigned, resigned.detail.__isset.conversation_key_change_event);
        }
    }

    // 3: the input as the decrypted contents of a genuine message from a hostile sender.
    if (decodeThrift<wire::MessageEntryHolder>(input, "message contents")) {
        auto box = crypto::sealSecretBox(input, *fixture->keys.currentKey());
        if (!box)
            std::abort();
        wire::MessageEvent event = fixture->messageTemplate;
        event.detail.message_create_event.__set_contents(box.value().toStdString());
        if (resign(event))
            processWith(event, false);
    }
    return 0;
}
