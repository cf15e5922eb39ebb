// The store against real SQLite files in temporary folders, through its public API: migrations
// from every earlier schema version (fixtures/schema-vK.sql), sealing at rest, paged reads and
// their query plans, the conversation list, members, dedup and ordering, change signals, the
// outbox's state machine and its backoff, edits and cascades, damaged and full files,
// housekeeping and search.

#include "core/error.h"
#include "core/result.h"
#include "crypto/securebytes.h"
#include "store/changeset.h"
#include "store/outboxpolicy.h"
#include "store/schema.h"
#include "store/sealer.h"
#include "store/searchrun.h"
#include "store/store.h"
#include "store/storeoptions.h"
#include "store/types.h"
#include "storewait.h"

#include <QCborMap>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

using namespace confab;
using namespace confab::store;
using confab::test::errorText;
using confab::test::settle;

namespace {

constexpr int WaitMs = 120000;
constexpr qint64 BaseMs = 1'700'000'000'000;

} // namespace

namespace {

// The page queries, copied from src/store/database.cpp, for EXPLAIN QUERY PLAN.
#define MESSAGE_COLUMNS                                                                                                \
    "SELECT m.id, m.conversation_id, m.remote_id, m.pending, m.sort_key, m.sender_id, m.outgoing, m.created_ms,"       \
    " m.edited_ms, m.kind, m.deleted, m.delivery, m.attachment_count, m.content_sealed,"                               \
    " o.attempts, o.next_attempt_ms, o.failure_sealed FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
#define CONVERSATION_COLUMNS                                                                                           \
    "SELECT id, account_id, remote_id, kind, title_sealed, avatar_sealed, last_activity_ms, preview_sealed,"           \
    " unread_count, read_marker, muted, extra_sealed, sync_state, history_complete FROM conversations "

const char *const NewestMessagesSql =
    MESSAGE_COLUMNS "WHERE m.conversation_id = ? ORDER BY m.pending DESC, m.sort_key DESC LIMIT ?";
const char *const MessagesBeforeSql = MESSAGE_COLUMNS "WHERE m.conversation_id = ? AND (m.pending, m.sort_key) < (?, ?)"
                                                      " ORDER BY m.pending DESC, m.sort_key DESC LIMIT ?";
const char *const MessagesAfterSql = MESSAGE_COLUMNS "WHERE m.conversation_id = ? AND (m.pending, m.sort_key) > (?, ?)"
                                                     " ORDER BY m.pending, m.sort_key LIMIT ?";
const char *const AllConversationsSql = CONVERSATION_COLUMNS "ORDER BY last_activity_ms DESC, id DESC LIMIT ? OFFSET ?";
const char *const AccountConversationsSql =
    CONVERSATION_COLUMNS "WHERE +account_id = ? ORDER BY last_activity_ms DESC, id DESC LIMIT ? OFFSET ?";
const char *const UnreadRecountSql = "SELECT count(*) FROM messages WHERE conversation_id = ?"
                                     "   AND pending = 0 AND sort_key > ? AND outgoing = 0 AND deleted = 0";

/// A connection of the test's own to a store file, under a unique name.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(QStringLiteral("tst-store-raw-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_ok = db.open();
        if (!m_ok)
            lastError = db.lastError().text();
    }
    ~RawDb()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

    /// Every row of one statement; on failure an empty list and `lastError`.
    QList<QVariantList> rows(const QString &sql, const QVariantList &binds = {})
    {
        lastError.clear();
        QList<QVariantList> out;
        QSqlQuery q(db());
        if (!q.prepare(sql)) {
            lastError = q.lastError().text();
            return out;
        }
        for (const QVariant &value : binds)
            q.addBindValue(value);
        if (!q.exec()) {
            lastError = q.lastError().text();
            return out;
        }
        while (q.next()) {
            QVariantList row;
            for (int i = 0; i < q.record().count(); ++i)
                row.append(q.value(i));
            out.append(row);
        }
        if (q.lastError().isValid())
            lastError = q.lastError().text();
        return out;
    }
    QVariant value(const QString &sql, const QVariantList &binds = {})
    {
        const QList<QVariantList> all = rows(sql, binds);
        return all.isEmpty() || all.constFirst().isEmpty() ? QVariant() : all.constFirst().constFirst();
    }
    /// Runs one statement; true on success (else `lastError`).
    bool exec(const QString &sql, const QVariantList &binds = {})
    {
        rows(sql, binds);
        return lastError.isEmpty();
    }

    QString lastError;

private:
    QString m_name;
    bool m_ok = false;
};

/// The statements of an SQL script (`--` comments dropped, `;` outside quotes ends a statement).
QStringList splitSql(const QString &script)
{
    QStringList out;
    QString current;
    bool quoted = false;
    for (qsizetype i = 0; i < script.size(); ++i) {
        const QChar c = script.at(i);
        if (!quoted && c == u'-' && i + 1 < script.size() && script.at(i + 1) == u'-') {
            while (i < script.size() && script.at(i) != u'\n')
                ++i;
            current += u'\n';
            continue;
        }
        if (c == u'\'')
            quoted = !quoted;
        if (!quoted && c == u';') {
            if (!current.trimmed().isEmpty())
                out.append(current.trimmed());
            current.clear();
            continue;
        }
        current += c;
    }
    if (!current.trimmed().isEmpty())
        out.append(current.trimmed());
    return out;
}

/// Loads a fixture script into `raw`; empty on success, else what failed.
QString loadFixture(RawDb &raw, const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1").arg(file);
    const QStringList statements = splitSql(QString::fromUtf8(f.readAll()));
    if (statements.isEmpty())
        return QStringLiteral("%1 has no statements").arg(file);
    for (const QString &statement : statements) {
        if (!raw.exec(statement))
            return QStringLiteral("%1: %2 (in: %3)").arg(file, raw.lastError, statement.left(120));
    }
    return {};
}

/// How a fixture's plaintext placeholder becomes what the store writes in that column (the
/// formats of database.cpp: sealString, sealCbor of a map, or seal of raw bytes).
enum class Encoding { Raw, String, Content, Preview, Profile, AttachmentMeta };

struct SealedColumn
{
    const char *table;
    const char *keys;
    const char *column;
    Encoding encoding;
};

const SealedColumn SealedColumns[] = {
    {"meta", "key", "value", Encoding::Raw},
    {"accounts", "id", "display_sealed", Encoding::String},
    {"conversations", "id", "title_sealed", Encoding::String},
    {"conversations", "id", "avatar_sealed", Encoding::String},
    {"conversations", "id", "preview_sealed", Encoding::Preview},
    {"members", "conversation_id,user_id", "profile_sealed", Encoding::Profile},
    {"messages", "id", "content_sealed", Encoding::Content},
    {"attachments", "message_id,ordinal", "meta_sealed", Encoding::AttachmentMeta},
    {"outbox", "message_id", "failure_sealed", Encoding::String},
    {"outbox", "message_id", "payload_sealed", Encoding::Raw},
};

QByteArray encodePlaceholder(const Sealer &sealer, Encoding encoding, const QString &text)
{
    QCborMap map;
    switch (encoding) {
    case Encoding::Raw: return sealer.seal(text.toUtf8());
    case Encoding::String: return sealer.sealString(text);
    case Encoding::Content: map.insert(0, text); break;
    case Encoding::Preview:
        map.insert(QLatin1String("t"), text);
        map.insert(QLatin1String("k"), 0);
        break;
    case Encoding::Profile: map.insert(QLatin1String("name"), text); break;
    case Encoding::AttachmentMeta: map.insert(QLatin1String("name"), text); break;
    }
    return sealer.sealCbor(map);
}

bool tableExists(RawDb &raw, const QString &table)
{
    return raw.value(
        QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?"), {table}).toInt() == 1;
}

/// Seals every TEXT placeholder of the fixture's sealed columns with `sealer`, in place; returns
/// how many it sealed, or -1 (with `error`) on failure.
int sealPlaceholders(RawDb &raw, const Sealer &sealer, QString &error)
{
    int sealed = 0;
    for (const SealedColumn &column : SealedColumns) {
        const QString table = QString::fromLatin1(column.table);
        if (!tableExists(raw, table))
            continue;
        const QStringList keys = QString::fromLatin1(column.keys).split(u',');
        const QString name = QString::fromLatin1(column.column);
        const QList<QVariantList> rows = raw.rows(
            QStringLiteral("SELECT %1, %2 FROM %3 WHERE typeof(%2) = 'text'").arg(keys.join(u','), name, table));
        if (!raw.lastError.isEmpty()) {
            error = raw.lastError;
            return -1;
        }
        QStringList where;
        for (const QString &key : keys)
            where.append(QStringLiteral("%1 = ?").arg(key));
        const QString update =
            QStringLiteral("UPDATE %1 SET %2 = ? WHERE %3").arg(table, name, where.join(QStringLiteral(" AND ")));
        for (const QVariantList &row : rows) {
            QVariantList binds{encodePlaceholder(sealer, column.encoding, row.constLast().toString())};
            for (qsizetype i = 0; i < keys.size(); ++i)
                binds.append(row.at(i));
            if (!raw.exec(update, binds)) {
                error = raw.lastError;
                return -1;
            }
            ++sealed;
        }
    }
    return sealed;
}

/// The schema as text lines (statistics tables left out: PRAGMA optimize may add them).
QStringList schemaOf(RawDb &raw)
{
    QStringList out;
    for (const QVariantList &row :
         raw.rows(QStringLiteral("SELECT type, name, tbl_name, sql FROM sqlite_schema"
                                 " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"))) {
        QStringList cells;
        for (const QVariant &cell : row)
            cells.append(cell.toString());
        out.append(cells.join(QStringLiteral(" | ")));
    }
    return out;
}

QStringList queryPlan(RawDb &raw, const char *sql, const QVariantList &binds)
{
    QStringList details;
    const QList<QVariantList> rows =
        raw.rows(QString(QStringLiteral("EXPLAIN QUERY PLAN ") + QLatin1String(sql)), binds);
    for (const QVariantList &row : rows)
        details.append(row.value(3).toString());
    if (!raw.lastError.isEmpty())
        details.append(QStringLiteral("ERROR: %1").arg(raw.lastError));
    return details;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

IncomingMessage incoming(const QString &remoteId, qint64 sequence, const QString &text, qint64 createdMs = -1,
                         const QString &sender = QStringLiteral("peer"))
{
    IncomingMessage m;
    m.remoteId = remoteId;
    m.sequence = sequence;
    m.senderId = sender;
    m.createdMs = createdMs >= 0 ? createdMs : BaseMs + sequence * 1000;
    m.text = text;
    return m;
}

OutgoingMessage outgoing(const QString &remoteId, const QString &text, qint64 createdMs,
                         const QByteArray &payload = QByteArray("payload"))
{
    OutgoingMessage m;
    m.remoteId = remoteId;
    m.senderId = QStringLiteral("me");
    m.createdMs = createdMs;
    m.text = text;
    m.payload = payload;
    return m;
}

Result<Conversation> addConversation(Store &store, const QString &accountRemoteId, const QString &remoteId,
                                     ConversationKind kind = ConversationKind::Direct)
{
    Result<Account> account = settle(store.upsertAccount(AccountKind::XChat, accountRemoteId));
    if (!account)
        return account.error();
    ConversationInput in;
    in.accountId = account.value().id;
    in.remoteId = remoteId;
    in.kind = kind;
    return settle(store.upsertConversation(in));
}

QStringList remoteIds(const QList<Message> &messages)
{
    QStringList out;
    for (const Message &m : messages)
        out.append(m.remoteId);
    return out;
}

QStringList texts(const QList<Message> &messages)
{
    QStringList out;
    for (const Message &m : messages)
        out.append(m.text);
    return out;
}

QString keyText(MessageKey key)
{
    return QStringLiteral("%1%2").arg(key.pending ? QStringLiteral("p") : QString()).arg(key.sortKey);
}

/// Every change signal of a store.
struct Spies
{
    explicit Spies(Store *store)
        : conversationAdded(store, &Store::conversationAdded)
        , conversationChanged(store, &Store::conversationChanged)
        , conversationRemoved(store, &Store::conversationRemoved)
        , messagesInserted(store, &Store::messagesInserted)
        , messagesChanged(store, &Store::messagesChanged)
        , messagesRemoved(store, &Store::messagesRemoved)
        , membersChanged(store, &Store::membersChanged)
        , accountsChanged(store, &Store::accountsChanged)
        , outboxChanged(store, &Store::outboxChanged)
    {}

    QSignalSpy conversationAdded;
    QSignalSpy conversationChanged;
    QSignalSpy conversationRemoved;
    QSignalSpy messagesInserted;
    QSignalSpy messagesChanged;
    QSignalSpy messagesRemoved;
    QSignalSpy membersChanged;
    QSignalSpy accountsChanged;
    QSignalSpy outboxChanged;

    QList<QSignalSpy *> all()
    {
        return {&conversationAdded, &conversationChanged, &conversationRemoved, &messagesInserted, &messagesChanged,
                &messagesRemoved,   &membersChanged,      &accountsChanged,     &outboxChanged};
    }
    void clear()
    {
        for (QSignalSpy *spy : all())
            spy->clear();
    }
    qsizetype total()
    {
        qsizetype n = 0;
        for (QSignalSpy *spy : all())
            n += spy->count();
        return n;
    }
};

/// What one search run reported.
struct SearchOutcome
{
    bool ended = false;
    QList<QList<SearchHit>> batches;
    SearchStats stats;
    std::optional<Error> error;

    [[nodiscard]] QList<SearchHit> hits() const
    {
        QList<SearchHit> out;
        for (const QList<SearchHit> &batch : batches)
            out.append(batch);
        return out;
    }
};

SearchOutcome runSearch(Store &store, const SearchQuery &query)
{
    SearchOutcome outcome;
    std::unique_ptr<SearchRun> run(store.search(query));
    if (!run) {
        outcome.error = Error(ErrorKind::Storage, QStringLiteral("search() returned null"));
        return outcome;
    }
    QObject::connect(run.get(), &SearchRun::hitsFound, run.get(),
                     [&outcome](const QList<SearchHit> &hits) { outcome.batches.append(hits); });
    QObject::connect(run.get(), &SearchRun::finished, run.get(), [&outcome](const SearchStats &stats) {
        outcome.stats = stats;
        outcome.ended = true;
    });
    QObject::connect(run.get(), &SearchRun::failed, run.get(), [&outcome](const Error &error) {
        outcome.error = error;
        outcome.ended = true;
    });
    if (!QTest::qWaitFor([&outcome] { return outcome.ended; }, WaitMs))
        outcome.error = Error(ErrorKind::Timeout, QStringLiteral("the search did not finish"));
    return outcome;
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    // 1. schema
    void migratesFromEveryEarlierVersion_data();
    void migratesFromEveryEarlierVersion();
    void freshDatabaseOpensAtLatest();
    void newerDatabaseIsRefusedUntouched();
    void reopeningIsANoOp();
    // 2. sealing
    void sealedAtRest();
    void anotherKeyMovesTheFileAside();
    // 3. paged reads
    void pagedReads();
    void pageQueriesUseIndexes();
    // 4. conversations and members
    void conversationList();
    void membersAndReadMarkers();
    void openingReadsAConversationInOneGo();
    void upsertConversationKeepsUnsetFields();
    // 5. dedup and ordering
    void dedupAndOrdering();
    // 6. change signals
    void changeSignals();
    void failedWritesEmitNothing();
    // 7. outbox
    void outboxTransitions();
    void outboxSurvivesARestart();
    void outboxPolicyBackoff();
    // 8. edits and removals
    void modifyMessage();
    void removalsCascade();
    // 9. damaged and full files
    void garbageFileIsReplaced();
    void damagedPagesFailTheFirstRead();
    void damagedFileKeepsUnsentMessages();
    void integrityCheckReportsDamage();
    void diskFull();
    // 10. housekeeping
    void housekeeping();
    // 11. search
    void search();
    void searchCancel();
    void searchInOneConversationFollowsTheTimeline();
    void searchEmptyPhrase();

private:
    static constexpr int DamagedCount = 3000;
    /// A store file with DamagedCount messages, then a run of pages in its middle overwritten.
    void buildDamagedDatabase(const StoreOptions &options);
    [[nodiscard]] QString pathFor(const QString &name) const { return m_dir->filePath(name); }
    [[nodiscard]] StoreOptions optionsFor(const QString &name) const
    {
        StoreOptions options;
        options.path = pathFor(name);
        options.housekeepingIntervalMs = 0; // the tests call housekeep() themselves
        return options;
    }
    Result<OpenReport> openStore(std::unique_ptr<Store> &store, const StoreOptions &options,
                                 const crypto::SecureBytes *key = nullptr)
    {
        store = std::make_unique<Store>();
        FixedSealingKey keys(key ? *key : m_key);
        return settle(store->open(options, keys));
    }

    crypto::SecureBytes m_key;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStore::initTestCase()
{
    m_key = crypto::SecureBytes::random(SealingKeySize);
    QCOMPARE(m_key.size(), SealingKeySize);
    qRegisterMetaType<SearchStats>();
    qRegisterMetaType<Error>();
}

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStore::cleanup()
{
    m_dir.reset();
}

// ---- 1. schema ------------------------------------------------------------------------------

void TestStore::migratesFromEveryEarlierVersion_data()
{
    QTest::addColumn<int>("version");
    for (int k = 1; k < latestSchemaVersion(); ++k)
        QTest::addRow("v%d", k) << k;
}

void TestStore::migratesFromEveryEarlierVersion()
{
    QFETCH(int, version);
    const QString fixture = QStringLiteral(STORE_FIXTURES_DIR "/schema-v%1.sql").arg(version);
    QVERIFY2(QFileInfo::exists(fixture),
             qPrintable(QStringLiteral("every earlier schema version needs a fixture: %1 is missing").arg(fixture)));
    const QString file = pathFor(QStringLiteral("migrate.db"));
    {
        RawDb raw(file);
        QVERIFY2(raw.ok(), qPrintable(raw.lastError));
        const QString loaded = loadFixture(raw, fixture);
        QVERIFY2(loaded.isEmpty(), qPrintable(loaded));
        QCOMPARE(raw.value(QStringLiteral("PRAGMA user_version")).toInt(), version);

        // The fixture is what version k created: the same schema as the steps up to k.
        RawDb reference(pathFor(QStringLiteral("reference.db")));
        QVERIFY(reference.exec(QStringLiteral("PRAGMA auto_vacuum = INCREMENTAL")));
        {
            QSqlDatabase db = reference.db();
            Result<int> reached = migrate(db, version);
            QVERIFY2(reached.ok(), qPrintable(errorText(reached)));
            QCOMPARE(reached.value(), version);
        }
        QCOMPARE(schemaOf(raw), schemaOf(reference));

        QString error;
        const int sealed = sealPlaceholders(raw, Sealer(m_key), error);
        QVERIFY2(sealed > 0, qPrintable(error));
        for (const SealedColumn &column : SealedColumns) {
            const QString table = QString::fromLatin1(column.table);
            if (tableExists(raw, table))
                QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM %1 WHERE typeof(%2) = 'text'") .arg(
                                       table, QString::fromLatin1(column.column)))
                                       .toInt(),
                                   0);
        }
    }

    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("migrate.db"))));
    QCOMPARE(report.schemaVersionBefore, version);
    QCOMPARE(report.schemaVersion, latestSchemaVersion());
    QVERIFY2(!report.recreated, qPrintable(report.reason));
    QVERIFY(report.movedAsideTo.isEmpty());
    QCOMPARE(report.interruptedSends, version >= 2 ? 1 : 0);

    AWAIT(accounts, store->accounts());
    QCOMPARE(accounts.size(), 1);
    QCOMPARE(accounts.at(0).remoteId, QStringLiteral("1001"));
    QCOMPARE(accounts.at(0).kind, AccountKind::XChat);
    QCOMPARE(accounts.at(0).displayName, QStringLiteral("Sam Fixture"));

    // The conversation list: by last activity, with unread counts and previews.
    AWAIT(list, store->conversations());
    QCOMPARE(list.size(), 2);
    const Conversation group = list.at(0);
    const Conversation direct = list.at(1);
    QCOMPARE(group.remoteId, QStringLiteral("g42"));
    QCOMPARE(group.kind, ConversationKind::Group);
    QCOMPARE(group.title, QStringLiteral("Fixture group"));
    QCOMPARE(group.unreadCount, 0);
    QVERIFY(group.muted);
    QVERIFY(group.preview.has_value());
    QCOMPARE(group.preview->text, QStringLiteral("Group mine, the newest"));
    QCOMPARE(direct.remoteId, QStringLiteral("1001:2002"));
    QCOMPARE(direct.kind, ConversationKind::Direct);
    QCOMPARE(direct.title, QStringLiteral("Ada Fixture"));
    QCOMPARE(direct.unreadCount, 2);
    QCOMPARE(direct.readMarker, 102);
    QVERIFY(direct.preview.has_value());
    QCOMPARE(direct.preview->text,
             version >= 2 ? QStringLiteral("This one failed") : QStringLiteral("See you at noon"));

    // Messages in the server's order (the rows were written out of order), own pending ones last.
    AWAIT(directMessages, store->newestMessages(direct.id, 50));
    QStringList expectedIds{QStringLiteral("m-104"), QStringLiteral("m-103"), QStringLiteral("m-102"),
                                                                                             QStringLiteral("m-101")};
    QStringList expectedTexts{QStringLiteral("See you at noon"),
                                             QStringLiteral("First unread line"),
                                                            QStringLiteral("My reply, sent long ago"),
                                                                           QStringLiteral("Hello from schema one")};
    if (version >= 2) {
        expectedIds = QStringList{QStringLiteral("own-v2-failed"), QStringLiteral("own-v2-sending")} + expectedIds;
        expectedTexts =
            QStringList{QStringLiteral("This one failed"), QStringLiteral("Still on its way")} + expectedTexts;
    }
    QCOMPARE(remoteIds(directMessages), expectedIds);
    QCOMPARE(texts(directMessages), expectedTexts);
    for (const Message &m : std::as_const(directMessages)) {
        if (m.remoteId == QLatin1String("m-102")) {
            QVERIFY(m.outgoing);
            QCOMPARE(m.delivery, DeliveryState::Sent); // step 2 marked old own messages sent
            QCOMPARE(m.key, (MessageKey{false, 102}));
        } else if (m.remoteId == QLatin1String("m-103")) {
            QCOMPARE(m.delivery, DeliveryState::Received);
            QCOMPARE(m.kind, MessageKind::Media);
            QCOMPARE(m.attachments.size(), 1);
            QCOMPARE(m.attachments.at(0).fileName, QStringLiteral("noon-map.png"));
            QCOMPARE(m.createdMs, Q_INT64_C(1700000300000));
        } else if (m.remoteId == QLatin1String("m-101")) {
            QCOMPARE(m.delivery, DeliveryState::Received);
            QCOMPARE(m.senderId, QStringLiteral("2002"));
        }
    }
    AWAIT(groupMessages, store->newestMessages(group.id, 50));
    QCOMPARE(remoteIds(groupMessages),
             (QStringList{QStringLiteral("g-204"), QStringLiteral("g-203"), QStringLiteral("g-202"),
                                                                                           QStringLiteral("g-201")}));
    QVERIFY(groupMessages.at(1).deleted);
    QVERIFY(groupMessages.at(1).text.isEmpty());
    QCOMPARE(groupMessages.at(2).editedMs, Q_INT64_C(1700000750000));
    QCOMPARE(groupMessages.at(2).text, QStringLiteral("Group second, edited"));

    AWAIT(members, store->members(group.id));
    QCOMPARE(members.size(), 3);
    QCOMPARE(members.at(2).userId, QStringLiteral("3003"));
    QCOMPARE(members.at(2).displayName, QStringLiteral("Grace Fixture"));
    QVERIFY(members.at(2).admin);
    QCOMPARE(members.at(2).readMarker, 0);

    // Unread counts are recounted from the migrated rows.
    AWAIT(afterRead, store->markRead(direct.id, 103));
    QCOMPARE(afterRead.unreadCount, 1);

    if (version >= 2) {
        // The entry that was on the wire when the old build died is pending again, the failed one
        // still waits for the person.
        AWAIT(unsent, store->unsent());
        QCOMPARE(remoteIds(unsent), (QStringList{QStringLiteral("own-v2-sending"), QStringLiteral("own-v2-failed")}));
        QCOMPARE(unsent.at(0).delivery, DeliveryState::Pending);
        QCOMPARE(unsent.at(1).delivery, DeliveryState::Failed);
        QCOMPARE(unsent.at(1).attempts, 10);
        QCOMPARE(unsent.at(1).failureReason, QStringLiteral("No connection"));
        AWAIT(claimed, store->claimDue(BaseMs * 2, {}, 10));
        QCOMPARE(claimed.size(), 1);
        QCOMPARE(claimed.at(0).message.remoteId, QStringLiteral("own-v2-sending"));
        QCOMPARE(claimed.at(0).payload, QByteArray("payload-of-own-v2-sending"));
        QCOMPARE(claimed.at(0).conversationRemoteId, QStringLiteral("1001:2002"));
        AWAIT(sent, store->markSent(claimed.at(0).message.id, SendReceipt{105, 0}));
        QVERIFY(sent.has_value());
        QCOMPARE(sent->key, (MessageKey{false, 105}));
    }

    // The migrated file takes new writes.
    AWAIT(inserted, store->insertMessages(
                        direct.id, {incoming(QStringLiteral("m-106"), 106, QStringLiteral("After the migration"))}));
    QCOMPARE(inserted.inserted, 1);
    AWAIT(queued, store->enqueue(direct.id, outgoing(QStringLiteral("own-new"), QStringLiteral("Fresh"), BaseMs)));
    QVERIFY(queued.key.pending);
    AWAIT(after, store->newestMessages(direct.id, 3));
    QCOMPARE(after.at(0).remoteId, QStringLiteral("own-new"));
    store.reset();

    // And it has exactly the schema of a database created at the latest version.
    std::unique_ptr<Store> fresh;
    AWAIT(freshReport, openStore(fresh, optionsFor(QStringLiteral("fresh.db"))));
    fresh.reset();
    RawDb migrated(file);
    RawDb created(pathFor(QStringLiteral("fresh.db")));
    QCOMPARE(schemaOf(migrated), schemaOf(created));
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA user_version")).toInt(), latestSchemaVersion());
}

void TestStore::freshDatabaseOpensAtLatest()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("fresh.db"))));
    QCOMPARE(report.schemaVersionBefore, 0);
    QCOMPARE(report.schemaVersion, latestSchemaVersion());
    QVERIFY(!report.recreated);
    QCOMPARE(report.interruptedSends, 0);
    QVERIFY(store->isOpen());
    QCOMPARE(store->path(), pathFor(QStringLiteral("fresh.db")));
    AWAIT(accounts, store->accounts());
    QVERIFY(accounts.isEmpty());

    RawDb raw(pathFor(QStringLiteral("fresh.db")));
    QCOMPARE(raw.value(QStringLiteral("PRAGMA user_version")).toInt(), latestSchemaVersion());
    QCOMPARE(raw.value(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(raw.value(QStringLiteral("PRAGMA auto_vacuum")).toInt(), 2); // incremental
    QVERIFY(tableExists(raw, QStringLiteral("outbox")));
}

void TestStore::newerDatabaseIsRefusedUntouched()
{
    const QString file = pathFor(QStringLiteral("newer.db"));
    {
        RawDb raw(file);
        QVERIFY(raw.ok());
        {
            QSqlDatabase db = raw.db();
            Result<int> reached = migrate(db);
            QVERIFY2(reached.ok(), qPrintable(errorText(reached)));
        }
        QVERIFY(raw.exec(QStringLiteral("CREATE TABLE from_the_future(x)")));
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO accounts(kind, remote_id) VALUES ('xchat', 'future-user')")));
        QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = %1").arg(latestSchemaVersion() + 1)));
    }
    const QByteArray before = readFile(file);
    QVERIFY(!before.isEmpty());
    const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files);

    std::unique_ptr<Store> store;
    AWAIT_ERROR(error, openStore(store, optionsFor(QStringLiteral("newer.db"))));
    QCOMPARE(error.kind(), ErrorKind::Storage);
    QVERIFY2(error.message().contains(QLatin1String("newer")), qPrintable(error.toString()));
    QVERIFY(!store->isOpen());
    AWAIT_ERROR(notOpen, store->accounts());
    QCOMPARE(notOpen.kind(), ErrorKind::Storage);
    store.reset();

    QCOMPARE(readFile(file), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), filesBefore);
}

void TestStore::reopeningIsANoOp()
{
    const StoreOptions options = optionsFor(QStringLiteral("reopen.db"));
    std::unique_ptr<Store> store;
    {
        AWAIT(first, openStore(store, options));
        QCOMPARE(first.schemaVersionBefore, 0);
        AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c1")));
        AWAIT(report, store->insertMessages(conversation.id,
                                            {incoming(QStringLiteral("a"), 1, QStringLiteral("one")),
                                                      incoming(QStringLiteral("b"), 2, QStringLiteral("two"))}));
        QCOMPARE(report.inserted, 2);
        store.reset();
    }
    QStringList schema;
    {
        RawDb raw(options.path);
        schema = schemaOf(raw);
    }
    AWAIT(again, openStore(store, options));
    QCOMPARE(again.schemaVersionBefore, latestSchemaVersion());
    QCOMPARE(again.schemaVersion, latestSchemaVersion());
    QVERIFY(!again.recreated);
    QVERIFY(again.movedAsideTo.isEmpty());
    QCOMPARE(again.interruptedSends, 0);
    AWAIT(list, store->conversations());
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.at(0).unreadCount, 2);
    AWAIT(messages, store->newestMessages(list.at(0).id, 10));
    QCOMPARE(texts(messages), (QStringList{QStringLiteral("two"), QStringLiteral("one")}));

    // close() and open() again on the same object.
    AWAIT_OK(store->close());
    QVERIFY(!store->isOpen());
    AWAIT_ERROR(closed, store->conversations());
    QCOMPARE(closed.kind(), ErrorKind::Storage);
    FixedSealingKey keys(m_key);
    AWAIT(third, store->open(options, keys));
    QCOMPARE(third.schemaVersionBefore, latestSchemaVersion());
    QVERIFY(!third.recreated);
    AWAIT(listAgain, store->conversations());
    QCOMPARE(listAgain.size(), 1);
    store.reset();
    RawDb raw(options.path);
    QCOMPARE(schemaOf(raw), schema);
    QCOMPARE(QDir(m_dir->path()).entryList(QStringList{QStringLiteral("*unusable*")}, QDir::Files), QStringList());
}

// ---- 2. sealing -----------------------------------------------------------------------------

void TestStore::sealedAtRest()
{
    const QString displayName = QStringLiteral("Sam Sealedaccount Rivera");
    const QString title = QStringLiteral("Secret Garden Planning Committee");
    const QString avatar = QStringLiteral("https://avatars.example/secret-avatar-7731.png");
    const QString extraNote = QStringLiteral("conversation-extra-plaintext-9913");
    const QString memberName = QStringLiteral("Ada Membername Lovelace");
    const QString memberUsername = QStringLiteral("ada_username_secret_42");
    const QString text = QStringLiteral("The eagle lands at midnight behind the old mill");
    const QString unicodeText = QStringLiteral("Grüße aus Köln – streng geheim ✓ Ünïcödé");
    const QString reaction = QStringLiteral("message-extra-plaintext-8080");
    const QString fileName = QStringLiteral("passport-scan-2024-secret.jpg");
    const QString mimeType = QStringLiteral("image/x-secret-mime-type");
    const QByteArray mediaKey = QByteArray::fromHex("8f13a7c4e2d95b60f1c3a9e74d2b6e58");
    const QString outgoingText = QStringLiteral("Outbox plaintext never on disk 4242");
    const QByteArray payload("PAYLOAD-SECRET-BYTES-0xDEADBEEF-77");
    const QString failureReason = QStringLiteral("Failure reason plaintext 5151");

    const StoreOptions options = optionsFor(QStringLiteral("sealed.db"));
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, options));
    AWAIT(account,
          store->upsertAccount(AccountKind::XChat,
                               QStringLiteral("4711"), displayName,
                                              QJsonObject{{QStringLiteral("cursor"), QStringLiteral("seq-99")}}));
    ConversationInput in;
    in.accountId = account.id;
    in.remoteId = QStringLiteral("4711:4712");
    in.title = title;
    in.avatarUrl = avatar;
    in.extra = QJsonObject{{QStringLiteral("note"), extraNote}};
    AWAIT(conversation, store->upsertConversation(in));
    Member member;
    member.userId = QStringLiteral("4712");
    member.displayName = memberName;
    member.username = memberUsername;
    AWAIT_OK(store->setMembers(conversation.id, {member}));

    IncomingMessage withMedia = incoming(QStringLiteral("msg-eagle"), 777, text, BaseMs + 777, QStringLiteral("4712"));
    withMedia.extra = QJsonObject{{QStringLiteral("reaction"), reaction}};
    Attachment attachment;
    attachment.mediaId = QStringLiteral("media-0001");
    attachment.fileName = fileName;
    attachment.mimeType = mimeType;
    attachment.sizeBytes = 12345;
    attachment.mediaKey = mediaKey;
    withMedia.attachments = {attachment};
    AWAIT(inserted, store->insertMessages(conversation.id,
                                          {withMedia, incoming(QStringLiteral("msg-koeln"), 778, unicodeText,
                                                                              BaseMs + 778, QStringLiteral("4712"))}));
    QCOMPARE(inserted.inserted, 2);
    AWAIT(queued,
          store->enqueue(conversation.id, outgoing(QStringLiteral("own-secret"), outgoingText, BaseMs + 900, payload)));
    AWAIT(claimed, store->claimDue(BaseMs + 1000, {}, 1));
    QCOMPARE(claimed.size(), 1);
    AWAIT(failed, store->markFailed(queued.id, Error(ErrorKind::InvalidInput, failureReason), BaseMs + 1001));
    QCOMPARE(failed.failureReason, failureReason);

    // Everything reads back in plaintext through the store.
    AWAIT(readBack, store->newestMessages(conversation.id, 10));
    QCOMPARE(texts(readBack), (QStringList{outgoingText, unicodeText, text}));
    QCOMPARE(readBack.at(2).attachments.size(), 1);
    QCOMPARE(readBack.at(2).attachments.at(0).mediaKey, mediaKey);
    QCOMPARE(readBack.at(2).attachments.at(0).fileName, fileName);
    QCOMPARE(readBack.at(2).extra.value(QStringLiteral("reaction")).toString(), reaction);

    const QList<QByteArray> secrets = {
        displayName.toUtf8(),
        title.toUtf8(),
        avatar.toUtf8(),
        extraNote.toUtf8(),
        memberName.toUtf8(),
        memberUsername.toUtf8(),
        text.toUtf8(),
        unicodeText.toUtf8(),
        reaction.toUtf8(),
        fileName.toUtf8(),
        mimeType.toUtf8(),
        mediaKey,
        outgoingText.toUtf8(),
        payload,
        failureReason.toUtf8(),
        // a shorter piece of the text, which the conversation preview holds too
        QByteArray("eagle lands at midnight"),
    };
    auto assertNoPlaintext = [&](const QString &when) -> bool {
        for (const QString &file : {options.path, QString(options.path + QLatin1String("-wal"))}) {
            if (!QFileInfo::exists(file))
                continue;
            const QByteArray bytes = readFile(file);
            if (bytes.isEmpty())
                continue;
            for (const QByteArray &secret : secrets) {
                if (bytes.contains(secret)) {
                    qWarning().noquote() << when << ":" << file << "contains" << secret.toHex();
                    return false;
                }
            }
        }
        return true;
    };
    // While open (the new pages are in the WAL) ...
    QVERIFY(QFileInfo::exists(options.path + QLatin1String("-wal")));
    QVERIFY(assertNoPlaintext(QStringLiteral("while open")));
    store.reset();
    // ... and after closing (checkpointed into the main file).
    QVERIFY(QFileInfo(options.path).size() > 0);
    QVERIFY(assertNoPlaintext(QStringLiteral("after closing")));

    // What stays clear, and where: ids, sequence numbers, timestamps, counters, delivery states.
    RawDb raw(options.path);
    QList<QVariantList> rows = raw.rows(QStringLiteral(
        "SELECT remote_id, sort_key, created_ms, sender_id, outgoing, attachment_count, typeof(content_sealed),"
        " content_sealed FROM messages WHERE remote_id = 'msg-eagle'"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).at(0).toString(), QStringLiteral("msg-eagle"));
    QCOMPARE(rows.at(0).at(1).toLongLong(), 777);
    QCOMPARE(rows.at(0).at(2).toLongLong(), BaseMs + 777);
    QCOMPARE(rows.at(0).at(3).toString(), QStringLiteral("4712"));
    QCOMPARE(rows.at(0).at(4).toInt(), 0);
    QCOMPARE(rows.at(0).at(5).toInt(), 1);
    QCOMPARE(rows.at(0).at(6).toString(), QStringLiteral("blob"));
    const Sealer sealer(m_key);
    Result<QCborMap> content = sealer.openCbor(rows.at(0).at(7).toByteArray());
    QVERIFY2(content.ok(), qPrintable(errorText(content)));
    QCOMPARE(content.value().value(0).toString(), text);

    rows = raw.rows(QStringLiteral("SELECT remote_id, last_activity_ms, unread_count, typeof(title_sealed),"
                                   " typeof(preview_sealed), typeof(avatar_sealed) FROM conversations"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).at(0).toString(), QStringLiteral("4711:4712"));
    QCOMPARE(rows.at(0).at(1).toLongLong(), BaseMs + 900);
    QCOMPARE(rows.at(0).at(2).toInt(), 2);
    QCOMPARE(rows.at(0).at(3).toString(), QStringLiteral("blob"));
    QCOMPARE(rows.at(0).at(4).toString(), QStringLiteral("blob"));
    QCOMPARE(rows.at(0).at(5).toString(), QStringLiteral("blob"));

    rows = raw.rows(QStringLiteral("SELECT o.state, o.attempts, o.next_attempt_ms, typeof(o.payload_sealed),"
                                   " typeof(o.failure_sealed), m.remote_id, m.pending, m.delivery"
                                   " FROM outbox o JOIN messages m ON m.id = o.message_id"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).at(0).toInt(), 2); // failed
    QCOMPARE(rows.at(0).at(1).toInt(), 1);
    QCOMPARE(rows.at(0).at(3).toString(), QStringLiteral("blob"));
    QCOMPARE(rows.at(0).at(4).toString(), QStringLiteral("blob"));
    QCOMPARE(rows.at(0).at(5).toString(), QStringLiteral("own-secret"));
    QCOMPARE(rows.at(0).at(6).toInt(), 1);
    QCOMPARE(rows.at(0).at(7).toInt(), int(DeliveryState::Failed));

    QCOMPARE(raw.value(QStringLiteral("SELECT remote_id FROM accounts")).toString(), QStringLiteral("4711"));
    QCOMPARE(raw.value(QStringLiteral("SELECT typeof(display_sealed) FROM accounts")).toString(),
                       QStringLiteral("blob"));
    QCOMPARE(raw.value(QStringLiteral("SELECT user_id FROM members")).toString(), QStringLiteral("4712"));
    QCOMPARE(raw.value(QStringLiteral("SELECT typeof(meta_sealed) FROM attachments")).toString(),
                       QStringLiteral("blob"));
    // Nothing of a person's own words sits in a TEXT column.
    for (const SealedColumn &column : SealedColumns) {
        if (QLatin1String(column.table) == QLatin1String("meta"))
            continue;
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM %1 WHERE typeof(%2) = 'text'") .arg(
                               QLatin1String(column.table), QLatin1String(column.column)))
                               .toInt(),
                           0);
    }
}

void TestStore::anotherKeyMovesTheFileAside()
{
    const StoreOptions options = optionsFor(QStringLiteral("rekeyed.db"));
    std::unique_ptr<Store> store;
    {
        AWAIT(first, openStore(store, options));
        AWAIT(conversation, addConversation(*store, QStringLiteral("victim"), QStringLiteral("old-conversation")));
        AWAIT(report,
              store->insertMessages(conversation.id,
                                    {incoming(QStringLiteral("x"), 1, QStringLiteral("Words under the old key"))}));
        QCOMPARE(report.inserted, 1);
        store.reset();
    }
    const QByteArray oldBytes = readFile(options.path);
    QVERIFY(!oldBytes.isEmpty());

    const crypto::SecureBytes otherKey = crypto::SecureBytes::random(SealingKeySize);
    AWAIT(report, openStore(store, options, &otherKey));
    QVERIFY(report.recreated);
    QVERIFY(!report.reason.isEmpty());
    QVERIFY2(report.reason.contains(QLatin1String("key")), qPrintable(report.reason));
    QVERIFY(!report.movedAsideTo.isEmpty());
    QVERIFY(QFileInfo::exists(report.movedAsideTo));
    // The same database, moved: only SQLite's header counters (the first 100 bytes) may differ.
    const QByteArray movedBytes = readFile(report.movedAsideTo);
    QCOMPARE(movedBytes.size(), oldBytes.size());
    QVERIFY(movedBytes.mid(100) == oldBytes.mid(100));
    QCOMPARE(report.schemaVersion, latestSchemaVersion());

    // A fresh store: nothing of the old one is readable, and it works.
    AWAIT(accounts, store->accounts());
    QVERIFY(accounts.isEmpty());
    AWAIT(list, store->conversations());
    QVERIFY(list.isEmpty());
    AWAIT(conversation, addConversation(*store, QStringLiteral("new-me"), QStringLiteral("new-conversation")));
    AWAIT(inserted, store->insertMessages(conversation.id, {incoming(QStringLiteral("y"), 1, QStringLiteral("New"))}));
    QCOMPARE(inserted.inserted, 1);
    store.reset();

    // Reopening with the new key keeps the new data.
    AWAIT(again, openStore(store, options, &otherKey));
    QVERIFY(!again.recreated);
    AWAIT(newList, store->conversations());
    QCOMPARE(newList.size(), 1);
    QCOMPARE(newList.at(0).remoteId, QStringLiteral("new-conversation"));
}

// ---- 3. paged reads -------------------------------------------------------------------------

void TestStore::pagedReads()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("paged.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("paged")));
    constexpr int Count = 250;
    // Five batches, each out of order.
    for (int batch = 0; batch < 5; ++batch) {
        QList<IncomingMessage> messages;
        for (int i = Count / 5; i >= 1; --i) {
            const int n = batch * (Count / 5) + i;
            messages.append(incoming(QStringLiteral("r%1").arg(n), n * 10, QStringLiteral("message %1").arg(n)));
        }
        std::swap(messages[3], messages[17]);
        AWAIT(inserted, store->insertMessages(conversation.id, messages));
        QCOMPARE(inserted.inserted, Count / 5);
    }
    for (int p = 1; p <= 3; ++p)
        AWAIT_OK(store->enqueue(
            conversation.id, outgoing(QStringLiteral("p%1").arg(p), QStringLiteral("pending %1").arg(p), BaseMs + p)));

    // The newest page: pending messages after the newest sent one, newest first.
    AWAIT(newest, store->newestMessages(conversation.id, 20));
    QCOMPARE(newest.size(), 20);
    QCOMPARE(remoteIds(newest.mid(0, 4)),
             (QStringList{QStringLiteral("p3"), QStringLiteral("p2"), QStringLiteral("p1"), QStringLiteral("r250")}));
    QVERIFY(newest.at(0).key.pending && newest.at(1).key.pending && newest.at(2).key.pending);
    QCOMPARE(newest.at(3).key, (MessageKey{false, 2500}));
    QCOMPARE(newest.at(19).key, (MessageKey{false, 2340}));
    QVERIFY(newest.at(3).key < newest.at(2).key);

    // Walking back page by page returns every message exactly once, in order.
    QList<Message> all = newest;
    int pages = 1;
    while (true) {
        AWAIT(page, store->messagesBefore(conversation.id, all.constLast().key, 20));
        if (page.isEmpty())
            break;
        QVERIFY(page.size() <= 20);
        all.append(page);
        ++pages;
        QVERIFY(pages < 100);
    }
    QCOMPARE(all.size(), Count + 3);
    QCOMPARE(pages, (Count + 3 + 19) / 20);
    QSet<qint64> seen;
    for (qsizetype i = 0; i < all.size(); ++i) {
        QVERIFY(!seen.contains(all.at(i).id));
        seen.insert(all.at(i).id);
        if (i > 0)
            QVERIFY2(all.at(i).key < all.at(i - 1).key,
                     qPrintable(QStringLiteral("%1 after %2").arg(keyText(all.at(i).key), keyText(all.at(i - 1).key))));
    }
    QCOMPARE(all.constLast().remoteId, QStringLiteral("r1"));
    QCOMPARE(all.constLast().text, QStringLiteral("message 1"));

    // Forward from a key, oldest first.
    AWAIT(after, store->messagesAfter(conversation.id, MessageKey{false, 1000}, 5));
    QCOMPARE(
        remoteIds(after),
        (QStringList{QStringLiteral("r101"), QStringLiteral("r102"), QStringLiteral("r103"), QStringLiteral("r104"), QStringLiteral("r105")}));
    AWAIT(tail, store->messagesAfter(conversation.id, MessageKey{false, 2490}, 10));
    QCOMPARE(remoteIds(tail),
             (QStringList{QStringLiteral("r250"), QStringLiteral("p1"), QStringLiteral("p2"), QStringLiteral("p3")}));
    AWAIT(first, store->messagesAfter(conversation.id, MessageKey{}, 2));
    QCOMPARE(remoteIds(first), (QStringList{QStringLiteral("r1"), QStringLiteral("r2")}));
    AWAIT(beforePending, store->messagesBefore(conversation.id, newest.at(2).key, 2));
    QCOMPARE(remoteIds(beforePending), (QStringList{QStringLiteral("r250"), QStringLiteral("r249")}));
    AWAIT(beforeOldest, store->messagesBefore(conversation.id, MessageKey{false, 10}, 20));
    QVERIFY(beforeOldest.isEmpty());
    AWAIT(byRemote, store->messageByRemoteId(conversation.id, QStringLiteral("r77")));
    QVERIFY(byRemote.has_value());
    QCOMPARE(byRemote->key, (MessageKey{false, 770}));
    AWAIT(byId, store->message(byRemote->id));
    QCOMPARE(byId.text, QStringLiteral("message 77"));
    AWAIT(none, store->messageByRemoteId(conversation.id, QStringLiteral("nope")));
    QVERIFY(!none.has_value());
}

void TestStore::pageQueriesUseIndexes()
{
    std::unique_ptr<Store> store;
    const StoreOptions options = optionsFor(QStringLiteral("plans.db"));
    AWAIT(report, openStore(store, options));
    QList<qint64> ids;
    for (int c = 0; c < 6; ++c) {
        AWAIT(conversation, addConversation(*store, c % 2 ? QStringLiteral("alice")
                                                          : QStringLiteral("bob"), QStringLiteral("c%1").arg(c)));
        ids.append(conversation.id);
        QList<IncomingMessage> messages;
        for (int i = 1; i <= 100; ++i)
            messages.append(
                incoming(QStringLiteral("m%1").arg(i), i, QStringLiteral("text %1").arg(i), BaseMs + c * 1000 + i));
        AWAIT_OK(store->insertMessages(conversation.id, messages));
    }
    AWAIT_OK(store->enqueue(ids.at(0), outgoing(QStringLiteral("p"), QStringLiteral("pending"), BaseMs)));
    AWAIT(accounts, store->accounts());
    QVERIFY(!accounts.isEmpty());

    RawDb raw(options.path);
    auto checkMessagePlan = [&](const char *name, const char *sql, const QVariantList &binds) -> bool {
        const QStringList plan = queryPlan(raw, sql, binds);
        const QString text = plan.join(QStringLiteral("; "));
        qDebug().noquote() << name << "plan:" << text;
        bool usesIndex = false;
        for (const QString &step : plan) {
            if (step.startsWith(QLatin1String("SCAN")) || step.contains(QLatin1String("TEMP B-TREE")) ||
                step.startsWith(QLatin1String("ERROR"))) {
                qWarning().noquote() << name << "is not index-backed:" << text;
                return false;
            }
            usesIndex = usesIndex || step.contains(QLatin1String("USING INDEX messages_by_position"));
        }
        if (!usesIndex)
            qWarning().noquote() << name << "does not use messages_by_position:" << text;
        return usesIndex;
    };
    QVERIFY(checkMessagePlan("newestMessages", NewestMessagesSql, {ids.at(0), 50}));
    QVERIFY(checkMessagePlan("messagesBefore", MessagesBeforeSql, {ids.at(0), 0, 50, 50}));
    QVERIFY(checkMessagePlan("messagesAfter", MessagesAfterSql, {ids.at(0), 0, 50, 50}));
    QVERIFY(checkMessagePlan("unread recount", UnreadRecountSql, {ids.at(0), 10}));

    auto checkListPlan = [&](const char *name, const char *sql, const QVariantList &binds) -> bool {
        const QStringList plan = queryPlan(raw, sql, binds);
        const QString text = plan.join(QStringLiteral("; "));
        qDebug().noquote() << name << "plan:" << text;
        const bool ordered = text.contains(QLatin1String("USING INDEX conversations_by_activity")) &&
                             !text.contains(QLatin1String("TEMP B-TREE")) && !text.contains(QLatin1String("ERROR"));
        if (!ordered)
            qWarning().noquote() << name << "does not read the activity index in order:" << text;
        return ordered;
    };
    QVERIFY(checkListPlan("conversations", AllConversationsSql, {50, 0}));
    QVERIFY(checkListPlan("conversations of an account", AccountConversationsSql, {accounts.at(0).id, 50, 0}));

    // The copies above are the queries the store runs: they return what the store returns.
    AWAIT(viaStore, store->conversations(accounts.at(0).id, 50, 0));
    const QList<QVariantList> viaSql = raw.rows(QLatin1String(AccountConversationsSql), {accounts.at(0).id, 50, 0});
    QCOMPARE(viaSql.size(), viaStore.size());
    for (qsizetype i = 0; i < viaSql.size(); ++i)
        QCOMPARE(viaSql.at(i).at(0).toLongLong(), viaStore.at(i).id);
    AWAIT(newestViaStore, store->newestMessages(ids.at(0), 5));
    const QList<QVariantList> newestViaSql = raw.rows(QLatin1String(NewestMessagesSql), {ids.at(0), 5});
    QCOMPARE(newestViaSql.size(), newestViaStore.size());
    for (qsizetype i = 0; i < newestViaSql.size(); ++i)
        QCOMPARE(newestViaSql.at(i).at(0).toLongLong(), newestViaStore.at(i).id);
}

// ---- 4. conversations and members -----------------------------------------------------------

void TestStore::conversationList()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("list.db"))));
    AWAIT(c1, addConversation(*store, QStringLiteral("me"), QStringLiteral("c1")));
    AWAIT(c2, addConversation(*store, QStringLiteral("me"), QStringLiteral("c2")));
    AWAIT(c3, addConversation(*store, QStringLiteral("me"), QStringLiteral("c3")));
    AWAIT(other, addConversation(*store, QStringLiteral("someone-else"), QStringLiteral("d1")));
    QCOMPARE(c1.unreadCount, 0);
    QVERIFY(!c1.preview.has_value());

    AWAIT_OK(store->insertMessages(
        c1.id, {incoming(QStringLiteral("a1"), 1, QStringLiteral("c1 first"), BaseMs + 1000),
                         incoming(QStringLiteral("a2"), 2, QStringLiteral("c1 second"), BaseMs + 1100)}));
    IncomingMessage mine =
        incoming(QStringLiteral("b2"), 2, QStringLiteral("c2 my answer"), BaseMs + 3000, QStringLiteral("me"));
    mine.outgoing = true;
    AWAIT_OK(store->insertMessages(
        c2.id, {incoming(QStringLiteral("b1"), 1, QStringLiteral("c2 question"), BaseMs + 2900), mine}));
    AWAIT_OK(store->insertMessages(
        c3.id, {incoming(QStringLiteral("c1"), 10, QStringLiteral("c3 one"), BaseMs + 2000),
                         incoming(QStringLiteral("c2"), 20, QStringLiteral("c3 two"), BaseMs + 2100),
                                  incoming(QStringLiteral("c3"), 30, QStringLiteral("c3 three"), BaseMs + 2200)}));
    AWAIT_OK(store->insertMessages(other.id, {incoming(QStringLiteral("d"), 1, QStringLiteral("elsewhere"), BaseMs)}));

    AWAIT(list, store->conversations(c1.accountId));
    QCOMPARE(list.size(), 3);
    QCOMPARE(list.at(0).id, c2.id);
    QCOMPARE(list.at(1).id, c3.id);
    QCOMPARE(list.at(2).id, c1.id);
    QCOMPARE(list.at(0).lastActivityMs, BaseMs + 3000);
    QCOMPARE(list.at(0).unreadCount, 1); // own messages are never unread
    QCOMPARE(list.at(1).unreadCount, 3);
    QCOMPARE(list.at(2).unreadCount, 2);
    QVERIFY(list.at(0).preview.has_value());
    QCOMPARE(list.at(0).preview->text, QStringLiteral("c2 my answer"));
    QVERIFY(list.at(0).preview->outgoing);
    QCOMPARE(list.at(0).preview->senderId, QStringLiteral("me"));
    QCOMPARE(list.at(1).preview->text, QStringLiteral("c3 three"));
    QVERIFY(!list.at(1).preview->outgoing);
    QCOMPARE(list.at(2).preview->text, QStringLiteral("c1 second"));

    AWAIT(everything, store->conversations());
    QCOMPARE(everything.size(), 4);
    QCOMPARE(everything.constLast().id, other.id);
    AWAIT(firstTwo, store->conversations(0, 2, 0));
    QCOMPARE(firstTwo.size(), 2);
    QCOMPARE(firstTwo.at(1).id, c3.id);
    AWAIT(rest, store->conversations(0, 2, 2));
    QCOMPARE(rest.size(), 2);
    QCOMPARE(rest.at(0).id, c1.id);

    // New activity moves a conversation to the top; the list says so through conversationChanged.
    Spies spies(store.get());
    AWAIT_OK(store->insertMessages(
        c1.id, {incoming(QStringLiteral("a3"), 3, QString(QStringLiteral("x").repeated(400)), BaseMs + 5000)}));
    QCOMPARE(spies.conversationChanged.count(), 1);
    const auto changed = spies.conversationChanged.at(0).at(0).value<Conversation>();
    QCOMPARE(changed.id, c1.id);
    QCOMPARE(changed.unreadCount, 3);
    QVERIFY(changed.preview->text.size() <= 160); // an excerpt
    AWAIT(reordered, store->conversations(c1.accountId));
    QCOMPARE(reordered.at(0).id, c1.id);

    // markRead recounts from the marker, and only moves forward.
    spies.clear();
    AWAIT(read, store->markRead(c3.id, 20));
    QCOMPARE(read.unreadCount, 1);
    QCOMPARE(read.readMarker, 20);
    QCOMPARE(spies.conversationChanged.count(), 1);
    spies.clear();
    AWAIT(back, store->markRead(c3.id, 10));
    QCOMPARE(back.readMarker, 20);
    QCOMPARE(back.unreadCount, 1);
    QCOMPARE(spies.conversationChanged.count(), 0);
    AWAIT(all, store->markRead(c3.id, 30));
    QCOMPARE(all.unreadCount, 0);
    // A message at or below the marker arrives read.
    AWAIT_OK(store->insertMessages(
        c3.id, {incoming(QStringLiteral("c-late"), 25, QStringLiteral("late"), BaseMs + 2150),
                         incoming(QStringLiteral("c4"), 40, QStringLiteral("c3 four"), BaseMs + 2300)}));
    AWAIT(c3Now, store->conversation(c3.id));
    QCOMPARE(c3Now.unreadCount, 1);
    AWAIT(byRemote, store->conversationByRemoteId(c3.accountId, QStringLiteral("c3")));
    QVERIFY(byRemote.has_value());
    QCOMPARE(byRemote->id, c3.id);
    AWAIT(missing, store->conversationByRemoteId(c3.accountId, QStringLiteral("nope")));
    QVERIFY(!missing.has_value());
    AWAIT_ERROR(notFound, store->conversation(999999));
    QCOMPARE(notFound.kind(), ErrorKind::NotFound);
}

void TestStore::openingReadsAConversationInOneGo()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("opening.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("g1"), ConversationKind::Group));
    Member alice;
    alice.userId = QStringLiteral("alice");
    alice.displayName = QStringLiteral("Alice A.");
    AWAIT_OK(store->setMembers(conversation.id, {alice}));
    QList<IncomingMessage> messages;
    for (int i = 1; i <= 5; ++i)
        messages.append(incoming(QStringLiteral("m%1").arg(i), i, QStringLiteral("text %1").arg(i)));
    AWAIT_OK(store->insertMessages(conversation.id, messages));

    AWAIT(opened, store->opening(conversation.id, 3));
    QCOMPARE(opened.conversation.id, conversation.id);
    QCOMPARE(opened.conversation.kind, ConversationKind::Group);
    QCOMPARE(opened.selfUserId, QStringLiteral("me"));
    QCOMPARE(opened.members.size(), 1);
    QCOMPARE(opened.members.at(0).displayName, QStringLiteral("Alice A."));
    AWAIT(newest, store->newestMessages(conversation.id, 3));
    QCOMPARE(opened.newest.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(opened.newest.at(i).text, newest.at(i).text);

    AWAIT_ERROR(missing, store->opening(999999, 3));
    QCOMPARE(missing.kind(), ErrorKind::NotFound);
}

void TestStore::membersAndReadMarkers()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("members.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("g1"), ConversationKind::Group));
    Spies spies(store.get());

    Member alice;
    alice.userId = QStringLiteral("alice");
    alice.displayName = QStringLiteral("Alice A.");
    alice.username = QStringLiteral("alice_a");
    alice.admin = true;
    Member bob;
    bob.userId = QStringLiteral("bob");
    bob.displayName = QStringLiteral("Bob B.");
    AWAIT_OK(store->setMembers(conversation.id, {bob, alice}));
    QCOMPARE(spies.membersChanged.count(), 1);
    QCOMPARE(spies.membersChanged.at(0).at(0).toLongLong(), conversation.id);
    AWAIT(members, store->members(conversation.id));
    QCOMPARE(members.size(), 2);
    QCOMPARE(members.at(0).userId, QStringLiteral("alice"));
    QCOMPARE(members.at(0).displayName, QStringLiteral("Alice A."));
    QCOMPARE(members.at(0).username, QStringLiteral("alice_a"));
    QVERIFY(members.at(0).admin);
    QCOMPARE(members.at(1).userId, QStringLiteral("bob"));
    QVERIFY(!members.at(1).admin);

    // Read markers only move forward.
    spies.clear();
    AWAIT_OK(store->setMemberReadMarker(conversation.id, QStringLiteral("alice"), 50));
    QCOMPARE(spies.membersChanged.count(), 1);
    spies.clear();
    AWAIT_OK(store->setMemberReadMarker(conversation.id, QStringLiteral("alice"), 30));
    QCOMPARE(spies.membersChanged.count(), 0);
    AWAIT_OK(store->setMemberReadMarker(conversation.id, QStringLiteral("alice"), 50));
    QCOMPARE(spies.membersChanged.count(), 0);
    AWAIT(afterBack, store->members(conversation.id));
    QCOMPARE(afterBack.at(0).readMarker, 50);
    AWAIT_OK(store->setMemberReadMarker(conversation.id, QStringLiteral("alice"), 70));
    AWAIT_OK(store->setMemberReadMarker(conversation.id, QStringLiteral("bob"), 40));
    AWAIT(afterForward, store->members(conversation.id));
    QCOMPARE(afterForward.at(0).readMarker, 70);
    QCOMPARE(afterForward.at(1).readMarker, 40);

    // setMembers replaces the list; members who stay keep their read markers.
    Member carol;
    carol.userId = QStringLiteral("carol");
    carol.displayName = QStringLiteral("Carol C.");
    alice.displayName = QStringLiteral("Alice Renamed");
    alice.admin = false;
    spies.clear();
    AWAIT_OK(store->setMembers(conversation.id, {alice, carol}));
    QCOMPARE(spies.membersChanged.count(), 1);
    AWAIT(replaced, store->members(conversation.id));
    QCOMPARE(replaced.size(), 2);
    QCOMPARE(replaced.at(0).userId, QStringLiteral("alice"));
    QCOMPARE(replaced.at(0).displayName, QStringLiteral("Alice Renamed"));
    QVERIFY(!replaced.at(0).admin);
    QCOMPARE(replaced.at(0).readMarker, 70);
    QCOMPARE(replaced.at(1).userId, QStringLiteral("carol"));
    QCOMPARE(replaced.at(1).readMarker, 0);
    // A marker for someone who is not a member changes nothing.
    spies.clear();
    AWAIT_OK(store->setMemberReadMarker(conversation.id, QStringLiteral("bob"), 90));
    QCOMPARE(spies.membersChanged.count(), 0);
    AWAIT_OK(store->setMembers(conversation.id, {}));
    AWAIT(empty, store->members(conversation.id));
    QVERIFY(empty.isEmpty());
}

void TestStore::upsertConversationKeepsUnsetFields()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("upsert.db"))));
    AWAIT(account,
          store->upsertAccount(AccountKind::XChat,
                               QStringLiteral("me"), QStringLiteral("Me"), QJsonObject{{QStringLiteral("cursor"), 1}}));
    ConversationInput full;
    full.accountId = account.id;
    full.remoteId = QStringLiteral("conv");
    full.kind = ConversationKind::Group;
    full.title = QStringLiteral("Title");
    full.avatarUrl = QStringLiteral("https://example/avatar.png");
    full.muted = true;
    full.lastActivityMs = 5000;
    full.extra = QJsonObject{{QStringLiteral("keyVersion"), 3}};
    full.syncState = QJsonObject{{QStringLiteral("token"), QStringLiteral("abc")}};
    full.historyComplete = true;
    AWAIT(created, store->upsertConversation(full));
    QCOMPARE(created.title, QStringLiteral("Title"));
    QVERIFY(created.muted);
    QVERIFY(created.historyComplete);
    QCOMPARE(created.lastActivityMs, 5000);

    ConversationInput partial;
    partial.accountId = account.id;
    partial.remoteId = QStringLiteral("conv");
    partial.kind = ConversationKind::Group;
    partial.title = QStringLiteral("New title");
    partial.lastActivityMs = 3000; // older: activity only moves forward
    AWAIT(updated, store->upsertConversation(partial));
    QCOMPARE(updated.id, created.id);
    QCOMPARE(updated.title, QStringLiteral("New title"));
    QCOMPARE(updated.avatarUrl, QStringLiteral("https://example/avatar.png"));
    QVERIFY(updated.muted);
    QCOMPARE(updated.lastActivityMs, 5000);
    QCOMPARE(updated.extra.value(QStringLiteral("keyVersion")).toInt(), 3);
    QCOMPARE(updated.syncState.value(QStringLiteral("token")).toString(), QStringLiteral("abc"));
    QVERIFY(updated.historyComplete);

    ConversationInput clear = partial;
    clear.title = QString();
    clear.muted = false;
    clear.lastActivityMs = 9000;
    clear.historyComplete = false;
    clear.syncState = QJsonObject{};
    AWAIT(cleared, store->upsertConversation(clear));
    QVERIFY(cleared.title.isEmpty());
    QVERIFY(!cleared.muted);
    QCOMPARE(cleared.lastActivityMs, 9000);
    QVERIFY(!cleared.historyComplete);
    QVERIFY(cleared.syncState.isEmpty());
    QCOMPARE(cleared.avatarUrl, QStringLiteral("https://example/avatar.png"));

    // The account's own upsert keeps what it is not given too.
    AWAIT(sameAccount, store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    QCOMPARE(sameAccount.id, account.id);
    QCOMPARE(sameAccount.displayName, QStringLiteral("Me"));
    QCOMPARE(sameAccount.syncState.value(QStringLiteral("cursor")).toInt(), 1);

    ConversationInput bad;
    bad.accountId = 999;
    bad.remoteId = QStringLiteral("orphan");
    AWAIT_ERROR(noAccount, store->upsertConversation(bad));
    QCOMPARE(noAccount.kind(), ErrorKind::InvalidInput);
}

// ---- 5. dedup and ordering ------------------------------------------------------------------

void TestStore::dedupAndOrdering()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("dedup.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("dm")));
    Spies spies(store.get());

    // Out-of-order batches end up ordered by sequence.
    AWAIT(first, store->insertMessages(conversation.id,
                                       {incoming(QStringLiteral("s30"), 30, QStringLiteral("thirty")),
                                                 incoming(QStringLiteral("s10"), 10, QStringLiteral("ten"))}));
    QCOMPARE(first.inserted, 2);
    AWAIT(second,
          store->insertMessages(conversation.id, {incoming(QStringLiteral("s20"), 20, QStringLiteral("twenty")),
                                                           incoming(QStringLiteral("s5"), 5, QStringLiteral("five"))}));
    QCOMPARE(second.inserted, 2);
    AWAIT(ordered, store->newestMessages(conversation.id, 10));
    QCOMPARE(texts(ordered), (QStringList{QStringLiteral("thirty"), QStringLiteral("twenty"), QStringLiteral("ten"), QStringLiteral("five")}));
    AWAIT(counted, store->conversation(conversation.id));
    QCOMPARE(counted.unreadCount, 4);

    // The same protocol ids again: a no-op, and no signal.
    spies.clear();
    AWAIT(again, store->insertMessages(conversation.id,
                                       {incoming(QStringLiteral("s30"), 30, QStringLiteral("changed?")),
                                                 incoming(QStringLiteral("s10"), 10, QStringLiteral("ten")),
                                                          incoming(QStringLiteral("s5"), 5, QStringLiteral("five"))}));
    QCOMPARE(again.inserted, 0);
    QCOMPARE(again.duplicates, 3);
    QCOMPARE(again.confirmed, 0);
    QCOMPARE(spies.total(), 0);
    AWAIT(unchanged, store->newestMessages(conversation.id, 10));
    QCOMPARE(texts(unchanged), texts(ordered));
    AWAIT(stillCounted, store->conversation(conversation.id));
    QCOMPARE(stillCounted.unreadCount, 4);
    // A new id with a sequence another message has is refused, not stored twice.
    AWAIT(clash, store->insertMessages(conversation.id, {incoming(QStringLiteral("other"), 20, QStringLiteral("x"))}));
    QCOMPARE(clash.inserted, 0);
    QCOMPARE(clash.duplicates, 1);

    // A pending own message the server echoes is confirmed: it moves to its sequence.
    AWAIT(queued, store->enqueue(conversation.id, outgoing(QStringLiteral("own-1"), QStringLiteral("mine"), BaseMs)));
    AWAIT(queued2,
          store->enqueue(conversation.id, outgoing(QStringLiteral("own-2"), QStringLiteral("mine too"), BaseMs)));
    QVERIFY(queued.key.pending);
    QVERIFY(queued.key < queued2.key);
    AWAIT(withPending, store->newestMessages(conversation.id, 2));
    QCOMPARE(remoteIds(withPending), (QStringList{QStringLiteral("own-2"), QStringLiteral("own-1")}));
    spies.clear();
    IncomingMessage echo =
        incoming(QStringLiteral("own-1"), 40, QStringLiteral("mine"), BaseMs + 40000, QStringLiteral("me"));
    echo.outgoing = true;
    AWAIT(confirmed, store->insertMessages(conversation.id, {echo}));
    QCOMPARE(confirmed.confirmed, 1);
    QCOMPARE(confirmed.inserted, 0);
    QCOMPARE(confirmed.duplicates, 0);
    QCOMPARE(spies.messagesInserted.count(), 0);
    QCOMPARE(spies.messagesChanged.count(), 1);
    QCOMPARE(spies.messagesChanged.at(0).at(0).toLongLong(), conversation.id);
    const auto changes = spies.messagesChanged.at(0).at(1).value<QList<MessageChange>>();
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).message.id, queued.id);
    QCOMPARE(changes.at(0).previousKey, queued.key);
    QCOMPARE(changes.at(0).message.key, (MessageKey{false, 40}));
    QCOMPARE(changes.at(0).message.delivery, DeliveryState::Sent);
    QCOMPARE(spies.outboxChanged.count(), 1);
    AWAIT(unsent, store->unsent());
    QCOMPARE(remoteIds(unsent), QStringList{QStringLiteral("own-2")});
    AWAIT(afterEcho, store->newestMessages(conversation.id, 3));
    QCOMPARE(remoteIds(afterEcho),
             (QStringList{QStringLiteral("own-2"), QStringLiteral("own-1"), QStringLiteral("s30")}));
    QCOMPARE(afterEcho.at(1).createdMs, BaseMs + 40000);
    AWAIT(notUnread, store->conversation(conversation.id));
    QCOMPARE(notUnread.unreadCount, 4);
    // The echo again is a duplicate.
    spies.clear();
    AWAIT(echoAgain, store->insertMessages(conversation.id, {echo}));
    QCOMPARE(echoAgain.duplicates, 1);
    QCOMPARE(echoAgain.confirmed, 0);
    QCOMPARE(spies.total(), 0);
    // Enqueueing the same id again returns the stored message and writes nothing.
    AWAIT(sameAgain, store->enqueue(conversation.id, outgoing(QStringLiteral("own-2"), QStringLiteral("mine too"), 0)));
    QCOMPARE(sameAgain.id, queued2.id);
    QCOMPARE(sameAgain.key, queued2.key);
    QCOMPARE(spies.total(), 0);
}

// ---- 6. change signals ----------------------------------------------------------------------

void TestStore::changeSignals()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("signals.db"))));
    AWAIT(account, store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(bystander, addConversation(*store, QStringLiteral("me"), QStringLiteral("bystander")));
    Spies spies(store.get());

    ConversationInput in;
    in.accountId = account.id;
    in.remoteId = QStringLiteral("watched");
    in.title = QStringLiteral("Watched");
    AWAIT(conversation, store->upsertConversation(in));
    QCOMPARE(spies.conversationAdded.count(), 1);
    QCOMPARE(spies.conversationAdded.at(0).at(0).value<Conversation>().id, conversation.id);
    QCOMPARE(spies.conversationAdded.at(0).at(0).value<Conversation>().title, QStringLiteral("Watched"));
    QCOMPARE(spies.conversationChanged.count(), 0);

    spies.clear();
    in.title = QStringLiteral("Renamed");
    AWAIT_OK(store->upsertConversation(in));
    QCOMPARE(spies.conversationAdded.count(), 0);
    QCOMPARE(spies.conversationChanged.count(), 1);
    QCOMPARE(spies.conversationChanged.at(0).at(0).value<Conversation>().title, QStringLiteral("Renamed"));

    // Inserted messages, with the key range they span.
    spies.clear();
    AWAIT_OK(store->insertMessages(conversation.id,
                                   {incoming(QStringLiteral("m5"), 5, QStringLiteral("five")),
                                             incoming(QStringLiteral("m3"), 3, QStringLiteral("three")),
                                                      incoming(QStringLiteral("m4"), 4, QStringLiteral("four"))}));
    QCOMPARE(spies.messagesInserted.count(), 1);
    QCOMPARE(spies.messagesInserted.at(0).at(0).toLongLong(), conversation.id);
    auto inserted = spies.messagesInserted.at(0).at(1).value<QList<Message>>();
    QCOMPARE(texts(inserted), (QStringList{QStringLiteral("five"), QStringLiteral("three"), QStringLiteral("four")}));
    QVERIFY(inserted.at(0).id > 0);
    QCOMPARE(inserted.at(0).conversationId, conversation.id);
    auto range = spies.messagesInserted.at(0).at(2).value<MessageKeyRange>();
    QCOMPARE(range.first, (MessageKey{false, 3}));
    QCOMPARE(range.last, (MessageKey{false, 5}));
    QCOMPARE(spies.conversationChanged.count(), 1);
    const auto afterInsert = spies.conversationChanged.at(0).at(0).value<Conversation>();
    QCOMPARE(afterInsert.id, conversation.id);
    QCOMPARE(afterInsert.unreadCount, 3);
    QCOMPARE(afterInsert.preview->text, QStringLiteral("five"));
    QCOMPARE(spies.messagesChanged.count(), 0);
    QCOMPARE(spies.messagesRemoved.count(), 0);

    // An outgoing message: inserted (pending) and outbox work.
    spies.clear();
    AWAIT(queued, store->enqueue(conversation.id, outgoing(QStringLiteral("own"), QStringLiteral("mine"), BaseMs)));
    QCOMPARE(spies.messagesInserted.count(), 1);
    QCOMPARE(spies.messagesInserted.at(0).at(1).value<QList<Message>>().at(0).id, queued.id);
    range = spies.messagesInserted.at(0).at(2).value<MessageKeyRange>();
    QCOMPARE(range.first, queued.key);
    QCOMPARE(range.last, queued.key);
    QCOMPARE(spies.outboxChanged.count(), 1);
    QCOMPARE(spies.conversationChanged.count(), 1);

    // The server's echo moves it: the range spans the old and the new key.
    spies.clear();
    IncomingMessage echo = incoming(QStringLiteral("own"), 9, QStringLiteral("mine"), BaseMs, QStringLiteral("me"));
    echo.outgoing = true;
    AWAIT_OK(store->insertMessages(conversation.id, {echo}));
    QCOMPARE(spies.messagesChanged.count(), 1);
    QCOMPARE(spies.messagesChanged.at(0).at(0).toLongLong(), conversation.id);
    auto changes = spies.messagesChanged.at(0).at(1).value<QList<MessageChange>>();
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).previousKey, queued.key);
    QCOMPARE(changes.at(0).message.key, (MessageKey{false, 9}));
    range = spies.messagesChanged.at(0).at(2).value<MessageKeyRange>();
    QCOMPARE(range.first, (MessageKey{false, 9}));
    QCOMPARE(range.last, queued.key);

    // An edit in place.
    spies.clear();
    AWAIT_OK(store->modifyMessage(conversation.id, QStringLiteral("m4"), [](Message &m) {
                                      m.text = QStringLiteral("four, edited");
                                      return true;
                                  }));
    QCOMPARE(spies.messagesChanged.count(), 1);
    changes = spies.messagesChanged.at(0).at(1).value<QList<MessageChange>>();
    QCOMPARE(changes.at(0).message.text, QStringLiteral("four, edited"));
    QCOMPARE(changes.at(0).previousKey, (MessageKey{false, 4}));
    QCOMPARE(changes.at(0).message.key, (MessageKey{false, 4}));
    range = spies.messagesChanged.at(0).at(2).value<MessageKeyRange>();
    QCOMPARE(range.first, (MessageKey{false, 4}));
    QCOMPARE(range.last, (MessageKey{false, 4}));

    // Removed messages.
    spies.clear();
    AWAIT(removedCount, store->removeMessages(conversation.id, {QStringLiteral("m3"), QStringLiteral("m5")}));
    QCOMPARE(removedCount, 2);
    QCOMPARE(spies.messagesRemoved.count(), 1);
    QCOMPARE(spies.messagesRemoved.at(0).at(0).toLongLong(), conversation.id);
    const auto keys = spies.messagesRemoved.at(0).at(1).value<QList<MessageKey>>();
    QCOMPARE(keys.size(), 2);
    QVERIFY(keys.contains(MessageKey{false, 3}));
    QVERIFY(keys.contains(MessageKey{false, 5}));
    range = spies.messagesRemoved.at(0).at(2).value<MessageKeyRange>();
    QCOMPARE(range.first, (MessageKey{false, 3}));
    QCOMPARE(range.last, (MessageKey{false, 5}));
    QCOMPARE(spies.conversationChanged.count(), 1);
    QCOMPARE(spies.conversationChanged.at(0).at(0).value<Conversation>().unreadCount, 1);

    // Nothing of this touched the other conversation.
    for (QSignalSpy *spy : {&spies.messagesInserted, &spies.messagesChanged, &spies.messagesRemoved})
        for (const QList<QVariant> &args : std::as_const(*spy))
            QVERIFY(args.at(0).toLongLong() != bystander.id);

    // The conversation goes.
    spies.clear();
    AWAIT_OK(store->removeConversation(conversation.id));
    QCOMPARE(spies.conversationRemoved.count(), 1);
    QCOMPARE(spies.conversationRemoved.at(0).at(0).toLongLong(), conversation.id);
    QCOMPARE(spies.conversationChanged.count(), 0);
    // Removing it again is a no-op.
    spies.clear();
    AWAIT_OK(store->removeConversation(conversation.id));
    QCOMPARE(spies.total(), 0);

    // Accounts.
    AWAIT_OK(store->upsertAccount(AccountKind::Acs, QStringLiteral("acs-user"), QStringLiteral("ACS")));
    QCOMPARE(spies.accountsChanged.count(), 1);
}

void TestStore::failedWritesEmitNothing()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("failed.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
    AWAIT_OK(store->insertMessages(conversation.id, {incoming(QStringLiteral("s10"), 10, QStringLiteral("ten"))}));
    AWAIT(queued, store->enqueue(conversation.id, outgoing(QStringLiteral("own"), QStringLiteral("mine"), BaseMs)));
    AWAIT(claimed, store->claimDue(BaseMs, {}, 10));
    QCOMPARE(claimed.size(), 1);
    Spies spies(store.get());
    QSignalSpy storageFailed(store.get(), &Store::storageFailed);

    // The server "accepts" it at a sequence another message has: the write rolls back whole.
    AWAIT_ERROR(conflict, store->markSent(queued.id, SendReceipt{10, 0}));
    QCOMPARE(conflict.kind(), ErrorKind::Conflict);
    QCOMPARE(spies.total(), 0);
    QCOMPARE(storageFailed.count(), 0);
    AWAIT(stillQueued, store->unsent());
    QCOMPARE(stillQueued.size(), 1);
    QCOMPARE(stillQueued.at(0).id, queued.id);
    QCOMPARE(stillQueued.at(0).delivery, DeliveryState::Sending);
    QVERIFY(stillQueued.at(0).key.pending);

    AWAIT_ERROR(noConversation,
                store->insertMessages(999999, {incoming(QStringLiteral("x"), 1, QStringLiteral("lost"))}));
    QCOMPARE(noConversation.kind(), ErrorKind::NotFound);
    Member member;
    member.userId = QStringLiteral("u");
    AWAIT_ERROR(noMembers, store->setMembers(999999, {member}));
    QCOMPARE(noMembers.kind(), ErrorKind::NotFound);
    AWAIT_ERROR(noId, store->enqueue(conversation.id, outgoing(QString(), QStringLiteral("no id"), BaseMs)));
    QCOMPARE(noId.kind(), ErrorKind::InvalidInput);
    AWAIT_ERROR(noTarget, store->enqueue(999999, outgoing(QStringLiteral("lost"), QStringLiteral("x"), BaseMs)));
    QCOMPARE(noTarget.kind(), ErrorKind::NotFound);
    AWAIT_ERROR(notQueued, store->markFailed(999999, Error(ErrorKind::Network, QStringLiteral("x")), BaseMs));
    QCOMPARE(notQueued.kind(), ErrorKind::NotFound);
    AWAIT_ERROR(sentAlready, store->discard(999999));
    QCOMPARE(sentAlready.kind(), ErrorKind::InvalidInput);
    QCOMPARE(spies.total(), 0);
    QCOMPARE(storageFailed.count(), 0);

    AWAIT(messages, store->newestMessages(conversation.id, 10));
    QCOMPARE(remoteIds(messages), (QStringList{QStringLiteral("own"), QStringLiteral("s10")}));
    AWAIT(unchanged, store->conversation(conversation.id));
    QCOMPARE(unchanged.unreadCount, 1);
}

// ---- 7. outbox ------------------------------------------------------------------------------

void TestStore::outboxTransitions()
{
    StoreOptions options = optionsFor(QStringLiteral("outbox.db"));
    options.outbox.initialDelayMs = 1000;
    options.outbox.maxDelayMs = 8000;
    options.outbox.maxAutomaticAttempts = 3;
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, options));
    AWAIT(convA, addConversation(*store, QStringLiteral("alice"), QStringLiteral("a-dm")));
    AWAIT(convB, addConversation(*store, QStringLiteral("bob"), QStringLiteral("b-dm")));
    AWAIT(nothingYet, store->nextAttemptMs());
    QCOMPARE(nothingYet, 0);
    Spies spies(store.get());

    // Enqueue: Pending, written before any network I/O.
    const qint64 t0 = BaseMs;
    AWAIT(m1, store->enqueue(convA.id, outgoing(QStringLiteral("a-1"), QStringLiteral("first"), t0, "payload-1")));
    QCOMPARE(m1.delivery, DeliveryState::Pending);
    QVERIFY(m1.key.pending);
    QVERIFY(m1.outgoing);
    QCOMPARE(m1.attempts, 0);
    QCOMPARE(m1.nextAttemptMs, t0);
    QCOMPARE(spies.outboxChanged.count(), 1);
    {
        RawDb raw(options.path);
        const QList<QVariantList> rows =
            raw.rows(QStringLiteral("SELECT o.state, o.attempts, m.delivery, m.pending FROM outbox o JOIN messages m"
                           " ON m.id = o.message_id WHERE m.remote_id = 'a-1'"));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).at(0).toInt(), 0);
        QCOMPARE(rows.at(0).at(1).toInt(), 0);
        QCOMPARE(rows.at(0).at(2).toInt(), int(DeliveryState::Pending));
        QCOMPARE(rows.at(0).at(3).toInt(), 1);
    }
    // The same remote id twice: the same message.
    AWAIT(m1again, store->enqueue(convA.id, outgoing(QStringLiteral("a-1"), QStringLiteral("first"), t0, "payload-1")));
    QCOMPARE(m1again.id, m1.id);
    AWAIT(unsentOnce, store->unsent());
    QCOMPARE(unsentOnce.size(), 1);

    AWAIT(m2, store->enqueue(convB.id, outgoing(QStringLiteral("b-1"), QStringLiteral("for bob"), t0, "payload-b")));
    AWAIT(m3, store->enqueue(convA.id, outgoing(QStringLiteral("a-later"), QStringLiteral("later"), t0 + 10000)));
    AWAIT(earliestAll, store->nextAttemptMs());
    QCOMPARE(earliestAll, t0);

    // claimDue: only due entries, only the accounts asked for, marked Sending.
    spies.clear();
    AWAIT(claimedA, store->claimDue(t0 + 1, {convA.accountId}, 10));
    QCOMPARE(claimedA.size(), 1);
    QCOMPARE(claimedA.at(0).message.id, m1.id);
    QCOMPARE(claimedA.at(0).message.remoteId, QStringLiteral("a-1"));
    QCOMPARE(claimedA.at(0).message.delivery, DeliveryState::Sending);
    QCOMPARE(claimedA.at(0).payload, QByteArray("payload-1"));
    QCOMPARE(claimedA.at(0).accountId, convA.accountId);
    QCOMPARE(claimedA.at(0).conversationRemoteId, QStringLiteral("a-dm"));
    QCOMPARE(spies.messagesChanged.count(), 1);
    AWAIT(claimedRest, store->claimDue(t0 + 1, {}, 10));
    QCOMPARE(claimedRest.size(), 1);
    QCOMPARE(claimedRest.at(0).message.id, m2.id);
    AWAIT(claimedNone, store->claimDue(t0 + 1, {}, 10));
    QVERIFY(claimedNone.isEmpty());
    AWAIT(accountBNext, store->nextAttemptMs({convB.accountId}));
    QCOMPARE(accountBNext, 0);
    // a-later waits behind a-1 of the same conversation, which is on the wire.
    AWAIT(accountANext, store->nextAttemptMs({convA.accountId}));
    QCOMPARE(accountANext, 0);

    // Not while it is on the wire.
    AWAIT_ERROR(busy, store->discard(m1.id));
    QCOMPARE(busy.kind(), ErrorKind::Conflict);
    AWAIT_ERROR(busyRetry, store->retry(m1.id, t0 + 2));
    QCOMPARE(busyRetry.kind(), ErrorKind::InvalidInput);

    // A transient failure: Pending again, with backoff and jitter.
    const Error offline(ErrorKind::Network, QStringLiteral("The network is down."));
    QVERIFY(offline.isTransient());
    qint64 now = t0 + 2;
    AWAIT(failed1, store->markFailed(m1.id, offline, now));
    QCOMPARE(failed1.delivery, DeliveryState::Pending);
    QCOMPARE(failed1.attempts, 1);
    QVERIFY2(failed1.nextAttemptMs >= now + 500 && failed1.nextAttemptMs <= now + 1000,
             qPrintable(QString::number(failed1.nextAttemptMs - now)));
    QCOMPARE(failed1.failureReason, offline.message());
    AWAIT(nextA, store->nextAttemptMs({convA.accountId}));
    QCOMPARE(nextA, failed1.nextAttemptMs);
    AWAIT(notDue, store->claimDue(failed1.nextAttemptMs - 1, {convA.accountId}, 10));
    QVERIFY(notDue.isEmpty());
    AWAIT(due, store->claimDue(failed1.nextAttemptMs, {convA.accountId}, 10));
    QCOMPARE(due.size(), 1);
    QCOMPARE(due.at(0).message.remoteId, QStringLiteral("a-1")); // the same id on every attempt
    QCOMPARE(due.at(0).payload, QByteArray("payload-1"));

    now = failed1.nextAttemptMs + 5;
    AWAIT(failed2, store->markFailed(m1.id, offline, now));
    QCOMPARE(failed2.delivery, DeliveryState::Pending);
    QCOMPARE(failed2.attempts, 2);
    QVERIFY2(failed2.nextAttemptMs >= now + 1000 && failed2.nextAttemptMs <= now + 2000,
             qPrintable(QString::number(failed2.nextAttemptMs - now)));
    AWAIT(due2, store->claimDue(failed2.nextAttemptMs, {convA.accountId}, 10));
    QCOMPARE(due2.size(), 1);
    // The last automatic attempt: Failed, waiting for the person.
    now = failed2.nextAttemptMs + 5;
    spies.clear();
    AWAIT(failed3, store->markFailed(m1.id, offline, now));
    QCOMPARE(failed3.delivery, DeliveryState::Failed);
    QCOMPARE(failed3.attempts, 3);
    QCOMPARE(failed3.nextAttemptMs, 0);
    QCOMPARE(failed3.failureReason, offline.message());
    QCOMPARE(spies.messagesChanged.count(), 1);
    QCOMPARE(spies.messagesChanged.at(0).at(1).value<QList<MessageChange>>().at(0).message.delivery,
             DeliveryState::Failed);
    AWAIT(neverAgain, store->claimDue(now + 1000000, {convA.accountId}, 10));
    QCOMPARE(neverAgain.size(), 1); // only a-later
    QCOMPARE(neverAgain.at(0).message.id, m3.id);
    AWAIT(m3Waiting, store->markFailed(m3.id, Error(ErrorKind::Timeout, QStringLiteral("Timed out.")), now));
    QCOMPARE(m3Waiting.delivery, DeliveryState::Pending);

    // retry: Failed -> Pending, attempts reset, due at once.
    AWAIT(retried, store->retry(m1.id, now + 10));
    QCOMPARE(retried.delivery, DeliveryState::Pending);
    QCOMPARE(retried.attempts, 0);
    QCOMPARE(retried.nextAttemptMs, now + 10);
    QVERIFY2(retried.failureReason.isEmpty(), qPrintable(retried.failureReason)); // a fresh start
    AWAIT(againDue, store->claimDue(now + 10, {convA.accountId}, 10));
    QCOMPARE(againDue.size(), 1);
    QCOMPARE(againDue.at(0).message.id, m1.id);

    // markSent: Sent at its sequence, out of the outbox.
    spies.clear();
    AWAIT(sent, store->markSent(m1.id, SendReceipt{500, t0 + 99}));
    QVERIFY(sent.has_value());
    QCOMPARE(sent->delivery, DeliveryState::Sent);
    QCOMPARE(sent->key, (MessageKey{false, 500}));
    QCOMPARE(sent->createdMs, t0 + 99);
    QCOMPARE(spies.messagesChanged.count(), 1);
    const auto sentChange = spies.messagesChanged.at(0).at(1).value<QList<MessageChange>>().at(0);
    QCOMPARE(sentChange.previousKey, m1.key);
    QCOMPARE(sentChange.message.key, (MessageKey{false, 500}));
    AWAIT(unsentAfterSend, store->unsent());
    QCOMPARE(remoteIds(unsentAfterSend), (QStringList{QStringLiteral("b-1"), QStringLiteral("a-later")}));
    AWAIT_ERROR(alreadySent, store->discard(m1.id));
    QCOMPARE(alreadySent.kind(), ErrorKind::InvalidInput);

    // A non-transient failure: Failed at once.
    AWAIT(refused, store->markFailed(m2.id, Error(ErrorKind::InvalidInput, QStringLiteral("Too long.")), now));
    QCOMPARE(refused.delivery, DeliveryState::Failed);
    QCOMPARE(refused.attempts, 1);
    QCOMPARE(refused.failureReason, QStringLiteral("Too long."));

    // discard: gone, with messagesRemoved.
    spies.clear();
    AWAIT_OK(store->discard(m2.id));
    QCOMPARE(spies.messagesRemoved.count(), 1);
    QCOMPARE(spies.messagesRemoved.at(0).at(0).toLongLong(), convB.id);
    QCOMPARE(spies.messagesRemoved.at(0).at(1).value<QList<MessageKey>>(), QList<MessageKey>{m2.key});
    QCOMPARE(spies.outboxChanged.count(), 1);
    AWAIT_ERROR(gone, store->message(m2.id));
    QCOMPARE(gone.kind(), ErrorKind::NotFound);
    AWAIT(bobMessages, store->newestMessages(convB.id, 10));
    QVERIFY(bobMessages.isEmpty());
    AWAIT(bobConversation, store->conversation(convB.id));
    QVERIFY(!bobConversation.preview.has_value());
    // A waiting (not failed) entry can be discarded too.
    AWAIT_OK(store->discard(m3.id));
    AWAIT(unsentAtEnd, store->unsent());
    QVERIFY(unsentAtEnd.isEmpty());
    AWAIT(nothingWaits, store->nextAttemptMs());
    QCOMPARE(nothingWaits, 0);
    // markSent after a discard is not an error: the server's copy comes with the next sync.
    AWAIT(lateReceipt, store->markSent(m3.id, SendReceipt{600, 0}));
    QVERIFY(!lateReceipt.has_value());
}

void TestStore::outboxSurvivesARestart()
{
    const StoreOptions options = optionsFor(QStringLiteral("restart.db"));
    std::unique_ptr<Store> store;
    qint64 id = 0;
    {
        AWAIT(report, openStore(store, options));
        AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
        AWAIT(queued, store->enqueue(conversation.id,
                                     outgoing(QStringLiteral("kept-id"), QStringLiteral("survivor"), BaseMs, "bytes")));
        AWAIT(waiting, store->enqueue(conversation.id,
                                      outgoing(QStringLiteral("waiting"), QStringLiteral("not claimed"), BaseMs + 5)));
        AWAIT(claimed, store->claimDue(BaseMs, {}, 10));
        QCOMPARE(claimed.size(), 1);
        QCOMPARE(claimed.at(0).message.delivery, DeliveryState::Sending);
        id = queued.id;
        // The process goes away with the request on the wire: no markSent, no markFailed.
        store.reset();
    }
    AWAIT(report, openStore(store, options));
    QCOMPARE(report.interruptedSends, 1);
    AWAIT(unsent, store->unsent());
    QCOMPARE(remoteIds(unsent), (QStringList{QStringLiteral("kept-id"), QStringLiteral("waiting")}));
    QCOMPARE(unsent.at(0).delivery, DeliveryState::Pending);
    // One conversation's messages leave one after the other, in the order they were written.
    AWAIT(claimed, store->claimDue(BaseMs + 10, {}, 10));
    QCOMPARE(claimed.size(), 1);
    QCOMPARE(claimed.at(0).message.id, id);
    QCOMPARE(claimed.at(0).message.remoteId, QStringLiteral("kept-id"));
    QCOMPARE(claimed.at(0).message.text, QStringLiteral("survivor"));
    QCOMPARE(claimed.at(0).payload, QByteArray("bytes"));
    AWAIT_OK(store->markSent(id, SendReceipt{1, 0}));
    AWAIT(next, store->claimDue(BaseMs + 10, {}, 10));
    QCOMPARE(next.size(), 1);
    QCOMPARE(next.at(0).message.remoteId, QStringLiteral("waiting"));
    store.reset();

    // Only what was on the wire is counted as interrupted, and a sent message stays sent.
    AWAIT(third, openStore(store, options));
    QCOMPARE(third.interruptedSends, 1); // "waiting" was claimed in the second run
    AWAIT(left, store->unsent());
    QCOMPARE(remoteIds(left), QStringList{QStringLiteral("waiting")});
}

void TestStore::outboxPolicyBackoff()
{
    OutboxPolicy policy;
    policy.initialDelayMs = 1000;
    policy.maxDelayMs = 60000;
    policy.maxAutomaticAttempts = 10;
    constexpr int Samples = 400;
    qint64 previousMax = 0;
    for (int attempts = 1; attempts <= 12; ++attempts) {
        qint64 nominal = policy.initialDelayMs;
        for (int i = 1; i < attempts; ++i)
            nominal = std::min(nominal * 2, policy.maxDelayMs);
        qint64 low = std::numeric_limits<qint64>::max();
        qint64 high = 0;
        QSet<qint64> distinct;
        for (int s = 0; s < Samples; ++s) {
            const qint64 d = policy.delayAfter(attempts);
            QVERIFY2(d >= nominal / 2 && d <= nominal,
                     qPrintable(QStringLiteral("attempt %1: %2 not in [%3, %4]").arg(attempts).arg(d).arg(nominal / 2).arg(nominal)));
            low = std::min(low, d);
            high = std::max(high, d);
            distinct.insert(d);
        }
        QVERIFY2(distinct.size() > 10, "the delay is jittered");
        QVERIFY(high <= policy.maxDelayMs);
        // Exponential growth until the cap: each window starts where the one before ends.
        if (nominal < policy.maxDelayMs)
            QVERIFY2(low >= previousMax,
                     qPrintable(QStringLiteral("attempt %1: %2 < %3").arg(attempts).arg(low).arg(previousMax)));
        previousMax = high;
    }
    for (int attempts : {20, 64, 1000, 1000000}) {
        const qint64 d = policy.delayAfter(attempts);
        QVERIFY(d >= policy.maxDelayMs / 2);
        QVERIFY(d <= policy.maxDelayMs);
    }
    // The window for attempt n+1 lies above the one for attempt n (until the cap).
    QVERIFY(policy.delayAfter(3) >= 2000);
    QVERIFY(policy.delayAfter(3) <= 4000);
    QVERIFY(policy.delayAfter(6) >= 16000);
    QVERIFY(policy.delayAfter(6) <= 32000);
    QVERIFY(policy.delayAfter(7) >= 30000);
}

// ---- 8. edits and removals ------------------------------------------------------------------

void TestStore::modifyMessage()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("modify.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
    IncomingMessage withMedia = incoming(QStringLiteral("m1"), 10, QStringLiteral("original"));
    Attachment attachment;
    attachment.mediaId = QStringLiteral("media");
    attachment.fileName = QStringLiteral("photo.jpg");
    attachment.mediaKey = QByteArray(32, 'k');
    withMedia.attachments = {attachment};
    withMedia.kind = MessageKind::Media;
    AWAIT_OK(store->insertMessages(conversation.id,
                                   {withMedia, incoming(QStringLiteral("m2"), 20, QStringLiteral("newest"))}));
    AWAIT(start, store->conversation(conversation.id));
    QCOMPARE(start.unreadCount, 2);
    Spies spies(store.get());

    // An edit.
    AWAIT(edited, store->modifyMessage(conversation.id, QStringLiteral("m1"), [](Message &m) {
                                           m.text = QStringLiteral("edited text");
                                           m.editedMs = BaseMs + 5;
                                           return true;
                                       }));
    QVERIFY(edited.has_value());
    QCOMPARE(edited->text, QStringLiteral("edited text"));
    QCOMPARE(edited->editedMs, BaseMs + 5);
    QCOMPARE(spies.messagesChanged.count(), 1);
    AWAIT(reread, store->messageByRemoteId(conversation.id, QStringLiteral("m1")));
    QCOMPARE(reread->text, QStringLiteral("edited text"));
    QCOMPARE(reread->attachments.size(), 1);
    QCOMPARE(reread->attachments.at(0).mediaKey, QByteArray(32, 'k'));

    // Reactions in `extra`; what places the message is not the mutator's to change.
    AWAIT(reacted,
          store->modifyMessage(conversation.id, QStringLiteral("m1"), [](Message &m) {
                                   m.extra.insert(QStringLiteral("reactions"),
                                       QJsonArray{QJsonObject{{QStringLiteral("emoji"), QStringLiteral("👍")},
                                                               {QStringLiteral("from"), QStringLiteral("peer")}}});
                                   m.key = MessageKey{false, 999};
                                   m.delivery = DeliveryState::Failed;
                                   m.remoteId = QStringLiteral("hijacked");
                                   return true;
                               }));
    QCOMPARE(reacted->key, (MessageKey{false, 10}));
    QCOMPARE(reacted->remoteId, QStringLiteral("m1"));
    AWAIT(withReactions, store->messageByRemoteId(conversation.id, QStringLiteral("m1")));
    QVERIFY(withReactions.has_value());
    QCOMPARE(withReactions->key, (MessageKey{false, 10}));
    QCOMPARE(withReactions->delivery, DeliveryState::Received);
    QCOMPARE(withReactions->text, QStringLiteral("edited text"));
    const QJsonArray reactions = withReactions->extra.value(QStringLiteral("reactions")).toArray();
    QCOMPARE(reactions.size(), 1);
    QCOMPARE(reactions.at(0).toObject().value(QStringLiteral("emoji")).toString(), QStringLiteral("👍"));

    // A mutator that returns false changes nothing, even what it touched.
    spies.clear();
    AWAIT(untouched, store->modifyMessage(conversation.id, QStringLiteral("m1"), [](Message &m) {
                                              m.text = QStringLiteral("should not stick");
                                              return false;
                                          }));
    QVERIFY(untouched.has_value());
    QCOMPARE(untouched->text, QStringLiteral("edited text"));
    QCOMPARE(spies.total(), 0);
    AWAIT(stillEdited, store->messageByRemoteId(conversation.id, QStringLiteral("m1")));
    QCOMPARE(stillEdited->text, QStringLiteral("edited text"));
    AWAIT(unknown, store->modifyMessage(conversation.id, QStringLiteral("nope"), [](Message &) { return true; }));
    QVERIFY(!unknown.has_value());

    // Delete for everyone: the body goes, the row stays as a marker, unread goes down.
    spies.clear();
    AWAIT(deleted, store->modifyMessage(conversation.id, QStringLiteral("m1"), [](Message &m) {
                                            m.deleted = true;
                                            return true;
                                        }));
    QVERIFY(deleted->deleted);
    QVERIFY(deleted->text.isEmpty());
    QVERIFY(deleted->attachments.isEmpty());
    AWAIT(marker, store->messageByRemoteId(conversation.id, QStringLiteral("m1")));
    QVERIFY(marker.has_value());
    QVERIFY(marker->deleted);
    QVERIFY(marker->text.isEmpty());
    QVERIFY(marker->attachments.isEmpty());
    AWAIT(afterDelete, store->conversation(conversation.id));
    QCOMPARE(afterDelete.unreadCount, 1);
    QCOMPARE(spies.conversationChanged.count(), 1);
    QCOMPARE(spies.conversationChanged.at(0).at(0).value<Conversation>().unreadCount, 1);
    // Deleting the newest shows in the preview.
    AWAIT_OK(store->modifyMessage(conversation.id, QStringLiteral("m2"), [](Message &m) {
                                      m.deleted = true;
                                      return true;
                                  }));
    AWAIT(bothDeleted, store->conversation(conversation.id));
    QCOMPARE(bothDeleted.unreadCount, 0);
    QVERIFY(bothDeleted.preview.has_value());
    QVERIFY(bothDeleted.preview->deleted);
    QVERIFY(bothDeleted.preview->text.isEmpty());
    // Deleting again does not count twice.
    AWAIT_OK(store->modifyMessage(conversation.id, QStringLiteral("m2"), [](Message &m) {
                                      m.deleted = true;
                                      return true;
                                  }));
    AWAIT(stillZero, store->conversation(conversation.id));
    QCOMPARE(stillZero.unreadCount, 0);
    RawDb raw(pathFor(QStringLiteral("modify.db")));
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM attachments")).toInt(), 0);
}

void TestStore::removalsCascade()
{
    const StoreOptions options = optionsFor(QStringLiteral("cascade.db"));
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, options));
    AWAIT(c1, addConversation(*store, QStringLiteral("alice"), QStringLiteral("c1")));
    AWAIT(c2, addConversation(*store, QStringLiteral("alice"), QStringLiteral("c2")));
    AWAIT(d1, addConversation(*store, QStringLiteral("bob"), QStringLiteral("d1")));
    IncomingMessage withMedia = incoming(QStringLiteral("a"), 1, QStringLiteral("a"));
    withMedia.attachments = {Attachment{}};
    AWAIT_OK(store->insertMessages(c1.id, {withMedia, incoming(QStringLiteral("b"), 2, QStringLiteral("b")),
                                                               incoming(QStringLiteral("c"), 3, QStringLiteral("c"))}));
    AWAIT_OK(store->insertMessages(c2.id, {incoming(QStringLiteral("x"), 1, QStringLiteral("x"))}));
    AWAIT_OK(store->insertMessages(d1.id, {incoming(QStringLiteral("y"), 1, QStringLiteral("y"))}));
    AWAIT_OK(store->enqueue(c1.id, outgoing(QStringLiteral("p"), QStringLiteral("pending"), BaseMs)));
    AWAIT_OK(store->enqueue(d1.id, outgoing(QStringLiteral("q"), QStringLiteral("pending"), BaseMs)));
    Member member;
    member.userId = QStringLiteral("m");
    AWAIT_OK(store->setMembers(c1.id, {member}));
    Spies spies(store.get());

    // removeMessages: for this device only; unknown ids are skipped.
    AWAIT(removed, store->removeMessages(c1.id, {QStringLiteral("c"), QStringLiteral("unknown")}));
    QCOMPARE(removed, 1);
    QCOMPARE(spies.messagesRemoved.count(), 1);
    AWAIT(c1Now, store->conversation(c1.id));
    QCOMPARE(c1Now.unreadCount, 2);
    AWAIT(c1Messages, store->newestMessages(c1.id, 10));
    QCOMPARE(remoteIds(c1Messages), (QStringList{QStringLiteral("p"), QStringLiteral("b"), QStringLiteral("a")}));

    // removeConversation.
    spies.clear();
    AWAIT_OK(store->removeConversation(c2.id));
    QCOMPARE(spies.conversationRemoved.count(), 1);
    AWAIT_ERROR(c2Gone, store->conversation(c2.id));
    QCOMPARE(c2Gone.kind(), ErrorKind::NotFound);
    {
        RawDb raw(options.path);
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"), {c2.id}).toInt(),
                           0);
    }

    // removeAccount: its conversations, messages, attachments, members and outbox go with it.
    spies.clear();
    AWAIT_OK(store->removeAccount(c1.accountId));
    QCOMPARE(spies.conversationRemoved.count(), 1);
    QCOMPARE(spies.conversationRemoved.at(0).at(0).toLongLong(), c1.id);
    QCOMPARE(spies.accountsChanged.count(), 1);
    QCOMPARE(spies.outboxChanged.count(), 1);
    AWAIT(accounts, store->accounts());
    QCOMPARE(accounts.size(), 1);
    QCOMPARE(accounts.at(0).remoteId, QStringLiteral("bob"));
    AWAIT(list, store->conversations());
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.at(0).id, d1.id);
    AWAIT(unsent, store->unsent());
    QCOMPARE(remoteIds(unsent), QStringList{QStringLiteral("q")});
    AWAIT(bobMessages, store->newestMessages(d1.id, 10));
    QCOMPARE(bobMessages.size(), 2);
    RawDb raw(options.path);
    QCOMPARE(raw.value(
        QStringLiteral("SELECT count(*) FROM conversations WHERE account_id = ?"), {c1.accountId}).toInt(), 0);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"), {c1.id}).toInt(), 0);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM attachments")).toInt(), 0);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM members")).toInt(), 0);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM outbox")).toInt(), 1);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM messages")).toInt(), 2);
}

// ---- 9. damaged and full files --------------------------------------------------------------

void TestStore::garbageFileIsReplaced()
{
    const StoreOptions options = optionsFor(QStringLiteral("garbage.db"));
    QByteArray garbage(64 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(20240607);
    for (char &c : garbage)
        c = static_cast<char>(generator.bounded(256));
    {
        QFile f(options.path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(garbage), garbage.size());
    }
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, options));
    QVERIFY(report.recreated);
    QVERIFY(!report.reason.isEmpty());
    QVERIFY(!report.movedAsideTo.isEmpty());
    QCOMPARE(readFile(report.movedAsideTo), garbage);
    QCOMPARE(report.schemaVersionBefore, 0);
    QCOMPARE(report.schemaVersion, latestSchemaVersion());
    QVERIFY(store->isOpen());
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
    AWAIT(inserted, store->insertMessages(conversation.id, {incoming(QStringLiteral("a"), 1, QStringLiteral("a"))}));
    QCOMPARE(inserted.inserted, 1);
    AWAIT_OK(store->checkIntegrity());
}

void TestStore::buildDamagedDatabase(const StoreOptions &options)
{
    std::unique_ptr<Store> store;
    {
        AWAIT(report, openStore(store, options));
        AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("big")));
        for (int batch = 0; batch < DamagedCount / 500; ++batch) {
            QList<IncomingMessage> messages;
            for (int i = 1; i <= 500; ++i) {
                const int n = batch * 500 + i;
                messages.append(incoming(QStringLiteral("r%1").arg(n), n, QStringLiteral("message %1 ").arg(n) + QString(200, QChar(u'a' + n % 26))));
            }
            AWAIT_OK(store->insertMessages(conversation.id, messages));
        }
        AWAIT_OK(store->checkIntegrity());
        store.reset(); // checkpointed into the main file
    }
    QVERIFY(!QFileInfo::exists(options.path + QLatin1String("-wal")) ||
            QFileInfo(options.path + QLatin1String("-wal")).size() == 0);
    int pageSize = 0;
    {
        RawDb raw(options.path);
        pageSize = raw.value(QStringLiteral("PRAGMA page_size")).toInt();
    }
    QVERIFY(pageSize >= 512);
    const qint64 pages = QFileInfo(options.path).size() / pageSize;
    QVERIFY2(pages > 100, qPrintable(QString::number(pages)));
    // Overwrite a run of pages in the middle of the file with (seeded, so repeatable) garbage.
    QFile f(options.path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QRandomGenerator generator(77);
    for (qint64 page = pages * 2 / 5; page < pages * 2 / 5 + 12; ++page) {
        QByteArray junk(pageSize, Qt::Uninitialized);
        for (char &c : junk)
            c = static_cast<char>(generator.bounded(256));
        QVERIFY(f.seek(page * pageSize));
        QCOMPARE(f.write(junk), qint64(pageSize));
    }
}

void TestStore::damagedPagesFailTheFirstRead()
{
    const StoreOptions options = optionsFor(QStringLiteral("damaged.db"));
    buildDamagedDatabase(options);
    if (QTest::currentTestFailed())
        return;

    auto store = std::make_unique<Store>();
    QSignalSpy recreated(store.get(), &Store::databaseRecreated);
    QSignalSpy storageFailed(store.get(), &Store::storageFailed);
    FixedSealingKey keys(m_key);
    AWAIT(report, settle(store->open(options, keys)));
    if (!report.recreated) {
        // A search over the damaged rows fails; it never claims to be complete with hits missing.
        SearchQuery query;
        query.phrase = QStringLiteral("message");
        query.limit = DamagedCount;
        query.batchSize = DamagedCount;
        const SearchOutcome searched = runSearch(*store, query);
        if (searched.error) {
            QCOMPARE(searched.error->kind(), ErrorKind::Storage);
        } else {
            QVERIFY2(searched.stats.hits == DamagedCount || !searched.stats.complete,
                     qPrintable(QStringLiteral("a search over damaged pages reported complete with %1 of %2 hits")
                                                   .arg(searched.stats.hits)
                                                   .arg(DamagedCount)));
        }

        // The damage shows on the first read that touches it (never as a short, "complete" read),
        // or at the latest in the integrity check; either way the store starts over and says so.
        AWAIT(list, store->conversations());
        QCOMPARE(list.size(), 1);
        const qint64 conversationId = list.at(0).id;
        // Walk back the way a model does: a page shorter than asked for is the start of history.
        std::optional<Error> readError;
        int walked = 0;
        auto page = settle(store->newestMessages(conversationId, 200));
        while (page.ok()) {
            walked += static_cast<int>(page.value().size());
            if (page.value().size() < 200)
                break;
            const MessageKey oldest = page.value().constLast().key;
            page = settle(store->messagesBefore(conversationId, oldest, 200));
        }
        if (page.hasError())
            readError = page.error();
        if (!readError) {
            // No error: then the walk must have seen every message, not a page cut short.
            QVERIFY2(walked == DamagedCount,
                     qPrintable(QStringLiteral("a damaged read came back short without an error: %1 of %2 messages")
                                                   .arg(walked)
                                                   .arg(DamagedCount)));
            QCOMPARE(recreated.count(), 0);
            AWAIT_ERROR(damage, store->checkIntegrity());
            readError = damage;
        }
        QCOMPARE(readError->kind(), ErrorKind::Storage);
        QVERIFY2(readError->message().contains(QLatin1String("damaged")), qPrintable(readError->toString()));
        QCOMPARE(recreated.count(), 1);
        const auto fresh = recreated.at(0).at(0).value<OpenReport>();
        QVERIFY(fresh.recreated);
        QVERIFY(!fresh.reason.isEmpty());
        QVERIFY(QFileInfo::exists(fresh.movedAsideTo));
        // Reads report through their futures; storageFailed is for writes the person must hear of.
        QCOMPARE(storageFailed.count(), 0);
    } else {
        QVERIFY(!report.reason.isEmpty());
        QVERIFY(QFileInfo::exists(report.movedAsideTo));
    }
    // A fresh, working store.
    QVERIFY(store->isOpen());
    AWAIT(empty, store->conversations());
    QVERIFY(empty.isEmpty());
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("again")));
    AWAIT(inserted, store->insertMessages(conversation.id, {incoming(QStringLiteral("n"), 1, QStringLiteral("new"))}));
    QCOMPARE(inserted.inserted, 1);
    AWAIT_OK(store->checkIntegrity());
}

void TestStore::damagedFileKeepsUnsentMessages()
{
    // Unsent messages exist nowhere else: when a damaged file is replaced, they move over.
    const StoreOptions options = optionsFor(QStringLiteral("damaged.db"));
    buildDamagedDatabase(options);
    if (QTest::currentTestFailed())
        return;
    // The damage sits among the history's pages; the outbox rows, their messages (written last)
    // and the conversation (written first) still read, each by its own key.
    auto store = std::make_unique<Store>();
    QSignalSpy recreated(store.get(), &Store::databaseRecreated);
    FixedSealingKey keys(m_key);
    AWAIT(report, settle(store->open(options, keys)));
    QVERIFY2(!report.recreated, "the damage sits in the middle: the file still opens");
    AWAIT(list, store->conversations());
    QCOMPARE(list.size(), 1);
    const qint64 conversationId = list.at(0).id;
    const QString conversationRemoteId = list.at(0).remoteId;
    for (int i = 1; i <= 3; ++i) {
        OutgoingMessage out =
            outgoing(QStringLiteral("unsent-%1").arg(i), QStringLiteral("not sent yet %1").arg(i), BaseMs + i,
                                                                        QByteArray("payload-") + QByteArray::number(i));
        Attachment a;
        a.fileName = QStringLiteral("photo-%1.jpg").arg(i);
        a.mediaKey = QByteArray(32, char(i));
        out.attachments = {a};
        AWAIT_OK(store->enqueue(conversationId, out));
    }
    AWAIT_ERROR(damage, store->checkIntegrity());
    QCOMPARE(damage.kind(), ErrorKind::Storage);
    QTRY_COMPARE_WITH_TIMEOUT(recreated.count(), 1, WaitMs);
    const auto fresh = recreated.at(0).at(0).value<OpenReport>();
    QCOMPARE(fresh.salvagedSends, 3);
    AWAIT(unsent, store->unsent());
    QCOMPARE(remoteIds(unsent),
             (QStringList{QStringLiteral("unsent-1"), QStringLiteral("unsent-2"), QStringLiteral("unsent-3")}));
    QCOMPARE(texts(unsent),
             (QStringList{QStringLiteral("not sent yet 1"), QStringLiteral("not sent yet 2"),
                                                                           QStringLiteral("not sent yet 3")}));
    QCOMPARE(unsent.at(1).attachments.size(), 1);
    QCOMPARE(unsent.at(1).attachments.at(0).fileName, QStringLiteral("photo-2.jpg"));
    QCOMPARE(unsent.at(1).attachments.at(0).mediaKey, QByteArray(32, char(2)));
    AWAIT(conversations, store->conversations());
    QCOMPARE(conversations.size(), 1);
    QCOMPARE(conversations.at(0).remoteId, conversationRemoteId);
    AWAIT(claimed, store->claimDue(BaseMs + 10, {}, 10));
    QCOMPARE(claimed.size(), 1); // the oldest first; the others wait behind it
    QCOMPARE(claimed.at(0).payload, QByteArray("payload-1"));
    QCOMPARE(claimed.at(0).message.remoteId, QStringLiteral("unsent-1"));
    AWAIT_OK(store->checkIntegrity());
}

void TestStore::integrityCheckReportsDamage()
{
    const StoreOptions options = optionsFor(QStringLiteral("damaged.db"));
    buildDamagedDatabase(options);
    if (QTest::currentTestFailed())
        return;

    auto store = std::make_unique<Store>();
    QSignalSpy recreated(store.get(), &Store::databaseRecreated);
    FixedSealingKey keys(m_key);
    AWAIT(report, settle(store->open(options, keys)));
    if (!report.recreated) {
        // Before any read has touched the damage: the check finds it, as an Error.
        AWAIT_ERROR(damage, store->checkIntegrity());
        QCOMPARE(damage.kind(), ErrorKind::Storage);
        QVERIFY2(damage.message().contains(QLatin1String("damaged")), qPrintable(damage.toString()));
        QVERIFY(!damage.detail().isEmpty());
        QCOMPARE(recreated.count(), 1);
        const auto fresh = recreated.at(0).at(0).value<OpenReport>();
        QVERIFY(fresh.recreated);
        QVERIFY(QFileInfo::exists(fresh.movedAsideTo));
    } else {
        QVERIFY(QFileInfo::exists(report.movedAsideTo));
    }
    QVERIFY(store->isOpen());
    AWAIT_OK(store->checkIntegrity());
    AWAIT(empty, store->conversations());
    QVERIFY(empty.isEmpty());
}

void TestStore::diskFull()
{
    StoreOptions options = optionsFor(QStringLiteral("full.db"));
    options.maxDatabaseBytes = 256 * 1024;
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, options));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
    QSignalSpy storageFailed(store.get(), &Store::storageFailed);
    QSignalSpy inserted(store.get(), &Store::messagesInserted);

    std::optional<Error> failure;
    int committed = 0;
    int batches = 0;
    for (int batch = 0; batch < 500 && !failure; ++batch) {
        QList<IncomingMessage> messages;
        for (int i = 1; i <= 10; ++i) {
            const int n = batch * 10 + i;
            messages.append(incoming(
                QStringLiteral("r%1").arg(n), n, QStringLiteral("%1:").arg(n) + QString(1500, QChar(u'a' + n % 26))));
        }
        const Result<InsertReport> result = settle(store->insertMessages(conversation.id, messages));
        if (result.ok()) {
            QCOMPARE(result.value().inserted, 10);
            committed += 10;
            ++batches;
        } else {
            failure = result.error();
        }
    }
    QVERIFY2(failure.has_value(), "the size cap was never reached");
    QVERIFY(committed > 0);
    QCOMPARE(failure->kind(), ErrorKind::Storage);
    QVERIFY2(failure->message().contains(QLatin1String("disk is full"), Qt::CaseInsensitive),
             qPrintable(failure->toString()));
    QCOMPARE(storageFailed.count(), 1);
    const auto signalled = storageFailed.at(0).at(0).value<Error>();
    QCOMPARE(signalled.kind(), ErrorKind::Storage);
    QCOMPARE(signalled.message(), failure->message());
    // The failed batch emitted nothing and left nothing behind.
    QCOMPARE(inserted.count(), batches);

    // Still open, and everything committed before is intact.
    QVERIFY(store->isOpen());
    AWAIT(messages, store->newestMessages(conversation.id, 100000));
    QCOMPARE(messages.size(), committed);
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const int n = committed - static_cast<int>(i);
        QCOMPARE(messages.at(i).key, (MessageKey{false, n}));
        QCOMPARE(messages.at(i).text, QString(QStringLiteral("%1:").arg(n) + QString(1500, QChar(u'a' + n % 26))));
    }
    AWAIT(after, store->conversation(conversation.id));
    QCOMPARE(after.unreadCount, committed);
    AWAIT_OK(store->checkIntegrity());
    store.reset();
    // And on disk, after a restart.
    options.maxDatabaseBytes = 0;
    AWAIT(reopened, openStore(store, options));
    QVERIFY(!reopened.recreated);
    AWAIT(again, store->newestMessages(conversation.id, 100000));
    QCOMPARE(again.size(), committed);
}

// ---- 10. housekeeping -----------------------------------------------------------------------

void TestStore::housekeeping()
{
    StoreOptions options = optionsFor(QStringLiteral("housekeeping.db"));
    options.housekeeping.maxMessagesPerConversation = 0; // keep everything at first
    std::unique_ptr<Store> store;
    qint64 conversationId = 0;
    qint64 sizeBefore = 0;
    {
        AWAIT(report, openStore(store, options));
        AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
        conversationId = conversation.id;
        ConversationInput complete;
        complete.accountId = conversation.accountId;
        complete.remoteId = conversation.remoteId;
        complete.historyComplete = true;
        AWAIT_OK(store->upsertConversation(complete));
        AWAIT(small, addConversation(*store, QStringLiteral("me"), QStringLiteral("small")));
        AWAIT_OK(
            store->insertMessages(small.id, {incoming(QStringLiteral("s1"), 1, QStringLiteral("short")),
                                                      incoming(QStringLiteral("s2"), 2, QStringLiteral("history"))}));
        QList<IncomingMessage> messages;
        for (int n = 1; n <= 60; ++n)
            messages.append(incoming(
                QStringLiteral("r%1").arg(n), n, QStringLiteral("%1 ").arg(n) + QString(3000, QChar(u'a' + n % 26))));
        AWAIT_OK(store->insertMessages(conversation.id, messages));
        AWAIT_OK(
            store->enqueue(conversation.id, outgoing(QStringLiteral("p1"), QStringLiteral("pending one"), BaseMs)));
        AWAIT_OK(
            store->enqueue(conversation.id, outgoing(QStringLiteral("p2"), QStringLiteral("pending two"), BaseMs)));
        AWAIT(failedOne,
              store->enqueue(conversation.id, outgoing(QStringLiteral("p3"), QStringLiteral("failed one"), BaseMs)));
        AWAIT_OK(store->claimDue(BaseMs, {}, 10));
        AWAIT_OK(store->markFailed(failedOne.id, Error(ErrorKind::InvalidInput, QStringLiteral("no")), BaseMs));
        AWAIT(first, store->housekeep());
        QCOMPARE(first.prunedMessages, 0);
        QVERIFY(first.checkpointed);
        QCOMPARE(first.walBytes, 0);
        sizeBefore = first.fileBytes;
        QCOMPARE(sizeBefore, QFileInfo(options.path).size());
        store.reset();
    }

    options.housekeeping.maxMessagesPerConversation = 10;
    options.housekeeping.vacuumMinFreePages = 1;
    options.housekeeping.vacuumFreeFraction = 0.0;
    AWAIT(reopened, openStore(store, options));
    Spies spies(store.get());
    QSignalSpy pruned(store.get(), &Store::historyPruned);
    AWAIT(unreadBefore, store->conversation(conversationId));
    QCOMPARE(unreadBefore.unreadCount, 60);
    AWAIT(report, store->housekeep());
    QCOMPARE(report.prunedMessages, 50);
    // Models hear that everything up to r50 is gone from the cache; unread counts only what stays.
    QCOMPARE(pruned.count(), 1);
    QCOMPARE(pruned.at(0).at(0).toLongLong(), conversationId);
    QCOMPARE(keyText(pruned.at(0).at(1).value<MessageKey>()), QStringLiteral("50"));
    AWAIT(unreadAfter, store->conversation(conversationId));
    QCOMPARE(unreadAfter.unreadCount, 10);
    QVERIFY2(report.freedPages > 0, qPrintable(QString::number(report.freedPages)));
    QVERIFY(report.checkpointed);
    QCOMPARE(report.walBytes, 0);
    QVERIFY2(report.fileBytes < sizeBefore,
             qPrintable(QStringLiteral("%1 >= %2").arg(report.fileBytes).arg(sizeBefore)));
    QCOMPARE(report.fileBytes, QFileInfo(options.path).size());

    // The newest ten sent messages and every unsent one stay.
    AWAIT(left, store->newestMessages(conversationId, 100));
    QCOMPARE(left.size(), 13);
    QCOMPARE(remoteIds(left.mid(0, 4)),
             (QStringList{QStringLiteral("p3"), QStringLiteral("p2"), QStringLiteral("p1"), QStringLiteral("r60")}));
    QCOMPARE(left.constLast().remoteId, QStringLiteral("r51"));
    AWAIT(unsent, store->unsent());
    QCOMPARE(unsent.size(), 3);
    AWAIT(conversation, store->conversation(conversationId));
    QVERIFY(!conversation.historyComplete);
    QVERIFY(spies.conversationChanged.count() >= 1);
    AWAIT(small, store->conversationByRemoteId(conversation.accountId, QStringLiteral("small")));
    AWAIT(smallMessages, store->newestMessages(small->id, 10));
    QCOMPARE(smallMessages.size(), 2);

    // Nothing more to do the second time.
    AWAIT(second, store->housekeep());
    QCOMPARE(second.prunedMessages, 0);
    QVERIFY(second.checkpointed);
    QCOMPARE(second.walBytes, 0);
    AWAIT_OK(store->checkIntegrity());
}

// ---- 11. search -----------------------------------------------------------------------------

void TestStore::searchInOneConversationFollowsTheTimeline()
{
    // Within a conversation, "newest first" is the timeline order (server sequence, then the
    // outbox), whatever the clocks said.
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("search-one.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("one")));
    AWAIT(other, addConversation(*store, QStringLiteral("me"), QStringLiteral("other")));
    QList<IncomingMessage> messages;
    for (int n = 1; n <= 30; ++n)
        messages.append(incoming(QStringLiteral("r%1").arg(n), n, QStringLiteral("needle %1").arg(n), BaseMs + (n % 2 == 0 ? 100000 - n : n)));
    AWAIT_OK(store->insertMessages(conversation.id, messages));
    AWAIT_OK(store->insertMessages(other.id, {incoming(QStringLiteral("x"), 1, QStringLiteral("needle elsewhere"))}));
    AWAIT_OK(store->enqueue(conversation.id, outgoing(QStringLiteral("p"), QStringLiteral("needle pending"), BaseMs)));
    SearchQuery query;
    query.phrase = QStringLiteral("NEEDLE");
    query.conversationId = conversation.id;
    query.batchSize = 7;
    const SearchOutcome outcome = runSearch(*store, query);
    QVERIFY(!outcome.error);
    QVERIFY(outcome.stats.complete);
    QVERIFY(outcome.batches.size() >= 4);
    QStringList found;
    for (const SearchHit &hit : outcome.hits())
        found.append(hit.text);
    QStringList expected{QStringLiteral("needle pending")};
    for (int n = 30; n >= 1; --n)
        expected.append(QStringLiteral("needle %1").arg(n));
    QCOMPARE(found, expected);
}

void TestStore::search()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("search.db"))));
    AWAIT(a1, addConversation(*store, QStringLiteral("alice"), QStringLiteral("a1")));
    AWAIT(a2, addConversation(*store, QStringLiteral("alice"), QStringLiteral("a2")));
    AWAIT(b1, addConversation(*store, QStringLiteral("bob"), QStringLiteral("b1")));
    AWAIT_OK(store->insertMessages(
        a1.id,
        {incoming(
            QStringLiteral("a1-1"), 1, QStringLiteral("The Blue Whale surfaced"), BaseMs + 1000),
            incoming(QStringLiteral("a1-2"), 2, QStringLiteral("nothing to see"), BaseMs + 2000),
                     incoming(QStringLiteral("a1-3"), 3, QStringLiteral("another BLUE WHALE sighting"), BaseMs + 5000),
                              incoming(QStringLiteral("a1-4"), 4,
                                                      QStringLiteral("blue whale, deleted soon"), BaseMs + 8000)}));
    AWAIT_OK(store->insertMessages(
        a2.id, {incoming(QStringLiteral("a2-1"), 1, QStringLiteral("blue whales everywhere"), BaseMs + 3000),
                         incoming(QStringLiteral("a2-2"), 2, QStringLiteral("red herring"), BaseMs + 4000)}));
    AWAIT_OK(store->insertMessages(
        b1.id,
        {incoming(QStringLiteral("b1-1"), 1, QStringLiteral("A blue whale in account B"), BaseMs + 6000),
                  incoming(QStringLiteral("b1-2"), 2, QStringLiteral("Blue-whale is not the phrase"), BaseMs + 7000)}));
    AWAIT_OK(store->enqueue(
        a2.id, outgoing(QStringLiteral("a2-own"), QStringLiteral("my own blue whale draft"), BaseMs + 9000)));
    AWAIT_OK(store->modifyMessage(a1.id, QStringLiteral("a1-4"), [](Message &m) {
                                      m.deleted = true;
                                      return true;
                                  }));

    SearchQuery query;
    query.phrase = QStringLiteral("blue whale");
    query.batchSize = 2;
    SearchOutcome all = runSearch(*store, query);
    QVERIFY2(!all.error, qPrintable(all.error ? all.error->toString() : QString()));
    const QList<SearchHit> hits = all.hits();
    QStringList found;
    for (const SearchHit &hit : hits)
        found.append(hit.text);
    QCOMPARE(found, (QStringList{QStringLiteral("my own blue whale draft"),
                        QStringLiteral("A blue whale in account B"),
                                       QStringLiteral("another BLUE WHALE sighting"),
                                                      QStringLiteral("blue whales everywhere"),
                                                                     QStringLiteral("The Blue Whale surfaced")}));
    QVERIFY2(all.batches.size() >= 3, qPrintable(QString::number(all.batches.size())));
    for (qsizetype i = 1; i < hits.size(); ++i)
        QVERIFY(hits.at(i).createdMs < hits.at(i - 1).createdMs);
    QVERIFY(all.stats.complete);
    QVERIFY(!all.stats.cancelled);
    QCOMPARE(all.stats.hits, 5);
    QCOMPARE(all.stats.scanned, 8); // every message but the deleted one
    const SearchHit &surfaced = hits.constLast();
    QCOMPARE(surfaced.conversationId, a1.id);
    QCOMPARE(surfaced.key, (MessageKey{false, 1}));
    QCOMPARE(surfaced.createdMs, BaseMs + 1000);
    QCOMPARE(surfaced.senderId, QStringLiteral("peer"));
    QCOMPARE(surfaced.matchStart, 4);
    QCOMPARE(surfaced.matchLength, 10);
    QCOMPARE(surfaced.text.mid(surfaced.matchStart, surfaced.matchLength), QStringLiteral("Blue Whale"));
    QVERIFY(hits.constFirst().key.pending);
    AWAIT(message, store->message(surfaced.messageId));
    QCOMPARE(message.remoteId, QStringLiteral("a1-1"));

    // The limit.
    query.limit = 2;
    SearchOutcome limited = runSearch(*store, query);
    QVERIFY(!limited.error);
    QCOMPARE(limited.hits().size(), 2);
    QCOMPARE(limited.hits().at(1).text, QStringLiteral("A blue whale in account B"));
    QVERIFY(!limited.stats.complete);
    QCOMPARE(limited.stats.hits, 2);
    query.limit = 200;

    // Account and conversation filters.
    query.accountId = b1.accountId;
    SearchOutcome bob = runSearch(*store, query);
    QVERIFY(!bob.error);
    QCOMPARE(bob.hits().size(), 1);
    QCOMPARE(bob.hits().at(0).conversationId, b1.id);
    query.accountId = a1.accountId;
    SearchOutcome alice = runSearch(*store, query);
    QVERIFY(!alice.error);
    QCOMPARE(alice.hits().size(), 4);
    for (const SearchHit &hit : alice.hits())
        QVERIFY(hit.conversationId == a1.id || hit.conversationId == a2.id);
    query.accountId = 0;
    query.conversationId = a1.id;
    SearchOutcome one = runSearch(*store, query);
    QVERIFY(!one.error);
    QCOMPARE(one.hits().size(), 2);
    QCOMPARE(one.hits().at(0).text, QStringLiteral("another BLUE WHALE sighting"));
    QCOMPARE(one.hits().at(1).text, QStringLiteral("The Blue Whale surfaced"));

    // Nothing matches.
    query.conversationId = 0;
    query.phrase = QStringLiteral("narwhal");
    SearchOutcome none = runSearch(*store, query);
    QVERIFY(!none.error);
    QVERIFY(none.batches.isEmpty());
    QVERIFY(none.stats.complete);
    QCOMPARE(none.stats.hits, 0);

    // A closed store does not search.
    AWAIT_OK(store->close());
    QVERIFY(!store->isOpen());
    QCOMPARE(store->search(query), nullptr);
}

void TestStore::searchCancel()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("cancel.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
    constexpr int Count = 20000;
    for (int batch = 0; batch < Count / 2000; ++batch) {
        QList<IncomingMessage> messages;
        for (int i = 1; i <= 2000; ++i) {
            const int n = batch * 2000 + i;
            messages.append(incoming(QStringLiteral("r%1").arg(n), n, QStringLiteral("needle %1").arg(n)));
        }
        AWAIT_OK(store->insertMessages(conversation.id, messages));
    }
    SearchQuery query;
    query.phrase = QStringLiteral("NEEDLE");
    query.batchSize = 1;
    query.limit = Count;
    std::unique_ptr<SearchRun> run(store->search(query));
    QVERIFY(run);
    int hits = 0;
    int hitsAfterEnd = 0;
    bool ended = false;
    SearchStats stats;
    connect(run.get(), &SearchRun::hitsFound, this,
            [&](const QList<SearchHit> &batch) { (ended ? hitsAfterEnd : hits) += static_cast<int>(batch.size()); });
    connect(run.get(), &SearchRun::finished, this, [&](const SearchStats &s) {
        stats = s;
        ended = true;
    });
    run->cancel();
    QVERIFY(!run->isFinished()); // the end is reported through the event loop
    QVERIFY(QTest::qWaitFor([&] { return ended; }, WaitMs));
    QVERIFY(run->isFinished());
    QVERIFY(stats.cancelled);
    QVERIFY(!stats.complete);
    QVERIFY2(hits < Count, qPrintable(QString::number(hits)));
    run.reset(); // waits for the worker
    QCoreApplication::sendPostedEvents();
    QCOMPARE(hitsAfterEnd, 0);

    // Cancelling twice, or after the end, is harmless; deleting a running search stops it.
    std::unique_ptr<SearchRun> second(store->search(query));
    QVERIFY(second);
    second.reset();
    std::unique_ptr<SearchRun> third(store->search(query));
    third->cancel();
    third->cancel();
    bool thirdEnded = false;
    int thirdEnds = 0;
    connect(third.get(), &SearchRun::finished, this, [&](const SearchStats &) {
        thirdEnded = true;
        ++thirdEnds;
    });
    QVERIFY(QTest::qWaitFor([&] { return thirdEnded; }, WaitMs));
    third.reset();
    QCoreApplication::sendPostedEvents();
    QCOMPARE(thirdEnds, 1);
}

void TestStore::searchEmptyPhrase()
{
    std::unique_ptr<Store> store;
    AWAIT(report, openStore(store, optionsFor(QStringLiteral("empty.db"))));
    AWAIT(conversation, addConversation(*store, QStringLiteral("me"), QStringLiteral("c")));
    AWAIT_OK(store->insertMessages(conversation.id, {incoming(QStringLiteral("a"), 1, QStringLiteral("anything"))}));
    for (const QString &phrase : {QString(), QStringLiteral("   ")}) {
        SearchQuery query;
        query.phrase = phrase;
        SearchOutcome outcome = runSearch(*store, query);
        QVERIFY(!outcome.error);
        QVERIFY(outcome.ended);
        QVERIFY(outcome.batches.isEmpty());
        QCOMPARE(outcome.stats.hits, 0);
        QCOMPARE(outcome.stats.scanned, 0);
        QVERIFY(outcome.stats.complete);
        QVERIFY(!outcome.stats.cancelled);
    }
}

QTEST_MAIN(TestStore)
#include "tst_store.moc"
