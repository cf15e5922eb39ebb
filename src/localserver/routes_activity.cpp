// Real time: activity subscriptions and the chunked activity stream (spec §4), plus the
// --dev administration API under /_local/.

#include "crypto/base64.h"
#include "localserver/service.h"
#include "protocols/xchat/thriftcodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace confab::localserver {

namespace {

constexpr qint64 BackfillLimitMsec = 5 * 60 * 1000;

const QStringList &subscribableTypes()
{
    static const QStringList types{
        QStringLiteral("chat.received"), QStringLiteral("chat.sent"), QStringLiteral("chat.conversation_join")};
    return types;
}

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

QList<Service::Subscription> Service::subscriptions(const QString &clientId) const
{
    QList<Subscription> out;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id, client_id, user_id, event_type, tag, created_at, updated_at FROM subscriptions"
                             " WHERE client_id = ? ORDER BY CAST(id AS INTEGER)"));
    q.addBindValue(clientId);
    q.exec();
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                    q.value(4).toString(), q.value(5).toString(), q.value(6).toString()});
    return out;
}

void Service::publishActivity(const QString &userId, const QString &eventType, const QJsonObject &payload)
{
    Activity a{nowMsec(), userId, eventType, payload};
    for (auto &client : m_streams)
        deliver(client, a);
    m_recentActivity.push_back(std::move(a));
    const qint64 horizon = nowMsec() - BackfillLimitMsec;
    while (!m_recentActivity.empty() && m_recentActivity.front().atMsec < horizon)
        m_recentActivity.pop_front();
}

void Service::deliver(StreamClient &client, const Activity &activity)
{
    if (client.stream->closed())
        return;
    for (const Subscription &s : subscriptions(client.clientId)) {
        if (s.userId != activity.userId || s.eventType != activity.eventType)
            continue;
        QJsonObject data{{QStringLiteral("event_uuid"), QString::number(nextSnowflake())},
                          {QStringLiteral("filter"), QJsonObject{{QStringLiteral("user_id"), s.userId}}},
                           {QStringLiteral("event_type"), activity.eventType},
                            {QStringLiteral("payload"), activity.payload}};
        if (!s.tag.isEmpty())
            data.insert(QStringLiteral("tag"), s.tag);
        client.stream->write(QJsonDocument(QJsonObject{{QStringLiteral("data"), data}}).toJson(QJsonDocument::Compact) +
                                           "\r\n");
    }
}

void Service::registerActivityRoutes()
{
    auto subscriptionJson = [](const Subscription &s) {
        QJsonObject o{{QStringLiteral("subscription_id"), s.id},
                       {QStringLiteral("event_type"), s.eventType},
                        {QStringLiteral("filter"), QJsonObject{{QStringLiteral("user_id"), s.userId}}},
                         {QStringLiteral("created_at"), s.createdAt}, {QStringLiteral("updated_at"), s.updatedAt}};
        if (!s.tag.isEmpty())
            o.insert(QStringLiteral("tag"), s.tag);
        return o;
    };
    auto byId = [this](const QString &id) -> std::optional<Subscription> {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT id, client_id, user_id, event_type, tag, created_at, updated_at"
                                 " FROM subscriptions WHERE id = ?"));
        q.addBindValue(id);
        if (!q.exec() || !q.next())
            return std::nullopt;
        return Subscription{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                            q.value(4).toString(), q.value(5).toString(), q.value(6).toString()};
    };

    addRoute(
        "POST",
        QStringLiteral("/2/activity/subscriptions"),
            QStringLiteral("activity"), AuthMode::User, {QStringLiteral("dm.read")}, [this, subscriptionJson](Context &c) {
                    const QJsonDocument doc = QJsonDocument::fromJson(c.request.body);
                    if (!doc.isObject())
                        return problem(invalid(tr("The request body is not a JSON object.")));
                    const QJsonObject body = doc.object();
                    for (const QString &key : body.keys())
                        if (key != QLatin1String("event_type") && key != QLatin1String("filter") &&
                            key != QLatin1String("tag") && key != QLatin1String("webhook_id"))
                            return problem(invalid(tr("Unknown field %1.").arg(key), key));
                    const QString type = body.value(QStringLiteral("event_type")).toString();
                    if (!subscribableTypes().contains(type))
                        return problem(
                            invalid(tr("confab-localserver delivers the chat events %1; %2 is not one of them.")
                                        .arg(subscribableTypes().join(QStringLiteral(", ")), type),
                                             QStringLiteral("event_type"), type));
                    const QJsonObject filter = body.value(QStringLiteral("filter")).toObject();
                    const QString user = filter.value(QStringLiteral("user_id")).toString();
                    if (user != c.principal.userId)
                        return problem(forbidden(QStringLiteral("user"), user, tr("A chat subscription must be made by the user it monitors.")));
                    if (body.contains(QStringLiteral("webhook_id")))
                        return problem(
                            invalid(tr("confab-localserver has no webhooks: read the activity stream instead."),
                                    QStringLiteral("webhook_id")));
                    const QString tag = body.value(QStringLiteral("tag")).toString();
                    if (body.contains(QStringLiteral("tag")) && (tag.isEmpty() || tag.size() > 200))
                        return problem(invalid(tr("tag is 1 to 200 characters."), QStringLiteral("tag")));
                    for (const Subscription &s : subscriptions(c.principal.clientId))
                        if (s.userId == user && s.eventType == type)
                            return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("subscription"), subscriptionJson(s)}}}});
                    Subscription s{
                        QString::number(nextSnowflake()), c.principal.clientId, user, type, tag, isoNow(), isoNow()};
                    QSqlQuery q(m_db);
                    q.prepare(
                        QStringLiteral("INSERT INTO subscriptions (id, client_id, user_id, event_type, tag, created_at,"
                                     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
                    for (const QString &v : {s.id, s.clientId, s.userId, s.eventType, s.tag, s.createdAt, s.updatedAt})
                        q.addBindValue(v);
                    q.exec();
                    return HttpResponse::json(
                        {{QStringLiteral("data"), QJsonObject{{QStringLiteral("subscription"), subscriptionJson(s)}}}});
                });

    addRoute("GET",
             QStringLiteral("/2/activity/subscriptions"),
                            QStringLiteral("activity"), AuthMode::UserOrApp, {}, [this, subscriptionJson](Context &c) {
                                Problem p;
                                const auto max = maxResults(c.request, 100, 1000, &p);
                                if (!max)
                                    return problem(p);
                                qint64 after = 0;
                                if (c.request.hasQuery(QStringLiteral("pagination_token"))) {
                                    const QString token = c.request.queryValue(QStringLiteral("pagination_token"));
                                    bool ok = token.size() >= 16;
                                    after = ok ? token.toLongLong(&ok, 32) : 0;
                                    if (!ok)
                                        return problem(invalid(tr("The pagination_token is not valid."),
                                                               QStringLiteral("pagination_token"), token));
                                }
                                QJsonArray data;
                                for (const Subscription &s : subscriptions(c.principal.clientId)) {
                                    if (c.principal.kind == Principal::Kind::User && s.userId != c.principal.userId)
                                        continue;
                                    if (s.id.toLongLong() <= after || data.size() >= *max)
                                        continue;
                                    data.append(subscriptionJson(s));
                                }
                                return HttpResponse::json({{QStringLiteral("data"), data}});
                            });

    addRoute("PUT", QStringLiteral("/2/activity/subscriptions/{subscription_id}"),
                        QStringLiteral("activity"), AuthMode::App, {}, [this, byId, subscriptionJson](Context &c) {
                            const QString id = c.request.params.value(QStringLiteral("subscription_id"));
                            auto s = byId(id);
                            if (!s || s->clientId != c.principal.clientId)
                                return problem(notFound(QStringLiteral("subscription"), id));
                            const QJsonDocument doc = QJsonDocument::fromJson(c.request.body);
                            if (!doc.isObject())
                                return problem(invalid(tr("The request body is not a JSON object.")));
                            const QJsonObject body = doc.object();
                            if (body.contains(QStringLiteral("webhook_id")))
                                return problem(
                                    invalid(tr("confab-localserver has no webhooks."), QStringLiteral("webhook_id")));
                            if (body.contains(QStringLiteral("tag"))) {
                                s->tag = body.value(QStringLiteral("tag")).toString();
                                if (s->tag.isEmpty() || s->tag.size() > 200)
                                    return problem(invalid(tr("tag is 1 to 200 characters."), QStringLiteral("tag")));
                            }
                            s->updatedAt = isoNow();
                            QSqlQuery q(m_db);
                            q.prepare(QStringLiteral("UPDATE subscriptions SET tag = ?, updated_at = ? WHERE id = ?"));
                            q.addBindValue(s->tag);
                            q.addBindValue(s->updatedAt);
                            q.addBindValue(id);
                            q.exec();
                            return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("subscription"), subscriptionJson(*s)},
                                                      {QStringLiteral("total_subscriptions"),
                                                                      subscriptions(c.principal.clientId).size()}}}});
                        });

    auto remove = [this](const QString &id) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("DELETE FROM subscriptions WHERE id = ?"));
        q.addBindValue(id);
        q.exec();
    };
    addRoute(
        "DELETE",
        QStringLiteral("/2/activity/subscriptions/{subscription_id}"),
            QStringLiteral("activity"), AuthMode::App, {}, [this, byId, remove](Context &c) {
                const QString id = c.request.params.value(QStringLiteral("subscription_id"));
                const auto s = byId(id);
                if (!s || s->clientId != c.principal.clientId)
                    return problem(notFound(QStringLiteral("subscription"), id));
                remove(id);
                return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("deleted"), true}}}});
            });
    addRoute("DELETE",
             QStringLiteral("/2/activity/subscriptions"),
                 QStringLiteral("activity"), AuthMode::App, {}, [this, byId, remove](Context &c) {
                     const QStringList ids =
                         c.request.queryValue(QStringLiteral("ids")).split(QLatin1Char(','), Qt::SkipEmptyParts);
                     if (ids.isEmpty() || ids.size() > 100)
                         return problem(invalid(tr("ids must list 1 to 100 subscription ids."), QStringLiteral("ids")));
                     QJsonArray data, errors;
                     for (const QString &id : ids) {
                         const auto s = byId(id);
                         if (!s || s->clientId != c.principal.clientId) {
                             errors.append(QJsonObject{{QStringLiteral("subscription_id"), id},
                                                        {QStringLiteral("reason"), QStringLiteral("NotFound")},
                                                         {QStringLiteral("message"), tr("No such subscription.")}});
                             continue;
                         }
                         remove(id);
                         data.append(
                             QJsonObject{{QStringLiteral("subscription_id"), id}, {QStringLiteral("deleted"), true}});
                     }
                     QJsonObject body{{QStringLiteral("data"), data},
                                       {QStringLiteral("meta"), QJsonObject{{QStringLiteral("total_subscriptions"),
                                                                    subscriptions(c.principal.clientId).size()}}}};
                     if (!errors.isEmpty())
                         body.insert(QStringLiteral("errors"), errors);
                     return HttpResponse::json(body);
                 });

    addRoute(
        "GET",
        QStringLiteral("/2/activity/stream"), QStringLiteral("activity.stream"), AuthMode::App, {}, [this](Context &c) {
            qint64 backfill = 0;
            if (c.request.hasQuery(QStringLiteral("backfill_minutes"))) {
                bool ok = false;
                const QString raw = c.request.queryValue(QStringLiteral("backfill_minutes"));
                backfill = raw.toInt(&ok);
                if (!ok || backfill < 0 || backfill > 5)
                    return problem(
                        invalid(tr("backfill_minutes must be from 0 to 5."), QStringLiteral("backfill_minutes"), raw));
            }
            qint64 start = 0;
            qint64 end = std::numeric_limits<qint64>::max();
            for (const char *key : {"start_time", "end_time"}) {
                const QString name = QString::fromLatin1(key);
                if (!c.request.hasQuery(name))
                    continue;
                const QDateTime t = QDateTime::fromString(c.request.queryValue(name), Qt::ISODate);
                if (!t.isValid())
                    return problem(invalid(tr("%1 must be YYYY-MM-DDTHH:mm:ssZ.").arg(name), name));
                (name == QLatin1String("start_time") ? start : end) = t.toMSecsSinceEpoch();
            }
            if (backfill > 0)
                start = std::max(start, nowMsec() - backfill * 60000);
            HttpResponse head;
            head.contentType = "application/json";
            auto stream = std::make_shared<ChunkedStream>(c.socket, head);
            c.streaming = true;
            StreamClient client{c.principal.clientId, stream};
            if (start > 0) {
                for (const Activity &a : m_recentActivity)
                    if (a.atMsec >= start && a.atMsec <= end)
                        deliver(client, a);
            }
            if (end != std::numeric_limits<qint64>::max()) {
                stream->finish();
                return HttpResponse{};
            }
            m_streams.push_back(std::move(client));
            connect(c.socket, &QTcpSocket::disconnected, this, [this, raw = stream.get()] {
                std::erase_if(m_streams, [raw](const StreamClient &s) { return s.stream.get() == raw; });
            });
            return HttpResponse{};
        });
}

void Service::registerLocalRoutes()
{
    addRoute(
        "POST", QStringLiteral("/_local/users"),
                    QStringLiteral("local"), AuthMode::None, {},
                                   [this](Context &c) {
                                       const QJsonObject body = QJsonDocument::fromJson(c.request.body).object();
                                       const auto user =
                                           createUser(body.value(QStringLiteral("username")).toString(),
                                                                 body.value(QStringLiteral("name")).toString(), false);
                                       if (!user) {
                                           Problem p = invalid(user.error().message());
                                           if (user.error().kind() == ErrorKind::Conflict)
                                               p.status = 409;
                                           return problem(p);
                                       }
                                       return HttpResponse::json({{QStringLiteral("data"),
                                           QJsonObject{{QStringLiteral("id"), user.value().id},
                                                        {QStringLiteral("username"), user.value().username}}}},
                                                                  201);
                                   },
                                   true);
    addRoute(
        "GET", QStringLiteral("/_local/users"),
                              QStringLiteral("local"), AuthMode::None, {},
                                             [this](Context &) {
                                                 QJsonArray data;
                                                 for (const UserInfo &u : users())
                                                     data.append(QJsonObject{{QStringLiteral("id"), u.id},
                                                                              {QStringLiteral("username"), u.username},
                                                                               {QStringLiteral("name"), u.name}});
                                                 return HttpResponse::json({{QStringLiteral("data"), data}});
                                             },
                                             true);
    // A token without the browser, for tests that are not about sign-in.
    addRoute(
        "POST",
        QStringLiteral("/_local/tokens"),
            QStringLiteral("local"), AuthMode::None, {},
                [this](Context &c) {
                    const QJsonObject body = QJsonDocument::fromJson(c.request.body).object();
                    QStringList scopes;
                    for (const QJsonValue &v : body.value(QStringLiteral("scopes")).toArray())
                        scopes.append(v.toString());
                    QString refresh;
                    const auto token = issueUserToken(body.value(QStringLiteral("user_id")).toString(), scopes,
                                                                 QStringLiteral("confab-desktop"), &refresh);
                    if (!token && token.error().kind() == ErrorKind::NotFound)
                        return problem(
                            notFound(QStringLiteral("user"), body.value(QStringLiteral("user_id")).toString()));
                    if (!token)
                        return problem({500,
                                        QStringLiteral("internal-error"), QStringLiteral("Internal Error"),
                                                                                         token.error().message(), {}});
                    return HttpResponse::json({{QStringLiteral("access_token"), token.value()},
                                                {QStringLiteral("refresh_token"), refresh},
                                                 {QStringLiteral("expires_in"), m_options.accessTokenLifetimeSecs}},
                                                201);
                },
                true);
    // Fault injection per route group ("*" for all): latency, error rate, drops, truncation, 429 bursts.
    addRoute(
        "POST", QStringLiteral("/_local/faults"),
                    QStringLiteral("local"), AuthMode::None, {},
                                   [this](Context &c) {
                                       const QJsonObject body = QJsonDocument::fromJson(c.request.body).object();
                                       Fault f;
                                       f.route = body.value(QStringLiteral("route")).toString(QStringLiteral("*"));
                                       f.latencyMs = body.value(QStringLiteral("latency_ms")).toInt();
                                       f.errorStatus = body.value(QStringLiteral("error_status")).toInt();
                                       f.errorRate =
                                           body.value(QStringLiteral("error_rate")).toDouble(f.errorStatus ? 1.0 : 0.0);
                                       f.dropRate = body.value(QStringLiteral("drop_rate")).toDouble();
                                       f.truncateRate = body.value(QStringLiteral("truncate_rate")).toDouble();
                                       f.burst429 = body.value(QStringLiteral("burst_429")).toInt();
                                       m_faults.removeIf([&f](const Fault &g) { return g.route == f.route; });
                                       m_faults.append(f);
                                       return HttpResponse::json({{QStringLiteral("data"), body}}, 201);
                                   },
                                   true);
    // Events no honest client would post, for testing receivers: `event` is a base64 Thrift
    // MessageEvent stored as given (signature and contents unchecked; the server fills sequence,
    // conversation and time); `raw_event` is base64 bytes stored and served as they are, even if
    // they do not decode, under `sender_id`.
    addRoute(
        "POST",
        QStringLiteral("/_local/events"),
            QStringLiteral("local"), AuthMode::None, {},
                [this](Context &c) {
                    const QJsonObject body = QJsonDocument::fromJson(c.request.body).object();
                    const QString conversationId = body.value(QStringLiteral("conversation_id")).toString();
                    if (!conversation(conversationId))
                        return problem(notFound(QStringLiteral("conversation"), conversationId));
                    const auto event =
                        crypto::base64::decode(body.value(QStringLiteral("event")).toString().toLatin1());
                    const auto raw =
                        crypto::base64::decode(body.value(QStringLiteral("raw_event")).toString().toLatin1());
                    if (event && !event.value().isEmpty()) {
                        auto decoded = xchat::decodeThrift<wire::MessageEvent>(event.value(), "MessageEvent");
                        if (!decoded)
                            return problem(
                                invalid(tr("`event` is not a base64 Thrift MessageEvent."), QStringLiteral("event")));
                        const bool key = decoded.value().detail.__isset.conversation_key_change_event;
                        const auto stored = appendEvent(conversationId, std::move(decoded).value(), nowMsec(),
                                                        key ? QStringLiteral("key") : QStringLiteral("msg"));
                        return HttpResponse::json({{QStringLiteral("data"),
                            QJsonObject{{QStringLiteral("id"), xchat::fromWire(stored.message_id)},
                                         {QStringLiteral("sequence_id"), xchat::fromWire(stored.sequence_id)}}}},
                                                   201);
                    }
                    const QString sender = body.value(QStringLiteral("sender_id")).toString();
                    if (!raw || raw.value().isEmpty() || sender.isEmpty())
                        return problem(
                            invalid(tr("Give conversation_id and either `event`, or `raw_event` and `sender_id`.")));
                    const qint64 seq = appendRawEvent(conversationId, sender, raw.value());
                    if (seq == 0)
                        return problem({500,
                                        QStringLiteral("internal-error"),
                                                       QStringLiteral("Internal Error"),
                                                                      tr("The event could not be stored."), {}});
                    return HttpResponse::json(
                        {{QStringLiteral("data"),
                                         QJsonObject{{QStringLiteral("id"), QString::number(seq)},
                                                      {QStringLiteral("sequence_id"), QString::number(seq)}}}},
                         201);
                },
                true);
    // The faults in force and how often each kind struck since they were last cleared.
    addRoute(
        "GET",
        QStringLiteral("/_local/faults"),
            QStringLiteral("local"), AuthMode::None, {},
                           [this](Context &) {
                               QJsonArray faults;
                               for (const Fault &f : std::as_const(m_faults)) {
                                   faults.append(QJsonObject{{QStringLiteral("route"), f.route},
                                                              {QStringLiteral("latency_ms"), f.latencyMs},
                                                               {QStringLiteral("error_status"), f.errorStatus},
                                                                {QStringLiteral("error_rate"), f.errorRate},
                                                                 {QStringLiteral("drop_rate"), f.dropRate},
                                                                  {QStringLiteral("truncate_rate"), f.truncateRate},
                                                                   {QStringLiteral("burst_429"), f.burst429}});
                               }
                               QJsonObject injected;
                               for (auto it = m_faultsInjected.constBegin(); it != m_faultsInjected.constEnd(); ++it)
                                   injected.insert(it.key(), it.value());
                               return HttpResponse::json(
                                   {{QStringLiteral("data"), QJsonObject{{QStringLiteral("faults"), faults},
                                                                          {QStringLiteral("injected"), injected}}}});
                           },
                           true);
    addRoute(
        "DELETE", QStringLiteral("/_local/faults"),
                                 QStringLiteral("local"), AuthMode::None, {},
                                                [this](Context &) {
                                                    m_faults.clear();
                                                    m_faultsInjected.clear();
                                                    return HttpResponse::json({{QStringLiteral("data"), QJsonObject{{QStringLiteral("cleared"), true}}}});
                                                },
                                                true);
    addRoute(
        "POST",
        QStringLiteral("/_local/rate_limits"),
                       QStringLiteral("local"), AuthMode::None, {},
                                      [this](Context &c) {
                                          const QJsonObject body = QJsonDocument::fromJson(c.request.body).object();
                                          const QString group = body.value(QStringLiteral("group")).toString();
                                          const int requests = body.value(QStringLiteral("requests")).toInt(-1);
                                          const int window = body.value(QStringLiteral("window_seconds")).toInt(900);
                                          if (group.isEmpty() || requests < 0 || window < 1)
                                              return problem(invalid(tr("Give group, requests and window_seconds.")));
                                          m_limits.insert(group, {requests, window});
                                          for (auto it = m_windows.begin(); it != m_windows.end(); ++it)
                                              if (it.key().startsWith(group + QLatin1Char('|')))
                                                  it->resetSecs = 0;
                                          return HttpResponse::json({{QStringLiteral("data"), body}}, 201);
                                      },
                                      true);
}

} // namespace confab::localserver
