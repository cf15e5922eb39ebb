// confab-localserver's chat media over real HTTP: upload sessions (initialize, append as JSON and
// as multipart, finalize), downloads with ranges, and every refusal on the way. The media is
// encrypted with Confab's secretstream cipher and the attachment travels in a signed message.

#include "chatharness.h"
#include "crypto/mediastream.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace confab;
using namespace confab::localserver;
using namespace confab::localserver::test;

namespace {

QByteArray randomBytes(qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    QRandomGenerator::global()->generate(out.begin(), out.end());
    return out;
}

/// Media as X Chat uploads it: secretstream ciphertext of `plaintext` under `key`.
QByteArray encrypt(const QByteArray &plaintext, const crypto::SecureBytes &key)
{
    auto encryptor = crypto::MediaEncryptor::create(key);
    if (!encryptor)
        return {};
    QByteArray out = encryptor.value().header();
    out += encryptor.value().update(plaintext).valueOr(QByteArray());
    out += encryptor.value().finish().valueOr(QByteArray());
    return out;
}

QByteArray decrypt(const QByteArray &ciphertext, const crypto::SecureBytes &key)
{
    auto decryptor = crypto::MediaDecryptor::create(key);
    if (!decryptor)
        return {};
    auto body = decryptor.value().update(ciphertext);
    auto tail = decryptor.value().finish();
    return body && tail ? body.value() + tail.value() : QByteArray();
}

/// A multipart/form-data body (RFC 7578) with the segment's fields.
QByteArray multipart(const QByteArray &boundary, const QList<QPair<QByteArray, QByteArray>> &fields,
                     const QByteArray &mediaDisposition = "form-data; name=\"media\"; filename=\"segment.bin\"")
{
    QByteArray out;
    for (const auto &[name, value] : fields) {
        out += "--" + boundary + "\r\n";
        if (name == "media")
            out += "Content-Disposition: " + mediaDisposition + "\r\nContent-Type: application/octet-stream\r\n";
        else
            out += "Content-Disposition: form-data; name=\"" + name + "\"\r\n";
        out += "\r\n" + value + "\r\n";
    }
    out += "--" + boundary + "--\r\n";
    return out;
}

/// One user's upload session, with the calls a client makes.
struct Upload
{
    const ChatUser &user;
    QString conversationId;
    QString sessionId;
    QString mediaHashKey;

    ApiResponse appendJson(const QByteArray &data, const QJsonValue &index) const
    {
        return user.api.postJson(QStringLiteral("/2/chat/media/upload/%1/append").arg(sessionId),
                                                {{QStringLiteral("media"), QString::fromLatin1(data.toBase64())},
                                                  {QStringLiteral("segment_index"), index},
                                                   {QStringLiteral("conversation_id"), conversationId},
                                                    {QStringLiteral("media_hash_key"), mediaHashKey}});
    }
    ApiResponse
    appendMultipart(const QByteArray &data, int index,
                    const QByteArray &disposition = "form-data; name=\"media\"; filename=\"segment.bin\"") const
    {
        const QByteArray boundary = "confab-" + randomBytes(12).toHex();
        return user.api.postRaw(QStringLiteral("/2/chat/media/upload/%1/append").arg(sessionId),
                                               multipart(boundary,
                                                         {{"segment_index", QByteArray::number(index)},
                                                          {"conversation_id", conversationId.toLatin1()},
                                                          {"media_hash_key", mediaHashKey.toLatin1()},
                                                          {"media", data}},
                                                         disposition),
                                               "multipart/form-data; boundary=" + boundary);
    }
    ApiResponse finalize(const QString &numParts) const
    {
        return user.api.postJson(QStringLiteral("/2/chat/media/upload/%1/finalize").arg(sessionId),
                                                {{QStringLiteral("conversation_id"), conversationId},
                                                  {QStringLiteral("media_hash_key"), mediaHashKey},
                                                   {QStringLiteral("num_parts"), numParts}});
    }
};

ApiResponse initialize(const ChatUser &user, const QString &conversationId, const QJsonValue &totalBytes)
{
    return user.api.postJson(QStringLiteral("/2/chat/media/upload/initialize"),
                                            {{QStringLiteral("conversation_id"), conversationId},
                                              {QStringLiteral("total_bytes"), totalBytes}});
}

std::optional<Upload> start(const ChatUser &user, const QString &conversationId, qint64 totalBytes)
{
    const ApiResponse r = initialize(user, conversationId, double(totalBytes));
    if (r.status != 200)
        return std::nullopt;
    return Upload{user, conversationId, r.data().value(QLatin1String("session_id")).toString(),
                  r.data().value(QLatin1String("media_hash_key")).toString()};
}

ApiResponse download(const ChatUser &user, const QString &pathId, const QString &key, const Headers &headers = {})
{
    return user.api.get(QStringLiteral("/2/chat/media/%1/%2").arg(pathId, key), {}, headers);
}

} // namespace

class TestLocalServerMedia : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void uploadAsJsonAndMultipartThenDownload()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);

        const QByteArray picture = randomBytes(3000);
        const crypto::SecureBytes mediaKey = crypto::SecureBytes::random(32);
        const QByteArray ciphertext = encrypt(picture, mediaKey);
        QCOMPARE(ciphertext.size(), crypto::mediaCiphertextSize(picture.size()));

        // Upload bodies name the conversation by its canonical min:max id.
        const ApiResponse init = initialize(a, conv.value().id, double(ciphertext.size()));
        CONFAB_EXPECT_STATUS(init, 200);
        const QString session = init.data().value(QLatin1String("session_id")).toString();
        const QString key = init.data().value(QLatin1String("media_hash_key")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9]{1,19}$")).match(session).hasMatch());
        QVERIFY(QRegularExpression(QStringLiteral("^[a-zA-Z0-9]{1,50}$")).match(key).hasMatch());
        QCOMPARE(init.data().value(QLatin1String("conversation_id")).toString(), conv.value().id);
        const Upload upload{a, conv.value().id, session, key};

        const ApiResponse first = upload.appendJson(ciphertext.left(1000), 0);
        CONFAB_EXPECT_STATUS(first, 200);
        QVERIFY(first.data().value(QLatin1String("expires_at")).toInteger() > QDateTime::currentSecsSinceEpoch());
        CONFAB_EXPECT_STATUS(upload.appendMultipart(ciphertext.mid(1000, 1000), 1), 200);
        // The response was lost: the same segment again is accepted.
        CONFAB_EXPECT_STATUS(upload.appendMultipart(ciphertext.mid(1000, 1000), 1), 200);
        // One SDK sample sends segment_index as a string.
        CONFAB_EXPECT_STATUS(upload.appendJson(ciphertext.mid(2000), QStringLiteral("2")), 200);
        const ApiResponse done = upload.finalize(QStringLiteral("3"));
        CONFAB_EXPECT_STATUS(done, 200);
        QCOMPARE(done.data().value(QLatin1String("success")).toBool(), true);
        CONFAB_EXPECT_STATUS(upload.finalize(QStringLiteral("3")), 200); // a retried finalize

        // Bob downloads the ciphertext with the min-max path form and decrypts it.
        const ApiResponse whole = download(b, conv.value().pathId, key);
        CONFAB_EXPECT_STATUS(whole, 200);
        QCOMPARE(whole.contentType(), QByteArray("application/octet-stream"));
        QCOMPARE(whole.body, ciphertext);
        QCOMPARE(decrypt(whole.body, mediaKey), picture);
        QCOMPARE(download(a, b.id, key).body, ciphertext); // the bare recipient id names it too

        // Resumable downloads.
        const ApiResponse middle = download(b, conv.value().pathId, key, {{"Range", "bytes=100-199"}});
        CONFAB_EXPECT_STATUS(middle, 206);
        QCOMPARE(middle.body, ciphertext.mid(100, 100));
        QCOMPARE(middle.header("content-range"), QByteArray("bytes 100-199/") + QByteArray::number(ciphertext.size()));
        const ApiResponse tail = download(b, conv.value().pathId, key, {{"Range", "bytes=3000-"}});
        CONFAB_EXPECT_STATUS(tail, 206);
        QCOMPARE(tail.body, ciphertext.mid(3000));
        QCOMPARE(download(b, conv.value().pathId, key).header("accept-ranges"), QByteArray("bytes"));
        const ApiResponse beyond = download(b, conv.value().pathId, key, {{"Range", "bytes=5000-"}});
        QCOMPARE(beyond.status, 416);
        QCOMPARE(beyond.header("content-range"), QByteArray("bytes */") + QByteArray::number(ciphertext.size()));

        // The attachment travels in a signed message; Bob finds the key there.
        auto message = a.out->encryptMessage(
            conv.value().id, conv.value().key, conv.value().keyVersion,
            xchat::mediaContent(
                {{key, 64, 48, xchat::MediaType::Image, picture.size(), QStringLiteral("pic.png"), {}, {}}},
                 QStringLiteral("a picture")));
        CONFAB_VERIFY_OK(message);
        CONFAB_EXPECT_STATUS(h.postMessage(a, conv.value().pathId, message.value().requestBody()), 201);
        auto page = h.events(b, conv.value().id);
        CONFAB_VERIFY_OK(page);
        QVERIFY(page.value().batch.eventErrors.empty());
        QCOMPARE(page.value().batch.events.size(), std::size_t(1));
        const auto &contents = page.value().batch.events.front().contents.contents.message;
        QCOMPARE(contents.attachments.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(contents.attachments.front().media.media_hash_key), key);
        QCOMPARE(contents.attachments.front().media.filesize_bytes, picture.size());
    }

    void groupMediaAndEmptyMedia()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        auto group = h.createGroup(*alice.value(), {bob.value(), carol.value()}, QStringLiteral("Media"));
        CONFAB_VERIFY_OK(group);
        const QString groupId = group.value().id;

        // Bob uploads to the group; Carol downloads it.
        const crypto::SecureBytes mediaKey = crypto::SecureBytes::random(32);
        const QByteArray voice = randomBytes(2048); // an exact multiple of the chunk size
        const QByteArray ciphertext = encrypt(voice, mediaKey);
        auto upload = start(*bob.value(), groupId, ciphertext.size());
        QVERIFY(upload);
        CONFAB_EXPECT_STATUS(upload->appendMultipart(ciphertext, 0), 200);
        CONFAB_EXPECT_STATUS(upload->finalize(QStringLiteral("1")), 200);
        const ApiResponse got = download(*carol.value(), groupId, upload->mediaHashKey);
        CONFAB_EXPECT_STATUS(got, 200);
        QCOMPARE(decrypt(got.body, mediaKey), voice);

        // Empty media: no segment at all, zero parts.
        auto empty = start(*alice.value(), groupId, 0);
        QVERIFY(empty);
        CONFAB_EXPECT_STATUS(empty->finalize(QStringLiteral("0")), 200);
        const ApiResponse nothing = download(*bob.value(), groupId, empty->mediaHashKey);
        CONFAB_EXPECT_STATUS(nothing, 200);
        QVERIFY(nothing.body.isEmpty());
    }

    void multipartFieldsInAnyOrder()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        auto conv = h.startDirect(*alice.value(), *bob.value());
        CONFAB_VERIFY_OK(conv);
        const QByteArray data = randomBytes(500);
        auto upload = start(*alice.value(), conv.value().id, data.size());
        QVERIFY(upload);
        // RFC 7578 does not order the Content-Disposition parameters: filename may come first.
        CONFAB_EXPECT_STATUS(upload->appendMultipart(data, 0, "form-data; filename=\"segment.bin\"; name=\"media\""),
                             200);
        CONFAB_EXPECT_STATUS(upload->finalize(QStringLiteral("1")), 200);
        QCOMPARE(download(*bob.value(), conv.value().pathId, upload->mediaHashKey).body, data);
    }

    void uploadsRefuseBrokenSessions()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        auto conv = h.startDirect(a, b);
        CONFAB_VERIFY_OK(conv);
        const QString id = conv.value().id;
        const QByteArray data = randomBytes(3000);

        // Initialize.
        CONFAB_EXPECT_PROBLEM(initialize(a, conv.value().pathId, 10.0), 400, "invalid-request"); // needs min:max
        CONFAB_EXPECT_PROBLEM(initialize(a, QStringLiteral("g123"), 10.0), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(initialize(*carol.value(), id, 10.0), 403, "not-authorized-for-resource");
        CONFAB_EXPECT_PROBLEM(initialize(a, id, -1.0), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(initialize(a, id, 1.5), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(initialize(a, id, QStringLiteral("10")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(initialize(a, id, double(h.options().maxMediaBytes + 1)), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(QStringLiteral("/2/chat/media/upload/initialize"),
            {{QStringLiteral("conversation_id"), id}, {QStringLiteral("total_bytes"), 10},
                                                       {QStringLiteral("media_type"), QStringLiteral("image/png")}}),
             400,
             "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postRaw(QStringLiteral("/2/chat/media/upload/initialize"), "total_bytes=10"), 400,
                                            "invalid-request");

        auto upload = start(a, id, data.size());
        QVERIFY(upload);

        // Append: in order, within total_bytes, with the session's own ids.
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.left(1000), 1), 400, "invalid-request");
        CONFAB_EXPECT_STATUS(upload->appendJson(data.left(1000), 0), 200);
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.mid(1000, 1000), 2), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.mid(1000, 1000), -1), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.mid(1000, 1000), 1000), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.mid(1000, 1000), QStringLiteral("one")), 400, "invalid-request");
        // A "retry" of segment 0 with other bytes is not a retry.
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.mid(1000, 1000), 0), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.mid(1000) + "overflow", 1), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(upload->appendJson({}, 1), 400, "invalid-request");
        Upload wrongKey = *upload;
        wrongKey.mediaHashKey = QStringLiteral("abc");
        CONFAB_EXPECT_PROBLEM(wrongKey.appendJson(data.mid(1000, 1000), 1), 400, "invalid-request");
        Upload wrongConversation = *upload;
        wrongConversation.conversationId = QStringLiteral("1:2");
        CONFAB_EXPECT_PROBLEM(wrongConversation.appendJson(data.mid(1000, 1000), 1), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(QStringLiteral("/2/chat/media/upload/%1/append").arg(upload->sessionId),
            {{QStringLiteral("media"), QStringLiteral("@@ not base64 @@")},
              {QStringLiteral("segment_index"), 1},
               {QStringLiteral("conversation_id"), id}, {QStringLiteral("media_hash_key"), upload->mediaHashKey}}),
             400,
             "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postRaw(QStringLiteral("/2/chat/media/upload/%1/append").arg(upload->sessionId),
                                                           "--x\r\nbroken", "multipart/form-data; boundary=x"),
                                            400, "invalid-request");
        // Someone else's session, and no session at all.
        const Upload bobs{b, upload->conversationId, upload->sessionId, upload->mediaHashKey};
        CONFAB_EXPECT_PROBLEM(bobs.appendJson(data.mid(1000, 1000), 1), 403, "not-authorized-for-resource");
        Upload missing = *upload;
        missing.sessionId = QStringLiteral("42");
        CONFAB_EXPECT_PROBLEM(missing.appendJson(data.mid(1000, 1000), 1), 404, "resource-not-found");

        // Finalize: only a complete upload.
        CONFAB_EXPECT_PROBLEM(upload->finalize(QStringLiteral("1")), 400, "invalid-request");
        CONFAB_EXPECT_STATUS(upload->appendMultipart(data.mid(1000), 1), 200);
        CONFAB_EXPECT_PROBLEM(upload->finalize(QStringLiteral("3")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(upload->finalize(QStringLiteral("two")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(bobs.finalize(QStringLiteral("2")), 403, "not-authorized-for-resource");
        Upload badId = *upload;
        badId.sessionId = QStringLiteral("abc");
        CONFAB_EXPECT_PROBLEM(badId.finalize(QStringLiteral("2")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(download(b, conv.value().pathId, upload->mediaHashKey), 404, "resource-not-found");
        CONFAB_EXPECT_STATUS(upload->finalize(QStringLiteral("2")), 200);
        QCOMPARE(download(b, conv.value().pathId, upload->mediaHashKey).body, data);
        // Once finalized, the session takes no more segments.
        CONFAB_EXPECT_PROBLEM(upload->appendJson(data.left(10), 2), 404, "resource-not-found");
    }

    void downloadsOnlyForMembers()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"));
        auto bob = h.addUser(QStringLiteral("bob"));
        auto carol = h.addUser(QStringLiteral("carol"));
        for (const auto *u : {&alice, &bob, &carol})
            CONFAB_VERIFY_OK(*u);
        ChatUser &a = *alice.value();
        ChatUser &c = *carol.value();
        auto conv = h.startDirect(a, *bob.value());
        CONFAB_VERIFY_OK(conv);
        auto withCarol = h.startDirect(a, c);
        CONFAB_VERIFY_OK(withCarol);
        const QByteArray data = randomBytes(100);
        auto upload = start(a, conv.value().id, data.size());
        QVERIFY(upload);
        CONFAB_EXPECT_STATUS(upload->appendJson(data, 0), 200);
        CONFAB_EXPECT_STATUS(upload->finalize(QStringLiteral("1")), 200);

        // Carol is not in the conversation: no bytes, whatever the path form.
        const QString pairForms[] = {conv.value().pathId, a.id + QLatin1Char('-') + bob.value()->id};
        for (const QString &path : pairForms) {
            const ApiResponse r = download(c, path, upload->mediaHashKey);
            CONFAB_EXPECT_PROBLEM(r, 403, "not-authorized-for-resource");
            QVERIFY(!r.body.contains(data));
        }
        // Her own conversation with Alice does not hold that media.
        CONFAB_EXPECT_PROBLEM(download(c, a.id, upload->mediaHashKey), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(download(a, withCarol.value().pathId, upload->mediaHashKey), 404, "resource-not-found");
        // Malformed keys and ids.
        CONFAB_EXPECT_PROBLEM(download(a, conv.value().pathId, QStringLiteral("bad_key")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(download(a, conv.value().pathId, QString(51, QLatin1Char('a'))), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(download(a, QStringLiteral("x-y"), upload->mediaHashKey), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(download(a, conv.value().pathId, QStringLiteral("Unknown123")), 404,
                                       "resource-not-found");
        // Without a token, nothing either.
        const ApiResponse anonymous =
            h.api().get(QStringLiteral("/2/chat/media/%1/%2").arg(conv.value().pathId, upload->mediaHashKey));
        CONFAB_EXPECT_PROBLEM(anonymous, 401, "not-authorized-for-resource");
    }
};

QTEST_GUILESS_MAIN(TestLocalServerMedia)
#include "tst_localserver_media.moc"
