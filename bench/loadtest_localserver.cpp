// Load test of confab-localserver: many concurrent clients sending and reading X Chat messages
// over loopback HTTP. Reports requests/s and latency percentiles, then checks that nothing was
// lost or duplicated. Figures are reported, never asserted (scripts/bench runs this).
//
//   confab_loadtest --server build/bench/bin/confab-localserver [--clients 32] [--messages 50]

#include "crypto/base64.h"
#include "crypto/identitykeys.h"
#include "protocols/xchat/actionsigner.h"
#include "protocols/xchat/outgoing.h"
#include "protocols/xchat/thriftcodec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCoro/QCoroNetworkReply>
#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <vector>

using namespace confab;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    bool networkError = false;
};

struct Client
{
    QString userId;
    QString token;
    std::unique_ptr<QNetworkAccessManager> nam = std::make_unique<QNetworkAccessManager>();
    std::optional<crypto::IdentityKeys> keys;
    QString keyVersion;
};

QCoro::Task<Reply> request(QNetworkAccessManager &nam, QByteArray method, QUrl url, QString token, QByteArray body = {})
{
    QNetworkRequest req(url);
    if (!token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    if (!body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = nam.sendCustomRequest(req, method, body);
    co_await reply;
    Reply out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    out.networkError = reply->error() != QNetworkReply::NoError && out.status == 0;
    reply->deleteLater();
    co_return out;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto index = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
    return v[index];
}

struct Stats
{
    std::vector<double> sendMs, readMs;
    int errors = 0;
};

struct Pair
{
    int a = 0, b = 0;
    QString conversation; // canonical
    QString pathId;
    QString keyVersion;
    crypto::SecureBytes key;
};

// Request bodies, built outside the coroutines (GCC 12 miscompiles braced initializer lists
// inside coroutine frames).
QByteArray userBody(const QString &run, int i)
{
    return json({{QStringLiteral("username"), QStringLiteral("load%1_%2").arg(run).arg(i)},
                  {QStringLiteral("name"), QStringLiteral("Load %1").arg(i)}});
}

QByteArray tokenBody(const QString &userId)
{
    const QJsonArray scopes{QStringLiteral("dm.read"), QStringLiteral("dm.write"), QStringLiteral("users.read"), QStringLiteral("tweet.read")};
    return json({{QStringLiteral("user_id"), userId}, {QStringLiteral("scopes"), scopes}});
}

QByteArray registrationBody(const crypto::IdentityKeys &keys)
{
    const auto reg = keys.registration().value();
    auto b64 = [](const QByteArray &bytes) { return QString::fromLatin1(crypto::base64::encodePadded(bytes)); };
    return json({{QStringLiteral("public_key"), QJsonObject{{QStringLiteral("public_key"), b64(reg.identityPublicKeySpki)},
                                    {QStringLiteral("signing_public_key"), b64(reg.signingPublicKeySpki)},
                                     {QStringLiteral("identity_public_key_signature"), b64(reg.identityKeySignature)},
                                      {QStringLiteral("signing_public_key_signature"), b64(reg.signingKeySignature)},
                                       {QStringLiteral("public_key_fingerprint"), QString::fromLatin1(reg.fingerprint)},
                                        {QStringLiteral("registration_method"), QStringLiteral("CustomPin")}}},
                                      {QStringLiteral("version"), QString::number(QDateTime::currentMSecsSinceEpoch())},
                                       {QStringLiteral("generate_version"), true}});
}

xchat::PreparedConversationChange startConversation(const Client &a, const Client &b, const QString &conversation)
{
    xchat::OutgoingActions actions(a.userId, xchat::ActionSigner(a.keys->signing(), a.keyVersion));
    const QList<xchat::Participant> participants{{a.userId, a.keyVersion, a.keys->identity().publicKey()},
                                                 {b.userId, b.keyVersion, b.keys->identity().publicKey()}};
    return actions.prepareConversationKeyChange(conversation, participants).value();
}

QString jsonString(const QByteArray &body, const QString &a, const QString &b = {})
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    return b.isEmpty() ? o.value(a).toString() : o.value(a).toObject().value(b).toString();
}

int finish(const Stats &stats, double seconds, int clientCount, int sentUnique, int found, int missing, int duplicates,
           const QString &reportPath)
{
    const size_t requests = stats.sendMs.size() + stats.readMs.size();
    const QJsonObject report{{QStringLiteral("clients"), clientCount},
                              {QStringLiteral("requests"), static_cast<qint64>(requests)},
                               {QStringLiteral("seconds"), seconds},
                                {QStringLiteral("requests_per_second"), static_cast<double>(requests) / seconds},
                                 {QStringLiteral("send_p50_ms"), percentile(stats.sendMs, 0.50)},
                                  {QStringLiteral("send_p99_ms"), percentile(stats.sendMs, 0.99)},
                                   {QStringLiteral("read_p50_ms"), percentile(stats.readMs, 0.50)},
                                    {QStringLiteral("read_p99_ms"), percentile(stats.readMs, 0.99)},
                                     {QStringLiteral("errors"), stats.errors},
                                      {QStringLiteral("messages_sent"), sentUnique},
                                       {QStringLiteral("messages_found"), found},
                                        {QStringLiteral("messages_missing"), missing},
                                         {QStringLiteral("duplicates"), duplicates}};
    std::printf("\nconfab-localserver load test (loopback, %d concurrent clients)\n", clientCount);
    std::printf("  requests            %zu in %.2f s = %.0f requests/s\n", requests, seconds,
                static_cast<double>(requests) / seconds);
    std::printf("  send latency        p50 %.2f ms   p99 %.2f ms\n", percentile(stats.sendMs, 0.5),
                percentile(stats.sendMs, 0.99));
    std::printf("  read latency        p50 %.2f ms   p99 %.2f ms\n", percentile(stats.readMs, 0.5),
                percentile(stats.readMs, 0.99));
    std::printf("  errors              %d\n", stats.errors);
    std::printf("  messages            %d sent, %d stored, %d missing, %d duplicates (retries included)\n", sentUnique,
                found, missing, duplicates);
    if (!reportPath.isEmpty()) {
        QFile f(reportPath);
        if (f.open(QIODevice::WriteOnly))
            f.write(QJsonDocument(report).toJson());
    }
    return (missing == 0 && duplicates == 0 && stats.errors == 0) ? 0 : 1;
}

QCoro::Task<int> run(QUrl base, int clientCount, int messages, QString reportPath)
{
    auto url = [&base](const QString &path, const QUrlQuery &query = {}) {
        QUrl u = base;
        u.setPath(path);
        u.setQuery(query);
        return u;
    };
    QNetworkAccessManager admin;
    std::vector<Client> clients(static_cast<size_t>(clientCount));
    std::printf("== setup: %d clients, %d pairs\n", clientCount, clientCount / 2);
    std::fflush(stdout);
    const QString run = QString::number(QDateTime::currentMSecsSinceEpoch() % 100000);
    for (int i = 0; i < clientCount; ++i) {
        Client &c = clients[static_cast<size_t>(i)];
        const auto user =
            co_await request(admin, "POST", url(QStringLiteral("/_local/users")), QString(), userBody(run, i));
        c.userId = jsonString(user.body, QStringLiteral("data"), QStringLiteral("id"));
        const auto token =
            co_await request(admin, "POST", url(QStringLiteral("/_local/tokens")), QString(), tokenBody(c.userId));
        c.token = jsonString(token.body, QStringLiteral("access_token"));
        c.keys = crypto::IdentityKeys::generate().value();
        const auto registered = co_await request(*c.nam, "POST",
                                                 url(QStringLiteral("/2/users/%1/public_keys").arg(c.userId)), c.token,
                                                     registrationBody(*c.keys));
        c.keyVersion = jsonString(registered.body, QStringLiteral("data"), QStringLiteral("public_key_version"));
        if (c.userId.isEmpty() || c.token.isEmpty() || c.keyVersion.isEmpty()) {
            std::fprintf(stderr, "setup failed for client %d (%d %s)\n", i, registered.status,
                         registered.body.constData());
            co_return 1;
        }
    }
    std::vector<Pair> pairs;
    for (int i = 0; i + 1 < clientCount; i += 2) {
        Pair p;
        p.a = i;
        p.b = i + 1;
        Client &a = clients[static_cast<size_t>(i)];
        Client &b = clients[static_cast<size_t>(i + 1)];
        p.conversation = xchat::directConversationId(a.userId, b.userId);
        p.pathId = xchat::conversationPathId(p.conversation);
        auto change = startConversation(a, b, p.conversation);
        const auto keys = co_await request(*a.nam, "POST",
                                           url(QStringLiteral("/2/chat/conversations/%1/keys").arg(b.userId)), a.token,
                                               json(change.requestBody));
        if (keys.status != 200) {
            std::fprintf(stderr, "could not start a conversation: %d %s\n", keys.status, keys.body.constData());
            co_return 1;
        }
        p.keyVersion = change.keyVersion;
        p.key = change.conversationKey;
        pairs.push_back(std::move(p));
    }

    // Messages are encrypted and signed before the clock starts: this measures the server.
    struct Prepared
    {
        QByteArray body;
        QString messageId;
    };
    std::vector<std::vector<Prepared>> outbox(static_cast<size_t>(clientCount));
    for (const Pair &p : pairs) {
        const std::array<int, 2> both{p.a, p.b};
        for (int who : both) {
            const Client &c = clients[static_cast<size_t>(who)];
            xchat::OutgoingActions actions(c.userId, xchat::ActionSigner(c.keys->signing(), c.keyVersion));
            for (int m = 0; m < messages; ++m) {
                auto msg = actions.encryptMessage(
                    p.conversation, p.key, p.keyVersion,
                    xchat::textContent(QStringLiteral("load message %1 from %2").arg(m).arg(who))).value();
                outbox[static_cast<size_t>(who)].push_back({json(msg.requestBody()), msg.messageId});
            }
        }
    }

    std::printf("== load: each client sends %d messages (every 10th sent twice, as a retry would) and reads "
                "its conversation after each\n",
                messages);
    std::fflush(stdout);
    Stats stats;
    int sentUnique = 0;
    QElapsedTimer wall;
    wall.start();
    auto clientLoop = [&](int index, int pairIndex) -> QCoro::Task<void> {
        Client &c = clients[static_cast<size_t>(index)];
        const Pair &p = pairs[static_cast<size_t>(pairIndex)];
        const QUrl send = url(QStringLiteral("/2/chat/conversations/%1/messages").arg(p.pathId));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("max_results"), QStringLiteral("20"));
        const QUrl read = url(QStringLiteral("/2/chat/conversations/%1/events").arg(p.pathId), q);
        int n = 0;
        for (const Prepared &m : outbox[static_cast<size_t>(index)]) {
            const int attempts = (n++ % 10 == 9) ? 2 : 1;
            for (int attempt = 0; attempt < attempts; ++attempt) {
                QElapsedTimer t;
                t.start();
                const auto r = co_await request(*c.nam, "POST", send, c.token, m.body);
                stats.sendMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
                if (r.status != 201)
                    ++stats.errors;
                else if (attempt == 0)
                    ++sentUnique;
            }
            QElapsedTimer t;
            t.start();
            const auto r = co_await request(*c.nam, "GET", read, c.token);
            stats.readMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
            if (r.status != 200)
                ++stats.errors;
        }
    };
    std::vector<QCoro::Task<void>> tasks;
    for (size_t i = 0; i < pairs.size(); ++i) {
        tasks.push_back(clientLoop(pairs[i].a, static_cast<int>(i)));
        tasks.push_back(clientLoop(pairs[i].b, static_cast<int>(i)));
    }
    for (auto &t : tasks)
        co_await t;
    const double seconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;

    // Nothing lost, nothing doubled: page through every conversation.
    int found = 0, duplicates = 0, missing = 0;
    for (const Pair &p : pairs) {
        QSet<QString> seen;
        QString token;
        do {
            QUrlQuery q;
            q.addQueryItem(QStringLiteral("max_results"), QStringLiteral("100"));
            if (!token.isEmpty())
                q.addQueryItem(QStringLiteral("pagination_token"), token);
            const auto r = co_await request(*clients[static_cast<size_t>(p.a)].nam, "GET",
                                            url(QStringLiteral("/2/chat/conversations/%1/events").arg(p.pathId), q),
                                                clients[static_cast<size_t>(p.a)].token);
            const QJsonObject page = QJsonDocument::fromJson(r.body).object();
            for (const QJsonValue &e : page[QStringLiteral("data")].toArray()) {
                const QString id = e[QStringLiteral("id")].toString();
                if (seen.contains(id))
                    ++duplicates;
                seen.insert(id);
            }
            token = page[QStringLiteral("meta")][QStringLiteral("next_token")].toString();
        } while (!token.isEmpty());
        const std::array<int, 2> both{p.a, p.b};
        for (int who : both)
            for (const Prepared &m : outbox[static_cast<size_t>(who)]) {
                if (seen.contains(m.messageId))
                    ++found;
                else
                    ++missing;
            }
    }

    co_return finish(stats, seconds, clientCount, sentUnique, found, missing, duplicates, reportPath);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Load test of confab-localserver over loopback HTTP."));
    parser.addHelpOption();
    const QCommandLineOption server(QStringLiteral("server"), QStringLiteral("The confab-localserver binary."),
                                                                             QStringLiteral("PATH"));
    const QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("Concurrent clients (even)."), QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption messages(
        QStringLiteral("messages"), QStringLiteral("Messages per client."), QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption report(QStringLiteral("report"), QStringLiteral("Write the figures as JSON to FILE."),
                                                                             QStringLiteral("FILE"));
    parser.addOptions({server, clients, messages, report});
    parser.process(app);
    if (!parser.isSet(server)) {
        std::fprintf(stderr, "confab_loadtest: --server PATH is required\n");
        return 2;
    }
    QTemporaryDir dir;
    const QString portFile = dir.filePath(QStringLiteral("port"));
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // Rate limits are raised far above the load, which would otherwise be throttled as X does.
    process.start(parser.value(server),
                  {QStringLiteral("--dev"), QStringLiteral("--port-file"), portFile,
                                                           QStringLiteral("--rate-limit"),
                                                                          QStringLiteral("default=1000000/900")});
    if (!process.waitForStarted()) {
        std::fprintf(stderr, "confab_loadtest: cannot start %s\n", qUtf8Printable(parser.value(server)));
        return 1;
    }
    QFile file(portFile);
    for (int i = 0; i < 100 && !file.exists(); ++i)
        QThread::msleep(50);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "confab_loadtest: the server did not start\n");
        return 1;
    }
    QUrl base(QStringLiteral("http://127.0.0.1"));
    base.setPort(file.readAll().trimmed().toInt());
    int exitCode = 1;
    auto task = run(base, std::max(2, parser.value(clients).toInt() & ~1), std::max(1, parser.value(messages).toInt()),
                    parser.value(report));
    task.then([&exitCode, &app](int code) {
        exitCode = code;
        app.quit();
    });
    app.exec();
    process.terminate();
    process.waitForFinished(5000);
    return exitCode;
}
