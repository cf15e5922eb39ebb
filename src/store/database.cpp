#include "store/database.h"

#include "core/logging.h"
#include "store/schema.h"
#include "store/sqlerror.h"

#include <QCborArray>
#include <QCborValue>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlRecord>

#include <algorithm>
#include <utility>

namespace confab::store {

namespace {

constexpr auto SealCheckKey = "seal_check";
constexpr auto LocalOrderKey = "next_local_order";
constexpr QByteArrayView SealCheckPlaintext = "confab-store-seal-check-v1";
constexpr int PreviewLength = 160;

enum class OutboxState { Pending = 0, Sending = 1, Failed = 2 };

/// A bind value: NULL for an empty blob.
QVariant blob(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(bytes);
}

QVariant jsonText(const QJsonObject &object)
{
    if (object.isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject jsonFromText(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

void appendUnique(QList<qint64> &list, qint64 id)
{
    if (!list.contains(id))
        list.append(id);
}

QString excerpt(const QString &text)
{
    QString line = text.left(PreviewLength * 2).simplified();
    if (line.size() > PreviewLength)
        line = line.left(PreviewLength - 1) + QChar(0x2026);
    return line;
}

QCborMap attachmentToCbor(const Attachment &a)
{
    QCborMap map;
    map.insert(QLatin1String("id"), a.mediaId);
    map.insert(QLatin1String("name"), a.fileName);
    map.insert(QLatin1String("mime"), a.mimeType);
    map.insert(QLatin1String("size"), a.sizeBytes);
    map.insert(QLatin1String("w"), a.width);
    map.insert(QLatin1String("h"), a.height);
    map.insert(QLatin1String("dur"), a.durationMs);
    if (!a.mediaKey.isEmpty())
        map.insert(QLatin1String("key"), a.mediaKey);
    if (!a.extra.isEmpty())
        map.insert(QLatin1String("x"), QCborMap::fromJsonObject(a.extra));
    return map;
}

Attachment attachmentFromCbor(int ordinal, const QCborMap &map)
{
    Attachment a;
    a.ordinal = ordinal;
    a.mediaId = map.value(QLatin1String("id")).toString();
    a.fileName = map.value(QLatin1String("name")).toString();
    a.mimeType = map.value(QLatin1String("mime")).toString();
    a.sizeBytes = map.value(QLatin1String("size")).toInteger();
    a.width = static_cast<int>(map.value(QLatin1String("w")).toInteger());
    a.height = static_cast<int>(map.value(QLatin1String("h")).toInteger());
    a.durationMs = map.value(QLatin1String("dur")).toInteger();
    a.mediaKey = map.value(QLatin1String("key")).toByteArray();
    a.extra = map.value(QLatin1String("x")).toMap().toJsonObject();
    return a;
}

QCborMap previewToCbor(const Message &m)
{
    QCborMap map;
    map.insert(QLatin1String("s"), m.senderId);
    if (!m.deleted)
        map.insert(QLatin1String("t"), excerpt(m.text));
    map.insert(QLatin1String("k"), static_cast<int>(m.kind));
    map.insert(QLatin1String("o"), m.outgoing);
    map.insert(QLatin1String("d"), m.deleted);
    return map;
}

MessagePreview previewFromCbor(const QCborMap &map)
{
    MessagePreview p;
    p.senderId = map.value(QLatin1String("s")).toString();
    p.text = map.value(QLatin1String("t")).toString();
    p.kind = static_cast<int>(map.value(QLatin1String("k")).toInteger());
    p.outgoing = map.value(QLatin1String("o")).toBool();
    p.deleted = map.value(QLatin1String("d")).toBool();
    return p;
}

constexpr const char *MessageColumns =
    "SELECT m.id, m.conversation_id, m.remote_id, m.pending, m.sort_key, m.sender_id, m.outgoing, m.created_ms,"
    " m.edited_ms, m.kind, m.deleted, m.delivery, m.attachment_count, m.content_sealed,"
    " o.attempts, o.next_attempt_ms, o.failure_sealed FROM messages m LEFT JOIN outbox o ON o.message_id = m.id ";

constexpr const char *ConversationColumns =
    "SELECT id, account_id, remote_id, kind, title_sealed, avatar_sealed, last_activity_ms, preview_sealed,"
    " unread_count, read_marker, muted, extra_sealed, sync_state, history_complete FROM conversations ";

} // namespace

/// BEGIN IMMEDIATE ... COMMIT, rolled back (with the changes it recorded) unless committed.
class Database::Transaction
{
public:
    explicit Transaction(Database &db) : m_db(db)
    {
        QSqlQuery &q = m_db.prepared("BEGIN IMMEDIATE");
        m_ok = m_db.exec(q);
        if (!m_ok)
            m_error = m_db.failure(q, "starting a write");
    }
    ~Transaction()
    {
        if (m_ok && !m_committed) {
            QSqlQuery &q = m_db.prepared("ROLLBACK");
            m_db.exec(q);
        }
        if (!m_committed) {
            m_db.m_uncommitted = {};
            m_db.m_txDirty.clear();
            m_db.m_txAdded.clear();
        }
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] const Error &error() const { return m_error; }

    Result<void> commit()
    {
        QSqlQuery &q = m_db.prepared("COMMIT");
        if (!m_db.exec(q))
            return m_db.failure(q, "saving");
        m_committed = true;
        m_db.mergeUncommitted();
        return {};
    }

private:
    Database &m_db;
    bool m_ok = false;
    bool m_committed = false;
    Error m_error;
};

Database::Database(QString connectionName) : m_connectionName(std::move(connectionName)) {}

Database::~Database()
{
    close();
}

void Database::dropConnection()
{
    m_queries.clear();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_open = false;
}

void Database::close()
{
    if (m_open) {
        QSqlQuery q(m_db);
        q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        q.exec(QStringLiteral("PRAGMA optimize"));
    }
    dropConnection();
}

QSqlQuery &Database::prepared(const char *sql)
{
    auto it = m_queries.find(sql);
    if (it == m_queries.end()) {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.prepare(QString::fromLatin1(sql)))
            qCWarning(lcStore) << "could not prepare a statement:" << q.lastError().text();
        it = m_queries.emplace(sql, std::move(q)).first;
    }
    return it->second;
}

bool Database::exec(QSqlQuery &query)
{
    const bool ok = query.exec();
    if (!ok && isCorruption(query.lastError()))
        m_sawCorruption = true;
    return ok;
}

Error Database::failure(const QSqlQuery &query, const char *doing)
{
    const Error error = sqlError(query.lastError(), doing);
    qCWarning(lcStore).noquote() << error.toString();
    return error;
}

Result<void> Database::rowsDone(QSqlQuery &query, const char *doing)
{
    if (!query.lastError().isValid()) {
        query.finish();
        return {};
    }
    if (isCorruption(query.lastError()))
        m_sawCorruption = true;
    const Error error = failure(query, doing);
    query.finish();
    return error;
}

Result<void> Database::execAll(const QStringList &statements, const char *doing)
{
    QSqlQuery q(m_db);
    for (const QString &statement : statements) {
        if (!q.exec(statement)) {
            if (isCorruption(q.lastError()))
                m_sawCorruption = true;
            return failure(q, doing);
        }
    }
    return {};
}

// ---- opening --------------------------------------------------------------------------------

Result<OpenReport> Database::open(const StoreOptions &options, crypto::SecureBytes key)
{
    close();
    m_options = options;
    m_sealer = Sealer(std::move(key));
    if (!m_sealer.isValid())
        return Error(ErrorKind::Internal, QStringLiteral("The message store's key has the wrong size."));
    return openFile(true, {});
}

QString Database::moveAside(const QString &why)
{
    dropConnection();
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = QStringLiteral("%1.unusable-%2").arg(m_options.path, stamp);
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = QStringLiteral("%1.unusable-%2-%3").arg(m_options.path, stamp).arg(n);
    if (!QFile::rename(m_options.path, target)) {
        qCWarning(lcStore) << "could not move the unusable database aside; removing it";
        QFile::remove(m_options.path);
        target.clear();
    }
    // The WAL and shared-memory files belong to the old database; they must not meet the new one.
    for (const char *suffix : {"-wal", "-shm"}) {
        const QString side = m_options.path + QLatin1String(suffix);
        if (QFileInfo::exists(side) && (target.isEmpty() || !QFile::rename(side, target + QLatin1String(suffix))))
            QFile::remove(side);
    }
    qCWarning(lcStore).noquote() << "moved the message cache aside:" << why;
    return target;
}

Result<OpenReport> Database::openFile(bool allowRecreate, const QString &recreateReason)
{
    OpenReport report;
    if (!recreateReason.isEmpty()) {
        report.recreated = true;
        report.reason = recreateReason;
    }
    const bool existed = QFileInfo::exists(m_options.path) && QFileInfo(m_options.path).size() > 0;
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_options.path);
    if (!m_db.open()) {
        const Error error = sqlError(m_db.lastError(), "opening the message cache");
        dropConnection();
        return error;
    }
    m_open = true;

    // A database written by a newer Confab is refused before anything below writes to it (the WAL
    // journal mode, for one, is recorded in the file header). migrate() refuses it untouched.
    if (Result<int> peek = schemaVersion(m_db); peek && peek.value() > latestSchemaVersion()) {
        const Result<int> refused = migrate(m_db);
        dropConnection();
        return refused.error();
    }

    auto unusable = [&](const QString &why) -> Result<OpenReport> {
        if (!allowRecreate)
            return Error(ErrorKind::Storage, why);
        return replaceUnusable(why);
    };

    if (Result<void> configured = configureConnection(); !configured) {
        if (m_sawCorruption) {
            m_sawCorruption = false;
            return unusable(QStringLiteral("The message cache was damaged, so Confab started a new one. "
                                           "Your conversations will be downloaded again."));
        }
        dropConnection();
        return configured.error();
    }
    Result<int> before = schemaVersion(m_db);
    if (!before) {
        if (isCorruption(m_db.lastError()) || m_sawCorruption || existed) {
            m_sawCorruption = false;
            return unusable(QStringLiteral("The message cache was damaged, so Confab started a new one. "
                                           "Your conversations will be downloaded again."));
        }
        dropConnection();
        return before.error();
    }
    report.schemaVersionBefore = before.value();
    Result<int> after = migrate(m_db);
    if (!after) {
        if (report.schemaVersionBefore > latestSchemaVersion()) {
            dropConnection();
            return after.error();
        }
        return unusable(QStringLiteral("The message cache could not be updated, so Confab started a new one. "
                                       "Your conversations will be downloaded again."));
    }
    report.schemaVersion = after.value();
    if (Result<void> keyOk = checkSealingKey(); !keyOk) {
        if (keyOk.error().kind() == ErrorKind::Crypto)
            return unusable(
                QStringLiteral("The message cache was locked with a key this computer no longer has, "
                                           "so Confab started a new one. Your conversations will be downloaded again."));
        if (m_sawCorruption) {
            m_sawCorruption = false;
            return unusable(QStringLiteral("The message cache was damaged, so Confab started a new one. "
                                           "Your conversations will be downloaded again."));
        }
        dropConnection();
        return keyOk.error();
    }
    Result<int> interrupted = recoverInterruptedSends();
    if (!interrupted) {
        dropConnection();
        return interrupted.error();
    }
    report.interruptedSends = interrupted.value();
    qCInfo(lcStore) << "opened the message cache at schema version" << report.schemaVersion << "(was"
                    << report.schemaVersionBefore << ")";
    return report;
}

Result<void> Database::configureConnection()
{
    QStringList pragmas = {
        QStringLiteral("PRAGMA busy_timeout = 5000"),
            // New databases give freed pages back on request (housekeeping), not on every delete.
            QStringLiteral("PRAGMA auto_vacuum = INCREMENTAL"),
                QStringLiteral("PRAGMA journal_mode = WAL"),
                    // In WAL mode NORMAL is durable against application crashes (kill -9); a power cut may
                    // lose the last commits, never corrupt the file.
                    QStringLiteral("PRAGMA synchronous = NORMAL"),
                        QStringLiteral("PRAGMA foreign_keys = ON"),
                            QStringLiteral("PRAGMA secure_delete = ON"),
                                QStringLiteral("PRAGMA temp_store = MEMORY"),
                                    QStringLiteral("PRAGMA journal_size_limit = %1").arg(16 * 1024 * 1024),
                                                   QStringLiteral("PRAGMA cache_size = -%1").arg(std::max<qint64>(
                                                                      m_options.cacheBytes / 1024, 512)),
                                    };
    if (m_options.maxDatabaseBytes > 0)
        pragmas.append(
            QStringLiteral("PRAGMA max_page_count = %1").arg(std::max<qint64>(m_options.maxDatabaseBytes / 4096, 16)));
    Result<void> done = execAll(pragmas, "configuring the message cache");
    if (!done)
        return done;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA journal_mode")) || !q.next()) {
        m_sawCorruption = isCorruption(q.lastError());
        return failure(q, "checking the journal mode");
    }
    if (q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return Error(ErrorKind::Storage,
                     QStringLiteral("Confab could not prepare its message cache."),
                                    QStringLiteral("journal mode is %1, not wal").arg(q.value(0).toString()));
    return {};
}

Result<void> Database::checkSealingKey()
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(QString::fromLatin1(SealCheckKey));
    if (!exec(q))
        return failure(q, "checking the message cache's key");
    if (q.next()) {
        Result<QByteArray> opened = m_sealer.open(q.value(0).toByteArray());
        if (!opened || opened.value() != SealCheckPlaintext)
            return Error(ErrorKind::Crypto, QStringLiteral("The message cache was sealed with another key."));
        return {};
    }
    q.finish();
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO meta(key, value) VALUES (?, ?)"));
    insert.addBindValue(QString::fromLatin1(SealCheckKey));
    insert.addBindValue(m_sealer.seal(SealCheckPlaintext));
    if (!exec(insert))
        return failure(insert, "sealing the message cache");
    return {};
}

Result<int> Database::recoverInterruptedSends()
{
    // An entry left "sending" means the process died with a request on the wire. The server may or
    // may not have it; sending it again with the same id is safe, because the service
    // deduplicates by that id.
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &mark =
        prepared("UPDATE messages SET delivery = 0 WHERE id IN (SELECT message_id FROM outbox WHERE state = 1)");
    if (!exec(mark))
        return failure(mark, "recovering unsent messages");
    QSqlQuery &reset = prepared("UPDATE outbox SET state = 0 WHERE state = 1");
    if (!exec(reset))
        return failure(reset, "recovering unsent messages");
    const int count = reset.numRowsAffected();
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    if (count > 0)
        qCInfo(lcStore) << count << "interrupted sends will be tried again";
    return count;
}

Result<OpenReport> Database::recoverFromCorruption()
{
    m_sawCorruption = false;
    return replaceUnusable(QStringLiteral("The message cache was damaged, so Confab started a new one. "
                                          "Your conversations will be downloaded again."));
}

Result<OpenReport> Database::replaceUnusable(const QString &why)
{
    // Conversations come back from the services; messages not sent yet exist nowhere else, so
    // whatever of the outbox still reads is carried over into the new file.
    const QList<SalvagedSend> salvaged = m_open ? salvageOutbox() : QList<SalvagedSend>();
    const QString movedTo = moveAside(why);
    Result<OpenReport> report = openFile(false, why);
    if (!report)
        return report;
    report.value().movedAsideTo = movedTo;
    report.value().salvagedSends = restoreOutbox(salvaged);
    m_changes = {};
    m_added.clear();
    m_dirty.clear();
    m_changes.outboxChanged = report.value().salvagedSends > 0;
    return report;
}

QList<Database::SalvagedSend> Database::salvageOutbox()
{
    // Row by row, each through its own primary-key lookup, so that damage elsewhere in the file
    // (an index, another conversation's pages) costs only the rows it really hides.
    QList<SalvagedSend> out;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    QList<QPair<qint64, QByteArray>> queued;
    if (q.exec(QStringLiteral("SELECT message_id, payload_sealed FROM outbox"))) {
        while (q.next())
            queued.append({q.value(0).toLongLong(), q.value(1).toByteArray()});
    }
    if (q.lastError().isValid())
        qCWarning(lcStore) << "some unsent messages of the damaged cache did not read:" << q.lastError().text();
    q.finish();
    QSqlQuery message(m_db);
    message.prepare(QStringLiteral("SELECT conversation_id, remote_id, sender_id, created_ms, kind, content_sealed"
                                   " FROM messages WHERE id = ?"));
    QSqlQuery conversation(m_db);
    conversation.prepare(QStringLiteral("SELECT account_id, remote_id, kind FROM conversations WHERE id = ?"));
    QSqlQuery account(m_db);
    account.prepare(QStringLiteral("SELECT kind, remote_id FROM accounts WHERE id = ?"));
    auto row = [](QSqlQuery &query, qint64 id) {
        query.bindValue(0, id);
        return query.exec() && query.next();
    };
    for (const auto &[messageId, sealedPayload] : std::as_const(queued)) {
        if (!row(message, messageId))
            continue;
        const qint64 conversationId = message.value(0).toLongLong();
        Result<QCborMap> content = m_sealer.openCbor(message.value(5).toByteArray());
        Result<QByteArray> payload = m_sealer.open(sealedPayload);
        if (!content || !payload || !row(conversation, conversationId) ||
            !row(account, conversation.value(0).toLongLong()))
            continue;
        const std::optional<AccountKind> kind = accountKindFromName(account.value(0).toString());
        if (!kind)
            continue;
        SalvagedSend s;
        s.accountKind = *kind;
        s.accountRemoteId = account.value(1).toString();
        s.conversationRemoteId = conversation.value(1).toString();
        s.conversationKind = static_cast<ConversationKind>(conversation.value(2).toInt());
        s.message.remoteId = message.value(1).toString();
        s.message.senderId = message.value(2).toString();
        s.message.createdMs = message.value(3).toLongLong();
        s.message.kind = static_cast<MessageKind>(message.value(4).toInt());
        s.message.text = content.value().value(0).toString();
        s.message.extra = content.value().value(1).toMap().toJsonObject();
        s.message.payload = std::move(payload).value();
        Message m;
        m.id = messageId;
        if (loadAttachments(m))
            s.message.attachments = m.attachments;
        out.append(std::move(s));
    }
    m_sawCorruption = false;
    if (!out.isEmpty() || !queued.isEmpty())
        qCInfo(lcStore) << "carrying" << out.size() << "of" << queued.size()
                        << "unsent messages over into the new message cache";
    return out;
}

int Database::restoreOutbox(const QList<SalvagedSend> &salvaged)
{
    int restored = 0;
    for (const SalvagedSend &s : salvaged) {
        Result<Account> account = upsertAccount(s.accountKind, s.accountRemoteId, std::nullopt, std::nullopt);
        if (!account)
            continue;
        ConversationInput conversation;
        conversation.accountId = account.value().id;
        conversation.remoteId = s.conversationRemoteId;
        conversation.kind = s.conversationKind;
        Result<Conversation> c = upsertConversation(conversation);
        if (c && enqueue(c.value().id, s.message))
            ++restored;
    }
    return restored;
}

Result<void> Database::checkIntegrity()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA quick_check(1)")) || !q.next()) {
        if (isCorruption(q.lastError()))
            m_sawCorruption = true;
        return failure(q, "checking the message cache");
    }
    const QString verdict = q.value(0).toString();
    if (verdict != QLatin1String("ok")) {
        m_sawCorruption = true;
        return Error(ErrorKind::Storage, QStringLiteral("The message cache is damaged."), verdict);
    }
    return {};
}

// ---- change bookkeeping ---------------------------------------------------------------------

void Database::mergeUncommitted()
{
    for (auto &[conversationId, batch] : m_uncommitted.messages) {
        ConversationMessages &target = m_changes.messages[conversationId];
        target.inserted.append(batch.inserted);
        target.changed.append(batch.changed);
        target.removed.append(batch.removed);
        if (batch.prunedThrough)
            target.prunedThrough = std::max(target.prunedThrough.value_or(MessageKey{}), *batch.prunedThrough);
    }
    m_changes.conversationsRemoved.append(m_uncommitted.conversationsRemoved);
    m_changes.membersChanged.append(m_uncommitted.membersChanged);
    m_changes.accountsChanged = m_changes.accountsChanged || m_uncommitted.accountsChanged;
    m_changes.outboxChanged = m_changes.outboxChanged || m_uncommitted.outboxChanged;
    for (qint64 id : std::as_const(m_txAdded))
        appendUnique(m_added, id);
    for (qint64 id : std::as_const(m_txDirty))
        appendUnique(m_dirty, id);
    m_uncommitted = {};
    m_txAdded.clear();
    m_txDirty.clear();
}

void Database::touchConversation(qint64 conversationId)
{
    appendUnique(m_txDirty, conversationId);
}

void Database::noteInserted(const Message &message)
{
    m_uncommitted.messages[message.conversationId].inserted.append(message);
    touchConversation(message.conversationId);
}

void Database::noteChanged(const Message &message, MessageKey previousKey)
{
    m_uncommitted.messages[message.conversationId].changed.append(MessageChange{message, previousKey});
    touchConversation(message.conversationId);
}

void Database::noteRemoved(qint64 conversationId, MessageKey key)
{
    m_uncommitted.messages[conversationId].removed.append(key);
    touchConversation(conversationId);
}

ChangeSet Database::takeChanges()
{
    ChangeSet out = std::exchange(m_changes, {});
    const QList<qint64> added = std::exchange(m_added, {});
    const QList<qint64> dirty = std::exchange(m_dirty, {});
    if (!m_open)
        return out;
    for (qint64 id : added) {
        if (out.conversationsRemoved.contains(id))
            continue;
        if (Result<Conversation> c = conversation(id))
            out.conversationsAdded.append(std::move(c).value());
    }
    for (qint64 id : dirty) {
        if (added.contains(id) || out.conversationsRemoved.contains(id))
            continue;
        if (Result<Conversation> c = conversation(id))
            out.conversationsChanged.append(std::move(c).value());
    }
    return out;
}

// ---- rows -----------------------------------------------------------------------------------

QByteArray Database::sealContent(const QString &text, const QJsonObject &extra) const
{
    QCborMap map;
    if (!text.isEmpty())
        map.insert(0, text);
    if (!extra.isEmpty())
        map.insert(1, QCborMap::fromJsonObject(extra));
    return m_sealer.sealCbor(map);
}

Message Database::readMessage(const QSqlQuery &q) const
{
    Message m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.remoteId = q.value(2).toString();
    m.key = MessageKey{q.value(3).toInt() != 0, q.value(4).toLongLong()};
    m.senderId = q.value(5).toString();
    m.outgoing = q.value(6).toInt() != 0;
    m.createdMs = q.value(7).toLongLong();
    m.editedMs = q.value(8).toLongLong();
    m.kind = static_cast<MessageKind>(q.value(9).toInt());
    m.deleted = q.value(10).toInt() != 0;
    m.delivery = static_cast<DeliveryState>(q.value(11).toInt());
    // attachment_count (12) is read by readMessages.
    Result<QCborMap> content = m_sealer.openCbor(q.value(13).toByteArray());
    if (content) {
        m.text = content.value().value(0).toString();
        m.extra = content.value().value(1).toMap().toJsonObject();
    } else {
        qCWarning(lcStore) << "message" << m.id << "could not be unsealed";
        m.kind = MessageKind::Failure;
        m.extra.insert(QLatin1String("storeError"), content.error().message());
    }
    if (!q.value(14).isNull()) {
        m.attempts = q.value(14).toInt();
        m.nextAttemptMs = q.value(15).toLongLong();
        if (Result<QString> reason = m_sealer.openString(q.value(16).toByteArray()))
            m.failureReason = reason.value();
    }
    return m;
}

Result<QList<Message>> Database::readMessages(QSqlQuery &q, const char *doing)
{
    if (!exec(q))
        return failure(q, doing);
    QList<Message> out;
    QList<qsizetype> withAttachments;
    while (q.next()) {
        if (q.value(12).toInt() > 0)
            withAttachments.append(out.size());
        out.append(readMessage(q));
    }
    if (Result<void> done = rowsDone(q, doing); !done)
        return done.error();
    for (qsizetype i : std::as_const(withAttachments)) {
        if (Result<void> loaded = loadAttachments(out[i]); !loaded)
            return loaded.error();
    }
    return out;
}

Result<void> Database::loadAttachments(Message &m)
{
    QSqlQuery &q = prepared("SELECT ordinal, meta_sealed FROM attachments WHERE message_id = ? ORDER BY ordinal");
    q.bindValue(0, m.id);
    if (!exec(q))
        return failure(q, "reading attachments");
    while (q.next()) {
        Result<QCborMap> meta = m_sealer.openCbor(q.value(1).toByteArray());
        if (meta)
            m.attachments.append(attachmentFromCbor(q.value(0).toInt(), meta.value()));
    }
    return rowsDone(q, "reading attachments");
}

Result<Message> Database::messageRow(qint64 messageId)
{
    static const QByteArray sql = QByteArray(MessageColumns) + "WHERE m.id = ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, messageId);
    Result<QList<Message>> rows = readMessages(q, "reading a message");
    if (!rows)
        return rows.error();
    if (rows.value().isEmpty())
        return Error(ErrorKind::NotFound, QStringLiteral("That message is no longer there."),
                                                         QStringLiteral("message %1").arg(messageId));
    return rows.value().constFirst();
}

Result<void> Database::writeAttachments(qint64 messageId, const QList<Attachment> &attachments)
{
    QSqlQuery &clear = prepared("DELETE FROM attachments WHERE message_id = ?");
    clear.bindValue(0, messageId);
    if (!exec(clear))
        return failure(clear, "saving attachments");
    QSqlQuery &insert = prepared("INSERT INTO attachments(message_id, ordinal, meta_sealed) VALUES (?, ?, ?)");
    int ordinal = 0;
    for (const Attachment &a : attachments) {
        insert.bindValue(0, messageId);
        insert.bindValue(1, ordinal++);
        insert.bindValue(2, m_sealer.sealCbor(attachmentToCbor(a)));
        if (!exec(insert))
            return failure(insert, "saving attachments");
    }
    return {};
}

Conversation Database::readConversation(const QSqlQuery &q) const
{
    Conversation c;
    c.id = q.value(0).toLongLong();
    c.accountId = q.value(1).toLongLong();
    c.remoteId = q.value(2).toString();
    c.kind = static_cast<ConversationKind>(q.value(3).toInt());
    c.title = m_sealer.openString(q.value(4).toByteArray()).valueOr(QString());
    c.avatarUrl = m_sealer.openString(q.value(5).toByteArray()).valueOr(QString());
    c.lastActivityMs = q.value(6).toLongLong();
    if (!q.value(7).isNull()) {
        if (Result<QCborMap> preview = m_sealer.openCbor(q.value(7).toByteArray()))
            c.preview = previewFromCbor(preview.value());
    }
    c.unreadCount = q.value(8).toInt();
    c.readMarker = q.value(9).toLongLong();
    c.muted = q.value(10).toInt() != 0;
    if (Result<QCborMap> extra = m_sealer.openCbor(q.value(11).toByteArray()))
        c.extra = extra.value().toJsonObject();
    c.syncState = jsonFromText(q.value(12));
    c.historyComplete = q.value(13).toInt() != 0;
    return c;
}

// ---- accounts -------------------------------------------------------------------------------

Result<Account> Database::upsertAccount(AccountKind kind, const QString &remoteId,
                                        const std::optional<QString> &displayName,
                                        const std::optional<QJsonObject> &syncState)
{
    if (remoteId.isEmpty())
        return Error(ErrorKind::InvalidInput, QStringLiteral("An account needs an id."));
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &insert = prepared("INSERT INTO accounts(kind, remote_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    insert.bindValue(0, accountKindName(kind));
    insert.bindValue(1, remoteId);
    if (!exec(insert))
        return failure(insert, "saving an account");
    if (displayName) {
        QSqlQuery &q = prepared("UPDATE accounts SET display_sealed = ? WHERE kind = ? AND remote_id = ?");
        q.bindValue(0, blob(m_sealer.sealString(*displayName)));
        q.bindValue(1, accountKindName(kind));
        q.bindValue(2, remoteId);
        if (!exec(q))
            return failure(q, "saving an account");
    }
    if (syncState) {
        QSqlQuery &q = prepared("UPDATE accounts SET sync_state = ? WHERE kind = ? AND remote_id = ?");
        q.bindValue(0, jsonText(*syncState));
        q.bindValue(1, accountKindName(kind));
        q.bindValue(2, remoteId);
        if (!exec(q))
            return failure(q, "saving an account");
    }
    m_uncommitted.accountsChanged = true;
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    Result<QList<Account>> all = accounts();
    if (!all)
        return all.error();
    for (const Account &a : all.value())
        if (a.kind == kind && a.remoteId == remoteId)
            return a;
    return Error(ErrorKind::Internal, QStringLiteral("The account was not saved."));
}

Result<QList<Account>> Database::accounts()
{
    QSqlQuery &q = prepared("SELECT id, kind, remote_id, display_sealed, sync_state FROM accounts ORDER BY id");
    if (!exec(q))
        return failure(q, "reading accounts");
    QList<Account> out;
    while (q.next()) {
        const std::optional<AccountKind> kind = accountKindFromName(q.value(1).toString());
        if (!kind)
            continue; // an account kind of a newer Confab
        Account a;
        a.id = q.value(0).toLongLong();
        a.kind = *kind;
        a.remoteId = q.value(2).toString();
        a.displayName = m_sealer.openString(q.value(3).toByteArray()).valueOr(QString());
        a.syncState = jsonFromText(q.value(4));
        out.append(a);
    }
    if (Result<void> done = rowsDone(q, "reading accounts"); !done)
        return done.error();
    return out;
}

Result<void> Database::removeAccount(qint64 accountId)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &ids = prepared("SELECT id FROM conversations WHERE account_id = ?");
    ids.bindValue(0, accountId);
    if (!exec(ids))
        return failure(ids, "removing an account");
    while (ids.next())
        m_uncommitted.conversationsRemoved.append(ids.value(0).toLongLong());
    ids.finish();
    QSqlQuery &q = prepared("DELETE FROM accounts WHERE id = ?");
    q.bindValue(0, accountId);
    if (!exec(q))
        return failure(q, "removing an account");
    m_uncommitted.accountsChanged = true;
    m_uncommitted.outboxChanged = true;
    return tx.commit();
}

// ---- conversations --------------------------------------------------------------------------

Result<Conversation> Database::upsertConversation(const ConversationInput &in)
{
    if (in.remoteId.isEmpty() || in.accountId <= 0)
        return Error(ErrorKind::InvalidInput, QStringLiteral("A conversation needs an account and an id."));
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &insert = prepared("INSERT INTO conversations(account_id, remote_id, kind) VALUES (?, ?, ?)"
                                 " ON CONFLICT(account_id, remote_id) DO NOTHING");
    insert.bindValue(0, in.accountId);
    insert.bindValue(1, in.remoteId);
    insert.bindValue(2, static_cast<int>(in.kind));
    if (!exec(insert)) {
        if (sqliteCode(insert.lastError()) == 19)
            return Error(ErrorKind::InvalidInput, QStringLiteral("That account is not in the store."));
        return failure(insert, "saving a conversation");
    }
    const bool added = insert.numRowsAffected() > 0;
    QSqlQuery &idq = prepared("SELECT id FROM conversations WHERE account_id = ? AND remote_id = ?");
    idq.bindValue(0, in.accountId);
    idq.bindValue(1, in.remoteId);
    if (!exec(idq) || !idq.next())
        return failure(idq, "saving a conversation");
    const qint64 id = idq.value(0).toLongLong();
    idq.finish();

    QSqlQuery &update = prepared("UPDATE conversations SET"
                                 " kind = ?,"
                                 " title_sealed = CASE WHEN ? THEN ? ELSE title_sealed END,"
                                 " avatar_sealed = CASE WHEN ? THEN ? ELSE avatar_sealed END,"
                                 " muted = coalesce(?, muted),"
                                 " last_activity_ms = max(last_activity_ms, coalesce(?, 0)),"
                                 " extra_sealed = CASE WHEN ? THEN ? ELSE extra_sealed END,"
                                 " sync_state = CASE WHEN ? THEN ? ELSE sync_state END,"
                                 " history_complete = coalesce(?, history_complete)"
                                 " WHERE id = ?");
    const QVariant nullInt(QMetaType::fromType<int>());
    const QVariant nullLong(QMetaType::fromType<qint64>());
    update.bindValue(0, static_cast<int>(in.kind));
    update.bindValue(1, in.title.has_value());
    update.bindValue(2, blob(in.title ? m_sealer.sealString(*in.title) : QByteArray()));
    update.bindValue(3, in.avatarUrl.has_value());
    update.bindValue(4, blob(in.avatarUrl ? m_sealer.sealString(*in.avatarUrl) : QByteArray()));
    update.bindValue(5, in.muted ? QVariant(int(*in.muted)) : nullInt);
    update.bindValue(6, in.lastActivityMs ? QVariant(*in.lastActivityMs) : nullLong);
    update.bindValue(7, in.extra.has_value());
    update.bindValue(8, blob(in.extra ? m_sealer.sealCbor(QCborMap::fromJsonObject(*in.extra)) : QByteArray()));
    update.bindValue(9, in.syncState.has_value());
    update.bindValue(10, in.syncState ? jsonText(*in.syncState) : QVariant(QMetaType::fromType<QString>()));
    update.bindValue(11, in.historyComplete ? QVariant(int(*in.historyComplete)) : nullInt);
    update.bindValue(12, id);
    if (!exec(update))
        return failure(update, "saving a conversation");
    if (added)
        appendUnique(m_txAdded, id);
    else if (update.numRowsAffected() > 0)
        touchConversation(id);
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return conversation(id);
}

Result<Conversation> Database::conversation(qint64 conversationId)
{
    static const QByteArray sql = QByteArray(ConversationColumns) + "WHERE id = ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, conversationId);
    if (!exec(q))
        return failure(q, "reading a conversation");
    if (!q.next())
        return Error(ErrorKind::NotFound, QStringLiteral("That conversation is no longer there."),
                                                         QStringLiteral("conversation %1").arg(conversationId));
    Conversation c = readConversation(q);
    q.finish();
    return c;
}

Result<std::optional<Conversation>> Database::conversationByRemoteId(qint64 accountId, const QString &remoteId)
{
    static const QByteArray sql = QByteArray(ConversationColumns) + "WHERE account_id = ? AND remote_id = ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, accountId);
    q.bindValue(1, remoteId);
    if (!exec(q))
        return failure(q, "reading a conversation");
    std::optional<Conversation> out;
    if (q.next())
        out = readConversation(q);
    q.finish();
    return out;
}

Result<QList<Conversation>> Database::conversations(qint64 accountId, int limit, int offset)
{
    static const QByteArray all =
        QByteArray(ConversationColumns) + "ORDER BY last_activity_ms DESC, id DESC LIMIT ? OFFSET ?";
    // `+account_id` keeps the planner on the activity index (read in order, stops at the limit)
    // instead of the (account_id, remote_id) index and a sort of every conversation of the account.
    static const QByteArray one = QByteArray(ConversationColumns) +
                                  "WHERE +account_id = ? ORDER BY last_activity_ms DESC, id DESC LIMIT ? OFFSET ?";
    QSqlQuery &q = prepared(accountId > 0 ? one.constData() : all.constData());
    int i = 0;
    if (accountId > 0)
        q.bindValue(i++, accountId);
    q.bindValue(i++, limit > 0 ? limit : -1);
    q.bindValue(i++, std::max(offset, 0));
    if (!exec(q))
        return failure(q, "reading the conversation list");
    QList<Conversation> out;
    while (q.next())
        out.append(readConversation(q));
    if (Result<void> done = rowsDone(q, "reading the conversation list"); !done)
        return done.error();
    return out;
}

Result<void> Database::removeConversation(qint64 conversationId)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &q = prepared("DELETE FROM conversations WHERE id = ?");
    q.bindValue(0, conversationId);
    if (!exec(q))
        return failure(q, "removing a conversation");
    if (q.numRowsAffected() > 0) {
        m_uncommitted.conversationsRemoved.append(conversationId);
        m_uncommitted.outboxChanged = true;
    }
    return tx.commit();
}

Result<void> Database::setMembers(qint64 conversationId, const QList<Member> &members)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QStringList keep;
    QSqlQuery &upsert =
        prepared("INSERT INTO members(conversation_id, user_id, profile_sealed, admin) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT(conversation_id, user_id) DO UPDATE SET"
                 " profile_sealed = excluded.profile_sealed, admin = excluded.admin");
    for (const Member &m : members) {
        QCborMap profile;
        if (!m.displayName.isEmpty())
            profile.insert(QLatin1String("name"), m.displayName);
        if (!m.username.isEmpty())
            profile.insert(QLatin1String("username"), m.username);
        if (!m.avatarUrl.isEmpty())
            profile.insert(QLatin1String("avatar"), m.avatarUrl);
        upsert.bindValue(0, conversationId);
        upsert.bindValue(1, m.userId);
        upsert.bindValue(2, blob(m_sealer.sealCbor(profile)));
        upsert.bindValue(3, int(m.admin));
        if (!exec(upsert)) {
            if (sqliteCode(upsert.lastError()) == 19)
                return Error(ErrorKind::NotFound, QStringLiteral("That conversation is no longer there."));
            return failure(upsert, "saving members");
        }
        keep.append(m.userId);
    }
    QSqlQuery &existing = prepared("SELECT user_id FROM members WHERE conversation_id = ?");
    existing.bindValue(0, conversationId);
    if (!exec(existing))
        return failure(existing, "saving members");
    QStringList gone;
    while (existing.next())
        if (!keep.contains(existing.value(0).toString()))
            gone.append(existing.value(0).toString());
    existing.finish();
    QSqlQuery &remove = prepared("DELETE FROM members WHERE conversation_id = ? AND user_id = ?");
    for (const QString &userId : std::as_const(gone)) {
        remove.bindValue(0, conversationId);
        remove.bindValue(1, userId);
        if (!exec(remove))
            return failure(remove, "saving members");
    }
    m_uncommitted.membersChanged.append(conversationId);
    return tx.commit();
}

Result<QList<Member>> Database::members(qint64 conversationId)
{
    QSqlQuery &q = prepared("SELECT user_id, profile_sealed, admin, read_marker FROM members WHERE conversation_id = ?"
                            " ORDER BY user_id");
    q.bindValue(0, conversationId);
    if (!exec(q))
        return failure(q, "reading members");
    QList<Member> out;
    while (q.next()) {
        Member m;
        m.userId = q.value(0).toString();
        if (Result<QCborMap> profile = m_sealer.openCbor(q.value(1).toByteArray())) {
            m.displayName = profile.value().value(QLatin1String("name")).toString();
            m.username = profile.value().value(QLatin1String("username")).toString();
            m.avatarUrl = profile.value().value(QLatin1String("avatar")).toString();
        }
        m.admin = q.value(2).toInt() != 0;
        m.readMarker = q.value(3).toLongLong();
        out.append(m);
    }
    if (Result<void> done = rowsDone(q, "reading members"); !done)
        return done.error();
    return out;
}

Result<void> Database::setMemberReadMarker(qint64 conversationId, const QString &userId, qint64 marker)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &q =
        prepared("UPDATE members SET read_marker = ? WHERE conversation_id = ? AND user_id = ? AND read_marker < ?");
    q.bindValue(0, marker);
    q.bindValue(1, conversationId);
    q.bindValue(2, userId);
    q.bindValue(3, marker);
    if (!exec(q))
        return failure(q, "saving a read marker");
    if (q.numRowsAffected() > 0)
        m_uncommitted.membersChanged.append(conversationId);
    return tx.commit();
}

Result<Conversation> Database::markRead(qint64 conversationId, qint64 marker)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &q = prepared("UPDATE conversations SET read_marker = ?,"
                            " unread_count = (SELECT count(*) FROM messages WHERE conversation_id = ?"
                            "   AND pending = 0 AND sort_key > ? AND outgoing = 0 AND deleted = 0)"
                            " WHERE id = ? AND read_marker < ?");
    q.bindValue(0, marker);
    q.bindValue(1, conversationId);
    q.bindValue(2, marker);
    q.bindValue(3, conversationId);
    q.bindValue(4, marker);
    if (!exec(q))
        return failure(q, "marking a conversation read");
    if (q.numRowsAffected() > 0)
        touchConversation(conversationId);
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return conversation(conversationId);
}

// ---- messages -------------------------------------------------------------------------------

Result<qint64> Database::conversationAccount(qint64 conversationId)
{
    QSqlQuery &q = prepared("SELECT account_id, read_marker FROM conversations WHERE id = ?");
    q.bindValue(0, conversationId);
    if (!exec(q))
        return failure(q, "reading a conversation");
    if (!q.next())
        return Error(ErrorKind::NotFound, QStringLiteral("That conversation is no longer there."),
                                                         QStringLiteral("conversation %1").arg(conversationId));
    const qint64 account = q.value(0).toLongLong();
    q.finish();
    return account;
}

Result<InsertReport> Database::insertMessages(qint64 conversationId, const QList<IncomingMessage> &messages)
{
    InsertReport report;
    if (messages.isEmpty())
        return report;
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &conv = prepared("SELECT read_marker FROM conversations WHERE id = ?");
    conv.bindValue(0, conversationId);
    if (!exec(conv))
        return failure(conv, "saving messages");
    if (!conv.next())
        return Error(ErrorKind::NotFound, QStringLiteral("That conversation is no longer there."),
                                                         QStringLiteral("conversation %1").arg(conversationId));
    const qint64 readMarker = conv.value(0).toLongLong();
    conv.finish();

    QSqlQuery &insert =
        prepared("INSERT INTO messages(conversation_id, remote_id, pending, sort_key, sender_id, outgoing, created_ms,"
                 " edited_ms, kind, deleted, delivery, attachment_count, content_sealed)"
                 " VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    QSqlQuery &existing =
        prepared("SELECT id, pending, sort_key FROM messages WHERE conversation_id = ? AND remote_id = ?");
    QSqlQuery &confirm = prepared("UPDATE messages SET pending = 0, sort_key = ?, delivery = 2,"
                                  " created_ms = CASE WHEN ? > 0 THEN ? ELSE created_ms END WHERE id = ?");
    QSqlQuery &unqueue = prepared("DELETE FROM outbox WHERE message_id = ?");
    int unread = 0;
    qint64 newestActivity = 0;
    for (const IncomingMessage &in : messages) {
        if (in.remoteId.isEmpty() || in.sequence <= 0) {
            qCWarning(lcStore) << "ignored a message without an id or sequence";
            ++report.duplicates;
            continue;
        }
        Message m;
        m.conversationId = conversationId;
        m.remoteId = in.remoteId;
        m.key = MessageKey{false, in.sequence};
        m.senderId = in.senderId;
        m.outgoing = in.outgoing;
        m.createdMs = in.createdMs;
        m.editedMs = in.editedMs;
        m.kind = in.kind;
        m.deleted = in.deleted;
        m.text = in.deleted ? QString() : in.text;
        m.extra = in.extra;
        m.attachments = in.deleted ? QList<Attachment>() : in.attachments;
        m.delivery = in.outgoing ? DeliveryState::Sent : DeliveryState::Received;

        insert.bindValue(0, conversationId);
        insert.bindValue(1, m.remoteId);
        insert.bindValue(2, in.sequence);
        insert.bindValue(3, m.senderId);
        insert.bindValue(4, int(m.outgoing));
        insert.bindValue(5, m.createdMs);
        insert.bindValue(6, m.editedMs);
        insert.bindValue(7, static_cast<int>(m.kind));
        insert.bindValue(8, int(m.deleted));
        insert.bindValue(9, static_cast<int>(m.delivery));
        insert.bindValue(10, static_cast<int>(m.attachments.size()));
        insert.bindValue(11, blob(sealContent(m.text, m.extra)));
        if (!exec(insert))
            return failure(insert, "saving messages");
        if (insert.numRowsAffected() > 0) {
            m.id = insert.lastInsertId().toLongLong();
            if (!m.attachments.isEmpty()) {
                if (Result<void> saved = writeAttachments(m.id, m.attachments); !saved)
                    return saved.error();
            }
            ++report.inserted;
            if (!m.outgoing && !m.deleted && in.sequence > readMarker)
                ++unread;
            newestActivity = std::max(newestActivity, m.createdMs);
            noteInserted(m);
            continue;
        }
        // Already there: a no-op, unless it is this account's own message still in the outbox.
        existing.bindValue(0, conversationId);
        existing.bindValue(1, in.remoteId);
        if (!exec(existing))
            return failure(existing, "saving messages");
        if (!existing.next()) {
            existing.finish();
            qCWarning(lcStore) << "ignored a message whose sequence another message has";
            ++report.duplicates;
            continue;
        }
        const qint64 id = existing.value(0).toLongLong();
        const MessageKey previous{existing.value(1).toInt() != 0, existing.value(2).toLongLong()};
        existing.finish();
        if (!previous.pending) {
            ++report.duplicates;
            continue;
        }
        confirm.bindValue(0, in.sequence);
        confirm.bindValue(1, in.createdMs);
        confirm.bindValue(2, in.createdMs);
        confirm.bindValue(3, id);
        if (!exec(confirm)) {
            if (sqliteCode(confirm.lastError()) == 19) {
                ++report.duplicates;
                continue;
            }
            return failure(confirm, "saving messages");
        }
        unqueue.bindValue(0, id);
        if (!exec(unqueue))
            return failure(unqueue, "saving messages");
        Result<Message> confirmed = messageRow(id);
        if (!confirmed)
            return confirmed.error();
        noteChanged(confirmed.value(), previous);
        m_uncommitted.outboxChanged = true;
        ++report.confirmed;
    }
    if (report.inserted > 0 || report.confirmed > 0) {
        QSqlQuery &bump = prepared("UPDATE conversations SET unread_count = unread_count + ?,"
                                   " last_activity_ms = max(last_activity_ms, ?) WHERE id = ?");
        bump.bindValue(0, unread);
        bump.bindValue(1, newestActivity);
        bump.bindValue(2, conversationId);
        if (!exec(bump))
            return failure(bump, "saving messages");
        if (Result<void> preview = refreshPreview(conversationId); !preview)
            return preview.error();
    }
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return report;
}

Result<void> Database::refreshPreview(qint64 conversationId)
{
    static const QByteArray sql =
        QByteArray(MessageColumns) +
        "WHERE m.conversation_id = ? AND m.kind <> ? ORDER BY m.pending DESC, m.sort_key DESC LIMIT 1";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, conversationId);
    q.bindValue(1, static_cast<int>(MessageKind::Action));
    Result<QList<Message>> newest = readMessages(q, "updating the conversation list");
    if (!newest)
        return newest.error();
    QSqlQuery &update = prepared("UPDATE conversations SET last_message_id = ?, preview_sealed = ?,"
                                 " last_activity_ms = max(last_activity_ms, ?) WHERE id = ?");
    if (newest.value().isEmpty()) {
        update.bindValue(0, QVariant(QMetaType::fromType<qint64>()));
        update.bindValue(1, blob({}));
        update.bindValue(2, 0);
    } else {
        const Message &m = newest.value().constFirst();
        update.bindValue(0, m.id);
        update.bindValue(1, blob(m_sealer.sealCbor(previewToCbor(m))));
        update.bindValue(2, m.createdMs);
    }
    update.bindValue(3, conversationId);
    if (!exec(update))
        return failure(update, "updating the conversation list");
    touchConversation(conversationId);
    return {};
}

Result<QList<Message>> Database::newestMessages(qint64 conversationId, int count)
{
    static const QByteArray sql =
        QByteArray(MessageColumns) + "WHERE m.conversation_id = ? ORDER BY m.pending DESC, m.sort_key DESC LIMIT ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, conversationId);
    q.bindValue(1, std::max(count, 0));
    return readMessages(q, "reading messages");
}

Result<QList<Message>> Database::keyedPage(const char *sql, qint64 conversationId, MessageKey key, int count,
                                           const char *doing)
{
    QSqlQuery &q = prepared(sql);
    q.bindValue(0, conversationId);
    q.bindValue(1, int(key.pending));
    q.bindValue(2, key.sortKey);
    q.bindValue(3, std::max(count, 0));
    return readMessages(q, doing);
}

Result<QList<Message>> Database::messagesBefore(qint64 conversationId, MessageKey before, int count)
{
    static const QByteArray sql = QByteArray(MessageColumns) +
                                  "WHERE m.conversation_id = ? AND (m.pending, m.sort_key) < (?, ?)"
                                  " ORDER BY m.pending DESC, m.sort_key DESC LIMIT ?";
    return keyedPage(sql.constData(), conversationId, before, count, "reading older messages");
}

Result<QList<Message>> Database::messagesAfter(qint64 conversationId, MessageKey after, int count)
{
    static const QByteArray sql = QByteArray(MessageColumns) +
                                  "WHERE m.conversation_id = ? AND (m.pending, m.sort_key) > (?, ?)"
                                  " ORDER BY m.pending, m.sort_key LIMIT ?";
    return keyedPage(sql.constData(), conversationId, after, count, "reading newer messages");
}

Result<QList<Message>> Database::messagesWithAttachments(qint64 conversationId, int count)
{
    static const QByteArray sql = QByteArray(MessageColumns) +
                                  "WHERE m.conversation_id = ? AND m.attachment_count > 0 AND m.deleted = 0"
                                  " ORDER BY m.pending DESC, m.sort_key DESC LIMIT ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, conversationId);
    q.bindValue(1, count);
    Result<QList<Message>> rows = readMessages(q, "reading attachments");
    if (!rows)
        return rows.error();
    QList<Message> out = std::move(rows).value();
    std::reverse(out.begin(), out.end());
    return out;
}

Result<Message> Database::message(qint64 messageId)
{
    return messageRow(messageId);
}

Result<std::optional<Message>> Database::firstMessage(QSqlQuery &q)
{
    Result<QList<Message>> rows = readMessages(q, "reading a message");
    if (!rows)
        return rows.error();
    if (rows.value().isEmpty())
        return std::optional<Message>();
    return std::optional<Message>(rows.value().constFirst());
}

Result<std::optional<Message>> Database::messageByRemoteId(qint64 conversationId, const QString &remoteId)
{
    static const QByteArray sql = QByteArray(MessageColumns) + "WHERE m.conversation_id = ? AND m.remote_id = ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, conversationId);
    q.bindValue(1, remoteId);
    return firstMessage(q);
}

Result<std::optional<Message>> Database::messageBySequence(qint64 conversationId, qint64 sequence)
{
    static const QByteArray sql =
        QByteArray(MessageColumns) + "WHERE m.conversation_id = ? AND m.pending = 0 AND m.sort_key = ?";
    QSqlQuery &q = prepared(sql.constData());
    q.bindValue(0, conversationId);
    q.bindValue(1, sequence);
    return firstMessage(q);
}

Result<std::optional<Message>> Database::modifyMessage(qint64 conversationId, const QString &remoteId,
                                                       const Mutator &mutate)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    Result<std::optional<Message>> found = messageByRemoteId(conversationId, remoteId);
    if (!found)
        return found.error();
    if (!found.value())
        return std::optional<Message>();
    const Message before = *found.value();
    Message after = before;
    if (!mutate(after))
        return std::optional<Message>(before);
    // What identifies and orders the message is the store's, not the mutator's.
    after.id = before.id;
    after.conversationId = before.conversationId;
    after.remoteId = before.remoteId;
    after.key = before.key;
    after.delivery = before.delivery;
    if (after.deleted) {
        after.text.clear();
        after.attachments.clear();
    }
    QSqlQuery &q = prepared("UPDATE messages SET sender_id = ?, outgoing = ?, created_ms = ?, edited_ms = ?, kind = ?,"
                            " deleted = ?, attachment_count = ?, content_sealed = ? WHERE id = ?");
    q.bindValue(0, after.senderId);
    q.bindValue(1, int(after.outgoing));
    q.bindValue(2, after.createdMs);
    q.bindValue(3, after.editedMs);
    q.bindValue(4, static_cast<int>(after.kind));
    q.bindValue(5, int(after.deleted));
    q.bindValue(6, static_cast<int>(after.attachments.size()));
    q.bindValue(7, blob(sealContent(after.text, after.extra)));
    q.bindValue(8, after.id);
    if (!exec(q))
        return failure(q, "saving a message");
    if (Result<void> saved = writeAttachments(after.id, after.attachments); !saved)
        return saved.error();
    if (after.deleted && !before.deleted && !after.outgoing) {
        QSqlQuery &unread = prepared("UPDATE conversations SET unread_count = max(unread_count - 1, 0)"
                                     " WHERE id = ? AND read_marker < ?");
        unread.bindValue(0, conversationId);
        unread.bindValue(1, after.key.pending ? 0 : after.key.sortKey);
        if (!exec(unread))
            return failure(unread, "saving a message");
    }
    if (Result<void> preview = refreshPreview(conversationId); !preview)
        return preview.error();
    noteChanged(after, after.key);
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return std::optional<Message>(after);
}

Result<int> Database::removeMessages(qint64 conversationId, const QStringList &remoteIds)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &find = prepared("SELECT id, pending, sort_key, outgoing, deleted FROM messages"
                               " WHERE conversation_id = ? AND remote_id = ?");
    QSqlQuery &remove = prepared("DELETE FROM messages WHERE id = ?");
    int removed = 0;
    QList<MessageKey> unreadCandidates;
    for (const QString &remoteId : remoteIds) {
        find.bindValue(0, conversationId);
        find.bindValue(1, remoteId);
        if (!exec(find))
            return failure(find, "deleting messages");
        if (!find.next()) {
            find.finish();
            continue;
        }
        const qint64 id = find.value(0).toLongLong();
        const MessageKey key{find.value(1).toInt() != 0, find.value(2).toLongLong()};
        if (find.value(3).toInt() == 0 && find.value(4).toInt() == 0 && !key.pending)
            unreadCandidates.append(key);
        find.finish();
        remove.bindValue(0, id);
        if (!exec(remove))
            return failure(remove, "deleting messages");
        noteRemoved(conversationId, key);
        ++removed;
    }
    if (removed > 0) {
        QSqlQuery &recount =
            prepared("UPDATE conversations SET unread_count = (SELECT count(*) FROM messages"
                     " WHERE conversation_id = ? AND pending = 0 AND sort_key > conversations.read_marker"
                     " AND outgoing = 0 AND deleted = 0) WHERE id = ?");
        if (!unreadCandidates.isEmpty()) {
            recount.bindValue(0, conversationId);
            recount.bindValue(1, conversationId);
            if (!exec(recount))
                return failure(recount, "deleting messages");
        }
        if (Result<void> preview = refreshPreview(conversationId); !preview)
            return preview.error();
        m_uncommitted.outboxChanged = true;
    }
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return removed;
}

// ---- outbox ---------------------------------------------------------------------------------

Result<qint64> Database::nextLocalOrder()
{
    QSqlQuery &bump = prepared("INSERT INTO meta(key, value) VALUES (?, 1)"
                               " ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value");
    bump.bindValue(0, QString::fromLatin1(LocalOrderKey));
    if (!exec(bump) || !bump.next())
        return failure(bump, "saving a message");
    const qint64 order = bump.value(0).toLongLong();
    bump.finish();
    return order;
}

Result<Message> Database::enqueue(qint64 conversationId, const OutgoingMessage &out)
{
    if (out.remoteId.isEmpty())
        return Error(ErrorKind::InvalidInput, QStringLiteral("A message needs an id before it is saved."));
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    Result<qint64> account = conversationAccount(conversationId);
    if (!account)
        return account.error();
    Result<std::optional<Message>> existing = messageByRemoteId(conversationId, out.remoteId);
    if (!existing)
        return existing.error();
    if (existing.value())
        return *existing.value(); // the same intent again (a double click, a replayed request)
    Result<qint64> order = nextLocalOrder();
    if (!order)
        return order.error();
    Message m;
    m.conversationId = conversationId;
    m.remoteId = out.remoteId;
    m.key = MessageKey{true, order.value()};
    m.senderId = out.senderId;
    m.outgoing = true;
    m.createdMs = out.createdMs > 0 ? out.createdMs : nowMs();
    m.kind = out.kind;
    m.text = out.text;
    m.extra = out.extra;
    m.attachments = out.attachments;
    m.delivery = DeliveryState::Pending;
    m.nextAttemptMs = m.createdMs;

    QSqlQuery &insert =
        prepared("INSERT INTO messages(conversation_id, remote_id, pending, sort_key, sender_id, outgoing, created_ms,"
                 " edited_ms, kind, deleted, delivery, attachment_count, content_sealed)"
                 " VALUES (?, ?, 1, ?, ?, 1, ?, 0, ?, 0, 0, ?, ?)");
    insert.bindValue(0, conversationId);
    insert.bindValue(1, m.remoteId);
    insert.bindValue(2, m.key.sortKey);
    insert.bindValue(3, m.senderId);
    insert.bindValue(4, m.createdMs);
    insert.bindValue(5, static_cast<int>(m.kind));
    insert.bindValue(6, static_cast<int>(m.attachments.size()));
    insert.bindValue(7, blob(sealContent(m.text, m.extra)));
    if (!exec(insert))
        return failure(insert, "saving your message");
    m.id = insert.lastInsertId().toLongLong();
    if (Result<void> saved = writeAttachments(m.id, m.attachments); !saved)
        return saved.error();
    QSqlQuery &queue = prepared("INSERT INTO outbox(message_id, state, attempts, next_attempt_ms, payload_sealed)"
                                " VALUES (?, 0, 0, ?, ?)");
    queue.bindValue(0, m.id);
    queue.bindValue(1, m.nextAttemptMs);
    queue.bindValue(2, blob(m_sealer.seal(out.payload)));
    if (!exec(queue))
        return failure(queue, "saving your message");
    QSqlQuery &activity = prepared("UPDATE conversations SET last_activity_ms = max(last_activity_ms, ?) WHERE id = ?");
    activity.bindValue(0, m.createdMs);
    activity.bindValue(1, conversationId);
    if (!exec(activity))
        return failure(activity, "saving your message");
    if (Result<void> preview = refreshPreview(conversationId); !preview)
        return preview.error();
    noteInserted(m);
    m_uncommitted.outboxChanged = true;
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return m;
}

Result<QList<OutboxItem>> Database::claimDue(qint64 now, const QList<qint64> &accountIds, int limit)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    // Only the oldest unsent message of a conversation goes out (one waiting for its retry holds
    // back the ones written after it), so the server's order is the order they were written.
    // Failed ones wait for the person and hold back nothing.
    QSqlQuery &due = prepared("SELECT o.message_id, c.account_id, c.remote_id, o.payload_sealed"
                              " FROM outbox o JOIN messages m ON m.id = o.message_id"
                              " JOIN conversations c ON c.id = m.conversation_id"
                              " WHERE o.state = 0 AND o.next_attempt_ms <= ?"
                              " AND NOT EXISTS (SELECT 1 FROM outbox o2 JOIN messages m2 ON m2.id = o2.message_id"
                              " WHERE m2.conversation_id = m.conversation_id AND o2.state IN (0, 1) AND m2.id < m.id)"
                              " ORDER BY o.next_attempt_ms, o.message_id");
    due.bindValue(0, now);
    if (!exec(due))
        return failure(due, "reading the outbox");
    QList<OutboxItem> items;
    QList<QByteArray> payloads;
    while (due.next() && items.size() < limit) {
        const qint64 account = due.value(1).toLongLong();
        if (!accountIds.isEmpty() && !accountIds.contains(account))
            continue;
        OutboxItem item;
        item.message.id = due.value(0).toLongLong();
        item.accountId = account;
        item.conversationRemoteId = due.value(2).toString();
        items.append(item);
        payloads.append(due.value(3).toByteArray());
    }
    if (Result<void> done = rowsDone(due, "reading the outbox"); !done)
        return done.error();
    QSqlQuery &markOutbox = prepared("UPDATE outbox SET state = 1 WHERE message_id = ?");
    QSqlQuery &markMessage = prepared("UPDATE messages SET delivery = 1 WHERE id = ?");
    for (qsizetype i = 0; i < items.size(); ++i) {
        OutboxItem &item = items[i];
        markOutbox.bindValue(0, item.message.id);
        markMessage.bindValue(0, item.message.id);
        if (!exec(markOutbox))
            return failure(markOutbox, "reading the outbox");
        if (!exec(markMessage))
            return failure(markMessage, "reading the outbox");
        Result<QByteArray> payload = m_sealer.open(payloads.at(i));
        if (!payload)
            return payload.error();
        item.payload = std::move(payload).value();
        Result<Message> m = messageRow(item.message.id);
        if (!m)
            return m.error();
        item.message = std::move(m).value();
        noteChanged(item.message, item.message.key);
    }
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return items;
}

Result<std::optional<Message>> Database::markSent(qint64 messageId, const SendReceipt &receipt)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    Result<Message> before = messageRow(messageId);
    if (!before) {
        if (before.error().kind() == ErrorKind::NotFound)
            return std::optional<Message>(); // discarded meanwhile; the server's copy comes with sync
        return before.error();
    }
    const MessageKey previous = before.value().key;
    QSqlQuery &unqueue = prepared("DELETE FROM outbox WHERE message_id = ?");
    unqueue.bindValue(0, messageId);
    if (!exec(unqueue))
        return failure(unqueue, "saving a sent message");
    if (previous.pending) {
        QSqlQuery &q = prepared("UPDATE messages SET pending = 0, sort_key = ?, delivery = 2,"
                                " created_ms = CASE WHEN ? > 0 THEN ? ELSE created_ms END WHERE id = ?");
        q.bindValue(0, receipt.sequence);
        q.bindValue(1, receipt.createdMs);
        q.bindValue(2, receipt.createdMs);
        q.bindValue(3, messageId);
        if (!exec(q)) {
            if (sqliteCode(q.lastError()) == 19)
                return Error(ErrorKind::Conflict,
                             QStringLiteral("The server gave this message a position another message has."),
                                            QStringLiteral("sequence %1").arg(receipt.sequence));
            return failure(q, "saving a sent message");
        }
    }
    Result<Message> after = messageRow(messageId);
    if (!after)
        return after.error();
    if (Result<void> preview = refreshPreview(after.value().conversationId); !preview)
        return preview.error();
    if (previous.pending)
        noteChanged(after.value(), previous);
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return std::optional<Message>(after.value());
}

Result<Message> Database::commitDelivery(Transaction &tx, qint64 messageId, DeliveryState delivery, const char *doing)
{
    QSqlQuery &q = prepared("UPDATE messages SET delivery = ? WHERE id = ?");
    q.bindValue(0, static_cast<int>(delivery));
    q.bindValue(1, messageId);
    if (!exec(q))
        return failure(q, doing);
    Result<Message> after = messageRow(messageId);
    if (!after)
        return after.error();
    noteChanged(after.value(), after.value().key);
    m_uncommitted.outboxChanged = true;
    if (Result<void> done = tx.commit(); !done)
        return done.error();
    return after;
}

Result<Message> Database::markFailed(qint64 messageId, const Error &error, qint64 now)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &read = prepared("SELECT attempts FROM outbox WHERE message_id = ?");
    read.bindValue(0, messageId);
    if (!exec(read))
        return failure(read, "saving a failed attempt");
    if (!read.next())
        return Error(ErrorKind::NotFound, QStringLiteral("That message is no longer waiting to be sent."));
    const int attempts = read.value(0).toInt() + 1;
    read.finish();
    const bool again = error.isTransient() && attempts < m_options.outbox.maxAutomaticAttempts;
    const qint64 next = again ? now + m_options.outbox.delayAfter(attempts) : 0;
    QSqlQuery &q = prepared("UPDATE outbox SET state = ?, attempts = ?, next_attempt_ms = ?, failure_sealed = ?"
                            " WHERE message_id = ?");
    q.bindValue(0, static_cast<int>(again ? OutboxState::Pending : OutboxState::Failed));
    q.bindValue(1, attempts);
    q.bindValue(2, next);
    q.bindValue(3, blob(m_sealer.sealString(error.message())));
    q.bindValue(4, messageId);
    if (!exec(q))
        return failure(q, "saving a failed attempt");
    return commitDelivery(tx, messageId, again ? DeliveryState::Pending : DeliveryState::Failed,
                          "saving a failed attempt");
}

Result<Message> Database::release(qint64 messageId)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &q = prepared("UPDATE outbox SET state = 0 WHERE message_id = ? AND state = 1");
    q.bindValue(0, messageId);
    if (!exec(q))
        return failure(q, "putting a message back in the outbox");
    if (q.numRowsAffected() == 0)
        return Error(ErrorKind::InvalidInput, QStringLiteral("That message is not being sent."));
    return commitDelivery(tx, messageId, DeliveryState::Pending, "putting a message back in the outbox");
}

Result<Message> Database::retry(qint64 messageId, qint64 now)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &q = prepared("UPDATE outbox SET state = 0, attempts = 0, next_attempt_ms = ?, failure_sealed = NULL"
                            " WHERE message_id = ? AND state != 1");
    q.bindValue(0, now);
    q.bindValue(1, messageId);
    if (!exec(q))
        return failure(q, "retrying a message");
    if (q.numRowsAffected() == 0)
        return Error(ErrorKind::InvalidInput, QStringLiteral("That message is not waiting to be sent."));
    return commitDelivery(tx, messageId, DeliveryState::Pending, "retrying a message");
}

Result<void> Database::discard(qint64 messageId)
{
    Transaction tx(*this);
    if (!tx.ok())
        return tx.error();
    QSqlQuery &state = prepared("SELECT state FROM outbox WHERE message_id = ?");
    state.bindValue(0, messageId);
    if (!exec(state))
        return failure(state, "discarding a message");
    if (!state.next())
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("That message was already sent, so it cannot be discarded."));
    const auto current = static_cast<OutboxState>(state.value(0).toInt());
    state.finish();
    if (current == OutboxState::Sending)
        return Error(
            ErrorKind::Conflict,
            QStringLiteral("That message is being sent right now. Wait a moment, then delete it if it arrives."));
    Result<Message> m = messageRow(messageId);
    if (!m)
        return m.error();
    QSqlQuery &remove = prepared("DELETE FROM messages WHERE id = ?");
    remove.bindValue(0, messageId);
    if (!exec(remove))
        return failure(remove, "discarding a message");
    noteRemoved(m.value().conversationId, m.value().key);
    if (Result<void> preview = refreshPreview(m.value().conversationId); !preview)
        return preview;
    m_uncommitted.outboxChanged = true;
    return tx.commit();
}

Result<qint64> Database::nextAttemptMs(const QList<qint64> &accountIds)
{
    QSqlQuery &q = prepared("SELECT o.next_attempt_ms, c.account_id FROM outbox o"
                            " JOIN messages m ON m.id = o.message_id JOIN conversations c ON c.id = m.conversation_id"
                            " WHERE o.state = 0"
                            " AND NOT EXISTS (SELECT 1 FROM outbox o2 JOIN messages m2 ON m2.id = o2.message_id"
                            " WHERE m2.conversation_id = m.conversation_id AND o2.state IN (0, 1) AND m2.id < m.id)"
                            " ORDER BY o.next_attempt_ms");
    if (!exec(q))
        return failure(q, "reading the outbox");
    qint64 next = 0;
    while (q.next()) {
        if (accountIds.isEmpty() || accountIds.contains(q.value(1).toLongLong())) {
            next = q.value(0).toLongLong();
            break;
        }
    }
    q.finish();
    return next;
}

Result<QList<Message>> Database::unsent()
{
    static const QByteArray sql = QByteArray(MessageColumns) + "WHERE o.message_id IS NOT NULL ORDER BY m.id";
    QSqlQuery &q = prepared(sql.constData());
    return readMessages(q, "reading the outbox");
}

// ---- housekeeping ---------------------------------------------------------------------------

Result<HousekeepingReport> Database::housekeep()
{
    HousekeepingReport report;
    const HousekeepingPolicy &policy = m_options.housekeeping;
    if (policy.maxMessagesPerConversation > 0) {
        QSqlQuery convs(m_db);
        if (!convs.exec(QStringLiteral("SELECT id FROM conversations")))
            return failure(convs, "tidying the message cache");
        QList<qint64> ids;
        while (convs.next())
            ids.append(convs.value(0).toLongLong());
        convs.finish();
        QSqlQuery &cut = prepared("SELECT sort_key FROM messages WHERE conversation_id = ? AND pending = 0"
                                  " ORDER BY sort_key DESC LIMIT 1 OFFSET ?");
        QSqlQuery &prune = prepared("DELETE FROM messages WHERE conversation_id = ? AND pending = 0 AND sort_key <= ?"
                                    " AND id NOT IN (SELECT message_id FROM outbox)");
        // The unread messages among the dropped ones are no longer counted.
        QSqlQuery &incomplete =
            prepared("UPDATE conversations SET history_complete = 0, unread_count = (SELECT count(*) FROM messages"
                     " WHERE conversation_id = ? AND pending = 0 AND sort_key > conversations.read_marker"
                     " AND outgoing = 0 AND deleted = 0) WHERE id = ?");
        for (qint64 id : std::as_const(ids)) {
            cut.bindValue(0, id);
            cut.bindValue(1, policy.maxMessagesPerConversation);
            if (!exec(cut))
                return failure(cut, "tidying the message cache");
            if (!cut.next()) {
                cut.finish();
                continue;
            }
            const qint64 boundary = cut.value(0).toLongLong();
            cut.finish();
            Transaction tx(*this);
            if (!tx.ok())
                return tx.error();
            prune.bindValue(0, id);
            prune.bindValue(1, boundary);
            if (!exec(prune))
                return failure(prune, "tidying the message cache");
            report.prunedMessages += prune.numRowsAffected();
            incomplete.bindValue(0, id);
            incomplete.bindValue(1, id);
            if (!exec(incomplete))
                return failure(incomplete, "tidying the message cache");
            m_uncommitted.messages[id].prunedThrough = MessageKey{false, boundary};
            touchConversation(id);
            if (Result<void> done = tx.commit(); !done)
                return done.error();
        }
        if (report.prunedMessages > 0)
            qCInfo(lcStore) << "housekeeping dropped" << report.prunedMessages << "old cached messages";
    }
    QSqlQuery q(m_db);
    auto pragmaValue = [&](const QString &pragma) -> qint64 {
        if (!q.exec(pragma) || !q.next())
            return -1;
        const qint64 v = q.value(0).toLongLong();
        q.finish();
        return v;
    };
    const qint64 pages = pragmaValue(QStringLiteral("PRAGMA page_count"));
    const qint64 freePages = pragmaValue(QStringLiteral("PRAGMA freelist_count"));
    if (freePages >= policy.vacuumMinFreePages && pages > 0 &&
        static_cast<double>(freePages) >= policy.vacuumFreeFraction * static_cast<double>(pages)) {
        if (!q.exec(QStringLiteral("PRAGMA incremental_vacuum")))
            return failure(q, "tidying the message cache");
        while (q.next()) {
        }
        q.finish();
        report.freedPages = freePages - std::max<qint64>(pragmaValue(QStringLiteral("PRAGMA freelist_count")), 0);
    }
    // optimize may write statistics: before the checkpoint, so that the WAL is empty afterwards.
    q.exec(QStringLiteral("PRAGMA optimize"));
    if (q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) && q.next())
        report.checkpointed = q.value(0).toInt() == 0;
    q.finish();
    report.fileBytes = QFileInfo(m_options.path).size();
    report.walBytes = QFileInfo(m_options.path + QLatin1String("-wal")).size();
    return report;
}

} // namespace confab::store
