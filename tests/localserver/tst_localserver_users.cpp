// confab-localserver's users and public keys over real HTTP: /2/users/me, by id, by ids, by
// username, avatars; key registration (generate_version, explicit versions, bindings checked)
// and lookups that return every version, byte for byte as registered.

#include "chatharness.h"
#include "crypto/base64.h"

#include <QImage>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace confab;
using namespace confab::localserver;
using namespace confab::localserver::test;

namespace {

QString padded(const QByteArray &bytes)
{
    return QString::fromLatin1(crypto::base64::encodePadded(bytes));
}

/// The `POST /2/users/{id}/public_keys` body for `keys`.
QJsonObject registrationBody(const crypto::IdentityKeys &keys, const QJsonValue &version, bool generate)
{
    const crypto::KeyRegistration r = keys.registration().value();
    return {{QStringLiteral("public_key"), QJsonObject{{QStringLiteral("public_key"), padded(r.identityPublicKeySpki)},
                                    {QStringLiteral("signing_public_key"), padded(r.signingPublicKeySpki)},
                                     {QStringLiteral("identity_public_key_signature"), padded(r.identityKeySignature)},
                                      {QStringLiteral("signing_public_key_signature"), padded(r.signingKeySignature)},
                                       {QStringLiteral("public_key_fingerprint"), QString::fromLatin1(r.fingerprint)},
                                        {QStringLiteral("registration_method"), QStringLiteral("CustomPin")}}},
                                      {QStringLiteral("version"), version},
                                       {QStringLiteral("generate_version"), generate}};
}

QJsonObject withKeyField(QJsonObject body, const char *field, const QJsonValue &value)
{
    QJsonObject key = body.value(QLatin1String("public_key")).toObject();
    key.insert(QLatin1String(field), value);
    body.insert(QStringLiteral("public_key"), key);
    return body;
}

QStringList versionsOf(const QJsonArray &data, const QString &userId)
{
    QStringList out;
    for (const QJsonValue &v : data)
        if (v.toObject().value(QLatin1String("user_id")).toString() == userId)
            out.append(v.toObject().value(QLatin1String("public_key_version")).toString());
    return out;
}

} // namespace

class TestLocalServerUsers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usersAreLookedUpEveryWay()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        auto bob = h.addUser(QStringLiteral("bob"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();

        const ApiResponse me = a.api.get(QStringLiteral("/2/users/me"));
        CONFAB_EXPECT_STATUS(me, 200);
        QCOMPARE(me.data().value(QLatin1String("id")).toString(), a.id);
        QCOMPARE(me.data().value(QLatin1String("username")).toString(), QStringLiteral("alice"));
        QCOMPARE(me.data().value(QLatin1String("name")).toString(), QStringLiteral("Alice"));

        const ApiResponse byId = a.api.get(QStringLiteral("/2/users/") + b.id,
            QUrlQuery{{QStringLiteral("user.fields"), QStringLiteral("profile_image_url,created_at,protected")}});
        CONFAB_EXPECT_STATUS(byId, 200);
        QCOMPARE(byId.data().value(QLatin1String("username")).toString(), QStringLiteral("bob"));
        QVERIFY(QDateTime::fromString(byId.data().value(QLatin1String("created_at")).toString(), Qt::ISODateWithMs)
                    .isValid());
        QCOMPARE(byId.data().value(QLatin1String("protected")).toBool(true), false);
        const QString avatar = byId.data().value(QLatin1String("profile_image_url")).toString();
        QVERIFY(avatar.startsWith(h.server().baseUrl().toString()));

        const ApiResponse byName = a.api.get(QStringLiteral("/2/users/by/username/bob"));
        CONFAB_EXPECT_STATUS(byName, 200);
        QCOMPARE(byName.data().value(QLatin1String("id")).toString(), b.id);
        QCOMPARE(a.api.get(QStringLiteral("/2/users/by/username/BOB")).data().value(QLatin1String("id")).toString(),
                           b.id); // usernames are case-insensitive

        // Several at once; an unknown id is a partial error, not a failure.
        const QString unknown = QStringLiteral("1234567");
        const ApiResponse many = a.api.get(QStringLiteral("/2/users"),
            QUrlQuery{{QStringLiteral("ids"), a.id + QLatin1Char(',') + unknown + QLatin1Char(',') + b.id}});
        CONFAB_EXPECT_STATUS(many, 200);
        QStringList ids;
        for (const QJsonValue &v : many.dataArray())
            ids.append(v.toObject().value(QLatin1String("id")).toString());
        QCOMPARE(ids, (QStringList{a.id, b.id}));
        const QJsonArray errors = many.json().value(QLatin1String("errors")).toArray();
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).toObject().value(QLatin1String("value")).toString(), unknown);
        QCOMPARE(errors.at(0).toObject().value(QLatin1String("type")).toString(),
                 QStringLiteral("https://api.x.com/2/problems/resource-not-found"));

        const ApiResponse nobody = a.api.get(QStringLiteral("/2/users/") + unknown);
        CONFAB_EXPECT_STATUS(nobody, 200);
        QVERIFY(!nobody.json().contains(QLatin1String("data")));
        QCOMPARE(nobody.json().value(QLatin1String("errors")).toArray().size(), 1);
        const ApiResponse noName = a.api.get(QStringLiteral("/2/users/by/username/nobody"));
        CONFAB_EXPECT_STATUS(noName, 200);
        QCOMPARE(noName.json().value(QLatin1String("errors")).toArray().size(), 1);

        // Refused lookups.
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users/by/username/no-dashes")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users/abc")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users")), 400, "invalid-request");
        QStringList tooMany;
        for (int i = 1; i <= 101; ++i)
            tooMany.append(QString::number(i));
        CONFAB_EXPECT_PROBLEM(
            a.api.get(QStringLiteral("/2/users"), QUrlQuery{{QStringLiteral("ids"), tooMany.join(QLatin1Char(','))}}),
                      400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(
            QStringLiteral("/2/users/me"), QUrlQuery{{QStringLiteral("user.fields"), QStringLiteral("password")}}), 400,
                           "invalid-request");
    }

    void avatarsArePngImages()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        const ApiResponse me = alice.value()->api.get(QStringLiteral("/2/users/me"), QUrlQuery{{QStringLiteral("user.fields"), QStringLiteral("profile_image_url")}});
        CONFAB_EXPECT_STATUS(me, 200);
        const QUrl url(me.data().value(QLatin1String("profile_image_url")).toString());
        QVERIFY(url.isValid());
        QCOMPARE(url.host(), h.server().baseUrl().host());
        QCOMPARE(url.port(), h.server().baseUrl().port());

        // Public, like X's image CDN: no token needed.
        const ApiResponse png = h.api().get(url.path());
        CONFAB_EXPECT_STATUS(png, 200);
        QCOMPARE(png.contentType(), QByteArray("image/png"));
        QVERIFY(png.body.startsWith("\x89PNG\r\n\x1a\n"));
        QImage image;
        QVERIFY(image.loadFromData(png.body, "PNG"));
        QVERIFY(image.width() > 0 && image.height() > 0);

        CONFAB_EXPECT_PROBLEM(h.api().get(QStringLiteral("/avatars/1234567.png")), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(h.api().get(QStringLiteral("/avatars/%1.gif").arg(alice.value()->id)), 404,
                                          "resource-not-found");
    }

    void publicKeysKeepEveryVersion()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        auto bob = h.addUser(QStringLiteral("bob"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        ChatUser &b = *bob.value();
        const QString path = QStringLiteral("/2/users/%1/public_keys").arg(a.id);

        // generate_version: the server picks a millisecond version.
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const QJsonObject firstBody = registrationBody(a.keys, QStringLiteral("0"), true);
        const ApiResponse first = a.api.postJson(path, firstBody);
        CONFAB_EXPECT_STATUS(first, 200);
        const QString v1 = first.data().value(QLatin1String("public_key_version")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9]{13,19}$")).match(v1).hasMatch());
        QVERIFY(v1.toLongLong() >= before);
        QVERIFY(first.data().value(QLatin1String("juicebox_config")).isObject());

        // A new device key: a newer version.
        auto second = crypto::IdentityKeys::generate();
        CONFAB_VERIFY_OK(second);
        const ApiResponse again = a.api.postJson(path, registrationBody(second.value(), QStringLiteral("0"), true));
        CONFAB_EXPECT_STATUS(again, 200);
        const QString v2 = again.data().value(QLatin1String("public_key_version")).toString();
        QVERIFY(v2.toLongLong() > v1.toLongLong());

        // An explicit version is kept as given, and registering it again is idempotent.
        auto third = crypto::IdentityKeys::generate();
        CONFAB_VERIFY_OK(third);
        const QString v3 = QString::number(v2.toLongLong() + 1000);
        const QJsonObject thirdBody = registrationBody(third.value(), v3, false);
        const ApiResponse explicitVersion = a.api.postJson(path, thirdBody);
        CONFAB_EXPECT_STATUS(explicitVersion, 200);
        QCOMPARE(explicitVersion.data().value(QLatin1String("public_key_version")).toString(), v3);
        const ApiResponse same = a.api.postJson(path, thirdBody);
        CONFAB_EXPECT_STATUS(same, 200);
        QCOMPARE(same.data().value(QLatin1String("public_key_version")).toString(), v3);
        const ApiResponse conflict = a.api.postJson(path, registrationBody(a.keys, v3, false));
        QCOMPARE(conflict.status, 409);
        QCOMPARE(conflict.contentType(), QByteArray("application/problem+json"));

        // Every version, oldest first, each byte for byte as registered and with a valid binding.
        const ApiResponse one = b.api.get(path);
        CONFAB_EXPECT_STATUS(one, 200);
        QCOMPARE(versionsOf(one.dataArray(), a.id), (QStringList{v1, v2, v3}));
        const QJsonObject served = one.dataArray().at(0).toObject();
        const QJsonObject sent = firstBody.value(QLatin1String("public_key")).toObject();
        for (const char *field : {"public_key", "signing_public_key", "identity_public_key_signature"})
            QCOMPARE(served.value(QLatin1String(field)).toString(), sent.value(QLatin1String(field)).toString());
        QVERIFY(!served.contains(QLatin1String("juicebox_config"))); // only on one's own records
        QVERIFY(a.api.get(path).dataArray().at(0).toObject().value(QLatin1String("juicebox_config")).isObject());
        CONFAB_VERIFY_OK(h.learnKeys(b, {&a}));
        QCOMPARE(b.directory.size(), 3);
        QCOMPARE(b.directory.newestVersion(a.id).value_or(QString()), v3);

        // Several users at once.
        CONFAB_VERIFY_OK(h.registerKeys(b));
        const ApiResponse many = b.api.get(QStringLiteral("/2/users/public_keys"),
            QUrlQuery{{QStringLiteral("ids"), a.id + QLatin1Char(',') + b.id},
                       {QStringLiteral("public_key.fields"),
                                       QStringLiteral("public_key,signing_public_key,public_key_version")}});
        CONFAB_EXPECT_STATUS(many, 200);
        QCOMPARE(versionsOf(many.dataArray(), a.id), (QStringList{v1, v2, v3}));
        QCOMPARE(versionsOf(many.dataArray(), b.id), QStringList{b.keyVersion});

        // A user without keys has none; an unknown user is not found.
        auto carol = h.addUser(QStringLiteral("carol"), allScopes(), false);
        CONFAB_VERIFY_OK(carol);
        const ApiResponse none = a.api.get(QStringLiteral("/2/users/%1/public_keys").arg(carol.value()->id));
        CONFAB_EXPECT_STATUS(none, 200);
        QCOMPARE(none.dataArray().size(), 0);
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users/1234567/public_keys")), 404, "resource-not-found");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users/public_keys")), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(QStringLiteral("/2/users/public_keys"),
                                                       QUrlQuery{{QStringLiteral("ids"), QStringLiteral("12,x")}}), 400,
                                                       "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.get(path, QUrlQuery{{QStringLiteral("public_key.fields"), QStringLiteral("pin")}}),
                                        400, "invalid-request");
    }

    void publicKeyRegistrationsAreChecked()
    {
        Harness h;
        CONFAB_VERIFY_OK(h.start());
        auto alice = h.addUser(QStringLiteral("alice"), allScopes(), false);
        auto bob = h.addUser(QStringLiteral("bob"), allScopes(), false);
        CONFAB_VERIFY_OK(alice);
        CONFAB_VERIFY_OK(bob);
        ChatUser &a = *alice.value();
        const QString path = QStringLiteral("/2/users/%1/public_keys").arg(a.id);
        const QJsonObject good = registrationBody(a.keys, QStringLiteral("0"), true);

        // The binding must verify over the key as it will be served.
        auto other = crypto::IdentityKeys::generate();
        CONFAB_VERIFY_OK(other);
        const crypto::KeyRegistration o = other.value().registration().value();
        ApiResponse refused =
            a.api.postJson(path, withKeyField(good, "identity_public_key_signature", padded(o.identityKeySignature)));
        CONFAB_EXPECT_PROBLEM(refused, 400, "invalid-request");
        QCOMPARE(refused.json().value(QLatin1String("parameter")).toString(),
                 QStringLiteral("identity_public_key_signature"));
        CONFAB_EXPECT_PROBLEM(
            a.api.postJson(path, withKeyField(good, "signing_public_key_signature", padded(o.signingKeySignature))),
            400, "invalid-request");
        // Keys swapped, so the binding signature no longer matches the identity key.
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, withKeyField(good, "public_key", padded(o.identityPublicKeySpki))),
                              400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(
            a.api.postJson(path, withKeyField(good, "public_key_fingerprint", QString::fromLatin1(o.fingerprint))), 400,
            "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, withKeyField(good, "public_key", QStringLiteral("bm90IGEga2V5"))),
                                             400, "invalid-request");
        QJsonObject noKey = good;
        noKey.remove(QStringLiteral("public_key"));
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, noKey), 400, "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postJson(path, registrationBody(a.keys, QStringLiteral("yesterday"), false)), 400,
                                             "invalid-request");
        CONFAB_EXPECT_PROBLEM(a.api.postRaw(path, "{"), 400, "invalid-request");

        // Only one's own keys.
        CONFAB_EXPECT_PROBLEM(bob.value()->api.postJson(path, good), 403, "not-authorized-for-resource");

        // Nothing was stored. The good registration works, and so does one without the optional
        // reverse signature and fingerprint.
        QCOMPARE(a.api.get(path).dataArray().size(), 0);
        CONFAB_EXPECT_STATUS(a.api.postJson(path, good), 200);
        QJsonObject minimal = good;
        QJsonObject key = minimal.value(QLatin1String("public_key")).toObject();
        key.remove(QStringLiteral("signing_public_key_signature"));
        key.remove(QStringLiteral("public_key_fingerprint"));
        minimal.insert(QStringLiteral("public_key"), key);
        CONFAB_EXPECT_STATUS(a.api.postJson(path, minimal), 200);
        QCOMPARE(a.api.get(path).dataArray().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestLocalServerUsers)
#include "tst_localserver_users.moc"
