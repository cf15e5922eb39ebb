// Conformance with X's official Chat XDK vectors: the key change, the message, the valid and the
// forged reply, the failure event and the garbage input, through the receiver rules.

#include "crypto/base64.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/thriftcodec.h"
#include "vectors.h"

#include <QTest>

using namespace confab;
using namespace confab::xchat;

class TestXChatVectors : public QObject
{
    Q_OBJECT

private:
    const Vectors &v = Vectors::get();
    SigningKeyDirectory m_directory;

    LocalIdentity me() const
    {
        auto identity = crypto::P256KeyPair::fromPrivateScalar(crypto::SecureBytes(v.bytes("identity_private_b64")));
        return {v.text("event_sender_id"), v.text("event_recipient_key_version"), identity.value()};
    }

    QByteArray event(const char *name) const { return v.text(name).toLatin1(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(v.isValid());
        // The sender's published record, binding-verified before anything is trusted.
        PublicKeyRecord record{
            v.text("event_sender_id"),     v.text("event_signing_key_version"),          v.bytes("identity_public_b64"),
            v.bytes("signing_public_b64"), v.bytes("identity_public_key_signature_b64"), {}};
        QVERIFY(m_directory.addRecord(record).ok());
    }

    void keyChangeGivesTheConversationKey()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto result = verifier.processBase64(event("event_key_change_b64"));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(result.value().type, EventType::KeyChange);
        QVERIFY(result.value().verified);
        QVERIFY(result.value().keyBecameCurrent);
        QCOMPARE(result.value().keyVersion, v.text("event_conversation_key_version"));
        QCOMPARE(keys.currentVersion().value(), v.text("event_conversation_key_version"));
        QVERIFY(*keys.currentKey() == crypto::SecureBytes(v.bytes("conversation_key_b64")));
    }

    void messageVerifiesAndDecrypts()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto batch = verifier.processBatch({event("event_key_change_b64")}, {event("event_message_b64")});
        QVERIFY(batch.keyErrors.empty());
        QVERIFY(batch.eventErrors.empty());
        QCOMPARE(batch.events.size(), std::size_t(1));
        const VerifiedEvent &message = batch.events.front();
        QCOMPARE(message.type, EventType::Message);
        QVERIFY(message.verified);
        QCOMPARE(message.contentType, ContentType::Text);
        QCOMPARE(QString::fromStdString(message.contents.contents.message.message_text), v.text("event_message_text"));
        QCOMPARE(message.senderId, v.text("event_sender_id"));
        QCOMPARE(message.conversationId, v.text("event_conversation_id"));
        QCOMPARE(message.keyVersion, v.text("event_conversation_key_version"));
        QCOMPARE(message.replyValidation, ReplyValidation::None);
    }

    void validReplyPreviewIsAccepted()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto batch = verifier.processBatch({event("event_key_change_b64")}, {event("event_reply_valid_b64")});
        QCOMPARE(batch.events.size(), std::size_t(1));
        const VerifiedEvent &reply = batch.events.front();
        QCOMPARE(QString::fromStdString(reply.contents.contents.message.message_text), v.text("event_reply_text"));
        QCOMPARE(reply.replyValidation, ReplyValidation::Valid);
        QCOMPARE(QString::fromStdString(reply.contents.contents.message.replying_to_preview.message_text),
                 v.text("event_message_text"));
    }

    void forgedReplyPreviewIsReportedInvalid()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto batch = verifier.processBatch({event("event_key_change_b64")}, {event("event_reply_forged_b64")});
        QCOMPARE(batch.events.size(), std::size_t(1));
        const VerifiedEvent &reply = batch.events.front();
        QVERIFY(reply.verified); // the reply itself is genuine ...
        QCOMPARE(QString::fromStdString(reply.contents.contents.message.replying_to_preview.message_text),
                 v.text("event_reply_forged_preview_text"));
        QCOMPARE(reply.replyValidation, ReplyValidation::Invalid); // ... its quote is not
    }

    void failureEventDecodesToItsType()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto result = verifier.processBase64(event("event_failure_b64"));
        QVERIFY(result.ok());
        QCOMPARE(result.value().type, EventType::Failure);
        QCOMPARE(result.value().failureType, int(wire::FailureType::RATE_LIMIT_UPSELL));
        QVERIFY(!result.value().verified);
    }

    void garbageIsRejectedCleanly()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto result = verifier.processBase64(event("event_garbage_b64"));
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::Protocol);
        QVERIFY(!result.error().message().isEmpty());
        // Valid base64 that is not a Thrift event, and a truncated event, are just as clean.
        QCOMPARE(verifier.processBase64("AAAA").error().kind(), ErrorKind::Protocol);
        const QByteArray message = v.bytes("event_message_b64");
        for (qsizetype cut : {qsizetype(1), message.size() / 2, message.size() - 1}) {
            const auto truncated = verifier.processBase64(crypto::base64::encodePadded(message.first(cut)));
            QVERIFY(truncated.hasError());
            QCOMPARE(truncated.error().kind(), ErrorKind::Protocol);
        }
    }

    void messagesNeedTheKeyChangeFirst()
    {
        ConversationKeyRing keys;
        EventVerifier verifier(me(), m_directory, keys);
        const auto early = verifier.processBase64(event("event_message_b64"));
        QVERIFY(early.hasError());
        QCOMPARE(early.error().kind(), ErrorKind::Crypto);
        // In a batch the key events are processed first, whatever order the page lists them in.
        const auto batch = verifier.processBatch({event("event_key_change_b64")}, {event("event_message_b64")});
        QVERIFY(batch.eventErrors.empty());
    }

    void unknownSenderKeysFailClosed()
    {
        SigningKeyDirectory empty;
        ConversationKeyRing keys;
        keys.add(v.text("event_conversation_key_version"), crypto::SecureBytes(v.bytes("conversation_key_b64")),
                 ConversationKeyRing::Trust::Verified);
        EventVerifier verifier(me(), empty, keys);
        // The event embeds nothing usable and must not be trusted without the directory.
        const auto result = verifier.processBase64(event("event_message_b64"));
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::Crypto);
    }

    void tamperedEventsNeverYieldOtherText()
    {
        const QByteArray original = v.bytes("event_message_b64");
        int rejected = 0;
        for (qsizetype i = 0; i < original.size(); ++i) {
            QByteArray bad = original;
            bad[i] = static_cast<char>(bad[i] ^ 0x01);
            ConversationKeyRing keys;
            EventVerifier verifier(me(), m_directory, keys);
            const auto batch =
                verifier.processBatch({event("event_key_change_b64")}, {crypto::base64::encodePadded(bad)});
            if (batch.events.empty()) {
                ++rejected;
                continue;
            }
            // Only unsigned envelope fields (sequence id, token, timestamps) may change, or a flipped
            // field id hides the message as an unknown event: lost, but never different text.
            const VerifiedEvent &e = batch.events.front();
            if (e.type != EventType::Message) {
                QVERIFY(!e.verified);
                QVERIFY(e.contents.contents.message.message_text.empty());
                continue;
            }
            QVERIFY(e.verified);
            QCOMPARE(QString::fromStdString(e.contents.contents.message.message_text), v.text("event_message_text"));
            QCOMPARE(e.senderId, v.text("event_sender_id"));
            QCOMPARE(e.conversationId, v.text("event_conversation_id"));
        }
        QVERIFY2(rejected > original.size() / 2, qPrintable(QString::number(rejected)));
    }

    void eventsReencodeByteForByte()
    {
        for (const char *name :
             {"event_key_change_b64", "event_message_b64", "event_reply_valid_b64", "event_failure_b64"}) {
            const QByteArray bytes = v.bytes(name);
            const auto decoded = decodeThrift<wire::MessageEvent>(bytes, "event");
            QVERIFY(decoded.ok());
            QCOMPARE(encodeThrift(decoded.value()), bytes);
        }
    }
};

QTEST_GUILESS_MAIN(TestXChatVectors)
#include "tst_xchat_vectors.moc"
