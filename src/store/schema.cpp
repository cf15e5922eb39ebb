#include "store/schema.h"

#include "core/logging.h"
#include "store/sqlerror.h"

#include <QSqlQuery>

#include <array>

namespace confab::store {

namespace {

// Step 1: accounts, conversations, members, messages, attachments. Only ids, kinds, timestamps,
// sequence numbers and counters are clear; everything a person wrote or named is in a *_sealed
// column (secretbox, see Sealer).
const char *const Step1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID",
    "CREATE TABLE accounts("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " remote_id TEXT NOT NULL,"
    " display_sealed BLOB,"
    " UNIQUE(kind, remote_id))",
    "CREATE TABLE conversations("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    " remote_id TEXT NOT NULL,"
    " kind INTEGER NOT NULL,"
    " title_sealed BLOB,"
    " avatar_sealed BLOB,"
    " last_activity_ms INTEGER NOT NULL DEFAULT 0,"
    " last_message_id INTEGER,"
    " preview_sealed BLOB,"
    " unread_count INTEGER NOT NULL DEFAULT 0,"
    " read_marker INTEGER NOT NULL DEFAULT 0,"
    " muted INTEGER NOT NULL DEFAULT 0,"
    " extra_sealed BLOB,"
    " UNIQUE(account_id, remote_id))",
    "CREATE INDEX conversations_by_activity ON conversations(last_activity_ms DESC, id DESC)",
    "CREATE TABLE members("
    " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL,"
    " profile_sealed BLOB,"
    " admin INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(conversation_id, user_id)) WITHOUT ROWID",
    "CREATE TABLE messages("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    " remote_id TEXT NOT NULL,"
    " sort_key INTEGER NOT NULL,"
    " sender_id TEXT NOT NULL,"
    " outgoing INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " edited_ms INTEGER NOT NULL DEFAULT 0,"
    " kind INTEGER NOT NULL,"
    " deleted INTEGER NOT NULL DEFAULT 0,"
    " attachment_count INTEGER NOT NULL DEFAULT 0,"
    " content_sealed BLOB,"
    " UNIQUE(conversation_id, remote_id))",
    "CREATE INDEX messages_by_position ON messages(conversation_id, sort_key)",
    "CREATE TABLE attachments("
    " message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
    " ordinal INTEGER NOT NULL,"
    " meta_sealed BLOB NOT NULL,"
    " PRIMARY KEY(message_id, ordinal)) WITHOUT ROWID",
};

// Step 2: the durable outbox. Local messages sort after every server message (pending = 1), in
// the order they were written; their delivery state is a clear counter-like column.
const char *const Step2[] = {
    "ALTER TABLE messages ADD COLUMN pending INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN delivery INTEGER NOT NULL DEFAULT 4",
    "UPDATE messages SET delivery = 2 WHERE outgoing = 1",
    "DROP INDEX messages_by_position",
    "CREATE UNIQUE INDEX messages_by_position ON messages(conversation_id, pending, sort_key)",
    "CREATE TABLE outbox("
    " message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,"
    " state INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    " failure_sealed BLOB,"
    " payload_sealed BLOB)",
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_ms)",
};

// Step 3: sync cursors, members' read markers, and the newest-first index that search and
// housekeeping walk.
const char *const Step3[] = {
    "ALTER TABLE accounts ADD COLUMN sync_state TEXT",
    "ALTER TABLE conversations ADD COLUMN sync_state TEXT",
    "ALTER TABLE conversations ADD COLUMN history_complete INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE members ADD COLUMN read_marker INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX messages_by_time ON messages(created_ms DESC, id DESC)",
};

template<std::size_t N>
QStringList toList(const char *const (&statements)[N])
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(N));
    for (const char *s : statements)
        out.append(QString::fromLatin1(s));
    return out;
}

} // namespace

int latestSchemaVersion()
{
    return 3;
}

QStringList migrationStatements(int version)
{
    switch (version) {
    case 1: return toList(Step1);
    case 2: return toList(Step2);
    case 3: return toList(Step3);
    default: return {};
    }
}

Result<int> schemaVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return sqlError(q.lastError(), "reading the schema version");
    return q.value(0).toInt();
}

Result<int> migrate(QSqlDatabase &db, int target)
{
    if (target <= 0)
        target = latestSchemaVersion();
    Result<int> current = schemaVersion(db);
    if (!current)
        return current;
    int version = current.value();
    if (version > latestSchemaVersion())
        return Error(ErrorKind::Storage,
                     QStringLiteral("The message cache was written by a newer Confab. Update Confab to open it."),
                                    QStringLiteral("schema version %1, this build knows up to %2") .arg(version).arg(
                                        latestSchemaVersion()));
    QSqlQuery q(db);
    while (version < target) {
        const int next = version + 1;
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return sqlError(q.lastError(), "starting a schema migration");
        for (const QString &statement : migrationStatements(next)) {
            if (!q.exec(statement)) {
                Error error = sqlError(q.lastError(), "migrating the schema");
                error.withDetail(QStringLiteral("step %1: %2").arg(next).arg(error.detail()));
                q.exec(QStringLiteral("ROLLBACK"));
                return error;
            }
        }
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(next)) || !q.exec(QStringLiteral("COMMIT"))) {
            Error error = sqlError(q.lastError(), "finishing a schema migration");
            q.exec(QStringLiteral("ROLLBACK"));
            return error;
        }
        qCInfo(lcStore) << "schema migrated to version" << next;
        version = next;
    }
    return version;
}

} // namespace confab::store
