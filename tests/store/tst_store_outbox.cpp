// The durable outbox end to end, against a real confab-localserver in this process:
//
// - crashAndRestart: a child process (store_crash_child) writes and sends messages through the
//   outbox and is killed with SIGKILL at random moments, many times; then it runs to the end.
//   Afterwards the store holds every message once, sent, in order, intact, and the server holds
//   each of them exactly once (the outbox reuses the message id; the server deduplicates).
// - the dispatcher against the server's fault injection: transient failures (5xx, 429, dropped
//   connections, answers cut short, timeouts) are retried with backoff until sent, exactly once;
//   a refusal (4xx) ends Failed with a reason for the person and is not retried; manual retry;
//   discard; no transport (offline) sends nothing, and sending resumes with one.

#include "chatharness.h"
#include "crashconfig.h"
#include "crypto/securebytes.h"
#include "protocols/xchat/eventverifier.h"
#include "store/outboxdispatcher.h"
#include "store/store.h"
#include "xchattransport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

using namespace confab;
using namespace confab::localserver::test;
namespace st = confab::store;

namespace {

/// Crash rounds: SIGKILLs at a random moment of the child's life, up to MaxKillDelayMs after it
/// started; one round in six within its first StartupKillMs, so that the store's open and
/// recovery get killed too.
/// CONFAB_CRASH_ROUNDS and CONFAB_CRASH_MESSAGES override them (soak runs).
constexpr int CrashRounds = 36;
constexpr int CrashMessages = 600;
constexpr int MaxKillDelayMs = 400;
constexpr int StartupKillMs = 20;

/// Waits (event loop running) for a store future.
template<typename T>
Result<T> take(QFuture<Result<T>> future, int timeoutMs = 30000)
{
    if (!QTest::qWaitFor([&future] { return future.isFinished(); }, timeoutMs))
        return Error(ErrorKind::Timeout, QStringLiteral("The store did not answer in time."));
    return future.result();
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool isTextual(const QByteArray &contentType)
{
    return contentType.contains("json") || contentType.startsWith("text/");
}

/// Records what the transport received next to the ApiClient's records, in the same format, so
/// that localserver_openapi validates it too.
void recordExchange(const st::test::Exchange &e)
{
    static QFile file;
    if (!file.isOpen()) {
        const QString dir = QFileInfo(responsesFile()).absolutePath();
        QDir().mkpath(dir);
        file.setFileName(QDir(dir).filePath(QCoreApplication::applicationName() + QStringLiteral(".transport.jsonl")));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
            qFatal("cannot record responses in %s", qPrintable(file.fileName()));
    }
    QJsonObject o;
    o.insert(QStringLiteral("test"), QCoreApplication::applicationName());
    o.insert(QStringLiteral("function"), QString::fromLatin1(QTest::currentTestFunction()));
    o.insert(QStringLiteral("method"), QString::fromLatin1(e.method));
    o.insert(QStringLiteral("path"), e.path);
    o.insert(QStringLiteral("query"), QString());
    o.insert(QStringLiteral("status"), e.status);
    o.insert(QStringLiteral("content_type"), QString::fromLatin1(e.contentType));
    o.insert(QStringLiteral("body_size"), e.body.size());
    if (e.status == 0 || e.cutShort)
        o.insert(QStringLiteral("error"), e.errorString.isEmpty() ? QStringLiteral("network error") : e.errorString);
    if (isTextual(e.contentType))
        o.insert(QStringLiteral("body"), QString::fromUtf8(e.body));
    file.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    file.flush();
}

/// A message as the server's reader sees it, verified and decrypted.
struct ServerMessage
{
    QString messageId;
    qint64 sequence = 0;
    QString senderId;
    QString text;
};

/// Every event of a conversation as `viewer` reads it (all pages), oldest first. Fails unless
/// every event verifies and is a text message.
Result<QList<ServerMessage>> serverMessages(Harness &harness, ChatUser &viewer, const QString &conversationId)
{
    QList<ServerMessage> out;
    QString token;
    for (int page = 0; page < 10000; ++page) {
        QUrlQuery query{{QStringLiteral("max_results"), QStringLiteral("100")}};
        if (!token.isEmpty())
            query.addQueryItem(QStringLiteral("pagination_token"), token);
        Result<EventsPage> events = harness.events(viewer, conversationId, query);
        if (!events)
            return events.error();
        const EventsPage &p = events.value();
        if (!p.batch.eventErrors.empty()) {
            const QString why = p.batch.eventErrors.front().second.toString();
            return Error(ErrorKind::Crypto, QStringLiteral("An event did not verify."), why);
        }
        if (p.batch.events.size() != static_cast<std::size_t>(p.decoded.size()))
            return Error(ErrorKind::Protocol, QStringLiteral("The page has events that were not processed."));
        for (const xchat::VerifiedEvent &e : p.batch.events) {
            if (e.type != xchat::EventType::Message || e.contentType != xchat::ContentType::Text || !e.verified) {
                const QString what = QStringLiteral("The event at sequence %1 is not a text message.");
                return Error(ErrorKind::Protocol, what.arg(e.sequenceId));
            }
            ServerMessage m;
            m.messageId = e.messageId;
            m.sequence = e.sequenceId.toLongLong();
            m.senderId = e.senderId;
            m.text = QString::fromStdString(e.contents.contents.message.message_text);
            out.append(m);
        }
        token = p.meta.value(QLatin1String("next_token")).toString();
        if (token.isEmpty())
            break;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

/// How many times each id occurs among the server's messages.
QHash<QString, int> idCounts(const QList<ServerMessage> &messages)
{
    QHash<QString, int> counts;
    for (const ServerMessage &m : messages)
        ++counts[m.messageId];
    return counts;
}

/// What the parent saw of all the child's runs.
struct CrashStats
{
    int runs = 0;
    int kills = 0;
    int killsBeforeOpen = 0;    ///< the store was still opening (or the process starting)
    int killsWhileWriting = 0;  ///< not all messages were in the outbox yet
    int killsWhileSending = 0;  ///< all written, some unsent
    int finishedBeforeKill = 0; ///< the child was done before its kill came
    int interrupted = 0;        ///< "sending" entries found at open (an attempt cut by a kill)
    int replays = 0;            ///< answers with the event an earlier (killed) attempt stored
    int sentLines = 0;
    int enqueuedLines = 0;
    int highestEnqueued = -1;
    int total = 0; ///< messages the child sends in all
};

} // namespace

class OutboxTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void crashAndRestart();

    void transientFailuresAreRetried();
    void timeoutsAreRetried();
    void refusalFailsForGood();
    void manualRetryAfterRecovery();
    void discardRemoves();
    void offlineStopsAndResumes();
    void orderKeptAcrossRetries();
    void offlineDuringClaimCostsNoAttempt();

private:
    /// One store with sam's account, the sam-kim conversation, a dispatcher and sam's transport.
    struct Session
    {
        QTemporaryDir dir;
        st::Store store;
        std::unique_ptr<st::test::XChatTransport> transport;
        std::unique_ptr<st::OutboxDispatcher> dispatcher;
        qint64 accountId = 0;
        qint64 conversationId = 0;
        ~Session()
        {
            dispatcher.reset();
            transport.reset();
        }
    };
    static st::OutboxPolicy fastPolicy();
    void openSession(Session &s, const st::OutboxPolicy &policy = fastPolicy());
    std::unique_ptr<st::test::XChatTransport> transportFor(const ChatUser &user) const;
    void addConversation(Session &s, qint64 accountId, const QString &remoteId, st::ConversationKind kind,
                         qint64 *conversationId);
    void enqueue(Session &s, qint64 conversationId, const ChatUser &from, const Conversation &c, const QString &text,
                 st::Message *saved);
    /// `POST /_local/faults` with `json` (see Service::registerLocalRoutes for the fields).
    void setFaults(const char *json);
    void clearFaults();
    void runChild(const QString &configPath, int killAfterMs, CrashStats &stats);
    void verifySentOnce(const QList<st::Message> &messages, ChatUser &viewer, const Conversation &c);

    std::unique_ptr<Harness> m_harness;
    ChatUser *m_sam = nullptr;
    ChatUser *m_maya = nullptr;
    ChatUser *m_kim = nullptr;
    Conversation m_crashConversation; ///< sam-maya: the crash test's alone
    Conversation m_direct;            ///< sam-kim: the dispatcher tests'
    Conversation m_group;             ///< maya and kim, without sam
    QString m_childResponses;
    QTemporaryDir m_scratch;
};

// ---- set-up ---------------------------------------------------------------------------------

void OutboxTest::initTestCase()
{
    qRegisterMetaType<confab::Error>();
    QVERIFY(QFileInfo(QStringLiteral(STORE_CRASH_CHILD)).isExecutable());
    QVERIFY(m_scratch.isValid());
    m_childResponses = m_scratch.filePath(QStringLiteral("child-responses"));
    m_harness = std::make_unique<Harness>();
    CONFAB_VERIFY_OK(m_harness->start());
    auto sam = m_harness->addUser(QStringLiteral("sam"));
    CONFAB_VERIFY_OK(sam);
    auto maya = m_harness->addUser(QStringLiteral("maya"));
    CONFAB_VERIFY_OK(maya);
    auto kim = m_harness->addUser(QStringLiteral("kim"));
    CONFAB_VERIFY_OK(kim);
    m_sam = sam.value();
    m_maya = maya.value();
    m_kim = kim.value();
    auto crash = m_harness->startDirect(*m_sam, *m_maya);
    CONFAB_VERIFY_OK(crash);
    m_crashConversation = crash.value();
    auto direct = m_harness->startDirect(*m_sam, *m_kim);
    CONFAB_VERIFY_OK(direct);
    m_direct = direct.value();
    auto group = m_harness->createGroup(*m_maya, {m_kim}, QStringLiteral("Book club"));
    CONFAB_VERIFY_OK(group);
    m_group = group.value();
}

void OutboxTest::cleanup()
{
    clearFaults();
}

st::OutboxPolicy OutboxTest::fastPolicy()
{
    st::OutboxPolicy policy;
    policy.initialDelayMs = 50;
    policy.maxDelayMs = 200;
    policy.maxAutomaticAttempts = 100;
    return policy;
}

std::unique_ptr<st::test::XChatTransport> OutboxTest::transportFor(const ChatUser &user) const
{
    auto transport = std::make_unique<st::test::XChatTransport>(m_harness->server().baseUrl(), user.token());
    transport->setExchangeObserver(recordExchange);
    return transport;
}

void OutboxTest::openSession(Session &s, const st::OutboxPolicy &policy)
{
    QVERIFY(s.dir.isValid());
    st::StoreOptions options;
    options.path = s.dir.filePath(QStringLiteral("store.db"));
    options.outbox = policy;
    options.housekeepingIntervalMs = 0;
    st::FixedSealingKey key{crypto::SecureBytes::random(st::SealingKeySize)};
    auto opened = take(s.store.open(options, key));
    CONFAB_VERIFY_OK(opened);
    auto account = take(s.store.upsertAccount(st::AccountKind::XChat, m_sam->id));
    CONFAB_VERIFY_OK(account);
    s.accountId = account.value().id;
    addConversation(s, s.accountId, m_direct.id, st::ConversationKind::Direct, &s.conversationId);
    if (QTest::currentTestFailed())
        return;
    s.transport = transportFor(*m_sam);
    s.dispatcher = std::make_unique<st::OutboxDispatcher>(s.store);
    s.dispatcher->setTransport(s.accountId, s.transport.get());
}

void OutboxTest::addConversation(Session &s, qint64 accountId, const QString &remoteId, st::ConversationKind kind,
                                 qint64 *conversationId)
{
    st::ConversationInput input;
    input.accountId = accountId;
    input.remoteId = remoteId;
    input.kind = kind;
    auto conversation = take(s.store.upsertConversation(input));
    CONFAB_VERIFY_OK(conversation);
    *conversationId = conversation.value().id;
}

void OutboxTest::enqueue(Session &s, qint64 conversationId, const ChatUser &from, const Conversation &c,
                         const QString &text, st::Message *saved)
{
    auto encrypted = m_harness->encryptText(from, c, text);
    CONFAB_VERIFY_OK(encrypted);
    st::OutgoingMessage out;
    out.remoteId = encrypted.value().messageId;
    out.senderId = from.id;
    out.text = text;
    out.payload = QJsonDocument(encrypted.value().requestBody()).toJson(QJsonDocument::Compact);
    auto message = take(s.store.enqueue(conversationId, out));
    CONFAB_VERIFY_OK(message);
    QCOMPARE(message.value().delivery, st::DeliveryState::Pending);
    QCOMPARE(message.value().remoteId, out.remoteId);
    *saved = message.value();
}

void OutboxTest::setFaults(const char *json)
{
    QJsonParseError parse{};
    const QJsonDocument fault = QJsonDocument::fromJson(json, &parse);
    QVERIFY2(parse.error == QJsonParseError::NoError && fault.isObject(), json);
    CONFAB_EXPECT_STATUS(m_harness->api().postJson(QStringLiteral("/_local/faults"), fault.object()), 201);
}

void OutboxTest::clearFaults()
{
    if (m_harness)
        CONFAB_EXPECT_STATUS(m_harness->api().deleteResource(QStringLiteral("/_local/faults")), 200);
}

/// Every message in `messages` is Sent, and the server has each exactly once with its sequence.
void OutboxTest::verifySentOnce(const QList<st::Message> &messages, ChatUser &viewer, const Conversation &c)
{
    auto server = serverMessages(*m_harness, viewer, c.id);
    CONFAB_VERIFY_OK(server);
    const QHash<QString, int> counts = idCounts(server.value());
    for (const st::Message &m : messages) {
        QCOMPARE(m.delivery, st::DeliveryState::Sent);
        QVERIFY(!m.key.pending);
        QCOMPARE(counts.value(m.remoteId), 1);
        const auto it = std::find_if(server.value().cbegin(), server.value().cend(),
                                     [&m](const ServerMessage &s) { return s.messageId == m.remoteId; });
        QCOMPARE(it->sequence, m.key.sortKey);
        QCOMPARE(it->text, m.text);
    }
}

// ---- the crash test -------------------------------------------------------------------------

void OutboxTest::runChild(const QString &configPath, int killAfterMs, CrashStats &stats)
{
    QProcess child;
    child.setProgram(QStringLiteral(STORE_CRASH_CHILD));
    child.setArguments({configPath});
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // The child records no responses; should it ever, a SIGKILL must not cut the shared records.
    env.insert(QStringLiteral("CONFAB_LOCALSERVER_RESPONSES_DIR"), m_childResponses);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("confab.*.info=false"));
    child.setProcessEnvironment(env);
    QTimer killer;
    killer.setSingleShot(true);
    bool killed = false;
    connect(&killer, &QTimer::timeout, &child, [&child, &killed] {
        killed = true;
        child.kill();
    });
    connect(&child, &QProcess::started, &killer, [&killer, killAfterMs] {
        if (killAfterMs >= 0)
            killer.start(killAfterMs);
    });
    child.start();
    // The server answers the child from this event loop meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(child.state() == QProcess::NotRunning, 60000);
    QVERIFY2(child.error() != QProcess::FailedToStart, qPrintable(child.errorString()));
    ++stats.runs;
    const QByteArray err = child.readAllStandardError();
    const QList<QByteArray> lines = child.readAllStandardOutput().split('\n');
    bool opened = false;
    bool done = false;
    for (const QByteArray &l : lines) {
        const QString text = QString::fromUtf8(l);
        const QStringList words = text.split(QLatin1Char(' '));
        if (text.startsWith(QLatin1String("opened "))) {
            opened = true;
            for (const QString &w : words) {
                if (w.startsWith(QLatin1String("interrupted=")))
                    stats.interrupted += w.mid(12).toInt();
                if (w == QLatin1String("recreated=1"))
                    QVERIFY2(stats.highestEnqueued < 0, "the store was moved aside and recreated after messages "
                                                        "had been written to it");
            }
        } else if (text.startsWith(QLatin1String("enqueued "))) {
            ++stats.enqueuedLines;
            stats.highestEnqueued = std::max(stats.highestEnqueued, words.value(1).toInt());
        } else if (text.startsWith(QLatin1String("sent "))) {
            ++stats.sentLines;
        } else if (text.startsWith(QLatin1String("replay "))) {
            ++stats.replays;
        } else if (text == QLatin1String("done")) {
            done = true;
        }
    }
    if (qEnvironmentVariableIsSet("CONFAB_CRASH_VERBOSE"))
        qInfo("run %d: kill after %d ms, %s, %d lines, last: %s", stats.runs, killAfterMs,
              child.exitStatus() == QProcess::CrashExit ? "killed" : "exited", int(lines.size()),
              lines.size() > 1 ? lines.at(lines.size() - 2).constData() : "");
    if (child.exitStatus() == QProcess::CrashExit) {
        const QString why = QStringLiteral("the child crashed by itself: ") + QString::fromUtf8(err);
        QVERIFY2(killed, qPrintable(why));
        ++stats.kills;
        if (!opened)
            ++stats.killsBeforeOpen;
        else if (stats.highestEnqueued < stats.total - 1)
            ++stats.killsWhileWriting;
        else
            ++stats.killsWhileSending;
        return;
    }
    const QString exited = QStringLiteral("the child exited with %1: %2").arg(child.exitCode());
    QVERIFY2(child.exitCode() == 0, qPrintable(exited.arg(QString::fromUtf8(err))));
    QVERIFY(done);
    if (killAfterMs >= 0)
        ++stats.finishedBeforeKill;
}

void OutboxTest::crashAndRestart()
{
    const crypto::SecureBytes sealing = crypto::SecureBytes::random(st::SealingKeySize);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    st::test::CrashChildConfig config;
    config.baseUrl = m_harness->server().baseUrl();
    config.userId = m_sam->id;
    config.token = m_sam->token();
    config.identityBackup = m_sam->keys.backupBlob().toByteArray();
    config.publicKeyVersion = m_sam->keyVersion;
    config.conversationId = m_crashConversation.id;
    config.pathId = m_crashConversation.pathId;
    config.conversationKey = m_crashConversation.key.toByteArray();
    config.conversationKeyVersion = m_crashConversation.keyVersion;
    config.storePath = dir.filePath(QStringLiteral("outbox.db"));
    config.sealingKey = sealing.toByteArray();
    const int rounds = qEnvironmentVariableIsSet("CONFAB_CRASH_ROUNDS")
                           ? qEnvironmentVariableIntValue("CONFAB_CRASH_ROUNDS")
                           : CrashRounds;
    const int total = qEnvironmentVariableIsSet("CONFAB_CRASH_MESSAGES")
                          ? qEnvironmentVariableIntValue("CONFAB_CRASH_MESSAGES")
                          : CrashMessages;
    QVERIFY(rounds >= 0 && total > 0);
    config.total = total;
    config.enqueueIntervalMs = 10;
    config.housekeepingIntervalMs = 150; // checkpoints get killed too
    const QString configPath = dir.filePath(QStringLiteral("child.json"));
    {
        QFile file(configPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(config.toJson()).toJson());
    }

    bool seeded = false;
    quint32 seed = qEnvironmentVariable("CONFAB_CRASH_SEED").toUInt(&seeded);
    if (!seeded)
        seed = QRandomGenerator::system()->generate();
    qInfo("crash test seed %u (set CONFAB_CRASH_SEED to repeat the kill delays)", seed);
    QRandomGenerator rng(seed);

    CrashStats stats;
    stats.total = total;
    for (int round = 0; round < rounds; ++round) {
        const int delay = rng.bounded(6) == 0 ? rng.bounded(StartupKillMs) : rng.bounded(MaxKillDelayMs);
        runChild(configPath, delay, stats);
        if (QTest::currentTestFailed())
            return;
    }
    runChild(configPath, -1, stats);
    if (QTest::currentTestFailed())
        return;
    qInfo("crash test: %d runs, %d killed with SIGKILL (%d while starting or opening, %d while writing and sending, "
          "%d with everything written and sends left), %d finished before their kill; %d messages written, %d "
          "\"sent\" records, %d sends found interrupted at restart, %d resends answered with the event the server "
          "already had",
          stats.runs, stats.kills, stats.killsBeforeOpen, stats.killsWhileWriting, stats.killsWhileSending,
          stats.finishedBeforeKill, stats.enqueuedLines, stats.sentLines, stats.interrupted, stats.replays);
    QVERIFY(rounds == 0 || stats.kills > 0);

    // The store: every message once, sent, in the order written, intact.
    QStringList remoteIds;
    QList<qint64> sequences;
    {
        st::Store store;
        st::StoreOptions options;
        options.path = config.storePath;
        options.housekeepingIntervalMs = 0;
        st::FixedSealingKey key{sealing};
        auto opened = take(store.open(options, key));
        CONFAB_VERIFY_OK(opened);
        QVERIFY(!opened.value().recreated);
        QCOMPARE(opened.value().interruptedSends, 0);
        auto accounts = take(store.accounts());
        CONFAB_VERIFY_OK(accounts);
        QCOMPARE(accounts.value().size(), 1);
        QCOMPARE(accounts.value().constFirst().remoteId, m_sam->id);
        auto conversation = take(store.conversationByRemoteId(accounts.value().constFirst().id, config.conversationId));
        CONFAB_VERIFY_OK(conversation);
        QVERIFY(conversation.value().has_value());
        auto newest = take(store.newestMessages(conversation.value()->id, total + 10));
        CONFAB_VERIFY_OK(newest);
        QList<st::Message> messages = newest.value();
        std::reverse(messages.begin(), messages.end());
        QCOMPARE(messages.size(), total);
        auto unsent = take(store.unsent());
        CONFAB_VERIFY_OK(unsent);
        QVERIFY(unsent.value().isEmpty());
        QSet<QString> unique;
        qint64 previous = 0;
        for (int i = 0; i < messages.size(); ++i) {
            const st::Message &m = messages.at(i);
            QCOMPARE(m.text, st::test::crashMessageText(i));
            QCOMPARE(m.delivery, st::DeliveryState::Sent);
            QVERIFY(!m.key.pending);
            QVERIFY2(m.key.sortKey > previous, qPrintable(QStringLiteral("message %1 is out of order").arg(i)));
            previous = m.key.sortKey;
            QVERIFY(m.outgoing);
            QCOMPARE(m.senderId, m_sam->id);
            QVERIFY(!m.remoteId.isEmpty());
            unique.insert(m.remoteId);
            remoteIds.append(m.remoteId);
            sequences.append(m.key.sortKey);
        }
        QCOMPARE(unique.size(), total);
        CONFAB_VERIFY_OK(take(store.close()));
    }

    // The file, with a connection of our own: intact, nothing left in the outbox, no plaintext.
    {
        const QString name = QStringLiteral("tst_store_outbox-integrity");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(config.storePath);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
            QVERIFY(!q.next());
            QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM outbox")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 0);
            QVERIFY(q.exec(QStringLiteral("SELECT count(*), count(DISTINCT remote_id) FROM messages")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), total);
            QCOMPARE(q.value(1).toInt(), total);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile file(config.storePath + suffix);
            if (!file.exists())
                continue;
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains("crash-test message"), "message text in clear in the database");
        }
    }

    // The server: maya reads every message exactly once, nothing else, decrypting to the same text.
    auto server = serverMessages(*m_harness, *m_maya, m_crashConversation.id);
    CONFAB_VERIFY_OK(server);
    const QList<ServerMessage> &received = server.value();
    QCOMPARE(received.size(), total);
    for (int i = 0; i < received.size(); ++i) {
        QCOMPARE(received.at(i).messageId, remoteIds.at(i));
        QCOMPARE(received.at(i).sequence, sequences.at(i));
        QCOMPARE(received.at(i).senderId, m_sam->id);
        QCOMPARE(received.at(i).text, st::test::crashMessageText(i));
    }
}

// ---- the dispatcher against injected faults -------------------------------------------------

void OutboxTest::transientFailuresAreRetried()
{
    Session s;
    openSession(s);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);

    // Every send fails with 503: each attempt is scheduled again.
    setFaults(R"({"route": "chat.send", "error_status": 503})");
    QList<st::Message> messages;
    for (int i = 0; i < 4; ++i) {
        st::Message m;
        enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("through the storm %1").arg(i), &m);
        if (QTest::currentTestFailed())
            return;
        messages.append(m);
    }
    QTRY_VERIFY_WITH_TIMEOUT(failed.size() >= 8, 20000);
    for (const QList<QVariant> &args : std::as_const(failed)) {
        const Error error = args.at(1).value<Error>();
        QCOMPARE(error.kind(), ErrorKind::Server);
        QCOMPARE(error.httpStatus(), 503);
        QVERIFY(error.isTransient());
        QVERIFY(args.at(2).toBool()); // will retry
    }
    QCOMPARE(sent.size(), 0);
    auto waiting = take(s.store.message(messages.constFirst().id));
    CONFAB_VERIFY_OK(waiting);
    QVERIFY(waiting.value().attempts >= 1);
    QVERIFY(waiting.value().delivery == st::DeliveryState::Pending ||
            waiting.value().delivery == st::DeliveryState::Sending);
    QVERIFY(!waiting.value().failureReason.isEmpty());

    // A rough patch: two 429s, then dropped connections, answers cut short after the server
    // stored the message, and 502s, at random. Everything arrives, exactly once.
    failed.clear();
    setFaults(R"({"route": "chat.send", "burst_429": 2, "drop_rate": 0.25, "truncate_rate": 0.3,)"
              R"( "error_status": 502, "error_rate": 0.2})");
    QTRY_VERIFY_WITH_TIMEOUT(sent.size() == messages.size(), 30000);
    clearFaults();
    QSet<ErrorKind> kinds;
    for (const QList<QVariant> &args : std::as_const(failed)) {
        const Error error = args.at(1).value<Error>();
        QVERIFY2(error.isTransient(), qPrintable(error.toString()));
        QVERIFY(args.at(2).toBool());
        kinds.insert(error.kind());
    }
    QVERIFY(kinds.contains(ErrorKind::RateLimited));
    qInfo("%d attempts for %d messages, %d failed in the rough patch, %d answered with an event the server already "
          "had",
          s.transport->attempts(), int(messages.size()), int(failed.size()), s.transport->replays());

    QList<st::Message> after;
    for (const st::Message &m : std::as_const(messages)) {
        auto now = take(s.store.message(m.id));
        CONFAB_VERIFY_OK(now);
        after.append(now.value());
    }
    verifySentOnce(after, *m_kim, m_direct);
    auto unsent = take(s.store.unsent());
    CONFAB_VERIFY_OK(unsent);
    QVERIFY(unsent.value().isEmpty());
}

void OutboxTest::timeoutsAreRetried()
{
    Session s;
    openSession(s);
    if (QTest::currentTestFailed())
        return;
    s.transport->setTimeoutMs(100);
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);
    setFaults(R"({"route": "chat.send", "latency_ms": 1000})");
    st::Message m;
    enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("slow news"), &m);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(failed.size() >= 2, 20000);
    for (const QList<QVariant> &args : std::as_const(failed)) {
        QCOMPARE(args.at(1).value<Error>().kind(), ErrorKind::Timeout);
        QVERIFY(args.at(2).toBool());
    }
    clearFaults();
    s.transport->setTimeoutMs(30000);
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 20000);
    auto now = take(s.store.message(m.id));
    CONFAB_VERIFY_OK(now);
    verifySentOnce({now.value()}, *m_kim, m_direct);
}

void OutboxTest::refusalFailsForGood()
{
    Session s;
    openSession(s);
    if (QTest::currentTestFailed())
        return;
    qint64 groupId = 0;
    addConversation(s, s.accountId, m_group.id, st::ConversationKind::Group, &groupId);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);

    // sam is not in the group: 403, not worth another try.
    st::Message refused;
    enqueue(s, groupId, *m_sam, m_group, QStringLiteral("let me in"), &refused);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
    const Error error = failed.at(0).at(1).value<Error>();
    QCOMPARE(failed.at(0).at(0).toLongLong(), refused.id);
    QCOMPARE(error.kind(), ErrorKind::Forbidden);
    QCOMPARE(error.httpStatus(), 403);
    QVERIFY(error.problemType().endsWith(QLatin1String("not-authorized-for-resource")));
    QVERIFY(!failed.at(0).at(2).toBool()); // will not retry

    auto stored = take(s.store.message(refused.id));
    CONFAB_VERIFY_OK(stored);
    QCOMPARE(stored.value().delivery, st::DeliveryState::Failed);
    QCOMPARE(stored.value().attempts, 1);
    QCOMPARE(stored.value().nextAttemptMs, 0);
    QCOMPARE(stored.value().failureReason, QStringLiteral("You can no longer send messages in this conversation."));
    QCOMPARE(stored.value().failureReason, error.message());

    // The outbox keeps working, and never tries the refused one again.
    st::Message fine;
    enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("meanwhile, elsewhere"), &fine);
    if (QTest::currentTestFailed())
        return;
    int idleAfterSend = 0;
    QObject scope;
    connect(s.dispatcher.get(), &st::OutboxDispatcher::idle, &scope, [&idleAfterSend, &sent] {
        if (!sent.isEmpty())
            ++idleAfterSend;
    });
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(idleAfterSend > 0, 20000);
    QCOMPARE(s.transport->attempts(), 2);
    QCOMPARE(failed.size(), 1);
    auto next = take(s.store.nextAttemptMs({s.accountId}));
    CONFAB_VERIFY_OK(next);
    QCOMPARE(next.value(), 0);
    stored = take(s.store.message(refused.id));
    CONFAB_VERIFY_OK(stored);
    QCOMPARE(stored.value().delivery, st::DeliveryState::Failed);
    auto unsent = take(s.store.unsent());
    CONFAB_VERIFY_OK(unsent);
    QCOMPARE(unsent.value().size(), 1);
    QCOMPARE(unsent.value().constFirst().id, refused.id);
}

void OutboxTest::manualRetryAfterRecovery()
{
    st::OutboxPolicy policy = fastPolicy();
    policy.maxAutomaticAttempts = 3;
    Session s;
    openSession(s, policy);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);

    // The service is down for longer than the automatic attempts last.
    setFaults(R"({"route": "chat.send", "error_status": 500})");
    st::Message m;
    enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("patience"), &m);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 3, 20000);
    QVERIFY(failed.at(0).at(2).toBool());
    QVERIFY(failed.at(1).at(2).toBool());
    QVERIFY(!failed.at(2).at(2).toBool()); // the third was the last automatic one
    auto stored = take(s.store.message(m.id));
    CONFAB_VERIFY_OK(stored);
    QCOMPARE(stored.value().delivery, st::DeliveryState::Failed);
    QCOMPARE(stored.value().attempts, 3);
    QCOMPARE(stored.value().failureReason, Error(ErrorKind::Server, {}).message());

    // It is back; the person taps "retry".
    clearFaults();
    auto retried = take(s.store.retry(m.id, nowMs()));
    CONFAB_VERIFY_OK(retried);
    QCOMPARE(retried.value().delivery, st::DeliveryState::Pending);
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 20000);
    QCOMPARE(sent.at(0).at(0).toLongLong(), m.id);
    QCOMPARE(failed.size(), 3);
    QCOMPARE(s.transport->attempts(), 4);
    stored = take(s.store.message(m.id));
    CONFAB_VERIFY_OK(stored);
    verifySentOnce({stored.value()}, *m_kim, m_direct);

    // A sent message is no longer the outbox's: no retry, no discard.
    QVERIFY(take(s.store.retry(m.id, nowMs())).hasError());
    QVERIFY(take(s.store.discard(m.id)).hasError());
}

void OutboxTest::discardRemoves()
{
    Session s;
    openSession(s);
    if (QTest::currentTestFailed())
        return;
    qint64 groupId = 0;
    addConversation(s, s.accountId, m_group.id, st::ConversationKind::Group, &groupId);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);
    QSignalSpy removed(&s.store, &st::Store::messagesRemoved);

    // A failed message: discarded, gone.
    st::Message refused;
    enqueue(s, groupId, *m_sam, m_group, QStringLiteral("never mind"), &refused);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
    CONFAB_VERIFY_OK(take(s.store.discard(refused.id)));
    QTRY_COMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(0).toLongLong(), groupId);
    auto gone = take(s.store.message(refused.id));
    QVERIFY(gone.hasError());
    QCOMPARE(gone.error().kind(), ErrorKind::NotFound);

    // A pending one (offline): discarded before it ever left, it never does.
    s.dispatcher->setTransport(s.accountId, nullptr);
    st::Message pending;
    enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("on second thought"), &pending);
    if (QTest::currentTestFailed())
        return;
    CONFAB_VERIFY_OK(take(s.store.discard(pending.id)));
    QTRY_COMPARE(removed.size(), 2);
    auto unsent = take(s.store.unsent());
    CONFAB_VERIFY_OK(unsent);
    QVERIFY(unsent.value().isEmpty());
    QSignalSpy idle(s.dispatcher.get(), &st::OutboxDispatcher::idle);
    s.dispatcher->setTransport(s.accountId, s.transport.get());
    QTRY_VERIFY_WITH_TIMEOUT(!idle.isEmpty(), 20000);
    QCOMPARE(s.transport->attempts(), 1); // the refused one's only attempt
    auto server = serverMessages(*m_harness, *m_kim, m_direct.id);
    CONFAB_VERIFY_OK(server);
    QCOMPARE(idCounts(server.value()).value(pending.remoteId), 0);
}

void OutboxTest::offlineStopsAndResumes()
{
    Session s;
    openSession(s);
    if (QTest::currentTestFailed())
        return;
    // A second account in the same store (kim, writing in the same conversation) stays online.
    auto kimAccount = take(s.store.upsertAccount(st::AccountKind::XChat, m_kim->id));
    CONFAB_VERIFY_OK(kimAccount);
    qint64 kimConversation = 0;
    addConversation(s, kimAccount.value().id, m_direct.id, st::ConversationKind::Direct, &kimConversation);
    if (QTest::currentTestFailed())
        return;
    auto kimTransport = transportFor(*m_kim);
    s.dispatcher->setTransport(kimAccount.value().id, kimTransport.get());
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);

    // sam goes offline and writes three messages; kim writes one after them.
    s.dispatcher->setTransport(s.accountId, nullptr);
    QList<st::Message> offline;
    for (int i = 0; i < 3; ++i) {
        st::Message m;
        enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("written on the train %1").arg(i), &m);
        if (QTest::currentTestFailed())
            return;
        offline.append(m);
    }
    st::Message fromKim;
    enqueue(s, kimConversation, *m_kim, m_direct, QStringLiteral("are you there?"), &fromKim);
    if (QTest::currentTestFailed())
        return;
    int idleAfterSend = 0;
    QObject scope;
    connect(s.dispatcher.get(), &st::OutboxDispatcher::idle, &scope, [&idleAfterSend, &sent] {
        if (!sent.isEmpty())
            ++idleAfterSend;
    });
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 20000);
    QCOMPARE(sent.at(0).at(0).toLongLong(), fromKim.id);
    QTRY_VERIFY_WITH_TIMEOUT(idleAfterSend > 0, 20000);
    // kim's later message went; sam's earlier ones did not even get an attempt.
    QCOMPARE(s.transport->attempts(), 0);
    for (const st::Message &m : std::as_const(offline)) {
        auto now = take(s.store.message(m.id));
        CONFAB_VERIFY_OK(now);
        QCOMPARE(now.value().delivery, st::DeliveryState::Pending);
        QCOMPARE(now.value().attempts, 0);
    }

    // Back online: they go, in the order written, once each.
    s.dispatcher->setTransport(s.accountId, s.transport.get());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 4, 20000);
    QList<st::Message> after;
    qint64 previous = 0;
    for (const st::Message &m : std::as_const(offline)) {
        auto now = take(s.store.message(m.id));
        CONFAB_VERIFY_OK(now);
        QVERIFY(now.value().key.sortKey > previous);
        previous = now.value().key.sortKey;
        after.append(now.value());
    }
    verifySentOnce(after, *m_kim, m_direct);
    QCOMPARE(s.transport->attempts(), 3);
    s.dispatcher->setTransport(kimAccount.value().id, nullptr);
}

void OutboxTest::orderKeptAcrossRetries()
{
    Session s;
    openSession(s);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);

    // Three messages wait (offline); the first attempt back online meets one 429.
    s.dispatcher->setTransport(s.accountId, nullptr);
    QList<st::Message> written;
    for (int i = 0; i < 3; ++i) {
        st::Message m;
        enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("in order %1").arg(i), &m);
        if (QTest::currentTestFailed())
            return;
        written.append(m);
    }
    setFaults(R"({"route": "chat.send", "burst_429": 1})");
    s.dispatcher->setTransport(s.accountId, s.transport.get());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 3, 20000);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toLongLong(), written.at(0).id);
    QCOMPARE(failed.at(0).at(1).value<Error>().kind(), ErrorKind::RateLimited);

    QList<st::Message> after;
    QList<qint64> sentOrder;
    QList<qint64> writtenOrder;
    for (const QList<QVariant> &args : std::as_const(sent))
        sentOrder.append(args.at(0).toLongLong());
    for (const st::Message &m : std::as_const(written)) {
        writtenOrder.append(m.id);
        auto now = take(s.store.message(m.id));
        CONFAB_VERIFY_OK(now);
        after.append(now.value());
    }
    verifySentOnce(after, *m_kim, m_direct);
    if (QTest::currentTestFailed())
        return;
    // The first message, rescheduled after its 429, holds back the two written after it: they
    // leave, and get their sequences, in the order they were written.
    QCOMPARE(sentOrder, writtenOrder);
    QVERIFY(after.at(0).key.sortKey < after.at(1).key.sortKey && after.at(1).key.sortKey < after.at(2).key.sortKey);
}

void OutboxTest::offlineDuringClaimCostsNoAttempt()
{
    st::OutboxPolicy policy = fastPolicy();
    policy.maxAutomaticAttempts = 1;
    Session s;
    openSession(s, policy);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy failed(s.dispatcher.get(), &st::OutboxDispatcher::attemptFailed);
    // The account goes offline while the dispatcher's claim is on its way back from the store
    // thread: the store reports the claimed (Sending) message before the claim's continuation
    // runs, so switching the transport off there lands exactly in between.
    QObject scope;
    bool switchedOff = false;
    bool putBack = false;
    connect(&s.store, &st::Store::messagesChanged, &scope,
            [&s, &switchedOff, &putBack](qint64, const QList<st::MessageChange> &changes) {
                for (const st::MessageChange &c : changes) {
                    if (c.message.delivery == st::DeliveryState::Sending && !switchedOff) {
                        switchedOff = true;
                        s.dispatcher->setTransport(s.accountId, nullptr);
                    } else if (switchedOff && c.message.delivery == st::DeliveryState::Pending) {
                        putBack = true;
                    }
                }
            });
    st::Message m;
    enqueue(s, s.conversationId, *m_sam, m_direct, QStringLiteral("just before the tunnel"), &m);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(switchedOff, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(putBack, 20000);
    QCOMPARE(s.transport->attempts(), 0); // nothing went on the wire
    QCOMPARE(failed.size(), 0);           // and nothing counts as a failed attempt
    auto stored = take(s.store.message(m.id));
    CONFAB_VERIFY_OK(stored);
    // Put back as it was: its one automatic attempt is still there for when the account is back.
    QCOMPARE(stored.value().attempts, 0);
    QCOMPARE(stored.value().delivery, st::DeliveryState::Pending);
    QSignalSpy sent(s.dispatcher.get(), &st::OutboxDispatcher::messageSent);
    s.dispatcher->setTransport(s.accountId, s.transport.get());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 20000);
    QCOMPARE(s.transport->attempts(), 1);
}

QTEST_MAIN(OutboxTest)
#include "tst_store_outbox.moc"
