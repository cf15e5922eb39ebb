// The message cache scripts/bench-ui starts Confab on (the UI benchmark of issue 8): a profile's
// data exactly as the app finds it after a long life, made through the same APIs the app uses.
//
//  - The store at <XDG_DATA_HOME>/confab/profiles/<profile>/confab.db (Profile::resolve), sealed
//    with a fresh random key that is written to the keychain under the profile's service name
//    (KeychainSecretStore::serviceNameFor, entry secretnames::sealingKey()), where the app's
//    SecretSealingKey looks for it. A keychain must answer (tests/secrets/with-keyring.sh).
//  - One X Chat account in the store and in the profile's account list, signed out: the window
//    shows the conversation view for it, and nothing ever goes to the network (no tokens, no
//    avatar addresses, no media to download).
//  - N conversations (default 1,000; 30% groups of 3-8 members, the rest 1:1s, with members and
//    names) and M messages (default 1,000,000) spread over them: one "big" conversation with
//    max(20,000, 3% of M) messages and the newest activity (so it is the top row of the list),
//    the others by a gentle power law (about 16,000 down to 500 each at the defaults). Texts of
//    realistic lengths (mostly a line, some paragraphs), a few links and emoji, replies, reactions,
//    edits, deletions and attachments; bursts of messages minutes apart, days of quiet between;
//    15% of the conversations have unread messages. Every conversation's history is complete.
//
// Messages go in through Store::insertMessages in batches of 1,000 per conversation, the next
// batch made while the store writes the previous one. Prints one JSON object on stdout: what was
// made and how long it took.
//
//   confab-bench-ui-cache [--profile bench] [--conversations 1000] [--messages 1000000] [--seed 8]

#include "accounts/accountrecord.h"
#include "accounts/accountregistry.h"
#include "accounts/secretnames.h"
#include "app/appid.h"
#include "app/profile.h"
#include "benchtool.h"
#include "crypto/securebytes.h"
#include "secrets/keychainsecretstore.h"
#include "store/sealer.h"
#include "store/store.h"
#include "store/types.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <type_traits>
#include <vector>

using namespace confab;
using namespace confab::store;

namespace {

using bench::await;
using bench::Clock;
using bench::die;
using bench::progress;
using bench::secondsSince;

constexpr int Batch = 1000;
constexpr qint64 BigMinimum = 20'000;
constexpr qint64 SequenceBase = 1'800'000'000'000'000'000; // X sequence ids are snowflakes
constexpr qint64 MessageIdBase = 1'700'000'000'000'000'000;
const QString SelfId = QStringLiteral("1000001");
const QString SelfName = QStringLiteral("Sam Bench");

/// Waits for a future that needs this thread's event loop (the keychain talks D-Bus from here).
template<typename T>
T awaitWithEvents(QFuture<Result<T>> future, const char *what)
{
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop,
                     [what] { die(QStringLiteral("%1: no answer within 60 s").arg(QLatin1String(what))); });
    timeout.start(60'000);
    future.then(&loop, [&loop](const Result<T> &) { loop.quit(); });
    loop.exec();
    return await(std::move(future), what, bench::Notifications::Deliver);
}

// ---- content --------------------------------------------------------------------------------

constexpr const char *Words[] = {
    "the",     "a",        "and",     "to",      "of",       "in",       "is",      "it",      "you",      "that",
    "we",      "for",      "on",      "with",    "this",     "be",       "are",     "have",    "not",      "at",
    "but",     "they",     "from",    "or",      "will",     "can",      "just",    "so",      "what",     "about",
    "if",      "when",     "there",   "all",     "out",      "up",       "time",    "today",   "tomorrow", "tonight",
    "week",    "weekend",  "morning", "meeting", "call",     "project",  "release", "build",   "test",     "review",
    "deploy",  "server",   "client",  "message", "photo",    "video",    "link",    "thanks",  "sure",     "maybe",
    "sounds",  "good",     "great",   "lunch",   "coffee",   "dinner",   "train",   "flight",  "hotel",    "ticket",
    "office",  "home",     "later",   "soon",    "now",      "again",    "still",   "already", "never",    "always",
    "really",  "think",    "know",    "need",    "want",     "send",     "check",   "look",    "see",      "read",
    "write",   "fix",      "try",     "plan",    "update",   "question", "answer",  "idea",    "problem",  "team",
    "friend",  "family",   "weather", "rain",    "sunny",    "cold",     "late",    "early",   "draft",    "budget",
    "invoice", "contract", "slides",  "notes",   "agenda",   "deadline", "Friday",  "Monday",  "Berlin",   "Lisbon",
    "Tokyo",   "garden",   "bicycle", "concert", "birthday", "present",  "recipe",  "kitchen", "doctor",   "school",
    "library", "museum",   "river",   "ocean",   "keyboard", "screen",   "battery", "charger", "password", "backup",
    "Straße",  "café",     "naïve",   "Zürich",
};
constexpr int WordCount = static_cast<int>(sizeof(Words) / sizeof(Words[0]));

constexpr const char *FirstNames[] = {"Maya",  "Jonas", "Aiko",  "Lucía", "Omar",  "Priya", "Tomás", "Chen",
                                      "Nadia", "Felix", "Amara", "Lars",  "Sofia", "Kenji", "Zoe",   "Mateo",
                                      "Ines",  "Ravi",  "Hanna", "Diego", "Yara",  "Oskar", "Leila", "Ben"};
constexpr const char *LastNames[] = {"Okafor", "Schmidt", "Tanaka",   "García", "Haddad", "Sharma",
                                     "Silva",  "Wang",    "Petrova",  "Müller", "Mensah", "Nilsson",
                                     "Rossi",  "Sato",    "Williams", "López",  "Moreau", "Kowalski"};
constexpr const char *Emoji[] = {"🙂", "😂", "👍", "🎉", "❤️", "🙏", "😅", "🔥", "☕", "🚆"};
constexpr const char *Reactions[] = {"👍", "❤️", "😂", "🎉", "😮"};

template<typename T, std::size_t N>
constexpr int countOf(const T (&)[N])
{
    return static_cast<int>(N);
}

class Content
{
public:
    explicit Content(std::uint64_t seed) : m_rng(seed) {}

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    qint64 uniform64(qint64 lo, qint64 hi) { return std::uniform_int_distribution<qint64>(lo, hi)(m_rng); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_rng) < p; }
    template<typename T>
    void shuffle(T &items)
    {
        std::shuffle(items.begin(), items.end(), m_rng);
    }

    /// A message: mostly a line (60%: 3-60 characters), often a few lines (30%: 60-240), now and
    /// then a paragraph or two (10%: 240-900); a few with a link or an emoji.
    QString messageText()
    {
        const int roll = uniform(0, 99);
        const int target = roll < 60 ? uniform(3, 60) : roll < 90 ? uniform(60, 240) : uniform(240, 900);
        QString out;
        out.reserve(target + 32);
        bool sentenceStart = true;
        while (out.size() < target) {
            if (!out.isEmpty())
                out += QLatin1Char(' ');
            QString word = QString::fromUtf8(Words[uniform(0, WordCount - 1)]);
            if (sentenceStart && !word.isEmpty())
                word[0] = word[0].toUpper();
            out += word;
            sentenceStart = false;
            const int punctuation = uniform(0, 29);
            if (punctuation == 0) {
                out += QLatin1Char(',');
            } else if (punctuation == 1 && out.size() > 20) {
                out += QLatin1Char(uniform(0, 2) == 0 ? '?' : '.');
                sentenceStart = true;
            }
        }
        if (chance(0.03))
            out += QStringLiteral(" https://example.com/%1/%2")
                                      .arg(QLatin1String(Words[uniform(0, WordCount - 1)]))
                                      .arg(uniform(1000, 99999));
        if (chance(0.08))
            out += QLatin1Char(' ') + QString::fromUtf8(Emoji[uniform(0, countOf(Emoji) - 1)]);
        else if (!out.endsWith(QLatin1Char('.')) && !out.endsWith(QLatin1Char('?')))
            out += QLatin1Char(uniform(0, 3) == 0 ? '?' : '.');
        return out;
    }

    QString personName()
    {
        return QStringLiteral("%1 %2").arg(QString::fromUtf8(FirstNames[uniform(0, countOf(FirstNames) - 1)]),
                                           QString::fromUtf8(LastNames[uniform(0, countOf(LastNames) - 1)]));
    }

    QByteArray bytes(int size)
    {
        QByteArray out(size, Qt::Uninitialized);
        for (char &c : out)
            c = static_cast<char>(uniform(0, 255));
        return out;
    }

    /// The gap before a message: bursts a few seconds to minutes apart (70%), hours (25%), days (5%).
    qint64 gapMs()
    {
        const int roll = uniform(0, 99);
        if (roll < 70)
            return uniform64(4'000, 300'000);
        if (roll < 95)
            return uniform64(300'000, 6 * 3'600'000LL);
        return uniform64(6 * 3'600'000LL, 3 * 86'400'000LL);
    }

private:
    std::mt19937_64 m_rng;
};

// ---- the profile ----------------------------------------------------------------------------

struct Plan
{
    QString remoteId;
    QString title;
    bool group = false;
    QList<Member> members; ///< self first
    qint64 messages = 0;
    qint64 lastActivityMs = 0;
    qint64 id = 0; ///< in the store
    int unread = 0;
};

/// How many messages each conversation gets: the big one first, the rest by weight 1/sqrt(rank).
std::vector<qint64> spread(qint64 messages, int conversations, qint64 big)
{
    std::vector<qint64> counts(static_cast<std::size_t>(conversations), 1);
    counts[0] = big;
    const qint64 rest = messages - big;
    double sum = 0;
    for (int i = 1; i < conversations; ++i)
        sum += 1.0 / std::sqrt(static_cast<double>(i));
    qint64 given = big;
    for (int i = 1; i < conversations; ++i) {
        const auto share = static_cast<qint64>(static_cast<double>(rest) / std::sqrt(static_cast<double>(i)) / sum);
        counts[static_cast<std::size_t>(i)] = std::clamp<qint64>(share, 1, big);
        given += counts[static_cast<std::size_t>(i)];
    }
    // Rounding: the remainder goes round the others one by one (never past the big one).
    for (int i = 1; given != messages && conversations > 1; i = i % (conversations - 1) + 1) {
        qint64 &c = counts[static_cast<std::size_t>(i)];
        if (given < messages && c < big) {
            ++c;
            ++given;
        } else if (given > messages && c > 1) {
            --c;
            --given;
        }
    }
    return counts;
}

IncomingMessage makeMessage(Content &content, const Plan &plan, qint64 sequence, qint64 createdMs,
                            const QList<IncomingMessage> &recent)
{
    IncomingMessage m;
    m.remoteId = QString::number(MessageIdBase + (sequence - SequenceBase) * 13);
    m.sequence = sequence;
    // In a 1:1 each side writes about half; in a group "me" a share like anybody else's.
    const int senderIndex =
        plan.group ? content.uniform(0, static_cast<int>(plan.members.size()) - 1) : content.uniform(0, 1);
    m.senderId = plan.members.at(senderIndex).userId;
    m.outgoing = m.senderId == SelfId;
    m.createdMs = createdMs;
    m.text = content.messageText();
    QJsonObject extra;
    extra.insert(QStringLiteral("verified"), true);
    const int roll = content.uniform(0, 999);
    if (roll < 20) {
        m.kind = MessageKind::Media;
        Attachment a;
        a.mediaId = m.remoteId + QStringLiteral(":0");
        a.fileName = QStringLiteral("IMG_%1.jpg").arg(content.uniform(1000, 9999));
        a.mimeType = QStringLiteral("image/jpeg");
        a.sizeBytes = content.uniform64(80'000, 4'000'000);
        a.width = 1600;
        a.height = 1200;
        a.mediaKey = content.bytes(32);
        m.attachments.append(a);
        if (roll < 10)
            m.text.clear(); // a picture without a caption
    } else if (roll < 100 && !recent.isEmpty()) {
        const IncomingMessage &target = recent.at(content.uniform(0, static_cast<int>(recent.size()) - 1));
        extra.insert(QStringLiteral("reply"), QJsonObject{{QStringLiteral("messageId"), target.remoteId},
                                                           {QStringLiteral("senderId"), target.senderId},
                                                            {QStringLiteral("text"), target.text.left(120)},
                                                             {QStringLiteral("validation"), QStringLiteral("valid")}});
    } else if (roll < 103) {
        m.deleted = true;
        m.text.clear();
    }
    if (content.chance(0.04)) {
        QJsonObject reactions;
        const int kinds = content.uniform(1, 2);
        for (int k = 0; k < kinds; ++k) {
            QJsonArray users;
            const int n = content.uniform(1, plan.group ? static_cast<int>(plan.members.size()) : 2);
            for (int u = 0; u < n; ++u)
                users.append(plan.members.at(u % plan.members.size()).userId);
            reactions.insert(QString::fromUtf8(Reactions[content.uniform(0, countOf(Reactions) - 1)]), users);
        }
        extra.insert(QStringLiteral("reactions"), reactions);
    }
    if (!m.deleted && content.chance(0.01))
        m.editedMs = createdMs + content.uniform64(10'000, 600'000);
    m.extra = extra;
    return m;
}

/// Feeds batches to the store, making the next batch while the store writes the previous one.
class Feeder
{
public:
    explicit Feeder(Store &store) : m_store(store) {}
    void add(qint64 conversationId, const QList<IncomingMessage> &batch)
    {
        if (m_inFlight)
            finishOne();
        m_expected = batch.size();
        m_inFlight = m_store.insertMessages(conversationId, batch);
    }
    void finish()
    {
        if (m_inFlight)
            finishOne();
    }

private:
    void finishOne()
    {
        const InsertReport report = await(*m_inFlight, "inserting messages", bench::Notifications::Deliver);
        if (report.inserted != m_expected)
            die(QStringLiteral("inserted %1 of %2 messages").arg(report.inserted).arg(m_expected));
        m_inFlight.reset();
    }

    Store &m_store;
    std::optional<QFuture<Result<InsertReport>>> m_inFlight;
    qsizetype m_expected = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    bench::g_toolName = "confab-bench-ui-cache";
    QCoreApplication::setApplicationName(QStringLiteral("confab-bench-ui-cache"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Makes a Confab profile with a large message cache."));
    parser.addHelpOption();
    const QCommandLineOption profileOption(
        QStringLiteral("profile"), QStringLiteral("Profile name."), QStringLiteral("name"), QStringLiteral("bench"));
    const QCommandLineOption conversationsOption(
        QStringLiteral("conversations"), QStringLiteral("Conversations."), QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption messagesOption(
        QStringLiteral("messages"), QStringLiteral("Messages in all."), QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption seedOption(
        QStringLiteral("seed"), QStringLiteral("Random seed."), QStringLiteral("n"), QStringLiteral("8"));
    parser.addOptions({profileOption, conversationsOption, messagesOption, seedOption});
    parser.process(app);

    bool ok = false;
    const int conversations = parser.value(conversationsOption).toInt(&ok);
    if (!ok || conversations < 1)
        die(QStringLiteral("--conversations needs a positive number"));
    const qint64 messages = parser.value(messagesOption).toLongLong(&ok);
    if (!ok || messages < conversations)
        die(QStringLiteral("--messages needs at least one message per conversation"));
    const std::uint64_t seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok)
        die(QStringLiteral("--seed needs a number"));
    const qint64 big =
        std::min(std::max(BigMinimum, messages * 3 / 100), messages - static_cast<qint64>(conversations - 1));

    const auto start = Clock::now();
    Result<Profile> resolved = Profile::resolve(parser.value(profileOption));
    if (!resolved)
        die(resolved.error().message());
    const Profile &profile = resolved.value();
    if (auto made = profile.ensureDirectories(); !made)
        die(made.error().message());
    const QString databasePath = profile.dataDir() + QStringLiteral("/confab.db");
    if (QFileInfo::exists(databasePath))
        die(QStringLiteral("%1 exists already: start from an empty profile").arg(databasePath));

    // The sealing key, where the app's SecretSealingKey reads it.
    const crypto::SecureBytes key = crypto::SecureBytes::random(SealingKeySize);
    secrets::KeychainSecretStore keychain(
        secrets::KeychainSecretStore::serviceNameFor(QString::fromLatin1(AppId), profile.name(), profile.isDefault()),
        30'000);
    awaitWithEvents(keychain.write(accounts::secretnames::sealingKey(), key), "writing the sealing key");

    Store store;
    StoreOptions options;
    options.path = databasePath;
    options.housekeepingIntervalMs = 0; // the app's own housekeeping runs when it opens the file
    FixedSealingKey sealing(key);
    const OpenReport opened = await(store.open(options, sealing), "opening the store", bench::Notifications::Deliver);
    if (opened.recreated)
        die(QStringLiteral("the new database was recreated: %1").arg(opened.reason));
    const qint64 accountId = await(store.upsertAccount(AccountKind::XChat, SelfId, SelfName), "adding the account",
                                   bench::Notifications::Deliver)
                                 .id;

    // The conversations: the big one has the newest activity, the others end at random moments
    // of the last half year.
    Content content(seed);
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const std::vector<qint64> counts = spread(messages, conversations, big);
    std::vector<Plan> plans(static_cast<std::size_t>(conversations));
    for (int c = 0; c < conversations; ++c) {
        Plan &p = plans[static_cast<std::size_t>(c)];
        p.group = c != 0 && content.uniform(0, 9) < 3;
        if (c == 0)
            p.group = true; // a busy group: several senders, names shown
        p.members.append(Member{SelfId, SelfName, QStringLiteral("sambench"), QString(), c == 0, 0});
        const int others = p.group ? content.uniform(2, 7) : 1;
        QStringList names;
        for (int o = 0; o < others; ++o) {
            const QString userId = QString::number(2'000'000 + c * 10 + o);
            const QString name = content.personName();
            p.members.append(Member{userId, name, name.section(QLatin1Char(' '), 0, 0).toLower() + userId.right(3),
                                    QString(), false, 0});
            names << name.section(QLatin1Char(' '), 0, 0);
        }
        if (p.group) {
            p.remoteId = QStringLiteral("g%1").arg(9'000'000 + c);
            p.title = c == 0
                ? QStringLiteral("Release crew")
                : QStringLiteral("%1 %2").arg(QString::fromUtf8(Words[36 + c % 60]), names.join(QStringLiteral(", ")));
            p.title[0] = p.title[0].toUpper();
        } else {
            p.remoteId = QStringLiteral("%1:%2").arg(SelfId, p.members.at(1).userId);
            p.title = p.members.at(1).displayName;
        }
        p.messages = counts[static_cast<std::size_t>(c)];
        p.lastActivityMs = c == 0 ? nowMs - 120'000 : nowMs - content.uniform64(600'000, 180LL * 86'400'000);
        p.unread = content.chance(0.15) ? content.uniform(1, 30) : 0;

        ConversationInput input;
        input.accountId = accountId;
        input.remoteId = p.remoteId;
        input.kind = p.group ? ConversationKind::Group : ConversationKind::Direct;
        input.title = p.title;
        input.historyComplete = true;
        input.extra = QJsonObject{{QStringLiteral("keyVersion"), QString::number(1 + c % 3)}};
        p.id = await(store.upsertConversation(input), "adding a conversation", bench::Notifications::Deliver).id;
        await(store.setMembers(p.id, p.members), "setting the members", bench::Notifications::Deliver);
    }
    progress(QStringLiteral("%1 conversations; writing %2 messages (the biggest conversation: %3) ...")
                                .arg(conversations)
                                .arg(messages)
                                .arg(big));

    const auto writing = Clock::now();
    Feeder feeder(store);
    qint64 sequence = SequenceBase;
    qint64 written = 0;
    qint64 nextReport = 100'000;
    for (Plan &p : plans) {
        // Times backwards from the last activity, then written oldest first.
        std::vector<qint64> times(static_cast<std::size_t>(p.messages));
        qint64 t = p.lastActivityMs;
        for (qint64 i = p.messages - 1; i >= 0; --i) {
            times[static_cast<std::size_t>(i)] = t;
            t -= content.gapMs();
        }
        QList<IncomingMessage> recent;
        const qint64 firstSequence = sequence;
        for (qint64 first = 0; first < p.messages; first += Batch) {
            const qint64 n = std::min<qint64>(Batch, p.messages - first);
            QList<IncomingMessage> batch;
            batch.reserve(n);
            for (qint64 i = first; i < first + n; ++i) {
                IncomingMessage m = makeMessage(content, p, sequence, times[static_cast<std::size_t>(i)], recent);
                sequence += 7;
                if (m.kind == MessageKind::Text && !m.deleted) {
                    if (recent.size() >= 12)
                        recent.removeFirst();
                    recent.append(m);
                }
                batch.append(std::move(m));
            }
            feeder.add(p.id, batch);
            written += n;
            if (written >= nextReport) {
                progress(QStringLiteral("  %1 messages").arg(written));
                nextReport += 100'000;
            }
        }
        // Read up to the newest message, or `unread` short of it (the store answers in order;
        // closing waits for these).
        p.unread = static_cast<int>(std::min<qint64>(p.unread, p.messages - 1));
        const qint64 lastRead = firstSequence + (p.messages - 1 - p.unread) * 7;
        (void)store.markRead(p.id, lastRead);
    }
    feeder.finish();
    const double writeSeconds = secondsSince(writing);
    const HousekeepingReport files = await(store.housekeep(), "checkpointing", bench::Notifications::Deliver);
    await(store.close(), "closing the store", bench::Notifications::Deliver);

    // The account, signed out: the window has an account (so it shows conversations), and
    // nothing signs in or syncs.
    accounts::AccountRecord record;
    record.kind = AccountKind::XChat;
    record.server = QUrl(QStringLiteral("https://api.x.com"));
    record.clientId = QStringLiteral("confab-bench");
    record.userId = SelfId;
    record.username = QStringLiteral("sambench");
    record.displayName = SelfName;
    record.signedOut = true;
    record.key = accounts::AccountRecord::makeKey(record.kind, record.userId, record.server);
    accounts::AccountRegistry(profile.settingsFile()).upsert(record);

    const double seconds = secondsSince(start);
    progress(QStringLiteral("done: %1 s (%2 messages/s), %3 MiB")
                                .arg(seconds, 0, 'f', 1)
                                .arg(static_cast<double>(messages) / writeSeconds, 0, 'f', 0)
                                .arg(static_cast<double>(files.fileBytes + files.walBytes) / 1048576.0, 0, 'f', 1));
    const QJsonObject summary{
        {QStringLiteral("profile"), profile.name()},
         {QStringLiteral("database"), databasePath},
          {QStringLiteral("conversations"), conversations},
           {QStringLiteral("messages"), messages},
            {QStringLiteral("bigConversation"),
                QJsonObject{{QStringLiteral("title"), plans.front().title}, {QStringLiteral("messages"), big}}},
                {QStringLiteral("unreadConversations"),
                                static_cast<int>(std::count_if(plans.begin(), plans.end(),
                                                               [](const Plan &p) { return p.unread > 0; }))},
                 {QStringLiteral("seconds"), seconds}, {QStringLiteral("writeSeconds"), writeSeconds},
                                                        {QStringLiteral("fileBytes"), files.fileBytes + files.walBytes},
                                                       };
    std::printf("%s\n", QJsonDocument(summary).toJson(QJsonDocument::Compact).constData());
    return 0;
}
