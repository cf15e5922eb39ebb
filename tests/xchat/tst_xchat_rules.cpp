// The X Chat receiver rules (spec §2.4), signed payloads (§2.3) and the key ring, exercised with
// events built and signed the way a sending client does.

#include "eventfactory.h"
#include "protocols/xchat/eventverifier.h"

#include <QTest>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

using namespace confab;
using namespace confab::xchat;
using crypto::SecureBytes;

namespace {
const QString Conversation = QStringLiteral("100:200");
const QString V1 = QStringLiteral("1700000001000");
const QString V2 = QStringLiteral("1700000002000");
} // namespace

class TestXChatRules : public QObject
{
    Q_OBJECT

private:
    TestPeer alice{QStringLiteral("100")};
    TestPeer bob{QStringLiteral("200")}; // "me"
    TestPeer mallory{QStringLiteral("666")};
    SigningKeyDirectory directory;

    LocalIdentity me() const { return {bob.userId, bob.keyVersion, bob.identity}; }
    std::vector<TestPeer::Recipient> both() const
    {
        return {{alice.userId, alice.keyVersion, alice.identity.publicKey()},
                {bob.userId, bob.keyVersion, bob.identity.publicKey()}};
    }

    static QString text(const VerifiedEvent &e)
    {
        return QString::fromStdString(e.contents.contents.message.message_text);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(directory.addRecord(alice.record()).ok());
        QVERIFY(directory.addRecord(bob.record()).ok());
    }

    // ---- signed payloads (formats pinned to X's reference SDK) -----------------------------------

    void payloadFormats()
    {
        QCOMPARE(payload::groupMemberAdd(
            QStringLiteral("msg-1"),
                QStringLiteral("sender-1"),
                    QStringLiteral("conv-1"),
                        {QStringLiteral("new-user-1")},
                         {QStringLiteral("existing-1"), QStringLiteral("existing-2")},
                          {QStringLiteral("existing-1")}, std::nullopt, std::nullopt, std::nullopt,
                           QStringLiteral("42"), std::nullopt).value(),
                          QByteArray(
                              "GroupChangeEvent.GroupMemberAddChange,msg-1,sender-1,conv-1,new-user-1,existing-1,"
                              "existing-2,existing-1,null,null,null,42,null"));
        QCOMPARE(payload::groupCreate(
            QStringLiteral("msg-gc"),
                QStringLiteral("sender-1"),
                    QStringLiteral("42"), {QStringLiteral("member-1"), QStringLiteral("member-2")}, std::nullopt, std::nullopt,
                                std::nullopt)
                                    .value(),
                        QByteArray("GroupChangeEvent.GroupCreate,msg-gc,sender-1,42,member-1,member-2,null,null,null"));
        QCOMPARE(payload::groupCreate(
            QStringLiteral("msg-gc2"),
                QStringLiteral("admin-1"),
                    QStringLiteral("7"),
                        {QStringLiteral("a")}, true,
                         QStringLiteral("My Group"), QStringLiteral("https://img.com/a.png")).value(),
                         QByteArray(
                             "GroupChangeEvent.GroupCreate,msg-gc2,admin-1,7,a,true,My Group,https://img.com/a.png"));
        QByteArray key(32, Qt::Uninitialized);
        for (int i = 0; i < 32; ++i)
            key[i] = static_cast<char>(i);
        QCOMPARE(payload::conversationKeyChange(
            QStringLiteral("msg-2"),
                           QStringLiteral("sender-1"),
                                          QStringLiteral("conv-1"),
                                                         QStringLiteral("42"), SecureBytes(key)).value().toByteArray(),
                                          QByteArray("ConversationKeyChangeEvent,msg-2,sender-1,conv-1,42,"
                                                     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"));
        QCOMPARE(payload::messageDelete(
            QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("c"), 2, {QStringLiteral("5"), QStringLiteral("6")}).value(),
                                                          QByteArray("MessageDeleteEvent,m,s,c,2,5,6"));
        QCOMPARE(payload::messageCreate(
            QStringLiteral("m"), QStringLiteral("s"),
                                                QStringLiteral("1:2"), QStringLiteral("9"), QByteArray("ab")).value(),
                                                QByteArray("MessageCreateEvent,m,s,1:2,9,YWI"));
        QCOMPARE(payload::markRead(
            QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("c"), QStringLiteral("7"), std::nullopt).value(),
                                                QByteArray("MarkConversationReadEvent,m,s,c,7"));
        QCOMPARE(payload::markRead(
            QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("c"), QStringLiteral("7"), 1234).value(),
                                                QByteArray("MarkConversationReadEvent,m,s,c,7,1234"));
        QCOMPARE(payload::markUnread(QStringLiteral("m"),
                                                    QStringLiteral("s"), QStringLiteral("c"), std::nullopt).value(),
                                                    QByteArray("MarkConversationUnreadEvent,m,s,c"));
        QCOMPARE(payload::conversationDelete(
            QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("c"), true, std::nullopt).value(),
                           QByteArray("ConversationDeleteEvent,m,s,c,true"));
        QCOMPARE(payload::groupIds(
            payload::GroupIdsChange::AdminAdd,
            QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("g1"), {QStringLiteral("5")}).value(),
                                                QByteArray("GroupChangeEvent.GroupAdminAddChange,m,s,g1,5"));
        QCOMPARE(payload::groupValue(
            payload::GroupValueChange::Title,
            QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("g1"), QStringLiteral("9"), QStringLiteral("T")).value(),
                                                          QByteArray("GroupChangeEvent.GroupTitleChange,m,s,g1,9,T"));
        QCOMPARE(payload::metadataChange(
            QStringLiteral("MessageDurationChange"),
                QStringLiteral("m"),
                    QStringLiteral("s"), QStringLiteral("c"), {QStringLiteral("86400000")}).value(),
                                   QByteArray("ConversationMetadataChangeEvent.MessageDurationChange,m,s,c,86400000"));
    }

    void commasAreRefused()
    {
        const auto result = payload::groupCreate(QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("1"), {QStringLiteral("a")}, std::nullopt,
                                                             QStringLiteral("Hello, world"), std::nullopt);
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::InvalidInput);
        QVERIFY(
            payload::messageDelete(QStringLiteral("m,x"), QStringLiteral("s"), QStringLiteral("c"), 1, {}).hasError());
    }

    // ---- key ring ---------------------------------------------------------------------------------

    void keyRingIsMonotonic()
    {
        ConversationKeyRing ring;
        const SecureBytes k1 = SecureBytes::random(32);
        const SecureBytes k2 = SecureBytes::random(32);
        const SecureBytes k3 = SecureBytes::random(32);
        QVERIFY(ring.add(QStringLiteral("999"), k1, ConversationKeyRing::Trust::Verified));
        QVERIFY(ring.add(QStringLiteral("1000"), k2, ConversationKeyRing::Trust::Verified)); // numeric, not text order
        QCOMPARE(ring.currentVersion().value(), QStringLiteral("1000"));
        QVERIFY(!ring.add(QStringLiteral("999"), k1, ConversationKeyRing::Trust::Verified));    // replay: no downgrade
        QVERIFY(!ring.add(QStringLiteral("5000"), k3, ConversationKeyRing::Trust::Unverified)); // never current
        QCOMPARE(ring.currentVersion().value(), QStringLiteral("1000"));
        QVERIFY(*ring.key(QStringLiteral("5000")) == k3);                                    // but it decrypts
        QVERIFY(ring.add(QStringLiteral("5000"), k3, ConversationKeyRing::Trust::Verified)); // verified later
        QCOMPARE(ring.trust(QStringLiteral("5000")).value(), ConversationKeyRing::Trust::Verified);
        QVERIFY(!ring.add(QStringLiteral("x1"), k1, ConversationKeyRing::Trust::Verified));
        QVERIFY(!ring.add(QStringLiteral("6000"), SecureBytes::random(16), ConversationKeyRing::Trust::Verified));
        QCOMPARE(ring.size(), 3);
    }

    void versionsCompareNumerically()
    {
        QCOMPARE(compareVersions(QStringLiteral("999"), QStringLiteral("1000")).value(), -1);
        QCOMPARE(compareVersions(QStringLiteral("0010"), QStringLiteral("10")).value(), 0);
        QCOMPARE(compareVersions(QStringLiteral("2070276095283454002"), QStringLiteral("2070276095283454001")).value(),
                                 1);
        QVERIFY(!compareVersions(QStringLiteral("1e3"), QStringLiteral("1")));
        QVERIFY(!compareVersions(QString(), QStringLiteral("1")));
    }

    // ---- key binding -------------------------------------------------------------------------------

    void keyBindingIsVerifiedBeforeTrust()
    {
        SigningKeyDirectory fresh;
        PublicKeyRecord swapped = alice.record();
        swapped.signingPublicKey = mallory.signing.publicKey().spki(); // Mallory's signing key, Alice's identity
        QVERIFY(fresh.addRecord(swapped).hasError());
        PublicKeyRecord badBack = alice.record();
        badBack.signingKeySignature = mallory.identity.sign(badBack.signingPublicKey).value();
        QVERIFY(fresh.addRecord(badBack).hasError());
        PublicKeyRecord noBack = alice.record();
        noBack.signingKeySignature.clear(); // optional
        QVERIFY(fresh.addRecord(noBack).ok());
        PublicKeyRecord pointForm = alice.record(); // the binding covers the bytes as served, in either form
        pointForm.identityPublicKey = alice.identity.publicKey().point();
        pointForm.identityKeySignature = alice.signing.sign(pointForm.identityPublicKey).value();
        QVERIFY(fresh.addRecord(pointForm).ok());
        QCOMPARE(fresh.newestVersion(alice.userId).value(), alice.keyVersion);
        QVERIFY(!fresh.newestVersion(mallory.userId));
    }

    // ---- receiver rules -----------------------------------------------------------------------------

    void conversationRoundTrip()
    {
        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        const SecureBytes key = SecureBytes::random(32);
        auto change = verifier.process(alice.keyChange(Conversation, QStringLiteral("10"), V1, key, both()));
        QVERIFY2(change.ok(), qPrintable(change.ok() ? QString() : change.error().toString()));
        QVERIFY(change.value().verified && change.value().keyBecameCurrent);

        const auto message = verifier.process(
            alice.message(Conversation, QStringLiteral("11"), V1, key, textHolder(QStringLiteral("hello bob"))));
        QVERIFY(message.ok());
        QVERIFY(message.value().verified);
        QCOMPARE(text(message.value()), QStringLiteral("hello bob"));

        // Reactions and edits are message contents too, targeting a sequence id.
        wire::MessageReaction reaction;
        reaction.__set_message_sequence_id("11");
        reaction.__set_emoji("👍");
        wire::MessageEntryContents entry;
        entry.__set_reaction_add(reaction);
        wire::MessageEntryHolder holder;
        holder.__set_contents(entry);
        const auto reacted = verifier.process(alice.message(Conversation, QStringLiteral("12"), V1, key, holder));
        QCOMPARE(reacted.value().contentType, ContentType::Reaction);
        QCOMPARE(reacted.value().contents.contents.reaction_add.emoji, std::string("👍"));
    }

    void signedControlEventsVerifyAndTamperingFails()
    {
        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        auto del = alice.envelope(Conversation, QStringLiteral("20"));
        wire::MessageDeleteEvent d;
        d.__set_sequence_ids({"11", "12"});
        d.__set_delete_message_action(2);
        wire::MessageEventDetail detail;
        detail.__set_message_delete_event(d);
        del.__set_detail(detail);
        alice.sign(del);
        const auto ok = verifier.process(del);
        QVERIFY(ok.ok());
        QCOMPARE(ok.value().type, EventType::MessageDeleted);
        QVERIFY(ok.value().verified);

        del.detail.message_delete_event.sequence_ids.push_back("13"); // widen the delete after signing
        const auto tampered = verifier.process(del);
        QVERIFY(tampered.hasError());
        QCOMPARE(tampered.error().kind(), ErrorKind::Crypto);

        auto read = alice.envelope(Conversation, QStringLiteral("21"));
        wire::MarkConversationReadEvent r;
        r.__set_seen_until_sequence_id("12");
        wire::MessageEventDetail readDetail;
        readDetail.__set_mark_conversation_read_event(r);
        read.__set_detail(readDetail);
        alice.sign(read);
        QCOMPARE(verifier.process(read).value().type, EventType::ReadReceipt);
        read.__set_sender_id(bob.userId.toStdString()); // claim it was Bob
        QVERIFY(verifier.process(read).hasError());
    }

    void theEmbeddedSigningKeyIsNeverTrusted()
    {
        ConversationKeyRing ring;
        const SecureBytes key = SecureBytes::random(32);
        ring.add(V1, key, ConversationKeyRing::Trust::Verified);
        EventVerifier verifier(me(), directory, ring);
        // Mallory signs as Alice and embeds her own signing key in the event.
        auto forged = alice.message(Conversation, QStringLiteral("30"), V1, key, textHolder(QStringLiteral("send $")));
        alice.signWith(forged, payloadForEvent(forged).value(), mallory.signing);
        const auto result = verifier.process(forged);
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::Crypto);
    }

    void signatureVersionRules()
    {
        ConversationKeyRing ring;
        const SecureBytes key = SecureBytes::random(32);
        ring.add(V1, key, ConversationKeyRing::Trust::Verified);
        EventVerifier verifier(me(), directory, ring);
        auto old = alice.message(Conversation, QStringLiteral("40"), V1, key, textHolder(QStringLiteral("v1")));
        alice.sign(old, nullptr, "1");
        QVERIFY(verifier.process(old).hasError()); // below the minimum: downgrade refused
        auto missing = alice.message(Conversation, QStringLiteral("41"), V1, key, textHolder(QStringLiteral("v?")));
        alice.sign(missing, nullptr, nullptr); // a missing version counts as 7
        QVERIFY(verifier.process(missing).ok());
        auto unsigned_ = alice.message(Conversation, QStringLiteral("42"), V1, key, textHolder(QStringLiteral("x")));
        unsigned_.__isset.message_event_signature = false;
        QVERIFY(verifier.process(unsigned_).hasError());
    }

    void unencryptedMessagesAreRefused()
    {
        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        auto plain = alice.envelope(Conversation, QStringLiteral("50"));
        wire::MessageCreateEvent mce;
        mce.__set_contents(encodeThrift(textHolder(QStringLiteral("in the clear"))).toStdString());
        wire::MessageEventDetail detail;
        detail.__set_message_create_event(mce);
        plain.__set_detail(detail);
        alice.sign(plain);
        const auto result = verifier.process(plain);
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::Crypto);
    }

    void badKeyChangesAreDroppedOrDemoted()
    {
        const SecureBytes key = SecureBytes::random(32);
        // Recent (sequence >= the enforcement id) and badly signed: dropped, nothing added.
        {
            ConversationKeyRing ring;
            EventVerifier verifier(me(), directory, ring);
            auto change =
                alice.keyChange(Conversation, QString::fromLatin1(KeyChangeEnforcementSequenceId), V1, key, both());
            alice.signWith(change, keyChangePayload(change, key).value().view(), mallory.signing);
            QVERIFY(verifier.process(change).hasError());
            QCOMPARE(ring.size(), 0);
        }
        // Older and badly signed: kept to decrypt history, never current.
        {
            ConversationKeyRing ring;
            EventVerifier verifier(me(), directory, ring);
            auto change = alice.keyChange(Conversation, QStringLiteral("2070276095283454001"), V1, key, both());
            alice.signWith(change, keyChangePayload(change, key).value().view(), mallory.signing);
            const auto result = verifier.process(change);
            QVERIFY(result.ok());
            QVERIFY(!result.value().verified);
            QVERIFY(!ring.currentVersion());
            QVERIFY(*ring.key(V1) == key);
            QVERIFY(verifier.process(alice.message(Conversation, QStringLiteral("2070276095283454005"), V1, key,
                                                                                textHolder(QStringLiteral("old"))))
                                                       .ok());
        }
    }

    void replayedOlderKeyChangeNeverBecomesCurrent()
    {
        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        const SecureBytes k1 = SecureBytes::random(32);
        const SecureBytes k2 = SecureBytes::random(32);
        const auto old = alice.keyChange(Conversation, QStringLiteral("60"), V1, k1, both());
        QVERIFY(verifier.process(old).ok());
        QVERIFY(verifier.process(alice.keyChange(Conversation, QStringLiteral("61"), V2, k2, both())).ok());
        const auto replay = verifier.process(old);
        QVERIFY(replay.ok());
        QVERIFY(!replay.value().keyBecameCurrent);
        QCOMPARE(ring.currentVersion().value(), V2);
    }

    void keyChangeWithoutMyEntry()
    {
        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        const auto result = verifier.process(alice.keyChange(
            Conversation, QStringLiteral("70"), V1, SecureBytes::random(32),
                                         {{alice.userId, alice.keyVersion, alice.identity.publicKey()}}));
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::NotFound);
    }

    void replyPreviewsAreReverified()
    {
        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        const SecureBytes key = SecureBytes::random(32);
        QVERIFY(verifier.process(alice.keyChange(Conversation, QStringLiteral("80"), V1, key, both())).ok());
        const auto original =
            alice.message(Conversation, QStringLiteral("81"), V1, key, textHolder(QStringLiteral("lunch at noon?")));

        auto replyWithPreview = [&](const QString &quoted, const wire::MessageEvent &embedded) {
            wire::ReplyingToPreview preview;
            preview.__set_sender_id(alice.userId.toLongLong());
            preview.__set_message_text(quoted.toStdString());
            preview.__set_replying_to_message_id(embedded.message_id);
            preview.__set_replying_to_message_sequence_id("81");
            preview.__set_raw_event_message_create(embedded);
            auto holder = textHolder(QStringLiteral("yes!"));
            holder.contents.message.__set_replying_to_preview(preview);
            return verifier.process(bob.message(Conversation, QStringLiteral("82"), V1, key, holder));
        };
        QCOMPARE(replyWithPreview(QStringLiteral("lunch at noon?"), original).value().replyValidation,
                                  ReplyValidation::Valid);
        QCOMPARE(replyWithPreview(QStringLiteral("lunch"), original).value().replyValidation,
                                  ReplyValidation::Valid); // a shortened quote
        QCOMPARE(replyWithPreview(QStringLiteral("dinner at noon?"), original).value().replyValidation,
                                  ReplyValidation::Invalid);
        auto forgedOriginal = original;
        forgedOriginal.__set_sender_id(bob.userId.toStdString()); // the embedded original no longer verifies
        QCOMPARE(replyWithPreview(QStringLiteral("lunch at noon?"), forgedOriginal).value().replyValidation,
                                  ReplyValidation::Invalid);
    }

    void invalidWireTypesAreCleanErrors()
    {
        // Type bytes that name no Thrift type, as a field, a list element, and map key/value types.
        const QByteArray cases[] = {QByteArray::fromHex("780001"), // field of type 120
                                    QByteArray::fromHex("0f0032"
                                                        "7f00000001"
                                                        "00"), // list<type 127>
                                    QByteArray::fromHex("0d0032"
                                                        "0b9900000001"
                                                        "00"), // map<string, type 153>
                                    QByteArray::fromHex("0f0032"
                                                        "08ffffffff"
                                                        "00")}; // negative list size
        for (const QByteArray &bytes : cases) {
            const auto result = decodeThrift<wire::MessageEvent>(bytes, "event");
            QVERIFY2(result.hasError(), bytes.toHex().constData());
            QCOMPARE(result.error().kind(), ErrorKind::Protocol);
        }
        // Found by fuzzing: claims that libthrift 0.17 would allocate before reading (a 2 GiB string,
        // a list of 0x0c020000 structs inside a detail, a map of 0x000d... entries).
        const QByteArray hostile[] = {QByteArray::fromHex("000b00027fffffff").mid(1),
                                      QByteArray::fromHex("0c00070c00030f00020c02000000"),
                                      QByteArray::fromHex("0b000100000001310b0002660000000d00006169")};
        for (const QByteArray &bytes : hostile) {
            const auto result = decodeThrift<wire::MessageEvent>(bytes, "event");
            QVERIFY2(result.hasError(), bytes.toHex().constData());
            QCOMPARE(result.error().kind(), ErrorKind::Protocol);
        }
        // A list that claims more elements than the input could hold is refused before allocating.
        const auto huge = decodeThrift<wire::MessageEvent>(QByteArray::fromHex("0f0032"
                                                                               "0b7fffffff"
                                                                               "00"),
                                                           "event");
        QVERIFY(huge.hasError());
    }

    void unknownMembersDecodeAsUnknown()
    {
        // A MessageEvent whose detail union holds member 99, and an unknown field 50 in the event.
        using namespace apache::thrift::protocol;
        auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
        TBinaryProtocol p(buffer);
        p.writeStructBegin("MessageEvent");
        p.writeFieldBegin("sequence_id", T_STRING, 1);
        p.writeString(std::string("90"));
        p.writeFieldEnd();
        p.writeFieldBegin("sender_id", T_STRING, 3);
        p.writeString(alice.userId.toStdString());
        p.writeFieldEnd();
        p.writeFieldBegin("detail", T_STRUCT, 7);
        p.writeStructBegin("MessageEventDetail");
        p.writeFieldBegin("future", T_STRUCT, 99);
        p.writeStructBegin("Future");
        p.writeFieldBegin("x", T_I64, 1);
        p.writeI64(42);
        p.writeFieldEnd();
        p.writeFieldStop();
        p.writeStructEnd();
        p.writeFieldEnd();
        p.writeFieldStop();
        p.writeStructEnd();
        p.writeFieldEnd();
        p.writeFieldBegin("future_field", T_LIST, 50);
        p.writeListBegin(T_I32, 2);
        p.writeI32(1);
        p.writeI32(2);
        p.writeListEnd();
        p.writeFieldEnd();
        p.writeFieldStop();
        p.writeStructEnd();
        uint8_t *data = nullptr;
        uint32_t size = 0;
        buffer->getBuffer(&data, &size);

        ConversationKeyRing ring;
        EventVerifier verifier(me(), directory, ring);
        const auto result = verifier.processBase64(crypto::base64::encodePadded(
            QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size))));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(result.value().type, EventType::Unknown);
        QCOMPARE(result.value().sequenceId, QStringLiteral("90"));
        QVERIFY(!result.value().verified);

        // And an unknown member of the decrypted contents is ContentType::Unknown, not an error.
        const SecureBytes key = SecureBytes::random(32);
        ring.add(V1, key, ConversationKeyRing::Trust::Verified);
        wire::MessageEntryHolder empty;
        empty.__isset.contents = true; // a holder whose union member we do not know (none set here)
        const auto message = verifier.process(alice.message(Conversation, QStringLiteral("91"), V1, key, empty));
        QVERIFY(message.ok());
        QCOMPARE(message.value().contentType, ContentType::Unknown);
    }
};

QTEST_GUILESS_MAIN(TestXChatRules)
#include "tst_xchat_rules.moc"
