#pragma once

// Builds signed X Chat events the way a sending client does, for tests: a peer with identity and
// signing keys, its published key record, and helpers for each event type.

#include "crypto/base64.h"
#include "crypto/ecies.h"
#include "crypto/secretbox.h"
#include "protocols/xchat/actionsigner.h"
#include "protocols/xchat/signedpayload.h"
#include "protocols/xchat/signingkeydirectory.h"
#include "protocols/xchat/thriftcodec.h"

#include <QUuid>

#include <wire/xchat_types.h>

struct TestPeer
{
    QString userId;
    QString keyVersion = QStringLiteral("1700000000000");
    confab::crypto::P256KeyPair identity = confab::crypto::P256KeyPair::generate().value();
    confab::crypto::P256KeyPair signing = confab::crypto::P256KeyPair::generate().value();

    explicit TestPeer(QString id) : userId(std::move(id)) {}

    /// The record the public-keys endpoint would serve (SPKI forms), with a valid binding.
    [[nodiscard]] confab::xchat::PublicKeyRecord record() const
    {
        const QByteArray identitySpki = identity.publicKey().spki();
        const QByteArray signingSpki = signing.publicKey().spki();
        return {userId,
                keyVersion,
                identitySpki,
                signingSpki,
                signing.sign(identitySpki).value(),
                identity.sign(signingSpki).value()};
    }

    /// An event envelope from this peer; the caller fills the detail, then calls sign().
    [[nodiscard]] confab::xchat::wire::MessageEvent envelope(const QString &conversation, const QString &sequence) const
    {
        confab::xchat::wire::MessageEvent e;
        e.__set_sequence_id(sequence.toStdString());
        e.__set_message_id(QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString());
        e.__set_sender_id(userId.toStdString());
        e.__set_conversation_id(conversation.toStdString());
        e.__set_created_at_msec("1700000000123");
        return e;
    }

    /// Signs `event` (its payload as spec §2.3 builds it) with this peer's signing key.
    void sign(confab::xchat::wire::MessageEvent &event, const confab::crypto::SecureBytes *key = nullptr,
              const char *signatureVersion = "7") const
    {
        if (key)
            signWith(event, confab::xchat::keyChangePayload(event, *key).value().view(), signing, signatureVersion);
        else
            signWith(event, confab::xchat::payloadForEvent(event).value(), signing, signatureVersion);
    }

    void signWith(confab::xchat::wire::MessageEvent &event, QByteArrayView payload,
                  const confab::crypto::P256KeyPair &signer, const char *signatureVersion = "7") const
    {
        auto sig = confab::xchat::ActionSigner(signer, keyVersion).sign(payload).value();
        if (signatureVersion)
            sig.__set_signature_version(signatureVersion);
        else
            sig.__isset.signature_version = false;
        event.__set_message_event_signature(sig);
    }

    /// A signed key change that wraps `key` for each recipient (userId, keyVersion, identity key).
    struct Recipient
    {
        QString userId;
        QString keyVersion;
        confab::crypto::P256PublicKey identity;
    };
    [[nodiscard]] confab::xchat::wire::MessageEvent keyChange(const QString &conversation, const QString &sequence,
                                                              const QString &version,
                                                              const confab::crypto::SecureBytes &key,
                                                              const std::vector<Recipient> &recipients) const
    {
        auto e = envelope(conversation, sequence);
        confab::xchat::wire::ConversationKeyChangeEvent change;
        change.__set_conversation_key_version(version.toStdString());
        std::vector<confab::xchat::wire::ConversationParticipantKey> entries;
        for (const Recipient &r : recipients) {
            confab::xchat::wire::ConversationParticipantKey entry;
            entry.__set_user_id(r.userId.toStdString());
            entry.__set_public_key_version(r.keyVersion.toStdString());
            entry.__set_encrypted_conversation_key(
                confab::crypto::base64::encodePadded(confab::crypto::wrapConversationKey(key, r.identity).value())
                    .toStdString());
            entries.push_back(entry);
        }
        change.__set_conversation_participant_keys(entries);
        confab::xchat::wire::MessageEventDetail detail;
        detail.__set_conversation_key_change_event(change);
        e.__set_detail(detail);
        sign(e, &key);
        return e;
    }

    /// A signed message carrying `holder`, encrypted with `key` of `version`.
    [[nodiscard]] confab::xchat::wire::MessageEvent message(const QString &conversation, const QString &sequence,
                                                            const QString &version,
                                                            const confab::crypto::SecureBytes &key,
                                                            const confab::xchat::wire::MessageEntryHolder &holder) const
    {
        auto e = envelope(conversation, sequence);
        const QByteArray box = confab::crypto::sealSecretBox(confab::xchat::encodeThrift(holder), key).value();
        confab::xchat::wire::MessageCreateEvent mce;
        mce.__set_contents(box.toStdString());
        mce.__set_conversation_key_version(version.toStdString());
        mce.__set_should_notify(true);
        confab::xchat::wire::MessageEventDetail detail;
        detail.__set_message_create_event(mce);
        e.__set_detail(detail);
        sign(e);
        return e;
    }
};

inline confab::xchat::wire::MessageEntryHolder textHolder(const QString &text)
{
    confab::xchat::wire::MessageContents contents;
    contents.__set_message_text(text.toStdString());
    confab::xchat::wire::MessageEntryContents entry;
    entry.__set_message(contents);
    confab::xchat::wire::MessageEntryHolder holder;
    holder.__set_contents(entry);
    return holder;
}
