// The store at scale (scripts/bench; the benchmark of issue 5), through the public Store API on a
// real, sealed SQLite file in a temporary directory beside the binary's build directory (a real
// disk, not tmpfs), with a random 32-byte key. Every figure is the caller's view: submit, wait
// for the future, the store thread's work and both thread hops included. Change notifications
// are drained after each write, outside the timing.
//
// Fixtures, each built once per process when a benchmark first needs it:
//  Large:  one conversation of N messages (1,000,000; CONFAB_BENCH_STORE_MESSAGES=N or
//          --messages N for a quick run), inserted in batches of 1,000 through insertMessages.
//          Texts of 20-200 characters from a word list, 5% with attachments (1% with two), 10%
//          with a reply reference; a rare phrase in every 10,000th message for search.
//  Small:  the same, 10,000 messages, in its own file, to compare page costs with.
//  List:   1,000 conversations (titles, avatars), messages spread over them in rounds of 50 per
//          conversation, a third of them partly read: previews and unread counts everywhere.
//
// Benchmarks (bench/report.py --store prints them as a report):
//  Store_Build/*            one-off: how long building each fixture took (msgs/s, file size)
//  Store_CallOverhead       accounts(): a one-row read, i.e. what any call costs at least
//  Store_PageNewest/*       newestMessages(50)
//  Store_PageMiddle/*       messagesBefore(key of the message half the history back, 50)
//  Store_PageRandom/*       messagesBefore(a random key, 50): mostly outside SQLite's page cache
//  Store_ConversationList/* conversations(account): all 1,000, the first 50; and the first 50 of
//                           every account (conversations(0, 50))
//  Store_Search/*           SearchRun over the Large history: a rare phrase (a full scan) and a
//                           common word stopped at the UI's 200 hits; time to the first batch of
//                           hits, to the end, and messages scanned per second
//  Store_Outbox/*           enqueue (the sealed write before any network I/O), and claimDue(1) +
//                           markSent of an enqueued message
//  Store_Append/*           insertMessages of 1,000 new messages onto an existing history
// Nothing here asserts a speed; the target (pages under 5 ms at any history size) is reported.

#include "benchtool.h"
#include "crypto/securebytes.h"
#include "store/sealer.h"
#include "store/searchrun.h"
#include "store/store.h"
#include "store/types.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <algorithm>
#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <sodium.h>
#include <string_view>
#include <type_traits>

using namespace confab;
using namespace confab::store;

namespace {

using bench::await;
using bench::Clock;
using bench::die;
using bench::progress;
using bench::secondsSince;

constexpr int PageSize = 50;
constexpr int BuildBatch = 1000;
constexpr int SpreadRound = 50;
constexpr int ListConversations = 1000;
constexpr qint64 SmallMessages = 10'000;
constexpr qint64 SequenceBase = 1'800'000'000'000'000'000; // X sequence ids are snowflakes
constexpr qint64 MessageIdBase = 1'700'000'000'000'000'000;
constexpr qint64 StartMs = 1'600'000'000'000;
constexpr qint64 RarePhraseEvery = 10'000;
constexpr qint64 RarePhraseOffset = 4'321;
const QString SelfId = QStringLiteral("1000001");

struct Settings
{
    qint64 messages = 1'000'000;
    QString dir; ///< where the temporary directory goes
    bool keep = false;
};
Settings g_settings;

/// Delivers the change notifications the store queued to this thread (nobody listens; this only
/// keeps them from piling up).
void drainEvents()
{
    QCoreApplication::sendPostedEvents();
}

// ---- content --------------------------------------------------------------------------------

constexpr const char *Words[] = {
    "the",      "a",       "and",      "to",       "of",      "in",       "is",         "it",        "you",
    "that",     "we",      "for",      "on",       "with",    "this",     "be",         "are",       "have",
    "not",      "at",      "but",      "they",     "from",    "or",       "will",       "can",       "just",
    "so",       "what",    "about",    "if",       "when",    "there",    "all",        "out",       "up",
    "time",     "today",   "tomorrow", "tonight",  "week",    "weekend",  "morning",    "meeting",   "call",
    "project",  "release", "build",    "test",     "review",  "deploy",   "server",     "client",    "message",
    "photo",    "video",   "link",     "thanks",   "sure",    "maybe",    "sounds",     "good",      "great",
    "lunch",    "coffee",  "dinner",   "train",    "flight",  "hotel",    "ticket",     "office",    "home",
    "later",    "soon",    "now",      "again",    "still",   "already",  "never",      "always",    "really",
    "think",    "know",    "need",     "want",     "send",    "check",    "look",       "see",       "read",
    "write",    "fix",     "try",      "plan",     "update",  "question", "answer",     "idea",      "problem",
    "team",     "friend",  "family",   "weather",  "rain",    "sunny",    "cold",       "late",      "early",
    "draft",    "budget",  "invoice",  "contract", "slides",  "notes",    "agenda",     "deadline",  "Friday",
    "Monday",   "Berlin",  "Lisbon",   "Tokyo",    "garden",  "bicycle",  "concert",    "birthday",  "present",
    "recipe",   "kitchen", "doctor",   "school",   "library", "museum",   "mountain",   "river",     "ocean",
    "keyboard", "screen",  "battery",  "charger",  "update",  "password", "encryption", "signature", "backup",
};
constexpr int WordCount = static_cast<int>(sizeof(Words) / sizeof(Words[0]));

/// Deterministic, realistic-looking content.
class Content
{
public:
    explicit Content(std::uint64_t seed) : m_rng(seed) {}

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    qint64 uniform64(qint64 lo, qint64 hi) { return std::uniform_int_distribution<qint64>(lo, hi)(m_rng); }

    /// Words up to a length between `minLength` and `maxLength` characters.
    QString text(int minLength, int maxLength)
    {
        const int target = uniform(minLength, maxLength);
        QString out;
        out.reserve(target + 16);
        while (out.size() < target) {
            if (!out.isEmpty())
                out += QLatin1Char(uniform(0, 11) == 0 ? ',' : ' ');
            if (out.endsWith(QLatin1Char(',')))
                out += QLatin1Char(' ');
            out += QLatin1String(Words[uniform(0, WordCount - 1)]);
        }
        out.truncate(maxLength);
        out += QLatin1Char(uniform(0, 3) == 0 ? '?' : '.');
        return out;
    }

    QByteArray bytes(int size)
    {
        QByteArray out(size, Qt::Uninitialized);
        for (char &c : out)
            c = static_cast<char>(uniform(0, 255));
        return out;
    }

private:
    std::mt19937_64 m_rng;
};

qint64 sequenceOf(qint64 index)
{
    return SequenceBase + index * 7;
}

Attachment makeAttachment(Content &content, qint64 index, int ordinal)
{
    Attachment a;
    a.ordinal = ordinal;
    a.mediaId = QStringLiteral("%1:%2").arg(MessageIdBase + index).arg(ordinal);
    a.fileName = QStringLiteral("IMG_%1.jpg").arg(index % 10'000, 4, 10, QLatin1Char('0'));
    a.mimeType = QStringLiteral("image/jpeg");
    a.sizeBytes = content.uniform64(40'000, 4'000'000);
    a.width = 1600;
    a.height = 1200;
    a.mediaKey = content.bytes(32);
    return a;
}

/// Message number `index` (0 is the oldest) of a conversation whose members are `senders`.
IncomingMessage makeMessage(Content &content, qint64 index, qint64 createdMs, const QStringList &senders)
{
    IncomingMessage m;
    m.remoteId = QString::number(MessageIdBase + index * 13);
    m.sequence = sequenceOf(index);
    m.senderId = senders.at(content.uniform(0, static_cast<int>(senders.size()) - 1));
    m.outgoing = m.senderId == SelfId;
    m.createdMs = createdMs;
    const bool rare = index % RarePhraseEvery == RarePhraseOffset;
    if (rare)
        m.text = content.text(10, 80) + QStringLiteral(" lighthouse keeper ") + content.text(10, 80);
    else
        m.text = content.text(20, 200);
    const int roll = content.uniform(0, 999);
    if (roll < 50) {
        m.kind = MessageKind::Media;
        m.attachments.append(makeAttachment(content, index, 0));
        if (roll < 10)
            m.attachments.append(makeAttachment(content, index, 1));
        if (roll % 2 == 0 && !rare)
            m.text.clear(); // media without a caption
    } else if (roll >= 900) {
        m.extra.insert(QStringLiteral("replyTo"), QString::number(MessageIdBase + std::max<qint64>(index - 3, 0) * 13));
    }
    return m;
}

// ---- fixtures -------------------------------------------------------------------------------

const crypto::SecureBytes &sealingKey()
{
    static const crypto::SecureBytes key = crypto::SecureBytes::random(SealingKeySize);
    return key;
}

QTemporaryDir &scratch()
{
    static const std::unique_ptr<QTemporaryDir> dir = [] {
        auto d =
            std::make_unique<QTemporaryDir>(QDir(g_settings.dir).filePath(QStringLiteral("confab-bench-store-XXXXXX")));
        if (!d->isValid())
            die(QStringLiteral("cannot create a temporary directory in %1").arg(g_settings.dir));
        d->setAutoRemove(!g_settings.keep);
        if (g_settings.keep)
            progress(QStringLiteral("keeping the databases in %1").arg(d->path()));
        return d;
    }();
    return *dir;
}

std::unique_ptr<Store> openStore(const QString &name)
{
    auto store = std::make_unique<Store>();
    StoreOptions options;
    options.path = scratch().filePath(name);
    // A benchmark of a 1,000,000-message conversation must not be pruned to the default 200,000,
    // and housekeeping runs once, explicitly, after each build (as the app's timer would).
    options.housekeeping.maxMessagesPerConversation = 0;
    options.housekeepingIntervalMs = 0;
    FixedSealingKey key(sealingKey());
    const OpenReport report = await(store->open(options, key), "opening the store");
    if (report.recreated)
        die(QStringLiteral("the new database was recreated: %1").arg(report.reason));
    return store;
}

struct BuildFigures
{
    qint64 messages = 0;
    int conversations = 0;
    int batch = 0;
    double seconds = 0;         ///< first submit to last completion
    double generateSeconds = 0; ///< of which the main thread spent making messages (overlapped)
    qint64 fileBytes = 0;       ///< database + WAL after a checkpoint
};

/// Feeds batches to the store, making the next batch while the store inserts the previous one.
class Feeder
{
public:
    explicit Feeder(Store &store) : m_store(store) {}
    void add(qint64 conversationId, QList<IncomingMessage> batch)
    {
        if (m_inFlight)
            finishOne();
        else
            m_start = Clock::now();
        m_expected = batch.size();
        m_inFlight = m_store.insertMessages(conversationId, batch);
    }
    void finish()
    {
        if (m_inFlight)
            finishOne();
        m_seconds = secondsSince(m_start);
    }
    [[nodiscard]] double seconds() const { return m_seconds; }

private:
    void finishOne()
    {
        const InsertReport report = await(*m_inFlight, "inserting messages");
        if (report.inserted != m_expected)
            die(QStringLiteral("inserted %1 of %2 messages").arg(report.inserted).arg(m_expected));
        m_inFlight.reset();
        drainEvents();
    }

    Store &m_store;
    std::optional<QFuture<Result<InsertReport>>> m_inFlight;
    qsizetype m_expected = 0;
    Clock::time_point m_start;
    double m_seconds = 0;
};

qint64 fileBytes(Store &store)
{
    const HousekeepingReport report = await(store.housekeep(), "housekeeping");
    return report.fileBytes + report.walBytes;
}

struct History
{
    std::unique_ptr<Store> store;
    qint64 accountId = 0;
    qint64 conversationId = 0;
    qint64 outboxConversationId = 0;
    qint64 messages = 0; ///< in `conversationId`, oldest is index 0
    QStringList senders;
    BuildFigures build;
    Content content{0};
    qint64 outboxCounter = 0;
    qint64 outboxSequence = 0;

    [[nodiscard]] qint64 createdMsOf(qint64 index) { return StartMs + index * 15'000 + content.uniform(0, 9'999); }
    QList<IncomingMessage> batch(qint64 first, qint64 count)
    {
        QList<IncomingMessage> out;
        out.reserve(count);
        for (qint64 i = first; i < first + count; ++i)
            out.append(makeMessage(content, i, createdMsOf(i), senders));
        return out;
    }
};

std::unique_ptr<History> buildHistory(const QString &file, qint64 messages, std::uint64_t seed)
{
    progress(QStringLiteral("building a %1-message history in %2 ...").arg(messages).arg(file));
    auto h = std::make_unique<History>();
    h->content = Content(seed);
    h->store = openStore(file);
    h->accountId = await(
        h->store->upsertAccount(AccountKind::XChat, SelfId, QStringLiteral("Bench Person")), "adding the account").id;
    ConversationInput input;
    input.accountId = h->accountId;
    input.remoteId = QStringLiteral("1000001:2000002");
    input.kind = ConversationKind::Group;
    input.title = QStringLiteral("A long history");
    h->conversationId = await(h->store->upsertConversation(input), "adding a conversation").id;
    input.remoteId = QStringLiteral("1000001:3000003");
    input.kind = ConversationKind::Direct;
    input.title = QStringLiteral("Outbox");
    h->outboxConversationId = await(h->store->upsertConversation(input), "adding a conversation").id;
    h->senders = {SelfId, QStringLiteral("2000002"), QStringLiteral("2000003"),
                                                                    QStringLiteral("2000004"),
                                                                                   QStringLiteral("2000005")};
    drainEvents();

    Feeder feeder(*h->store);
    double generate = 0;
    for (qint64 first = 0; first < messages; first += BuildBatch) {
        const auto start = Clock::now();
        QList<IncomingMessage> batch = h->batch(first, std::min<qint64>(BuildBatch, messages - first));
        generate += secondsSince(start);
        feeder.add(h->conversationId, std::move(batch));
        if ((first / BuildBatch) % 100 == 99)
            progress(QStringLiteral("  %1 messages").arg(first + BuildBatch));
    }
    feeder.finish();
    h->messages = messages;
    h->build.messages = messages;
    h->build.conversations = 1;
    h->build.batch = BuildBatch;
    h->build.seconds = feeder.seconds();
    h->build.generateSeconds = generate;
    h->build.fileBytes = fileBytes(*h->store);
    progress(QStringLiteral("  done: %1 s, %2 messages/s, %3 MiB")
                                .arg(h->build.seconds, 0, 'f', 1)
                                .arg(static_cast<double>(messages) / h->build.seconds, 0, 'f', 0)
                                .arg(static_cast<double>(h->build.fileBytes) / 1048576.0, 0, 'f', 1));
    return h;
}

std::unique_ptr<History> g_small, g_large;

enum class Size { Small, Large };

History &history(Size size)
{
    if (size == Size::Small) {
        if (!g_small)
            g_small = buildHistory(QStringLiteral("small.db"), SmallMessages, 10);
        return *g_small;
    }
    if (!g_large)
        g_large = buildHistory(QStringLiteral("large.db"), g_settings.messages, 1'000'000);
    return *g_large;
}

struct ConversationList
{
    std::unique_ptr<Store> store;
    qint64 accountId = 0;
    BuildFigures build;
};
std::unique_ptr<ConversationList> g_list;

ConversationList &conversationList()
{
    if (g_list)
        return *g_list;
    // 100 messages per conversation for the full run (100,000 in all), fewer for a quick one.
    const qint64 perConversation = std::clamp<qint64>(g_settings.messages / 10'000, 5, 100);
    const QString what = QStringLiteral("building %1 conversations of %2 messages each ...");
    progress(what.arg(ListConversations).arg(perConversation));
    g_list = std::make_unique<ConversationList>();
    ConversationList &l = *g_list;
    l.store = openStore(QStringLiteral("list.db"));
    Content content(1000);
    // A second account with a few conversations of its own, so that one account's list selects.
    const qint64 other =
        await(l.store->upsertAccount(AccountKind::XChat, QStringLiteral("1000002")), "adding an account").id;
    const qint64 account = await(
        l.store->upsertAccount(AccountKind::XChat, SelfId, QStringLiteral("Bench Person")), "adding the account").id;
    l.accountId = account;
    QList<qint64> ids;
    QList<QStringList> members;
    for (int c = 0; c < ListConversations; ++c) {
        ConversationInput input;
        input.accountId = account;
        const bool group = c % 10 < 3;
        const QString peer = QString::number(3'000'000 + c);
        input.remoteId = group ? QStringLiteral("g%1").arg(c) : QStringLiteral("%1:%2").arg(SelfId, peer);
        input.kind = group ? ConversationKind::Group : ConversationKind::Direct;
        input.title = group ? QStringLiteral("Team %1 — %2").arg(c).arg(QLatin1String(Words[c % WordCount]))
                            : QStringLiteral("Person %1").arg(peer);
        input.avatarUrl = QStringLiteral("https://pbs.twimg.com/profile_images/%1/avatar_normal.jpg").arg(peer);
        input.extra = QJsonObject{{QStringLiteral("keyVersion"), QString::number(1 + c % 3)}};
        ids.append(await(l.store->upsertConversation(input), "adding a conversation").id);
        if (c % 100 == 0) { // the other account's conversations (no messages)
            input.accountId = other;
            (void)await(l.store->upsertConversation(input), "adding a conversation");
        }
        QStringList senders{SelfId, peer};
        if (group)
            senders << QString::number(4'000'000 + c) << QString::number(5'000'000 + c);
        members.append(senders);
    }
    drainEvents();

    Feeder feeder(*l.store);
    double generate = 0;
    for (qint64 first = 0; first < perConversation; first += SpreadRound) {
        const qint64 count = std::min<qint64>(SpreadRound, perConversation - first);
        for (int c = 0; c < ListConversations; ++c) {
            const auto start = Clock::now();
            QList<IncomingMessage> batch;
            batch.reserve(count);
            for (qint64 j = first; j < first + count; ++j) {
                const qint64 createdMs = StartMs + (j * ListConversations + c) * 60'000 + content.uniform(0, 59'999);
                batch.append(makeMessage(content, j, createdMs, members.at(c)));
            }
            generate += secondsSince(start);
            feeder.add(ids.at(c), std::move(batch));
        }
    }
    feeder.finish();
    // A third of the conversations read up to the middle: unread counts of all sizes.
    for (int c = 0; c < ListConversations; c += 3)
        (void)await(l.store->markRead(ids.at(c), sequenceOf(perConversation / 2)), "marking read");
    drainEvents();
    l.build.messages = perConversation * ListConversations;
    l.build.conversations = ListConversations;
    l.build.batch = static_cast<int>(std::min<qint64>(SpreadRound, perConversation));
    l.build.seconds = feeder.seconds();
    l.build.generateSeconds = generate;
    l.build.fileBytes = fileBytes(*l.store);
    progress(QStringLiteral("  done: %1 s, %2 messages/s")
                                .arg(l.build.seconds, 0, 'f', 1)
                                .arg(static_cast<double>(l.build.messages) / l.build.seconds, 0, 'f', 0));
    return l;
}

// ---- benchmarks -----------------------------------------------------------------------------

void reportBuild(benchmark::State &state, const BuildFigures &b)
{
    for (auto _ : state)
        state.SetIterationTime(b.seconds);
    state.SetItemsProcessed(b.messages);
    state.counters["messages"] = static_cast<double>(b.messages);
    state.counters["conversations"] = b.conversations;
    state.counters["batch"] = b.batch;
    state.counters["generate_s"] = b.generateSeconds;
    state.counters["file_bytes"] = static_cast<double>(b.fileBytes);
    state.counters["bytes_per_message"] = static_cast<double>(b.fileBytes) / static_cast<double>(b.messages);
}

void Store_Build(benchmark::State &state, Size size)
{
    reportBuild(state, history(size).build);
}
BENCHMARK_CAPTURE(Store_Build, Small, Size::Small)
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(Store_Build, Large, Size::Large)
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

void Store_BuildSpread(benchmark::State &state)
{
    reportBuild(state, conversationList().build);
}
BENCHMARK(Store_BuildSpread)->Iterations(1)->Repetitions(1)->UseManualTime()->Unit(benchmark::kSecond);

/// The cost of any call: the hop to the store thread and back, and a one-row read (accounts()).
void Store_CallOverhead(benchmark::State &state)
{
    History &h = history(Size::Large);
    for (auto _ : state) {
        const auto start = Clock::now();
        const QList<Account> accounts = await(h.store->accounts(), "reading the accounts");
        state.SetIterationTime(secondsSince(start));
        benchmark::DoNotOptimize(accounts.size());
    }
}
BENCHMARK(Store_CallOverhead)->UseManualTime()->Unit(benchmark::kMicrosecond);

void checkPage(const QList<Message> &page, const char *what)
{
    if (page.size() != PageSize)
        die(QStringLiteral("%1: %2 messages, not %3").arg(QLatin1String(what)).arg(page.size()).arg(PageSize));
}

void pageCounters(benchmark::State &state, const History &h)
{
    state.SetItemsProcessed(state.iterations() * PageSize);
    state.counters["history"] = static_cast<double>(h.messages);
    state.counters["page"] = PageSize;
}

void Store_PageNewest(benchmark::State &state, Size size)
{
    History &h = history(size);
    for (auto _ : state) {
        const auto start = Clock::now();
        QList<Message> page = await(h.store->newestMessages(h.conversationId, PageSize), "reading the newest page");
        state.SetIterationTime(secondsSince(start));
        checkPage(page, "newest page");
    }
    pageCounters(state, h);
}
BENCHMARK_CAPTURE(Store_PageNewest, Small, Size::Small)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Store_PageNewest, Large, Size::Large)->UseManualTime()->Unit(benchmark::kMicrosecond);

void Store_PageMiddle(benchmark::State &state, Size size)
{
    History &h = history(size);
    const qint64 back = h.messages / 2; // 500,000 of 1,000,000; 5,000 of 10,000
    const MessageKey key{false, sequenceOf(h.messages - 1 - back)};
    for (auto _ : state) {
        const auto start = Clock::now();
        QList<Message> page = await(h.store->messagesBefore(h.conversationId, key, PageSize), "reading an older page");
        state.SetIterationTime(secondsSince(start));
        checkPage(page, "older page");
    }
    pageCounters(state, h);
    state.counters["back"] = static_cast<double>(back);
}
BENCHMARK_CAPTURE(Store_PageMiddle, Small, Size::Small)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Store_PageMiddle, Large, Size::Large)->UseManualTime()->Unit(benchmark::kMicrosecond);

void Store_PageRandom(benchmark::State &state, Size size)
{
    History &h = history(size);
    Content pick(42);
    for (auto _ : state) {
        const MessageKey key{false, sequenceOf(pick.uniform64(PageSize, h.messages - 1))};
        const auto start = Clock::now();
        QList<Message> page = await(h.store->messagesBefore(h.conversationId, key, PageSize), "reading a page");
        state.SetIterationTime(secondsSince(start));
        checkPage(page, "random page");
    }
    pageCounters(state, h);
}
BENCHMARK_CAPTURE(Store_PageRandom, Small, Size::Small)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Store_PageRandom, Large, Size::Large)->UseManualTime()->Unit(benchmark::kMicrosecond);

void Store_ConversationList(benchmark::State &state, int limit, bool oneAccount)
{
    ConversationList &l = conversationList();
    const qint64 account = oneAccount ? l.accountId : 0;
    const int expected = limit > 0 ? limit : ListConversations;
    int withPreview = 0, withUnread = 0;
    for (auto _ : state) {
        const auto start = Clock::now();
        QList<Conversation> list = await(l.store->conversations(account, limit, 0), "reading the conversation list");
        state.SetIterationTime(secondsSince(start));
        if (list.size() != expected)
            die(QStringLiteral("the conversation list has %1 entries, not %2").arg(list.size()).arg(expected));
        withPreview = static_cast<int>(
            std::count_if(list.cbegin(), list.cend(), [](const Conversation &c) { return c.preview.has_value(); }));
        withUnread = static_cast<int>(
            std::count_if(list.cbegin(), list.cend(), [](const Conversation &c) { return c.unreadCount > 0; }));
    }
    state.SetItemsProcessed(state.iterations() * expected);
    state.counters["conversations"] = expected;
    state.counters["with_preview"] = withPreview;
    state.counters["with_unread"] = withUnread;
}
BENCHMARK_CAPTURE(Store_ConversationList, All, -1, true)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Store_ConversationList, First50, 50, true)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Store_ConversationList, First50AllAccounts, 50, false)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

void Store_Search(benchmark::State &state, const char *phrase, int limit)
{
    History &h = history(Size::Large);
    qint64 scanned = 0;
    double firstHits = 0;
    int hits = 0;
    bool complete = false;
    for (auto _ : state) {
        SearchQuery query;
        query.phrase = QLatin1String(phrase);
        query.limit = limit;
        QEventLoop loop;
        std::optional<double> firstAt;
        std::optional<SearchStats> stats;
        std::optional<Error> error;
        int found = 0;
        const auto start = Clock::now();
        std::unique_ptr<SearchRun> run(h.store->search(query));
        if (!run)
            die(QStringLiteral("the store is not open for search"));
        QObject::connect(run.get(), &SearchRun::hitsFound, [&](const QList<SearchHit> &batch) {
            if (!firstAt)
                firstAt = secondsSince(start);
            found += static_cast<int>(batch.size());
        });
        QObject::connect(run.get(), &SearchRun::finished, [&](const SearchStats &s) {
            stats = s;
            loop.quit();
        });
        QObject::connect(run.get(), &SearchRun::failed, [&](const Error &e) {
            error = e;
            loop.quit();
        });
        loop.exec();
        const double elapsed = secondsSince(start);
        state.SetIterationTime(elapsed);
        if (error)
            die(QStringLiteral("search failed: %1").arg(error->toString()));
        scanned += stats->scanned;
        firstHits += firstAt.value_or(elapsed);
        hits = found;
        complete = stats->complete;
    }
    const auto iterations = static_cast<double>(state.iterations());
    state.SetItemsProcessed(scanned); // messages scanned per second
    state.counters["history"] = static_cast<double>(h.messages);
    state.counters["scanned"] = static_cast<double>(scanned) / iterations;
    state.counters["hits"] = hits;
    state.counters["first_hits_ms"] = firstHits * 1000.0 / iterations;
    state.counters["complete"] = complete ? 1 : 0;
    state.counters["limit"] = limit;
}
BENCHMARK_CAPTURE(Store_Search, RarePhrase, "Lighthouse Keeper", std::numeric_limits<int>::max())
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Store_Search, CommonWord, "meeting", 200)->UseManualTime()->Unit(benchmark::kMillisecond);

OutgoingMessage outgoing(History &h)
{
    OutgoingMessage m;
    m.remoteId = QStringLiteral("bench-%1").arg(++h.outboxCounter);
    m.senderId = SelfId;
    m.text = h.content.text(20, 200);
    m.payload = h.content.bytes(300); // what an engine keeps to resend: the encrypted event
    return m;
}

/// Sends everything waiting in the outbox (between benchmarks, untimed).
void flushOutbox(History &h)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch() + 60'000;
    const QList<OutboxItem> items = await(h.store->claimDue(now, {}, std::numeric_limits<int>::max()), "claiming");
    for (const OutboxItem &item : items)
        (void)await(h.store->markSent(item.message.id, SendReceipt{sequenceOf(++h.outboxSequence), 0}), "marking sent");
    drainEvents();
}

void Store_OutboxEnqueue(benchmark::State &state)
{
    History &h = history(Size::Large);
    for (auto _ : state) {
        const OutgoingMessage m = outgoing(h);
        const auto start = Clock::now();
        const Message written = await(h.store->enqueue(h.outboxConversationId, m), "enqueueing");
        state.SetIterationTime(secondsSince(start));
        benchmark::DoNotOptimize(written.id);
        drainEvents();
    }
    flushOutbox(h);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Store_OutboxEnqueue)->UseManualTime()->Unit(benchmark::kMicrosecond);

void Store_OutboxClaimAndMarkSent(benchmark::State &state)
{
    History &h = history(Size::Large);
    flushOutbox(h);
    for (auto _ : state) {
        const qint64 id = await(h.store->enqueue(h.outboxConversationId, outgoing(h)), "enqueueing").id;
        drainEvents();
        const qint64 now = QDateTime::currentMSecsSinceEpoch() + 60'000;
        const auto start = Clock::now();
        const QList<OutboxItem> claimed = await(h.store->claimDue(now, {}, 1), "claiming");
        if (claimed.size() != 1 || claimed.constFirst().message.id != id)
            die(QStringLiteral("claimDue did not hand out the message just enqueued"));
        const std::optional<Message> sent =
            await(h.store->markSent(id, SendReceipt{sequenceOf(++h.outboxSequence), 0}), "marking sent");
        state.SetIterationTime(secondsSince(start));
        if (!sent || sent->delivery != DeliveryState::Sent)
            die(QStringLiteral("markSent did not mark the message sent"));
        drainEvents();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Store_OutboxClaimAndMarkSent)->UseManualTime()->Unit(benchmark::kMicrosecond);

void Store_Append(benchmark::State &state, Size size)
{
    History &h = history(size);
    const qint64 before = h.messages;
    for (auto _ : state) {
        QList<IncomingMessage> batch = h.batch(h.messages, BuildBatch);
        const auto start = Clock::now();
        const InsertReport report = await(h.store->insertMessages(h.conversationId, batch), "appending messages");
        state.SetIterationTime(secondsSince(start));
        if (report.inserted != BuildBatch)
            die(QStringLiteral("appended %1 of %2 messages").arg(report.inserted).arg(BuildBatch));
        h.messages += BuildBatch;
        batch.clear();
        drainEvents();
    }
    state.SetItemsProcessed(state.iterations() * BuildBatch);
    state.counters["history"] = static_cast<double>(before);
    state.counters["batch"] = BuildBatch;
}
// A fixed number of batches per repetition, so that the histories grow by a known amount.
BENCHMARK_CAPTURE(Store_Append, Small, Size::Small)->Iterations(10)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Store_Append, Large, Size::Large)->Iterations(10)->UseManualTime()->Unit(benchmark::kMillisecond);

// ---- options --------------------------------------------------------------------------------

/// Takes this program's own options (and their environment variables) out of argv before
/// Google Benchmark sees it: --messages N (CONFAB_BENCH_STORE_MESSAGES), --dir PATH
/// (CONFAB_BENCH_STORE_DIR), --keep (CONFAB_BENCH_STORE_KEEP=1: leave the databases behind).
void takeOptions(int &argc, char **argv)
{
    if (qEnvironmentVariableIsSet("CONFAB_BENCH_STORE_MESSAGES"))
        g_settings.messages = qEnvironmentVariable("CONFAB_BENCH_STORE_MESSAGES").toLongLong();
    if (qEnvironmentVariableIsSet("CONFAB_BENCH_STORE_DIR"))
        g_settings.dir = qEnvironmentVariable("CONFAB_BENCH_STORE_DIR");
    g_settings.keep = qEnvironmentVariableIntValue("CONFAB_BENCH_STORE_KEEP") != 0;
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        auto value = [&](std::string_view name) -> std::optional<QString> {
            if (arg == name && i + 1 < argc)
                return QString::fromLocal8Bit(argv[++i]);
            if (arg.size() > name.size() + 1 && arg.substr(0, name.size()) == name && arg[name.size()] == '=')
                return QString::fromLocal8Bit(arg.substr(name.size() + 1).data());
            return std::nullopt;
        };
        if (std::optional<QString> v = value("--messages"))
            g_settings.messages = v->toLongLong();
        else if (std::optional<QString> d = value("--dir"))
            g_settings.dir = *d;
        else if (arg == "--keep")
            g_settings.keep = true;
        else
            argv[out++] = argv[i];
    }
    argc = out;
    argv[argc] = nullptr;
    if (g_settings.messages < 2 * PageSize)
        die(QStringLiteral("--messages must be at least %1").arg(2 * PageSize));
    if (g_settings.dir.isEmpty()) {
        // bin/ of the build directory: the databases go beside it, on the build's disk.
        g_settings.dir = QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral(".."));
    }
    g_settings.dir = QDir::cleanPath(QFileInfo(g_settings.dir).absoluteFilePath());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    bench::g_toolName = "confab_bench_store";
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
    if (sodium_init() < 0)
        die(QStringLiteral("libsodium"));
    takeOptions(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    benchmark::AddCustomContext("store_messages", std::to_string(g_settings.messages));
    benchmark::AddCustomContext("store_dir", g_settings.dir.toStdString());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    // Close the stores (their threads, their files) before the application and the directory go.
    g_list.reset();
    g_large.reset();
    g_small.reset();
    return 0;
}
