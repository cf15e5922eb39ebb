// The sending side (OutgoingActions, content helpers, the JSON signature forms): everything a
// client sends is turned into MessageEvents the way the server does it (message id from the
// request, detail and signature from the request, sender from the token, canonical conversation
// id, a sequence id) and must pass the receiver rules (EventVerifier) of every recipient.

#include "eventfactory.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/jsonwire.h"
#include "protocols/xchat/outgoing.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <map>

using namespace confab;
using namespace confab::xchat;
using crypto::SecureBytes;

namespace {

const QString Direct = QStringLiteral("100:200");
const QString Group = QStringLiteral("g1234567890");

QString str(const std::string &s)
{
    return QString::fromStdString(s);
}

/// One account on the receiving side: its identity, and a key ring per conversation.
struct Receiver
{
    const TestPeer &peer;
    const SigningKeyDirectory &directory;
    std::map<QString, ConversationKeyRing> rings;

    Result<VerifiedEvent> process(const wire::MessageEvent &event)
    {
        EventVerifier verifier({peer.userId, peer.keyVersion, peer.identity}, directory,
                               rings[str(event.conversation_id)]);
        return verifier.process(event);
    }
    ConversationKeyRing &ring(const QString &conversation) { return rings[conversation]; }
};

/// What the server stores for an accepted action signature.
wire::MessageEvent eventFromAction(const QJsonObject &actionJson, const QString &sender, const QString &conversation,
                                   qint64 sequence)
{
    auto action = actionSignatureFromJson(actionJson);
    if (!action)
        qFatal("action signature refused: %s", qPrintable(action.error().toString()));
    wire::MessageEvent e;
    e.__set_sequence_id(std::to_string(sequence));
    e.__set_message_id(action.value().messageId.toStdString());
    e.__set_sender_id(sender.toStdString());
    e.__set_conversation_id(conversation.toStdString());
    e.__set_created_at_msec(std::to_string(QDateTime::currentMSecsSinceEpoch()));
    e.__set_detail(action.value().detail);
    e.__set_message_event_signature(action.value().signature);
    return e;
}

/// What the server stores for an accepted `POST …/messages` body.
wire::MessageEvent eventFromMessage(const QJsonObject &body, const QString &sender, const QString &conversation,
                                    qint64 sequence)
{
    const auto mceBytes =
        crypto::base64::decode(body.value(QLatin1String("encoded_message_create_event")).toString().toLatin1());
    const auto sigBytes =
        crypto::base64::decode(body.value(QLatin1String("encoded_message_event_signature")).toString().toLatin1());
    if (!mceBytes || !sigBytes)
        qFatal("message body is not base64");
    auto mce = decodeThrift<wire::MessageCreateEvent>(mceBytes.value(), "mce");
    auto sig = decodeThrift<wire::MessageEventSignature>(sigBytes.value(), "signature");
    if (!mce || !sig)
        qFatal("message body does not decode");
    wire::MessageEventDetail detail;
    detail.__set_message_create_event(mce.value());
    wire::MessageEvent e;
    e.__set_sequence_id(std::to_string(sequence));
    e.__set_message_id(body.value(QLatin1String("message_id")).toString().toStdString());
    e.__set_sender_id(sender.toStdString());
    e.__set_conversation_id(conversation.toStdString());
    e.__set_created_at_msec(std::to_string(QDateTime::currentMSecsSinceEpoch()));
    e.__set_detail(detail);
    e.__set_message_event_signature(sig.value());
    return e;
}

QString describe(const Result<VerifiedEvent> &r)
{
    return r.ok() ? QString() : r.error().toString();
}

/// No action signature anywhere in `json` carries a signature_payload.
bool hasSignaturePayload(const QJsonValue &json)
{
    if (json.isObject()) {
        const QJsonObject o = json.toObject();
        if (o.contains(QLatin1String("signature_payload")))
            return true;
        for (const QJsonValue &v : o)
            if (hasSignaturePayload(v))
                return true;
    } else if (json.isArray()) {
        for (const QJsonValue &v : json.toArray())
            if (hasSignaturePayload(v))
                return true;
    }
    return false;
}

} // namespace

class TestXChatOutgoing : public QObject
{
    Q_OBJECT

private:
    TestPeer alice{QStringLiteral("100")};
    TestPeer bob{QStringLiteral("200")};
    TestPeer carol{QStringLiteral("300")};
    TestPeer dave{QStringLiteral("400")};
    SigningKeyDirectory directory;
    qint64 sequence = 2080400825227100160;

    static Participant participant(const TestPeer &p) { return {p.userId, p.keyVersion, p.identity.publicKey()}; }
    static OutgoingActions actionsOf(const TestPeer &p)
    {
        return OutgoingActions(p.userId, ActionSigner(p.signing, p.keyVersion));
    }
    qint64 nextSequence() { return ++sequence; }

    /// Alice starts the 1:1 with Bob; both receivers hold the key afterwards.
    PreparedConversationChange startDirect(OutgoingActions &a, Receiver &ra, Receiver &rb)
    {
        auto change = a.prepareConversationKeyChange(Direct, {participant(alice), participant(bob)});
        if (!change)
            qFatal("prepare failed: %s", qPrintable(change.error().toString()));
        const auto event =
            eventFromAction(change.value().actionSignatures.at(0).toObject(), alice.userId, Direct, nextSequence());
        if (!ra.process(event).ok() || !rb.process(event).ok())
            qFatal("key change refused");
        return std::move(change).value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        for (const TestPeer *p : {&alice, &bob, &carol, &dave})
            QVERIFY(directory.addRecord(p->record()).ok());
    }

    void conversationKeyChangeIsAcceptedByEveryParticipant()
    {
        OutgoingActions a = actionsOf(alice);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        auto change = a.prepareConversationKeyChange(Direct, {participant(alice), participant(bob)});
        QVERIFY2(change.ok(), qPrintable(change.ok() ? QString() : change.error().toString()));
        const PreparedConversationChange &c = change.value();
        QCOMPARE(c.conversationId, Direct);
        QCOMPARE(c.conversationKey.size(), std::size_t(32));
        QVERIFY(c.keyVersion.toLongLong() >= before);

        // The request body, as the OpenAPI describes it.
        const QJsonObject &body = c.requestBody;
        QCOMPARE(body.value(QLatin1String("conversation_key_version")).toString(), c.keyVersion);
        const QJsonArray keys = body.value(QLatin1String("conversation_participant_keys")).toArray();
        QCOMPARE(keys.size(), 2);
        QCOMPARE(keys.at(0).toObject().value(QLatin1String("user_id")).toString(), alice.userId);
        QCOMPARE(keys.at(1).toObject().value(QLatin1String("user_id")).toString(), bob.userId);
        for (const QJsonValue &k : keys) {
            QCOMPARE(k.toObject().value(QLatin1String("public_key_version")).toString(), alice.keyVersion);
            const QString wrapped = k.toObject().value(QLatin1String("encrypted_conversation_key")).toString();
            QVERIFY(wrapped.endsWith(QLatin1Char('='))); // padded: 113 bytes is not a multiple of 3
            QCOMPARE(crypto::base64::decode(wrapped.toLatin1()).value().size(), crypto::WrappedKeySize);
        }
        const QJsonArray signatures = body.value(QLatin1String("action_signatures")).toArray();
        QCOMPARE(signatures.size(), 1);
        const QJsonObject action = signatures.at(0).toObject();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
                                       .match(action.value(QLatin1String("message_id")).toString())
                                       .hasMatch());
        QVERIFY(!hasSignaturePayload(body));
        const QJsonObject sig = action.value(QLatin1String("message_event_signature")).toObject();
        QCOMPARE(sig.value(QLatin1String("signature_version")).toString(), QStringLiteral("7"));
        QCOMPARE(sig.value(QLatin1String("public_key_version")).toString(), alice.keyVersion);
        QCOMPARE(sig.value(QLatin1String("signing_public_key")).toString(),
                 QString::fromLatin1(crypto::base64::encodePadded(alice.signing.publicKey().spki())));
        QVERIFY(!sig.value(QLatin1String("signature")).toString().contains(QLatin1Char('='))); // unpadded

        // The detail: the key change with for_key_rotation=false.
        const auto parsed = actionSignatureFromJson(action);
        QVERIFY(parsed.ok());
        QVERIFY(parsed.value().detail.__isset.conversation_key_change_event);
        const auto &kce = parsed.value().detail.conversation_key_change_event;
        QCOMPARE(str(kce.conversation_key_version), c.keyVersion);
        QVERIFY(kce.__isset.for_key_rotation);
        QVERIFY(!kce.for_key_rotation);
        QCOMPARE(kce.conversation_participant_keys.size(), std::size_t(2));

        // Both participants unwrap it, verify the signature over the plaintext key, and make it
        // their current key.
        const auto event = eventFromAction(action, alice.userId, Direct, nextSequence());
        for (const TestPeer *p : {&alice, &bob}) {
            Receiver r{*p, directory, {}};
            const auto result = r.process(event);
            QVERIFY2(result.ok(), qPrintable(describe(result)));
            QCOMPARE(result.value().type, EventType::KeyChange);
            QVERIFY(result.value().verified);
            QVERIFY(result.value().keyBecameCurrent);
            QCOMPARE(r.ring(Direct).currentVersion().value_or(QString()), c.keyVersion);
            QVERIFY(*r.ring(Direct).currentKey() == c.conversationKey);
        }

        // Someone who was not given the key finds no entry for them.
        Receiver outsider{carol, directory, {}};
        const auto refused = outsider.process(event);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind(), ErrorKind::NotFound);
    }

    void keyVersionsOnlyIncrease()
    {
        OutgoingActions a = actionsOf(alice);
        const QList<Participant> both{participant(alice), participant(bob)};
        qint64 last = 0;
        for (int i = 0; i < 5; ++i) {
            auto change = a.prepareConversationKeyChange(Direct, both);
            QVERIFY(change.ok());
            const qint64 version = change.value().keyVersion.toLongLong();
            QVERIFY2(version > last, qPrintable(QStringLiteral("%1 after %2").arg(version).arg(last)));
            last = version;
        }
        // Every key is fresh.
        auto one = a.prepareConversationKeyChange(Direct, both);
        auto two = a.prepareConversationKeyChange(Direct, both);
        QVERIFY(!(one.value().conversationKey == two.value().conversationKey));
        // And no participants is refused.
        QCOMPARE(a.prepareConversationKeyChange(Direct, {}).error().kind(), ErrorKind::InvalidInput);
    }

    void messagesDecryptAndVerify()
    {
        OutgoingActions a = actionsOf(alice);
        Receiver ra{alice, directory, {}};
        Receiver rb{bob, directory, {}};
        const PreparedConversationChange change = startDirect(a, ra, rb);

        const QList<TextEntity> entities{{6, 25, EntityKind::Url}, {0, 5, EntityKind::Mention}};
        auto message =
            a.encryptMessage(Direct, change.conversationKey, change.keyVersion,
                             textContent(QStringLiteral("Hello https://confab.im ✓"), entities), false, 86400000);
        QVERIFY(message.ok());
        const QJsonObject body = message.value().requestBody();
        QCOMPARE(body.value(QLatin1String("message_id")).toString(), message.value().messageId);
        QCOMPARE(body.size(), 3);

        // The MCE fields the server sees.
        const auto mce = decodeThrift<wire::MessageCreateEvent>(
            crypto::base64::decode(message.value().encodedMessageCreateEvent).value(), "mce");
        QVERIFY(mce.ok());
        QCOMPARE(str(mce.value().conversation_key_version), change.keyVersion);
        QVERIFY(mce.value().__isset.should_notify && !mce.value().should_notify);
        QVERIFY(mce.value().__isset.ttl_msec);
        QCOMPARE(mce.value().ttl_msec, qint64(86400000));
        QCOMPARE(mce.value().contents.size(),
                 std::size_t(40) + std::size_t(encodeThrift(
                                       textContent(QStringLiteral("Hello https://confab.im ✓"), entities)).size()));

        const auto event = eventFromMessage(body, alice.userId, Direct, nextSequence());
        for (Receiver *r : {&rb, &ra}) { // the recipient, and the sender's other devices
            const auto result = r->process(event);
            QVERIFY2(result.ok(), qPrintable(describe(result)));
            QCOMPARE(result.value().type, EventType::Message);
            QVERIFY(result.value().verified);
            QCOMPARE(result.value().contentType, ContentType::Text);
            QCOMPARE(result.value().keyVersion, change.keyVersion);
            QCOMPARE(result.value().messageId, message.value().messageId);
            const auto &contents = result.value().contents.contents.message;
            QCOMPARE(str(contents.message_text), QStringLiteral("Hello https://confab.im ✓"));
            QCOMPARE(contents.entities.size(), std::size_t(2));
            QVERIFY(contents.entities[0].content.__isset.url);
            QCOMPARE(contents.entities[0].start_index, 6);
            QCOMPARE(contents.entities[0].end_index, 25);
            QVERIFY(contents.entities[1].content.__isset.mention);
        }

        // Defaults: should_notify true, no TTL.
        auto plain =
            a.encryptMessage(Direct, change.conversationKey, change.keyVersion, textContent(QStringLiteral("hi")));
        const auto plainMce = decodeThrift<wire::MessageCreateEvent>(
            crypto::base64::decode(plain.value().encodedMessageCreateEvent).value(), "mce");
        QVERIFY(plainMce.value().should_notify);
        QVERIFY(!plainMce.value().__isset.ttl_msec);
        QVERIFY(message.value().messageId != plain.value().messageId);
    }

    void tamperingIsDetected()
    {
        OutgoingActions a = actionsOf(alice);
        Receiver ra{alice, directory, {}};
        Receiver rb{bob, directory, {}};
        const PreparedConversationChange change = startDirect(a, ra, rb);
        auto message =
            a.encryptMessage(Direct, change.conversationKey, change.keyVersion, textContent(QStringLiteral("pay 10")));
        const auto event = eventFromMessage(message.value().requestBody(), alice.userId, Direct, nextSequence());
        QVERIFY(rb.process(event).ok());

        // A changed ciphertext byte breaks the signature.
        auto ciphertext = event;
        auto &byte = ciphertext.detail.message_create_event.contents[50];
        byte = static_cast<char>(byte ^ 0x01);
        auto result = rb.process(ciphertext);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind(), ErrorKind::Crypto);

        // A changed signature fails.
        auto signature = event;
        QByteArray raw =
            crypto::base64::decode(QByteArray::fromStdString(signature.message_event_signature.signature)).value();
        raw[10] = static_cast<char>(raw[10] ^ 0x20);
        signature.message_event_signature.__set_signature(crypto::base64::encodeUnpadded(raw).toStdString());
        result = rb.process(signature);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind(), ErrorKind::Crypto);

        // The same bytes presented as someone else's fail: the signature covers the sender.
        auto sender = event;
        sender.__set_sender_id(carol.userId.toStdString());
        QVERIFY(!rb.process(sender).ok());

        // A message signed by a key that is not the sender's fails.
        OutgoingActions impostor(alice.userId, ActionSigner(carol.signing, alice.keyVersion));
        auto forged = impostor.encryptMessage(Direct, change.conversationKey, change.keyVersion,
                                              textContent(QStringLiteral("pay 1000")));
        result = rb.process(eventFromMessage(forged.value().requestBody(), alice.userId, Direct, nextSequence()));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind(), ErrorKind::Crypto);

        // A tampered key change is dropped, not installed.
        auto kce = a.prepareConversationKeyChange(Direct, {participant(alice), participant(bob)});
        auto kceEvent =
            eventFromAction(kce.value().actionSignatures.at(0).toObject(), alice.userId, Direct, nextSequence());
        kceEvent.detail.conversation_key_change_event.__set_conversation_key_version("1");
        Receiver fresh{bob, directory, {}};
        QVERIFY(!fresh.process(kceEvent).ok());
        QCOMPARE(fresh.ring(Direct).size(), qsizetype(0));
    }

    void repliesValidate()
    {
        OutgoingActions a = actionsOf(alice);
        OutgoingActions b = actionsOf(bob);
        Receiver ra{alice, directory, {}};
        Receiver rb{bob, directory, {}};
        const PreparedConversationChange change = startDirect(a, ra, rb);

        auto original = a.encryptMessage(Direct, change.conversationKey, change.keyVersion,
                                         textContent(QStringLiteral("Dinner at eight?")));
        const auto originalEvent =
            eventFromMessage(original.value().requestBody(), alice.userId, Direct, nextSequence());
        const auto received = rb.process(originalEvent);
        QVERIFY(received.ok());

        // Bob replies to what he received.
        auto replyHolder = replyContent(QStringLiteral("Sounds good"), received.value(), QStringLiteral("Alice"));
        QVERIFY(replyHolder.ok());
        const auto &preview = replyHolder.value().contents.message.replying_to_preview;
        QCOMPARE(preview.sender_id, qint64(100));
        QCOMPARE(str(preview.message_text), QStringLiteral("Dinner at eight?"));
        QCOMPARE(str(preview.replying_to_message_id), original.value().messageId);
        QCOMPARE(preview.replying_to_message_sequence_id, originalEvent.sequence_id);
        QCOMPARE(str(preview.sender_display_name), QStringLiteral("Alice"));
        auto reply = b.encryptMessage(Direct, change.conversationKey, change.keyVersion, replyHolder.value());
        const auto replyEvent = eventFromMessage(reply.value().requestBody(), bob.userId, Direct, nextSequence());
        auto result = ra.process(replyEvent);
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().replyValidation, ReplyValidation::Valid);
        QCOMPARE(str(result.value().contents.contents.message.message_text), QStringLiteral("Sounds good"));

        // Alice replies to her own message, from the event the server returned after sending
        // (the low-level form, with the contents she sent).
        auto own = replyContent(QStringLiteral("(or nine)"), originalEvent,
                                               textContent(QStringLiteral("Dinner at eight?")).contents.message);
        auto ownReply = a.encryptMessage(Direct, change.conversationKey, change.keyVersion, own.value());
        result = rb.process(eventFromMessage(ownReply.value().requestBody(), alice.userId, Direct, nextSequence()));
        QVERIFY(result.ok());
        QCOMPARE(result.value().replyValidation, ReplyValidation::Valid);

        // A preview that misquotes the original is Invalid.
        auto misquote = replyHolder.value();
        misquote.contents.message.replying_to_preview.__set_message_text("Dinner at nine?");
        auto forged = b.encryptMessage(Direct, change.conversationKey, change.keyVersion, misquote);
        result = ra.process(eventFromMessage(forged.value().requestBody(), bob.userId, Direct, nextSequence()));
        QVERIFY(result.ok());
        QCOMPARE(result.value().replyValidation, ReplyValidation::Invalid);

        // A receiver without the original's key can still validate when the key change rides along.
        Receiver late{bob, directory, {}};
        auto kceForLate = a.prepareConversationKeyChange(Direct, {participant(alice), participant(bob)});
        const auto kceEvent =
            eventFromAction(kceForLate.value().actionSignatures.at(0).toObject(), alice.userId, Direct, nextSequence());
        auto inNewKey = a.encryptMessage(Direct, kceForLate.value().conversationKey, kceForLate.value().keyVersion,
                                         textContent(QStringLiteral("New key, same me")));
        const auto inNewKeyEvent =
            eventFromMessage(inNewKey.value().requestBody(), alice.userId, Direct, nextSequence());
        auto carried = replyContent(QStringLiteral("ok"), inNewKeyEvent,
                                                   textContent(QStringLiteral("New key, same me")).contents.message,
                                                               std::nullopt, {kceEvent});
        // Encrypted under the old key, which `late` is given directly.
        late.ring(Direct).add(change.keyVersion, change.conversationKey, ConversationKeyRing::Trust::Verified);
        auto carriedReply = a.encryptMessage(Direct, change.conversationKey, change.keyVersion, carried.value());
        result =
            late.process(eventFromMessage(carriedReply.value().requestBody(), alice.userId, Direct, nextSequence()));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().replyValidation, ReplyValidation::Valid);

        // Only messages can be replied to.
        const auto kceReceived = rb.process(kceEvent);
        QVERIFY(kceReceived.ok());
        QCOMPARE(replyContent(QStringLiteral("?"), kceReceived.value()).error().kind(), ErrorKind::InvalidInput);
    }

    void reactionsEditsAndMedia()
    {
        OutgoingActions a = actionsOf(alice);
        Receiver ra{alice, directory, {}};
        Receiver rb{bob, directory, {}};
        const PreparedConversationChange change = startDirect(a, ra, rb);
        const QString target = QStringLiteral("2080400825227100999");

        auto send = [&](const wire::MessageEntryHolder &holder) {
            auto message = a.encryptMessage(Direct, change.conversationKey, change.keyVersion, holder);
            return rb.process(eventFromMessage(message.value().requestBody(), alice.userId, Direct, nextSequence()));
        };

        auto result = send(reactionContent(target, QStringLiteral("👍")));
        QVERIFY(result.ok());
        QCOMPARE(result.value().contentType, ContentType::Reaction);
        QCOMPARE(str(result.value().contents.contents.reaction_add.message_sequence_id), target);
        QCOMPARE(str(result.value().contents.contents.reaction_add.emoji), QStringLiteral("👍"));

        result = send(reactionContent(target, QStringLiteral("👍"), false));
        QVERIFY(result.ok());
        QCOMPARE(result.value().contentType, ContentType::ReactionRemoved);
        QCOMPARE(str(result.value().contents.contents.reaction_remove.emoji), QStringLiteral("👍"));

        result = send(editContent(target, QStringLiteral("Dinner at nine")));
        QVERIFY(result.ok());
        QCOMPARE(result.value().contentType, ContentType::Edit);
        QCOMPARE(str(result.value().contents.contents.message_edit.message_sequence_id), target);
        QCOMPARE(str(result.value().contents.contents.message_edit.updated_text), QStringLiteral("Dinner at nine"));

        MediaAttachmentInfo photo;
        photo.mediaHashKey = QStringLiteral("a1b2c3d4e5");
        photo.width = 1280;
        photo.height = 720;
        photo.filesizeBytes = 123456;
        photo.filename = QStringLiteral("lake.png");
        photo.attachmentId = QStringLiteral("att-1");
        MediaAttachmentInfo clip;
        clip.mediaHashKey = QStringLiteral("f6e5d4");
        clip.type = MediaType::Video;
        clip.durationMillis = 4000;
        result = send(mediaContent({photo, clip}, QStringLiteral("The lake")));
        QVERIFY(result.ok());
        const auto &contents = result.value().contents.contents.message;
        QCOMPARE(str(contents.message_text), QStringLiteral("The lake"));
        QCOMPARE(contents.attachments.size(), std::size_t(2));
        const auto &media = contents.attachments[0].media;
        QCOMPARE(str(media.media_hash_key), photo.mediaHashKey);
        QCOMPARE(media.dimensions.width, qint64(1280));
        QCOMPARE(media.dimensions.height, qint64(720));
        QCOMPARE(media.type, 1);
        QCOMPARE(media.filesize_bytes, qint64(123456));
        QCOMPARE(str(media.filename), photo.filename);
        QCOMPARE(str(media.attachment_id), photo.attachmentId);
        QVERIFY(!media.__isset.duration_millis);
        const auto &video = contents.attachments[1].media;
        QCOMPARE(video.type, 3);
        QCOMPARE(video.duration_millis, qint64(4000));
        QVERIFY(!video.attachment_id.empty()); // generated
    }

    void groupCreateHasTwoSignaturesThatVerify()
    {
        OutgoingActions a = actionsOf(alice);
        const QStringList members{alice.userId, bob.userId, carol.userId};
        auto created = a.prepareGroupCreate(Group, members, {},
                                            QStringLiteral("Weekend trip"),
                                                           {participant(alice), participant(bob), participant(carol)});
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : created.error().toString()));
        const PreparedConversationChange &c = created.value();
        const QJsonObject &body = c.requestBody;
        QCOMPARE(body.value(QLatin1String("conversation_id")).toString(), Group);
        QCOMPARE(body.value(QLatin1String("conversation_key_version")).toString(), c.keyVersion);
        QCOMPARE(body.value(QLatin1String("group_members")).toArray().size(), 3);
        QCOMPARE(body.value(QLatin1String("group_admins")).toArray(), QJsonArray{alice.userId});
        QCOMPARE(body.value(QLatin1String("group_name")).toString(), QStringLiteral("Weekend trip"));
        QCOMPARE(body.value(QLatin1String("conversation_participant_keys")).toArray().size(), 3);
        const QJsonArray signatures = body.value(QLatin1String("action_signatures")).toArray();
        QCOMPARE(signatures.size(), 2);
        QVERIFY(!hasSignaturePayload(body));

        const auto create = actionSignatureFromJson(signatures.at(1).toObject());
        QVERIFY(create.ok());
        QVERIFY(create.value().detail.__isset.group_change_event);
        const auto &event = create.value().detail.group_change_event;
        QVERIFY(event.__isset.for_key_rotation && !event.for_key_rotation);
        const auto &gc = event.group_change.group_create;
        QCOMPARE(gc.member_ids.size(), std::size_t(3));
        QVERIFY(gc.admin_ids == std::vector<std::string>{"100"});
        QCOMPARE(str(gc.title), QStringLiteral("Weekend trip"));
        QCOMPARE(str(gc.conversation_key_version), c.keyVersion);
        QVERIFY(signatures.at(0).toObject().value(QLatin1String("message_id")) !=
                signatures.at(1).toObject().value(QLatin1String("message_id")));

        const auto keyEvent = eventFromAction(signatures.at(0).toObject(), alice.userId, Group, nextSequence());
        const auto createEvent = eventFromAction(signatures.at(1).toObject(), alice.userId, Group, nextSequence());
        for (const TestPeer *p : {&alice, &bob, &carol}) {
            Receiver r{*p, directory, {}};
            auto result = r.process(keyEvent);
            QVERIFY2(result.ok(), qPrintable(describe(result)));
            QVERIFY(result.value().verified && result.value().keyBecameCurrent);
            QVERIFY(*r.ring(Group).currentKey() == c.conversationKey);
            result = r.process(createEvent);
            QVERIFY2(result.ok(), qPrintable(describe(result)));
            QCOMPARE(result.value().type, EventType::GroupChange);
            QVERIFY(result.value().verified);
        }

        // The GroupCreate signature covers the roster: a changed member list fails.
        auto tampered = createEvent;
        tampered.detail.group_change_event.group_change.group_create.member_ids.push_back("666");
        Receiver rb{bob, directory, {}};
        QVERIFY(!rb.process(tampered).ok());

        // Titles with commas cannot be signed.
        const auto comma = a.prepareGroupCreate(Group, members, {},
                                                QStringLiteral("Food, drinks"), {participant(alice), participant(bob)});
        QCOMPARE(comma.error().kind(), ErrorKind::InvalidInput);
    }

    void memberAddRotatesTheKey()
    {
        OutgoingActions a = actionsOf(alice);
        auto created = a.prepareGroupCreate(Group, {alice.userId, bob.userId}, {alice.userId}, std::nullopt,
                                            {participant(alice), participant(bob)});
        QVERIFY(created.ok());
        QVERIFY(!created.value().requestBody.contains(QLatin1String("group_name")));
        Receiver rb{bob, directory, {}};
        QVERIFY(rb.process(eventFromAction(created.value().actionSignatures.at(0).toObject(), alice.userId, Group,
                                           nextSequence()))
                    .ok());

        GroupRoster roster;
        roster.memberIds = {alice.userId, bob.userId};
        roster.adminIds = {alice.userId};
        roster.title = QStringLiteral("Climbing");
        auto added = a.prepareMemberAdd(Group, roster, {carol.userId, dave.userId},
                                        {participant(alice), participant(bob), participant(carol), participant(dave)});
        QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().toString()));
        const QJsonObject &body = added.value().requestBody;
        QCOMPARE(body.value(QLatin1String("user_ids")).toArray(), (QJsonArray{carol.userId, dave.userId}));
        QCOMPARE(body.value(QLatin1String("conversation_participant_keys")).toArray().size(), 4);
        const QJsonArray signatures = body.value(QLatin1String("action_signatures")).toArray();
        QCOMPARE(signatures.size(), 2);
        QVERIFY(!hasSignaturePayload(body));
        QVERIFY(added.value().keyVersion.toLongLong() > created.value().keyVersion.toLongLong());

        const auto keyEvent = eventFromAction(signatures.at(0).toObject(), alice.userId, Group, nextSequence());
        const auto addEvent = eventFromAction(signatures.at(1).toObject(), alice.userId, Group, nextSequence());
        QVERIFY(addEvent.detail.group_change_event.group_change.__isset.group_member_add);

        auto result = rb.process(keyEvent);
        QVERIFY(result.ok() && result.value().keyBecameCurrent);
        QCOMPARE(rb.ring(Group).currentVersion().value_or(QString()), added.value().keyVersion);
        QCOMPARE(rb.ring(Group).size(), qsizetype(2));
        result = rb.process(addEvent);
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QVERIFY(result.value().verified);
        QCOMPARE(result.value().type, EventType::GroupChange);

        Receiver rd{dave, directory, {}};
        QVERIFY(rd.process(keyEvent).ok());
        QVERIFY(*rd.ring(Group).currentKey() == added.value().conversationKey);
        QVERIFY(rd.process(addEvent).ok());

        QCOMPARE(a.prepareMemberAdd(Group, roster, {}, {participant(alice)}).error().kind(), ErrorKind::InvalidInput);
    }

    void deletesVerify()
    {
        OutgoingActions b = actionsOf(bob);
        auto body = b.prepareMessageDelete(
            Direct, {QStringLiteral("2080400825227100161"), QStringLiteral("2080400825227100162")}, true);
        QVERIFY(body.ok());
        QCOMPARE(body.value().value(QLatin1String("delete_message_action")).toString(),
                 QStringLiteral("delete_for_all"));
        QCOMPARE(body.value().value(QLatin1String("sequence_ids")).toArray().size(), 2);
        const QJsonArray signatures = body.value().value(QLatin1String("action_signatures")).toArray();
        QCOMPARE(signatures.size(), 1);
        const auto event = eventFromAction(signatures.at(0).toObject(), bob.userId, Direct, nextSequence());
        QCOMPARE(event.detail.message_delete_event.delete_message_action, 2);

        Receiver ra{alice, directory, {}};
        auto result = ra.process(event);
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().type, EventType::MessageDeleted);
        QVERIFY(result.value().verified);

        // The scope is signed: a delete-for-self presented as delete-for-all fails.
        auto self = b.prepareMessageDelete(Direct, {QStringLiteral("2080400825227100161")}, false);
        QCOMPARE(self.value().value(QLatin1String("delete_message_action")).toString(),
                 QStringLiteral("delete_for_self"));
        auto selfEvent =
            eventFromAction(self.value().value(QLatin1String("action_signatures")).toArray().at(0).toObject(),
                            bob.userId, Direct, nextSequence());
        QCOMPARE(selfEvent.detail.message_delete_event.delete_message_action, 1);
        QVERIFY(ra.process(selfEvent).ok());
        selfEvent.detail.message_delete_event.__set_delete_message_action(2);
        QVERIFY(!ra.process(selfEvent).ok());

        QCOMPARE(b.prepareMessageDelete(Direct, {}, true).error().kind(), ErrorKind::InvalidInput);
    }

    void signatureJsonRoundTrip()
    {
        wire::MessageEventSignature sig =
            ActionSigner(alice.signing, alice.keyVersion).sign(QByteArrayView("payload")).value();
        QJsonObject json = signatureToJson(sig);
        QCOMPARE(json.size(), 4);
        auto back = signatureFromJson(json);
        QVERIFY(back.ok());
        QVERIFY(back.value() == sig);

        // With the multi-signer list, and through text.
        wire::MessageSigningKeyInfo info;
        info.__set_member_id("200");
        info.__set_public_key_version("1700000000000");
        info.__set_signing_public_key("AAAA");
        sig.__set_message_signing_key_info_list({info});
        json = signatureToJson(sig);
        back = signatureFromJson(QJsonDocument::fromJson(QJsonDocument(json).toJson()).object());
        QVERIFY(back.ok());
        QVERIFY(back.value() == sig);

        // Without the optional fields.
        wire::MessageEventSignature minimal;
        minimal.__set_signature("abc_-=");
        minimal.__set_public_key_version("1");
        minimal.__set_signature_version("7");
        back = signatureFromJson(signatureToJson(minimal));
        QVERIFY(back.ok());
        QVERIFY(back.value() == minimal);
        QVERIFY(!back.value().__isset.signing_public_key);
    }

    void signatureJsonIsValidated_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");

        auto row = [](const char *name, const char *field, const QJsonValue &value, const char *expected) {
            QTest::newRow(name) << QString::fromLatin1(field) << value << QString::fromLatin1(expected);
        };
        const QJsonValue absent(QJsonValue::Undefined);
        row("signature missing", "signature", absent, "signature");
        row("signature empty", "signature", QString(), "signature");
        row("signature with space", "signature", QStringLiteral("ab cd"), "signature");
        row("signature not a string", "signature", 12, "signature");
        row("key version letters", "public_key_version", QStringLiteral("v1"), "public_key_version");
        row("key version missing", "public_key_version", absent, "public_key_version");
        row("key version number", "public_key_version", 1700000000000.0, "public_key_version");
        row("signature version negative", "signature_version", QStringLiteral("-7"), "signature_version");
        row("signature version missing", "signature_version", absent, "signature_version");
        row("signing key not a string", "signing_public_key", true, "signing_public_key");
        row("info list not an array", "message_signing_key_info_list",
            QStringLiteral("x"), "message_signing_key_info_list");
        row("info entry not an object", "message_signing_key_info_list", QJsonArray{1},
            "message_signing_key_info_list[0]");
        row("info member not a string", "message_signing_key_info_list",
            QJsonArray{QJsonObject{{QStringLiteral("member_id"), 5}}}, "message_signing_key_info_list[0].member_id");
    }

    void signatureJsonIsValidated()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QJsonObject json{{QStringLiteral("signature"), QStringLiteral("c2lnbmF0dXJl")},
                          {QStringLiteral("public_key_version"), QStringLiteral("1700000000000")},
                           {QStringLiteral("signature_version"), QStringLiteral("7")}};
        QVERIFY(signatureFromJson(json).ok());
        if (value.isUndefined())
            json.remove(field);
        else
            json.insert(field, value);
        const auto result = signatureFromJson(json);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(result.error().detail().startsWith(
            QStringLiteral("message_event_signature.") + expected + QLatin1Char(':')),
            qPrintable(result.error().detail()));
    }

    void actionSignatureJsonIsValidated()
    {
        OutgoingActions b = actionsOf(bob);
        const QJsonObject good = b.prepareMessageDelete(
            Direct,
            {QStringLiteral("1")}, false).value().value(QLatin1String("action_signatures")).toArray().at(0).toObject();
        QVERIFY(actionSignatureFromJson(good).ok());
        // signature_payload is tolerated (the API allows it for server logs) and ignored.
        QJsonObject withPayload = good;
        withPayload.insert(QStringLiteral("signature_payload"), QStringLiteral("MessageDeleteEvent,..."));
        QVERIFY(actionSignatureFromJson(withPayload).ok());

        auto broken = [&](const QString &field, const QJsonValue &value) {
            QJsonObject json = good;
            if (value.isUndefined())
                json.remove(field);
            else
                json.insert(field, value);
            const auto result = actionSignatureFromJson(json);
            return !result.ok() && result.error().kind() == ErrorKind::InvalidInput &&
                   result.error().detail().startsWith(field);
        };
        QVERIFY(broken(QStringLiteral("message_id"), QJsonValue(QJsonValue::Undefined)));
        QVERIFY(broken(QStringLiteral("message_id"), QString()));
        QVERIFY(broken(QStringLiteral("encoded_message_event_detail"), QJsonValue(QJsonValue::Undefined)));
        QVERIFY(broken(QStringLiteral("encoded_message_event_detail"), QStringLiteral("not base64!")));
        QVERIFY(broken(QStringLiteral("encoded_message_event_detail"), QStringLiteral("A-_B"))); // url alphabet
        QVERIFY(broken(QStringLiteral("encoded_message_event_detail"), QStringLiteral("AAAA"))); // not Thrift
        QVERIFY(broken(QStringLiteral("message_event_signature"), QStringLiteral("sig")));
        QVERIFY(broken(QStringLiteral("message_event_signature"), QJsonValue(QJsonValue::Undefined)));
    }

    void conversationIds()
    {
        QCOMPARE(directConversationId(QStringLiteral("200"), QStringLiteral("100")), QStringLiteral("100:200"));
        QCOMPARE(directConversationId(QStringLiteral("9"), QStringLiteral("10")), QStringLiteral("9:10"));
        QCOMPARE(directConversationId(QStringLiteral("1000000000000000000"), QStringLiteral("999")),
                                      QStringLiteral("999:1000000000000000000"));
        QCOMPARE(conversationPathId(QStringLiteral("9:10")), QStringLiteral("9-10"));
        QCOMPARE(conversationPathId(Group), Group);
        QCOMPARE(canonicalConversationId(QStringLiteral("10-9")), QStringLiteral("9:10"));
        QCOMPARE(canonicalConversationId(QStringLiteral("9:10")), QStringLiteral("9:10"));
        QCOMPARE(canonicalConversationId(Group), Group);
        QCOMPARE(canonicalConversationId(QStringLiteral("12")), QStringLiteral("12"));
        QVERIFY(newMessageId() != newMessageId());
        QVERIFY(!newMessageId().contains(QLatin1Char('{')));
    }
};

QTEST_GUILESS_MAIN(TestXChatOutgoing)
#include "tst_xchat_outgoing.moc"
