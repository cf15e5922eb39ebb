// Users (/2/users/...), their avatars, and the public-key registry (every version kept).

#include "crypto/base64.h"
#include "crypto/p256.h"
#include "localserver/avatar.h"
#include "localserver/service.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace confab::localserver {

namespace {

const QStringList &userFieldNames()
{
    static const QStringList names{QStringLiteral("confirmed_email"),
        QStringLiteral("connection_status"),
            QStringLiteral("created_at"),
                QStringLiteral("description"),
                    QStringLiteral("entities"),
                        QStringLiteral("id"),
                            QStringLiteral("is_identity_verified"),
                                QStringLiteral("location"),
                                    QStringLiteral("most_recent_post_id"),
                                        QStringLiteral("name"),
                                            QStringLiteral("parody"),
                                                QStringLiteral("pinned_post_id"),
                                                    QStringLiteral("profile_banner_url"),
                                                        QStringLiteral("profile_image_url"),
                                                            QStringLiteral("protected"),
                                                                QStringLiteral("public_metrics"),
                                                                    QStringLiteral("receives_your_dm"),
                                                                        QStringLiteral("subscribes_to_you"),
                                                                            QStringLiteral("subscription"),
                                                                                QStringLiteral("subscription_type"),
                                                                                    QStringLiteral("url"),
                                                                                        QStringLiteral("username"),
                                                                                            QStringLiteral("verified"),
                                                                                                QStringLiteral("verified_followers_count"),
                                                                                                    QStringLiteral("verified_type"),
                                                                                                        QStringLiteral("withheld")};
    return names;
}

} // namespace

Result<QJsonArray> Service::usersJson(const QStringList &ids, const QSet<QString> &fields) const
{
    QJsonArray out;
    for (const QString &id : ids) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT id, username, name, created_at FROM users WHERE id = ?"));
        q.addBindValue(id);
        if (!q.exec() || !q.next())
            continue;
        QJsonObject u{{QStringLiteral("id"), q.value(0).toString()},
                       {QStringLiteral("username"), q.value(1).toString()},
                        {QStringLiteral("name"), q.value(2).toString()}};
        if (fields.contains(QStringLiteral("profile_image_url"))) {
            QUrl avatar = m_baseUrl;
            avatar.setPath(QStringLiteral("/avatars/%1.png").arg(q.value(0).toString()));
            u.insert(QStringLiteral("profile_image_url"), avatar.toString());
        }
        if (fields.contains(QStringLiteral("created_at")))
            u.insert(QStringLiteral("created_at"),
                QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong(), Qt::UTC).toString(Qt::ISODateWithMs));
        if (fields.contains(QStringLiteral("description")))
            u.insert(QStringLiteral("description"), QString());
        if (fields.contains(QStringLiteral("protected")))
            u.insert(QStringLiteral("protected"), false);
        if (fields.contains(QStringLiteral("verified")))
            u.insert(QStringLiteral("verified"), false);
        if (fields.contains(QStringLiteral("receives_your_dm")))
            u.insert(QStringLiteral("receives_your_dm"), true);
        out.append(u);
    }
    return out;
}

void Service::registerUserRoutes()
{
    const QStringList usersRead{QStringLiteral("users.read"), QStringLiteral("tweet.read")};

    auto fieldsOf = [this](const HttpRequest &r, Problem *p) {
        return listParameter(r, QStringLiteral("user.fields"), userFieldNames(), p);
    };
    auto single = [this, fieldsOf](const HttpRequest &r, const QString &id) {
        Problem p;
        const auto fields = fieldsOf(r, &p);
        if (!fields)
            return problem(p);
        const auto users = usersJson({id}, fields.value());
        if (users.value().isEmpty()) {
            // X answers a lookup of an unknown user with 200 and an errors array.
            Problem nf = notFound(QStringLiteral("user"), id);
            QJsonObject error = nf.extra;
            error.insert(QStringLiteral("type"), QStringLiteral("https://api.x.com/2/problems/resource-not-found"));
            error.insert(QStringLiteral("title"), nf.title);
            error.insert(QStringLiteral("detail"), nf.detail);
            error.insert(QStringLiteral("parameter"), QStringLiteral("id"));
            return HttpResponse::json({{QStringLiteral("errors"), QJsonArray{error}}});
        }
        return HttpResponse::json({{QStringLiteral("data"), users.value().first()}});
    };

    addRoute("GET", QStringLiteral("/2/users/me"), QStringLiteral("users"), AuthMode::User, usersRead,
                                                                  [single](Context &c) {
                                                                      return single(c.request, c.principal.userId);
                                                                  });
    addRoute("GET",
             QStringLiteral("/2/users/by/username/{username}"),
                            QStringLiteral("users"), AuthMode::User, usersRead, [this, single](Context &c) {
                                const QString name = c.request.params.value(QStringLiteral("username"));
                                static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_]{1,15}$"));
                                if (!re.match(name).hasMatch())
                                    return problem(invalid(tr("The `username` path parameter value [%1] does not match "
                                                              "^[A-Za-z0-9_]{1,15}$")
                                                               .arg(name),
                                                           QStringLiteral("username"), name));
                                const auto user = userByUsername(name);
                                return single(c.request, user ? user.value().id : name);
                            });
    addRoute(
        "GET",
        QStringLiteral("/2/users"), QStringLiteral("users"), AuthMode::User, usersRead, [this, fieldsOf](Context &c) {
            Problem p;
            const auto fields = fieldsOf(c.request, &p);
            if (!fields)
                return problem(p);
            const QStringList ids =
                c.request.queryValue(QStringLiteral("ids")).split(QLatin1Char(','), Qt::SkipEmptyParts);
            static const QRegularExpression idRe(QStringLiteral("^[0-9]{1,19}$"));
            if (ids.isEmpty() || ids.size() > 100)
                return problem(invalid(tr("ids must list 1 to 100 user ids."), QStringLiteral("ids")));
            for (const QString &id : ids)
                if (!idRe.match(id).hasMatch())
                    return problem(invalid(tr("The `ids` query parameter value [%1] is not a user id.").arg(id),
                                           QStringLiteral("ids"), id));
            const auto users = usersJson(ids, fields.value());
            QJsonObject body{{QStringLiteral("data"), users.value()}};
            QJsonArray errors;
            for (const QString &id : ids) {
                if (!userById(id)) {
                    Problem nf = notFound(QStringLiteral("user"), id);
                    QJsonObject e = nf.extra;
                    e.insert(QStringLiteral("type"), QStringLiteral("https://api.x.com/2/problems/resource-not-found"));
                    e.insert(QStringLiteral("title"), nf.title);
                    e.insert(QStringLiteral("detail"), nf.detail);
                    e.insert(QStringLiteral("parameter"), QStringLiteral("ids"));
                    errors.append(e);
                }
            }
            if (!errors.isEmpty())
                body.insert(QStringLiteral("errors"), errors);
            return HttpResponse::json(body);
        });
    addRoute("GET",
             QStringLiteral("/2/users/{id}"),
                            QStringLiteral("users"), AuthMode::User, usersRead, [this, single](Context &c) {
                                const QString id = c.request.params.value(QStringLiteral("id"));
                                static const QRegularExpression idRe(QStringLiteral("^[0-9]{1,19}$"));
                                if (!idRe.match(id).hasMatch())
                                    return problem(invalid(
                                        tr("The `id` path parameter value [%1] does not match ^[0-9]{1,19}$").arg(id),
                                        QStringLiteral("id"), id));
                                return single(c.request, id);
                            });

    // Avatars are public, like X's image CDN.
    addRoute("GET", QStringLiteral("/avatars/{file}"),
                                   QStringLiteral("avatars"), AuthMode::None, {}, [this](Context &c) {
                                       QString file = c.request.params.value(QStringLiteral("file"));
                                       if (!file.endsWith(QLatin1String(".png")))
                                           return problem(notFound(QStringLiteral("avatar"), file));
                                       file.chop(4);
                                       const auto user = userById(file);
                                       if (!user)
                                           return problem(notFound(QStringLiteral("avatar"), file));
                                       HttpResponse r;
                                       r.contentType = "image/png";
                                       r.body = renderAvatarPng(user->id, user->name);
                                       r.header("Cache-Control", "public, max-age=86400");
                                       return r;
                                   });

    // --- public keys -------------------------------------------------------------------------
    const QStringList keysRead{QStringLiteral("dm.read"), QStringLiteral("users.read"), QStringLiteral("tweet.read")};
    const QStringList keysWrite{QStringLiteral("dm.write"), QStringLiteral("users.read"), QStringLiteral("tweet.read")};
    const QStringList keyFields{QStringLiteral("identity_public_key_signature"),
        QStringLiteral("juicebox_config"), QStringLiteral("public_key"),
                                                          QStringLiteral("public_key_version"),
                                                                         QStringLiteral("signing_public_key")};
    auto keysOf = [this](const QStringList &ids, const QString &me) {
        QJsonArray out;
        for (const QString &id : ids) {
            QSqlQuery q(m_db);
            q.prepare(QStringLiteral("SELECT version, public_key, signing_public_key, identity_public_key_signature"
                                     " FROM public_keys WHERE user_id = ? ORDER BY CAST(version AS INTEGER)"));
            q.addBindValue(id);
            q.exec();
            while (q.next()) {
                QJsonObject k{{QStringLiteral("user_id"), id},
                               {QStringLiteral("public_key_version"), q.value(0).toString()},
                                {QStringLiteral("public_key"), q.value(1).toString()},
                                 {QStringLiteral("signing_public_key"), q.value(2).toString()},
                                  {QStringLiteral("identity_public_key_signature"), q.value(3).toString()}};
                // The (stub) Juicebox configuration matters only on one's own record.
                if (id == me)
                    k.insert(QStringLiteral("juicebox_config"),
                        QJsonObject{{QStringLiteral("realms"), QJsonArray()},
                                     {QStringLiteral("register_threshold"), 0},
                                      {QStringLiteral("recover_threshold"), 0},
                                       {QStringLiteral("pin_hashing_mode"), QStringLiteral("Standard2019")}});
                out.append(k);
            }
        }
        return out;
    };
    static const QRegularExpression userIdRe(QStringLiteral("^[0-9]{1,19}$"));

    addRoute("GET", QStringLiteral("/2/users/{id}/public_keys"),
                        QStringLiteral("keys.read"), AuthMode::User, keysRead, [this, keysOf, keyFields](Context &c) {
                            Problem p;
                            if (!listParameter(c.request, QStringLiteral("public_key.fields"), keyFields, &p))
                                return problem(p);
                            const QString id = c.request.params.value(QStringLiteral("id"));
                            if (!userIdRe.match(id).hasMatch())
                                return problem(invalid(
                                    tr("The `id` path parameter value [%1] does not match ^[0-9]{1,19}$").arg(id),
                                    QStringLiteral("id"), id));
                            if (!userById(id))
                                return problem(notFound(QStringLiteral("user"), id));
                            return HttpResponse::json({{QStringLiteral("data"), keysOf({id}, c.principal.userId)}});
                        });
    addRoute("GET", QStringLiteral("/2/users/public_keys"),
                        QStringLiteral("keys.read"), AuthMode::User, keysRead, [this, keysOf, keyFields](Context &c) {
                            Problem p;
                            if (!listParameter(c.request, QStringLiteral("public_key.fields"), keyFields, &p))
                                return problem(p);
                            const QStringList ids =
                                c.request.queryValue(QStringLiteral("ids")).split(QLatin1Char(','), Qt::SkipEmptyParts);
                            if (ids.isEmpty() || ids.size() > 100)
                                return problem(invalid(tr("ids must list 1 to 100 user ids."), QStringLiteral("ids")));
                            for (const QString &id : ids)
                                if (!userIdRe.match(id).hasMatch())
                                    return problem(
                                        invalid(tr("The `ids` query parameter value [%1] is not a user id.").arg(id),
                                                QStringLiteral("ids"), id));
                            return HttpResponse::json({{QStringLiteral("data"), keysOf(ids, c.principal.userId)}});
                        });
    addRoute(
        "POST",
        QStringLiteral("/2/users/{id}/public_keys"),
            QStringLiteral("keys.register"), AuthMode::User, keysWrite, [this](Context &c) {
                const QString id = c.request.params.value(QStringLiteral("id"));
                if (id != c.principal.userId)
                    return problem(forbidden(QStringLiteral("user"), id, tr("You can only register your own keys.")));
                const QJsonDocument doc = QJsonDocument::fromJson(c.request.body);
                if (!doc.isObject())
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const QJsonObject body = doc.object();
                const QJsonObject key = body.value(QStringLiteral("public_key")).toObject();
                const QString identityText = key.value(QStringLiteral("public_key")).toString();
                const QString signingText = key.value(QStringLiteral("signing_public_key")).toString();
                const QString binding = key.value(QStringLiteral("identity_public_key_signature")).toString();
                const QString reverse = key.value(QStringLiteral("signing_public_key_signature")).toString();
                const QString fingerprint = key.value(QStringLiteral("public_key_fingerprint")).toString();
                const QString version = body.value(QStringLiteral("version")).toString();
                const bool generate = body.value(QStringLiteral("generate_version")).toBool();
                if (!body.contains(QStringLiteral("public_key")) || !body.contains(QStringLiteral("version")))
                    return problem(invalid(tr("public_key and version are required.")));
                // The key binding must hold over the exact bytes we will serve back.
                const auto identityBytes = crypto::base64::decode(identityText.toLatin1());
                const auto signingBytes = crypto::base64::decode(signingText.toLatin1());
                const auto identity = identityBytes ? crypto::P256PublicKey::fromBytes(identityBytes.value())
                                                    : Result<crypto::P256PublicKey>(identityBytes.error());
                const auto signing = signingBytes ? crypto::P256PublicKey::fromBytes(signingBytes.value())
                                                  : Result<crypto::P256PublicKey>(signingBytes.error());
                if (!identity || !signing)
                    return problem(invalid(tr("public_key and signing_public_key must be base64 P-256 keys (SPKI)."),
                                           QStringLiteral("public_key")));
                const auto bindingBytes = crypto::base64::decode(binding.toLatin1());
                if (!bindingBytes || !signing.value().verify(identityBytes.value(), bindingBytes.value()))
                    return problem(
                        invalid(tr("identity_public_key_signature does not verify: the signing key must sign "
                                   "the identity key."),
                                QStringLiteral("identity_public_key_signature")));
                if (!reverse.isEmpty()) {
                    const auto reverseBytes = crypto::base64::decode(reverse.toLatin1());
                    if (!reverseBytes || !identity.value().verify(signingBytes.value(), reverseBytes.value()))
                        return problem(invalid(tr("signing_public_key_signature does not verify."),
                                               QStringLiteral("signing_public_key_signature")));
                }
                if (!fingerprint.isEmpty() &&
                    fingerprint.toLatin1() != crypto::base64::encodeUrlUnpadded(crypto::sha256(identityBytes.value())))
                    return problem(invalid(tr("public_key_fingerprint does not match the identity key."),
                                           QStringLiteral("public_key_fingerprint")));
                QString assigned = version;
                QSqlQuery last(m_db);
                last.prepare(QStringLiteral("SELECT MAX(CAST(version AS INTEGER)) FROM public_keys WHERE user_id = ?"));
                last.addBindValue(id);
                last.exec();
                const qint64 newest = last.next() ? last.value(0).toLongLong() : 0;
                if (generate) {
                    assigned = QString::number(std::max(nowMsec(), newest + 1));
                } else {
                    static const QRegularExpression numRe(QStringLiteral("^[0-9]{1,19}$"));
                    if (!numRe.match(version).hasMatch())
                        return problem(invalid(tr("version must be a millisecond timestamp."),
                                               QStringLiteral("version"), version));
                    QSqlQuery existing(m_db);
                    existing.prepare(QStringLiteral("SELECT public_key, signing_public_key FROM public_keys"
                                                " WHERE user_id = ? AND version = ?"));
                    existing.addBindValue(id);
                    existing.addBindValue(version);
                    if (existing.exec() && existing.next()) {
                        if (existing.value(0).toString() != identityText ||
                            existing.value(1).toString() != signingText) {
                            Problem conflict = invalid(tr("Public key version %1 exists with other keys.").arg(version),
                                                       QStringLiteral("version"), version);
                            conflict.status = 409;
                            return problem(conflict);
                        }
                        assigned = version; // the same registration again
                    }
                }
                QSqlQuery q(m_db);
                q.prepare(QStringLiteral("INSERT OR IGNORE INTO public_keys (user_id, version, public_key,"
                                     " signing_public_key, identity_public_key_signature, signing_public_key_signature,"
                                     " fingerprint, registration_method, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
                q.addBindValue(id);
                q.addBindValue(assigned);
                q.addBindValue(identityText);
                q.addBindValue(signingText);
                q.addBindValue(binding);
                q.addBindValue(reverse);
                q.addBindValue(fingerprint);
                q.addBindValue(key.value(QStringLiteral("registration_method")).toString());
                q.addBindValue(nowMsec());
                if (!q.exec())
                    return problem({500,
                                    QStringLiteral("internal-error"), QStringLiteral("Internal Error"),
                                                                                     tr("Could not store the key."),
                                                                                     {}});
                return HttpResponse::json({{QStringLiteral("data"),
                    QJsonObject{{QStringLiteral("public_key_version"), assigned},
                                 {QStringLiteral("juicebox_config"),
                                                 QJsonObject{{QStringLiteral("realms"), QJsonArray()},
                                                              {QStringLiteral("register_threshold"), 0},
                                                               {QStringLiteral("recover_threshold"), 0},
                                                                {QStringLiteral("pin_hashing_mode"),
                                                                                QStringLiteral("Standard2019")}}}}}});
            });
}

} // namespace confab::localserver
