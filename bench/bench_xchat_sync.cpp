// The X Chat account engine (XChatAccount) against confab-localserver over loopback HTTP
// (scripts/bench). Reports, never asserts:
//
//  a) the first sync of an account with C conversations x M messages (50 x 1,000): the wall time
//     of XChatAccount::start() until its first sync is done, with the default configuration
//     (initialHistory 200: the newest 200 events of each conversation, older ones on demand) and
//     with initialHistory large enough for the whole history. Messages stored per second (counted
//     from the store's messagesInserted), HTTP exchanges made (HttpClient's observer, retries
//     included), this process's CPU time (getrusage: the GUI thread, the worker pool and the
//     store thread), the server's CPU time, and the size of the sealed SQLite file (+ WAL).
//  b) the steady-state cost of an idle account after the sync: requests per minute and CPU % over
//     a fixed window each with the window inactive, active, and active with a conversation open
//     (setFocusedConversation). Nothing arrives meanwhile.
//
// The history is seeded before any clock starts: C peers, each with its own registered device
// keys, start a 1:1 with the account (POST …/keys) and the messages (every other one from the
// account itself, with its own keys) are encrypted and signed up front with Confab's
// OutgoingActions, then posted over HTTP, one stream per conversation. The account's keys are
// generated and registered here too and saved into its SessionDeviceKeyStore, so start() loads
// them. The server runs as a child process (its CPU is not this process's), with rate limits
// raised far above the load (confab_loadtest does the same): this measures the engine, not X's
// limits. Each sync starts from an empty store file under --dir, housekeeping off.
//
//   confab_bench_xchat --server build/bench/bin/confab-localserver [--conversations 50]
//       [--messages 1000] [--idle-seconds 20] [--dir DIR] [--report FILE] [--quick]

#include "crypto/base64.h"
#include "crypto/identitykeys.h"
#include "crypto/securebytes.h"
#include "net/authprovider.h"
#include "net/httperror.h"
#include "protocols/xchat/account/devicekeystore.h"
#include "protocols/xchat/account/xchataccount.h"
#include "protocols/xchat/actionsigner.h"
#include "protocols/xchat/outgoing.h"
#include "store/outboxdispatcher.h"
#include "store/sealer.h"
#include "store/store.h"
#include "store/storeoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCoro/QCoroNetworkReply>
#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <qcoro/qcorofuture.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using namespace confab;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
};

struct Peer
{
    QString userId;
    QString token;
    std::optional<crypto::IdentityKeys> keys;
    QString keyVersion;
};

struct Settings
{
    QUrl base;
    int conversations = 50;
    int messages = 1000;
    int idleSeconds = 20;
    QString dir;
    qint64 serverPid = 0;
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
    reply->deleteLater();
    co_return out;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString jsonString(const QByteArray &body, const QString &a, const QString &b = {})
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    return b.isEmpty() ? o.value(a).toString() : o.value(a).toObject().value(b).toString();
}

// Request bodies and lists, built outside the coroutines (GCC 12 miscompiles braced initializer
// lists inside coroutine frames).
QByteArray userBody(const QString &run, const QString &who)
{
    return json({{QStringLiteral("username"), QStringLiteral("sx%1_%2").arg(run, who)},
                  {QStringLiteral("name"), QStringLiteral("Sync %1").arg(who)}});
}

QByteArray tokenBody(const QString &userId)
{
    const QJsonArray scopes{QStringLiteral("dm.read"),
        QStringLiteral("dm.write"), QStringLiteral("users.read"), QStringLiteral("tweet.read"),
                                                                                 QStringLiteral("offline.access")};
    return json({{QStringLiteral("user_id"), userId}, {QStringLiteral("scopes"), scopes}});
}

QByteArray registrationBody(const crypto::IdentityKeys &keys)
{
    const auto reg = keys.registration().value();
    auto b64 = [](const QByteArray &bytes) { return QString::fromLatin1(crypto::base64::encodePadded(bytes)); };
    const QJsonObject key{{QStringLiteral("public_key"), b64(reg.identityPublicKeySpki)},
                           {QStringLiteral("signing_public_key"), b64(reg.signingPublicKeySpki)},
                            {QStringLiteral("identity_public_key_signature"), b64(reg.identityKeySignature)},
                             {QStringLiteral("signing_public_key_signature"), b64(reg.signingKeySignature)},
                              {QStringLiteral("public_key_fingerprint"), QString::fromLatin1(reg.fingerprint)},
                               {QStringLiteral("registration_method"), QStringLiteral("CustomPin")}};
    return json({{QStringLiteral("public_key"), key},
                  {QStringLiteral("version"), QString::number(QDateTime::currentMSecsSinceEpoch())},
                   {QStringLiteral("generate_version"), true}});
}

xchat::PreparedConversationChange startConversation(const Peer &from, const Peer &to, const QString &conversation)
{
    xchat::OutgoingActions actions(from.userId, xchat::ActionSigner(from.keys->signing(), from.keyVersion));
    const QList<xchat::Participant> participants{{from.userId, from.keyVersion, from.keys->identity().publicKey()},
                                                 {to.userId, to.keyVersion, to.keys->identity().publicKey()}};
    return actions.prepareConversationKeyChange(conversation, participants).value();
}

/// A text of 20-200 characters, different for every message.
QString messageText(int conversation, int index)
{
    static const QString filler =
        QStringLiteral("the quick brown fox jumps over the lazy dog while the engine syncs its history ");
    const int length = 20 + (index * 37 + conversation * 11) % 181;
    QString text = QStringLiteral("c%1 m%2 ").arg(conversation).arg(index);
    while (text.size() < length)
        text += filler;
    text.truncate(length);
    return text;
}

struct Outgoing
{
    QByteArray body;
    bool fromSelf = false;
};

/// The whole history of one conversation, encrypted and signed, oldest first; every other message
/// is the account's own.
std::vector<Outgoing> prepareHistory(const Peer &self, const Peer &peer, const QString &conversation,
                                     const crypto::SecureBytes &key, const QString &keyVersion, int conversationIndex,
                                     int messages)
{
    xchat::OutgoingActions fromSelf(self.userId, xchat::ActionSigner(self.keys->signing(), self.keyVersion));
    xchat::OutgoingActions fromPeer(peer.userId, xchat::ActionSigner(peer.keys->signing(), peer.keyVersion));
    std::vector<Outgoing> out;
    out.reserve(static_cast<size_t>(messages));
    for (int m = 0; m < messages; ++m) {
        const bool mine = m % 2 == 1;
        auto msg =
            (mine ? fromSelf : fromPeer)
                .encryptMessage(conversation, key, keyVersion, xchat::textContent(messageText(conversationIndex, m)))
                .value();
        out.push_back({json(msg.requestBody()), mine});
    }
    return out;
}

// ---- measuring --------------------------------------------------------------------------------

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto s = [](const timeval &t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(usage.ru_utime) + s(usage.ru_stime);
}

/// utime + stime of another process (the server), from /proc; 0 when unreadable.
double processCpuSeconds(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = f.readAll();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    return (fields[11].toDouble() + fields[12].toDouble()) / ticks; // fields 14 and 15 of stat(5)
}

qint64 storeBytes(const QString &path)
{
    qint64 total = 0;
    const QStringList suffixes{QString(), QStringLiteral("-wal"), QStringLiteral("-shm")};
    for (const QString &suffix : suffixes) {
        const QFileInfo info(path + suffix);
        if (info.exists())
            total += info.size();
    }
    return total;
}

/// What the account asked the server: exchanges by "METHOD /path" with ids folded, and 304s.
struct RequestCounter
{
    int total = 0;
    int notModified = 0;
    int failed = 0;
    QMap<QString, int> byEndpoint;

    void reset() { *this = RequestCounter(); }
    void record(const net::Outcome &outcome)
    {
        static const QRegularExpression id(QStringLiteral("/(?=[^/]*[0-9]{3})[^/]+"));
        ++total;
        if (outcome.status == 304)
            ++notModified;
        else if (outcome.status == 0 || outcome.status >= 400)
            ++failed;
        QString what = outcome.what;
        what.replace(id, QStringLiteral("/{id}"));
        ++byEndpoint[what];
    }
    [[nodiscard]] QJsonObject endpoints() const
    {
        QJsonObject o;
        for (auto it = byEndpoint.begin(); it != byEndpoint.end(); ++it)
            o.insert(it.key(), it.value());
        return o;
    }
};

void printEndpoints(const RequestCounter &counter)
{
    for (auto it = counter.byEndpoint.begin(); it != counter.byEndpoint.end(); ++it)
        std::printf("      %-52s %6d\n", qPrintable(it.key()), it.value());
}

const char *statusName(xchat::XChatAccount::Status status)
{
    switch (status) {
    case xchat::XChatAccount::Status::Stopped: return "stopped";
    case xchat::XChatAccount::Status::Starting: return "starting";
    case xchat::XChatAccount::Status::Syncing: return "syncing";
    case xchat::XChatAccount::Status::Online: return "online";
    case xchat::XChatAccount::Status::Offline: return "offline";
    case xchat::XChatAccount::Status::RateLimited: return "rate limited";
    case xchat::XChatAccount::Status::SignInRequired: return "sign-in required";
    case xchat::XChatAccount::Status::Failed: return "failed";
    }
    return "?";
}

struct Seeded
{
    Peer self;
    qint64 messages = 0;
    double seconds = 0;
};

// ---- seeding ----------------------------------------------------------------------------------

QCoro::Task<Result<Seeded>> seed(Settings settings)
{
    auto url = [&settings](const QString &path) {
        QUrl u = settings.base;
        u.setPath(path);
        return u;
    };
    auto fail = [](const QString &what, const Reply &r) {
        return Error(ErrorKind::Protocol, QStringLiteral("Seeding failed."),
                                                         QStringLiteral("%1: HTTP %2 %3").arg(what).arg(r.status).arg(
                                                             QString::fromUtf8(r.body)));
    };
    QElapsedTimer wall;
    wall.start();
    QNetworkAccessManager admin;
    const QString run = QString::number(QDateTime::currentMSecsSinceEpoch() % 1000000);
    auto makeUser = [&](QString who) -> QCoro::Task<Result<Peer>> {
        Peer p;
        const auto user =
            co_await request(admin, "POST", url(QStringLiteral("/_local/users")), QString(), userBody(run, who));
        p.userId = jsonString(user.body, QStringLiteral("data"), QStringLiteral("id"));
        const auto token =
            co_await request(admin, "POST", url(QStringLiteral("/_local/tokens")), QString(), tokenBody(p.userId));
        p.token = jsonString(token.body, QStringLiteral("access_token"));
        p.keys = crypto::IdentityKeys::generate().value();
        const auto registered = co_await request(admin, "POST",
                                                 url(QStringLiteral("/2/users/%1/public_keys").arg(p.userId)), p.token,
                                                     registrationBody(*p.keys));
        p.keyVersion = jsonString(registered.body, QStringLiteral("data"), QStringLiteral("public_key_version"));
        if (p.userId.isEmpty() || p.token.isEmpty() || p.keyVersion.isEmpty())
            co_return fail(QStringLiteral("creating user %1").arg(who), registered);
        co_return p;
    };

    Seeded out;
    auto self = co_await makeUser(QStringLiteral("me"));
    if (!self)
        co_return self.error();
    out.self = std::move(self).value();
    std::vector<Peer> peers;
    std::vector<std::vector<Outgoing>> histories;
    std::vector<QString> paths;
    for (int c = 0; c < settings.conversations; ++c) {
        auto peer = co_await makeUser(QString::number(c));
        if (!peer)
            co_return peer.error();
        const QString conversation = xchat::directConversationId(peer.value().userId, out.self.userId);
        auto change = startConversation(peer.value(), out.self, conversation);
        const auto started = co_await request(admin, "POST",
                                              url(QStringLiteral("/2/chat/conversations/%1/keys").arg(out.self.userId)),
                                                  peer.value().token, json(change.requestBody));
        if (started.status != 200)
            co_return fail(QStringLiteral("starting a conversation"), started);
        histories.push_back(prepareHistory(out.self, peer.value(), conversation, change.conversationKey,
                                           change.keyVersion, c, settings.messages));
        paths.push_back(xchat::conversationPathId(conversation));
        peers.push_back(std::move(peer).value());
    }
    std::printf("   %d users and conversations, %lld messages encrypted and signed: %.1f s; posting them\n",
                settings.conversations + 1, static_cast<long long>(settings.conversations) * settings.messages,
                static_cast<double>(wall.elapsed()) / 1e3);
    std::fflush(stdout);

    // One stream per conversation, in order, so that the server's sequence follows the history.
    int errors = 0;
    QString firstError;
    // One QNetworkAccessManager for every stream (six connections): one per stream was no faster.
    // Posting runs at about 500 messages/s on 2 cores, most of it in the kernel's socket reads.
    QNetworkAccessManager nam;
    auto post = [&](size_t c) -> QCoro::Task<void> {
        const QUrl send = url(QStringLiteral("/2/chat/conversations/%1/messages").arg(paths[c]));
        for (const Outgoing &m : histories[c]) {
            const QString &token = m.fromSelf ? out.self.token : peers[c].token;
            const auto r = co_await request(nam, "POST", send, token, m.body);
            if (r.status != 201) {
                if (errors++ == 0)
                    firstError = QStringLiteral("HTTP %1 %2").arg(r.status).arg(QString::fromUtf8(r.body.left(300)));
            } else {
                ++out.messages;
            }
        }
    };
    std::vector<QCoro::Task<void>> tasks;
    for (size_t c = 0; c < histories.size(); ++c)
        tasks.push_back(post(c));
    for (auto &t : tasks)
        co_await t;
    out.seconds = static_cast<double>(wall.elapsed()) / 1e3;
    if (errors > 0)
        co_return Error(
            ErrorKind::Protocol,
            QStringLiteral("Seeding failed."),
                           QStringLiteral("%1 messages were refused; the first: %2").arg(errors).arg(firstError));
    co_return out;
}

// ---- the account ------------------------------------------------------------------------------

/// A fresh account on an empty store: the engine, its store, outbox and keys.
struct AccountRig
{
    AccountRig(const Settings &settings, const Peer &self, int initialHistory, const QString &storeName)
        : bearer(self.token)
        , storePath(QDir(settings.dir).filePath(storeName))
    {
        QFile::remove(storePath);
        QFile::remove(storePath + QStringLiteral("-wal"));
        QFile::remove(storePath + QStringLiteral("-shm"));
        config.baseUrl = settings.base;
        config.initialHistory = initialHistory;
    }

    xchat::XChatAccountConfig config;
    net::StaticBearer bearer;
    xchat::SessionDeviceKeyStore keys;
    QString storePath;
    store::Store store;
    std::unique_ptr<store::OutboxDispatcher> dispatcher;
    std::unique_ptr<xchat::XChatAccount> account;
    RequestCounter requests;
    qint64 inserted = 0;
    int rateLimited = 0;
};

xchat::DeviceKeys deviceKeysOf(const Peer &self)
{
    return xchat::DeviceKeys{self.keys->backupBlob(), self.keyVersion};
}

/// Opens the store, saves the device keys and builds the account (not started).
QCoro::Task<Result<void>> prepare(AccountRig &rig, Peer self)
{
    store::StoreOptions options;
    options.path = rig.storePath;
    options.housekeepingIntervalMs = 0;
    store::FixedSealingKey sealing(crypto::SecureBytes::random(store::SealingKeySize));
    auto opened = co_await rig.store.open(options, sealing);
    if (!opened)
        co_return opened.error();
    auto saved = co_await rig.keys.save(self.userId, deviceKeysOf(self));
    if (!saved)
        co_return saved.error();
    rig.dispatcher = std::make_unique<store::OutboxDispatcher>(rig.store);
    rig.account = std::make_unique<xchat::XChatAccount>(rig.config, rig.bearer, rig.keys, rig.store, *rig.dispatcher);
    RequestCounter *counter = &rig.requests;
    rig.account->http().setObserver([counter](const net::Outcome &outcome) { counter->record(outcome); });
    QObject::connect(&rig.store, &store::Store::messagesInserted, rig.account.get(),
                     [&rig](qint64, const QList<store::Message> &messages, const store::MessageKeyRange &) {
                         rig.inserted += messages.size();
                     });
    QObject::connect(&rig.account->http(), &net::HttpClient::rateLimited, rig.account.get(),
                     [&rig] { ++rig.rateLimited; });
    co_return Result<void>();
}

QCoro::Task<QJsonObject> firstSync(Settings settings, AccountRig &rig, Peer self, QString label)
{
    QJsonObject result;
    result.insert(QStringLiteral("label"), label);
    result.insert(QStringLiteral("initial_history"), rig.config.initialHistory);
    const qint64 expected =
        static_cast<qint64>(settings.conversations) * std::min(rig.config.initialHistory, settings.messages);
    result.insert(QStringLiteral("expected_messages"), expected);
    auto prepared = co_await prepare(rig, self);
    if (!prepared) {
        result.insert(QStringLiteral("error"), prepared.error().toString());
        co_return result;
    }
    rig.requests.reset();
    rig.inserted = 0;
    const double cpu0 = cpuSeconds();
    const double server0 = processCpuSeconds(settings.serverPid);
    QElapsedTimer wall;
    wall.start();
    auto started = co_await rig.account->start();
    const double seconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;
    const double cpu = cpuSeconds() - cpu0;
    const double serverCpu = processCpuSeconds(settings.serverPid) - server0;
    if (!started)
        result.insert(QStringLiteral("error"), started.error().toString());
    const qint64 bytes = storeBytes(rig.storePath);
    result.insert(QStringLiteral("seconds"), seconds);
    result.insert(QStringLiteral("messages"), rig.inserted);
    result.insert(QStringLiteral("messages_per_second"), static_cast<double>(rig.inserted) / seconds);
    result.insert(QStringLiteral("requests"), rig.requests.total);
    result.insert(QStringLiteral("requests_failed"), rig.requests.failed);
    result.insert(QStringLiteral("rate_limited"), rig.rateLimited);
    result.insert(QStringLiteral("requests_by_endpoint"), rig.requests.endpoints());
    result.insert(QStringLiteral("cpu_seconds"), cpu);
    result.insert(QStringLiteral("cpu_percent"), 100.0 * cpu / seconds);
    result.insert(QStringLiteral("server_cpu_seconds"), serverCpu);
    result.insert(QStringLiteral("store_bytes"), bytes);
    result.insert(QStringLiteral("status"), QString::fromLatin1(statusName(rig.account->status())));

    std::printf("\n  first sync, %s (initialHistory %d)%s\n", qPrintable(label), rig.config.initialHistory,
                started ? "" : qPrintable(QStringLiteral(": FAILED: ") + started.error().toString()));
    std::printf("    wall time        %8.2f s   (start() until the first sync is done; status %s)\n", seconds,
                statusName(rig.account->status()));
    std::printf("    messages stored  %8lld     (expected %lld) = %.0f messages/s\n",
                static_cast<long long>(rig.inserted), static_cast<long long>(expected),
                static_cast<double>(rig.inserted) / seconds);
    std::printf("    requests         %8d     (%d failed, %d rate-limited)\n", rig.requests.total, rig.requests.failed,
                rig.rateLimited);
    printEndpoints(rig.requests);
    std::printf("    CPU              %8.2f s   (%.0f%% of one core; the server: %.2f s)\n", cpu, 100.0 * cpu / seconds,
                serverCpu);
    std::printf("    store file       %8.1f MiB (%.0f B/message, WAL included)\n",
                static_cast<double>(bytes) / 1048576.0,
                rig.inserted > 0 ? static_cast<double>(bytes) / static_cast<double>(rig.inserted) : 0.0);
    std::fflush(stdout);
    co_return result;
}

QCoro::Task<QJsonObject> idleWindow(Settings settings, AccountRig &rig, QString label, bool active, bool focused)
{
    xchat::XChatAccount &account = *rig.account;
    account.setFocusedConversation(0);
    account.setWindowActive(active);
    if (focused) {
        auto list = co_await rig.store.conversations(account.accountId(), 1);
        if (list && !list.value().isEmpty())
            account.setFocusedConversation(list.value().first().id);
    }
    rig.requests.reset();
    const int inserted0 = static_cast<int>(rig.inserted);
    const double cpu0 = cpuSeconds();
    const double server0 = processCpuSeconds(settings.serverPid);
    QElapsedTimer wall;
    wall.start();
    co_await QCoro::sleepFor(std::chrono::seconds(settings.idleSeconds));
    const double seconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;
    const double cpu = cpuSeconds() - cpu0;
    const double serverCpu = processCpuSeconds(settings.serverPid) - server0;
    const double perMinute = 60.0 * rig.requests.total / seconds;

    QJsonObject result;
    result.insert(QStringLiteral("label"), label);
    result.insert(QStringLiteral("window_active"), active);
    result.insert(QStringLiteral("focused_conversation"), focused);
    result.insert(QStringLiteral("seconds"), seconds);
    result.insert(QStringLiteral("requests"), rig.requests.total);
    result.insert(QStringLiteral("requests_not_modified"), rig.requests.notModified);
    result.insert(QStringLiteral("requests_failed"), rig.requests.failed);
    result.insert(QStringLiteral("requests_per_minute"), perMinute);
    result.insert(QStringLiteral("requests_by_endpoint"), rig.requests.endpoints());
    result.insert(QStringLiteral("messages_inserted"), static_cast<int>(rig.inserted) - inserted0);
    result.insert(QStringLiteral("cpu_seconds"), cpu);
    result.insert(QStringLiteral("cpu_percent"), 100.0 * cpu / seconds);
    result.insert(QStringLiteral("server_cpu_seconds"), serverCpu);
    result.insert(QStringLiteral("status"), QString::fromLatin1(statusName(account.status())));
    std::printf("\n  idle, %s: %.0f s\n", qPrintable(label), seconds);
    std::printf("    requests         %8d     = %.1f/minute (%d answered 304 Not Modified, %d failed)\n",
                rig.requests.total, perMinute, rig.requests.notModified, rig.requests.failed);
    printEndpoints(rig.requests);
    std::printf("    CPU              %8.3f s   = %.2f%% of one core (the server: %.3f s)\n", cpu,
                100.0 * cpu / seconds, serverCpu);
    std::fflush(stdout);
    co_return result;
}

QCoro::Task<int> run(Settings settings, QString reportPath, bool quick)
{
    std::printf("== seeding: %d conversations x %d messages (not measured)\n", settings.conversations,
                settings.messages);
    std::fflush(stdout);
    auto seeded = co_await seed(settings);
    if (!seeded) {
        std::fprintf(stderr, "confab_bench_xchat: %s\n", qPrintable(seeded.error().toString()));
        co_return 1;
    }
    std::printf("   %lld messages on the server after %.1f s\n", static_cast<long long>(seeded.value().messages),
                seeded.value().seconds);
    const Peer &self = seeded.value().self;

    QJsonArray syncs;
    QJsonArray idle;
    std::printf("\nConfab X Chat account engine against confab-localserver (loopback, %d CPUs)\n",
                QThread::idealThreadCount());
    {
        AccountRig rig(settings, self, xchat::XChatAccountConfig().initialHistory, QStringLiteral("xchat-default.db"));
        syncs.append(co_await firstSync(settings, rig, self, QStringLiteral("default")));
        if (rig.account && rig.account->accountId() != 0) {
            idle.append(co_await idleWindow(settings, rig, QStringLiteral("window inactive"), false, false));
            idle.append(co_await idleWindow(settings, rig, QStringLiteral("window active"), true, false));
            idle.append(
                co_await idleWindow(settings, rig, QStringLiteral("window active, a conversation open"), true, true));
        }
        rig.account.reset();
        rig.dispatcher.reset();
        co_await rig.store.close();
    }
    {
        AccountRig rig(settings, self, settings.messages + 1000, QStringLiteral("xchat-all.db"));
        syncs.append(co_await firstSync(settings, rig, self, QStringLiteral("whole history")));
        rig.account.reset();
        rig.dispatcher.reset();
        co_await rig.store.close();
    }

    QJsonObject report;
    report.insert(QStringLiteral("quick"), quick);
    report.insert(QStringLiteral("cpus"), QThread::idealThreadCount());
    report.insert(QStringLiteral("conversations"), settings.conversations);
    report.insert(QStringLiteral("messages_per_conversation"), settings.messages);
    report.insert(QStringLiteral("seeded_messages"), seeded.value().messages);
    report.insert(QStringLiteral("seed_seconds"), seeded.value().seconds);
    report.insert(QStringLiteral("idle_window_seconds"), settings.idleSeconds);
    const xchat::XChatAccountConfig defaults;
    report.insert(QStringLiteral("active_poll_ms"), defaults.activePollMs);
    report.insert(QStringLiteral("idle_poll_ms"), defaults.idlePollMs);
    report.insert(QStringLiteral("page_size"), defaults.pageSize);
    report.insert(QStringLiteral("first_sync"), syncs);
    report.insert(QStringLiteral("idle"), idle);
    if (!reportPath.isEmpty()) {
        QFile f(reportPath);
        if (f.open(QIODevice::WriteOnly))
            f.write(QJsonDocument(report).toJson());
        std::printf("\n(written to %s)\n", qPrintable(reportPath));
    }
    co_return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The X Chat account engine's first sync and idle cost against confab-localserver."));
    parser.addHelpOption();
    const QCommandLineOption server(QStringLiteral("server"), QStringLiteral("The confab-localserver binary."),
                                                                             QStringLiteral("PATH"));
    const QCommandLineOption conversations(QStringLiteral("conversations"), QStringLiteral("Conversations (default 50; 10 with --quick)."), QStringLiteral("N"));
    const QCommandLineOption messages(
        QStringLiteral("messages"), QStringLiteral("Messages per conversation (default 1000; 200 with --quick)."),
                                                   QStringLiteral("N"));
    const QCommandLineOption idleSeconds(
        QStringLiteral("idle-seconds"), QStringLiteral("Length of each idle window (default 20; 5 with --quick)."),
                                                       QStringLiteral("S"));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("Where the store files go (default: a temporary directory)."), QStringLiteral("DIR"));
    const QCommandLineOption report(QStringLiteral("report"), QStringLiteral("Write the figures as JSON to FILE."),
                                                                             QStringLiteral("FILE"));
    const QCommandLineOption quick(QStringLiteral("quick"), QStringLiteral("10 conversations x 200, 5 s windows."));
    parser.addOptions({server, conversations, messages, idleSeconds, dir, report, quick});
    parser.process(app);
    if (!parser.isSet(server)) {
        std::fprintf(stderr, "confab_bench_xchat: --server PATH is required\n");
        return 2;
    }
    const bool isQuick = parser.isSet(quick);
    Settings settings;
    settings.conversations = std::max(1, parser.value(conversations).toInt());
    settings.messages = std::max(1, parser.value(messages).toInt());
    settings.idleSeconds = std::max(1, parser.value(idleSeconds).toInt());
    if (!parser.isSet(conversations))
        settings.conversations = isQuick ? 10 : 50;
    if (!parser.isSet(messages))
        settings.messages = isQuick ? 200 : 1000;
    if (!parser.isSet(idleSeconds))
        settings.idleSeconds = isQuick ? 5 : 20;

    QTemporaryDir temp(parser.isSet(dir) ? QDir(parser.value(dir))
                                               .filePath(QStringLiteral("xchat-XXXXXX"))
                                         : QDir::tempPath() + QStringLiteral("/confab-bench-xchat-XXXXXX"));
    if (!temp.isValid()) {
        std::fprintf(stderr, "confab_bench_xchat: cannot create a directory for the store files\n");
        return 1;
    }
    settings.dir = temp.path();
    const QString portFile = temp.filePath(QStringLiteral("port"));
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // The server ends with this process, even when it crashes.
    process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGTERM); });
    // Rate limits are raised far above the load, which would otherwise be throttled as X does.
    process.start(parser.value(server),
                  {QStringLiteral("--dev"), QStringLiteral("--port-file"), portFile,
                                                           QStringLiteral("--rate-limit"),
                                                                          QStringLiteral("default=1000000/900")});
    if (!process.waitForStarted()) {
        std::fprintf(stderr, "confab_bench_xchat: cannot start %s\n", qUtf8Printable(parser.value(server)));
        return 1;
    }
    settings.serverPid = process.processId();
    QFile file(portFile);
    for (int i = 0; i < 100 && !file.exists(); ++i)
        QThread::msleep(50);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "confab_bench_xchat: the server did not start\n");
        return 1;
    }
    settings.base = QUrl(QStringLiteral("http://127.0.0.1"));
    settings.base.setPort(file.readAll().trimmed().toInt());
    int exitCode = 1;
    auto task = run(settings, parser.value(report), isQuick);
    task.then([&exitCode, &app](int code) {
        exitCode = code;
        app.quit();
    });
    app.exec();
    process.terminate();
    process.waitForFinished(5000);
    return exitCode;
}
