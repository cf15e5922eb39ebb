// Chat media: upload sessions (initialize, append in order, finalize) and download. The server
// stores the ciphertext it is given; it never sees a key.

#include "crypto/base64.h"
#include "localserver/service.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

namespace confab::localserver {

namespace {

QString randomAlnum(int length)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString out;
    out.reserve(length);
    for (int i = 0; i < length; ++i)
        out.append(QLatin1Char(alphabet[QRandomGenerator::system()->bounded(62)]));
    return out;
}

/// The fields of a multipart/form-data body (RFC 7578), by name. Values are raw bytes.
std::optional<QHash<QString, QByteArray>> parseMultipart(const QByteArray &contentType, const QByteArray &body)
{
    const qsizetype at = contentType.indexOf("boundary=");
    if (at < 0)
        return std::nullopt;
    QByteArray boundary = contentType.mid(at + 9);
    if (const qsizetype semi = boundary.indexOf(';'); semi >= 0)
        boundary.truncate(semi);
    boundary = boundary.trimmed();
    if (boundary.startsWith('"') && boundary.endsWith('"'))
        boundary = boundary.mid(1, boundary.size() - 2);
    if (boundary.isEmpty())
        return std::nullopt;
    const QByteArray delimiter = "--" + boundary;
    QHash<QString, QByteArray> out;
    qsizetype pos = body.indexOf(delimiter);
    if (pos < 0)
        return std::nullopt;
    while (true) {
        pos += delimiter.size();
        if (body.mid(pos, 2) == "--")
            return out; // closing delimiter
        if (body.mid(pos, 2) != "\r\n")
            return std::nullopt;
        pos += 2;
        const qsizetype headerEnd = body.indexOf("\r\n\r\n", pos);
        if (headerEnd < 0)
            return std::nullopt;
        const QByteArray headers = body.mid(pos, headerEnd - pos);
        const qsizetype next = body.indexOf(QByteArray("\r\n" + delimiter), headerEnd + 4);
        if (next < 0)
            return std::nullopt;
        const QByteArray value = body.mid(headerEnd + 4, next - headerEnd - 4);
        static const QRegularExpression nameRe(QStringLiteral("[;:]\\s*name=\"([^\"]*)\""),
                                                              QRegularExpression::CaseInsensitiveOption);
        const auto name = nameRe.match(QString::fromUtf8(headers));
        if (!name.hasMatch())
            return std::nullopt;
        out.insert(name.captured(1), value);
        pos = next + 2;
    }
}

} // namespace

void Service::registerMediaRoutes()
{
    const QStringList media{QStringLiteral("media.write")};

    // Upload bodies name the conversation in its canonical form (`min:max` or `g…`).
    auto uploadConversation = [this](const QString &conversationId, const QString &me, Problem *p) -> bool {
        static const QRegularExpression re(QStringLiteral("^([0-9]{1,19}:[0-9]{1,19}|g[0-9]{1,19})$"));
        if (!re.match(conversationId).hasMatch()) {
            *p = invalid(tr("conversation_id must be the canonical id (min:max or g…)."),
                         QStringLiteral("conversation_id"), conversationId);
            return false;
        }
        return requireMember(conversationId, me, p);
    };

    addRoute(
        "POST",
        QStringLiteral("/2/chat/media/upload/initialize"),
            QStringLiteral("media.upload"), AuthMode::User, media, [this, uploadConversation](Context &c) {
                Problem p;
                QJsonParseError error{};
                const QJsonDocument doc = QJsonDocument::fromJson(c.request.body, &error);
                if (!doc.isObject())
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const QJsonObject body = doc.object();
                for (const QString &key : body.keys())
                    if (key != QLatin1String("conversation_id") && key != QLatin1String("total_bytes"))
                        return problem(invalid(tr("Unknown field %1.").arg(key), key));
                const QString conv = body.value(QStringLiteral("conversation_id")).toString();
                if (!uploadConversation(conv, c.principal.userId, &p))
                    return problem(p);
                const QJsonValue total = body.value(QStringLiteral("total_bytes"));
                const double bytes = total.toDouble(-1);
                if (!total.isDouble() || bytes < 0 || bytes != std::floor(bytes))
                    return problem(
                        invalid(tr("total_bytes must be a whole number of bytes."), QStringLiteral("total_bytes")));
                if (bytes > double(m_options.maxMediaBytes))
                    return problem(invalid(tr("The file is too large: at most %1 bytes.").arg(m_options.maxMediaBytes),
                                           QStringLiteral("total_bytes"), QString::number(qint64(bytes))));
                const QString session = QString::number(nextSnowflake());
                const QString hashKey = randomAlnum(32);
                QSqlQuery q(m_db);
                q.prepare(QStringLiteral("INSERT INTO media_sessions (session_id, conversation_id, media_hash_key,"
                                          " user_id, total_bytes, expires_at) VALUES (?, ?, ?, ?, ?, ?)"));
                q.addBindValue(session);
                q.addBindValue(conv);
                q.addBindValue(hashKey);
                q.addBindValue(c.principal.userId);
                q.addBindValue(qint64(bytes));
                q.addBindValue(QDateTime::currentSecsSinceEpoch() + m_options.mediaSessionLifetimeSecs);
                q.exec();
                return HttpResponse::json(
                    {{QStringLiteral("data"), QJsonObject{{QStringLiteral("session_id"), session},
                                                           {QStringLiteral("media_hash_key"), hashKey},
                                                            {QStringLiteral("conversation_id"), conv}}}});
            });

    struct Session
    {
        QString conversationId, hashKey, userId;
        qint64 total = 0, received = 0, expiresAt = 0;
        int nextSegment = 0;
    };
    auto session = [this](const QString &id, const QString &me, Problem *p) -> std::optional<Session> {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT conversation_id, media_hash_key, user_id, total_bytes, received_bytes,"
                                 " expires_at, next_segment FROM media_sessions WHERE session_id = ?"));
        q.addBindValue(id);
        if (!q.exec() || !q.next()) {
            *p = notFound(QStringLiteral("media_upload_session"), id);
            return std::nullopt;
        }
        Session s{q.value(0).toString(),   q.value(1).toString(),   q.value(2).toString(), q.value(3).toLongLong(),
                  q.value(4).toLongLong(), q.value(5).toLongLong(), q.value(6).toInt()};
        if (s.userId != me) {
            *p = forbidden(QStringLiteral("media_upload_session"), id, tr("This upload belongs to someone else."));
            return std::nullopt;
        }
        if (s.expiresAt <= QDateTime::currentSecsSinceEpoch()) {
            *p = notFound(QStringLiteral("media_upload_session"), id,
                                         tr("The upload session %1 has expired: start the upload again.").arg(id));
            return std::nullopt;
        }
        return s;
    };

    addRoute(
        "POST",
        QStringLiteral("/2/chat/media/upload/{id}/append"),
            QStringLiteral("media.upload"), AuthMode::User, media, [this, session](Context &c) {
                Problem p;
                const QString id = c.request.params.value(QStringLiteral("id"));
                QString conv, hashKey;
                QByteArray data;
                QJsonValue index;
                const QByteArray type = c.request.header("content-type");
                if (type.startsWith("multipart/form-data")) {
                    const auto parts = parseMultipart(type, c.request.body);
                    if (!parts)
                        return problem(invalid(tr("The multipart body is malformed.")));
                    for (const QString &key : parts->keys())
                        if (key != QLatin1String("media") && key != QLatin1String("segment_index") &&
                            key != QLatin1String("conversation_id") && key != QLatin1String("media_hash_key"))
                            return problem(invalid(tr("Unknown field %1.").arg(key), key));
                    conv = QString::fromUtf8(parts->value(QStringLiteral("conversation_id")));
                    hashKey = QString::fromUtf8(parts->value(QStringLiteral("media_hash_key")));
                    data = parts->value(QStringLiteral("media"));
                    if (parts->contains(QStringLiteral("segment_index")))
                        index = QString::fromUtf8(parts->value(QStringLiteral("segment_index")));
                    if (!parts->contains(QStringLiteral("media")))
                        return problem(invalid(tr("media is required."), QStringLiteral("media")));
                } else {
                    const QJsonDocument doc = QJsonDocument::fromJson(c.request.body);
                    if (!doc.isObject())
                        return problem(invalid(tr("The request body is not a JSON object.")));
                    const QJsonObject body = doc.object();
                    for (const QString &key : body.keys())
                        if (key != QLatin1String("media") && key != QLatin1String("segment_index") &&
                            key != QLatin1String("conversation_id") && key != QLatin1String("media_hash_key"))
                            return problem(invalid(tr("Unknown field %1.").arg(key), key));
                    conv = body.value(QStringLiteral("conversation_id")).toString();
                    hashKey = body.value(QStringLiteral("media_hash_key")).toString();
                    index = body.value(QStringLiteral("segment_index"));
                    const auto decoded =
                        crypto::base64::decode(body.value(QStringLiteral("media")).toString().toLatin1());
                    if (!body.value(QStringLiteral("media")).isString() || !decoded)
                        return problem(invalid(tr("media must be base64 in a JSON body."), QStringLiteral("media")));
                    data = decoded.value();
                }
                // segment_index is an integer in the OpenAPI; one SDK sample sends a string: take both.
                bool ok = index.isDouble();
                int segment = index.toInt(-1);
                if (index.isString())
                    segment = index.toString().toInt(&ok);
                if (!ok || segment < 0 || segment > 999)
                    return problem(invalid(tr("segment_index must be an integer from 0 to 999."),
                                           QStringLiteral("segment_index")));
                const auto s = session(id, c.principal.userId, &p);
                if (!s)
                    return problem(p);
                if (conv != s->conversationId || hashKey != s->hashKey)
                    return problem(invalid(tr("conversation_id and media_hash_key must be those of the session."),
                                           QStringLiteral("media_hash_key")));
                const QJsonObject ok200{
                    {QStringLiteral("data"), QJsonObject{{QStringLiteral("expires_at"), s->expiresAt}}}};
                if (segment == s->nextSegment - 1) {
                    // A retry of the last segment (its response was lost) is accepted if identical.
                    QSqlQuery q(m_db);
                    q.prepare(
                        QStringLiteral("SELECT data FROM media_segments WHERE session_id = ? AND segment_index = ?"));
                    q.addBindValue(id);
                    q.addBindValue(segment);
                    if (q.exec() && q.next() && q.value(0).toByteArray() == data)
                        return HttpResponse::json(ok200);
                }
                if (segment != s->nextSegment)
                    return problem(invalid(
                        tr("Segment %1 is out of order: the next segment is %2.").arg(segment).arg(s->nextSegment),
                        QStringLiteral("segment_index"), QString::number(segment)));
                if (data.isEmpty() && s->total > 0)
                    return problem(invalid(tr("A segment cannot be empty."), QStringLiteral("media")));
                if (s->received + data.size() > s->total)
                    return problem(
                        invalid(tr("The segments exceed total_bytes (%1).").arg(s->total), QStringLiteral("media")));
                QSqlQuery q(m_db);
                q.prepare(
                    QStringLiteral("INSERT INTO media_segments (session_id, segment_index, data) VALUES (?, ?, ?)"));
                q.addBindValue(id);
                q.addBindValue(segment);
                q.addBindValue(data);
                q.exec();
                QSqlQuery u(m_db);
                u.prepare(QStringLiteral("UPDATE media_sessions SET received_bytes = received_bytes + ?,"
                                     " next_segment = next_segment + 1 WHERE session_id = ?"));
                u.addBindValue(data.size());
                u.addBindValue(id);
                u.exec();
                return HttpResponse::json(ok200);
            });

    addRoute(
        "POST",
        QStringLiteral("/2/chat/media/upload/{id}/finalize"),
            QStringLiteral("media.upload"), AuthMode::User, media, [this, session](Context &c) {
                Problem p;
                const QString id = c.request.params.value(QStringLiteral("id"));
                static const QRegularExpression idRe(QStringLiteral("^[0-9]{1,19}$"));
                if (!idRe.match(id).hasMatch())
                    return problem(
                        invalid(tr("The `id` path parameter value [%1] does not match ^[0-9]{1,19}$").arg(id),
                                QStringLiteral("id"), id));
                const QJsonDocument doc = QJsonDocument::fromJson(c.request.body);
                if (!doc.isObject())
                    return problem(invalid(tr("The request body is not a JSON object.")));
                const QJsonObject body = doc.object();
                for (const QString &key : body.keys())
                    if (key != QLatin1String("conversation_id") && key != QLatin1String("media_hash_key") &&
                        key != QLatin1String("num_parts") && key != QLatin1String("message_id") &&
                        key != QLatin1String("ttl_msec"))
                        return problem(invalid(tr("Unknown field %1.").arg(key), key));
                const QString conv = body.value(QStringLiteral("conversation_id")).toString();
                const QString hashKey = body.value(QStringLiteral("media_hash_key")).toString();
                bool ok = false;
                const int parts = body.value(QStringLiteral("num_parts")).toString().toInt(&ok);
                if (!ok || parts < 0)
                    return problem(invalid(tr("num_parts must be a numeric string."), QStringLiteral("num_parts")));
                QSqlQuery done(m_db);
                done.prepare(QStringLiteral("SELECT 1 FROM media WHERE conversation_id = ? AND media_hash_key = ?"));
                done.addBindValue(conv);
                done.addBindValue(hashKey);
                const auto s = session(id, c.principal.userId, &p);
                if (!s) {
                    if (done.exec() && done.next()) // finalized before: the retry succeeds again
                        return HttpResponse::json(
                            {{QStringLiteral("data"), QJsonObject{{QStringLiteral("success"), true}}}});
                    return problem(p);
                }
                if (conv != s->conversationId || hashKey != s->hashKey)
                    return problem(invalid(tr("conversation_id and media_hash_key must be those of the session."),
                                           QStringLiteral("media_hash_key")));
                if (parts != s->nextSegment || s->received != s->total)
                    return problem(invalid(tr("The upload is incomplete: %1 of %2 bytes in %3 segments, num_parts %4.")
                                               .arg(s->received)
                                               .arg(s->total)
                                               .arg(s->nextSegment)
                                               .arg(parts),
                                           QStringLiteral("num_parts")));
                QByteArray data;
                data.reserve(s->total);
                QSqlQuery q(m_db);
                q.prepare(
                    QStringLiteral("SELECT data FROM media_segments WHERE session_id = ? ORDER BY segment_index"));
                q.addBindValue(id);
                q.exec();
                while (q.next())
                    data += q.value(0).toByteArray();
                m_db.transaction();
                QSqlQuery ins(m_db);
                ins.prepare(
                    QStringLiteral("INSERT OR REPLACE INTO media (conversation_id, media_hash_key, uploader, size,"
                                       " data, created_at) VALUES (?, ?, ?, ?, ?, ?)"));
                ins.addBindValue(conv);
                ins.addBindValue(hashKey);
                ins.addBindValue(c.principal.userId);
                ins.addBindValue(data.size());
                ins.addBindValue(data);
                ins.addBindValue(nowMsec());
                ins.exec();
                for (const char *sql : {"DELETE FROM media_segments WHERE session_id = ?",
                                        "DELETE FROM media_sessions WHERE session_id = ?"}) {
                    QSqlQuery d(m_db);
                    d.prepare(QString::fromLatin1(sql));
                    d.addBindValue(id);
                    d.exec();
                }
                m_db.commit();
                return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("success"), true}}}});
            });

    addRoute("GET",
             QStringLiteral("/2/chat/media/{id}/{media_hash_key}"),
                 QStringLiteral("media.download"), AuthMode::User, media, [this](Context &c) {
                     Problem p;
                     const auto id = canonicalId(c.request.params.value(QStringLiteral("id")), c.principal.userId, &p);
                     if (!id || !requireMember(id.value(), c.principal.userId, &p))
                         return problem(p);
                     const QString key = c.request.params.value(QStringLiteral("media_hash_key"));
                     static const QRegularExpression keyRe(QStringLiteral("^[a-zA-Z0-9]{1,50}$"));
                     if (!keyRe.match(key).hasMatch())
                         return problem(invalid(tr("The `media_hash_key` path parameter value [%1] does not match "
                                                   "^[a-zA-Z0-9]{1,50}$")
                                                    .arg(key),
                                                QStringLiteral("media_hash_key"), key));
                     QSqlQuery q(m_db);
                     q.prepare(
                         QStringLiteral("SELECT data FROM media WHERE conversation_id = ? AND media_hash_key = ?"));
                     q.addBindValue(id.value());
                     q.addBindValue(key);
                     if (!q.exec() || !q.next())
                         return problem(notFound(QStringLiteral("media"), key));
                     const QByteArray data = q.value(0).toByteArray();
                     HttpResponse r;
                     r.contentType = "application/octet-stream";
                     r.header("Accept-Ranges", "bytes").header("ETag", '"' + key.toLatin1() + '"');
                     r.header("Cache-Control", "private, max-age=31536000, immutable");
                     // Resumable downloads: a single "bytes=N-" or "bytes=N-M" range.
                     static const QRegularExpression rangeRe(QStringLiteral("^bytes=(\\d+)-(\\d*)$"));
                     const auto m = rangeRe.match(QString::fromLatin1(c.request.header("range")));
                     if (m.hasMatch()) {
                         const qint64 from = m.captured(1).toLongLong();
                         const qint64 to = m.captured(2).isEmpty()
                                               ? data.size() - 1
                                               : std::min<qint64>(m.captured(2).toLongLong(), data.size() - 1);
                         if (from >= data.size() || to < from) {
                             Problem range =
                                 invalid(tr("The range is outside the %1 bytes of this media.").arg(data.size()),
                                         QStringLiteral("Range"), QString::fromLatin1(c.request.header("range")));
                             range.status = 416;
                             range.title = QStringLiteral("Range Not Satisfiable");
                             HttpResponse bad = problem(range);
                             bad.header("Content-Range", "bytes */" + QByteArray::number(data.size()));
                             return bad;
                         }
                         r.status = 206;
                         r.body = data.mid(from, to - from + 1);
                         r.header("Content-Range", "bytes " + QByteArray::number(from) + '-' + QByteArray::number(to) +
                                                       '/' + QByteArray::number(data.size()));
                         return r;
                     }
                     r.body = data;
                     return r;
                 });
}

} // namespace confab::localserver
