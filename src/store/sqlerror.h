#pragma once

#include "core/error.h"

#include <QSqlError>

namespace confab::store {

/// SQLite's primary result codes the store reacts to.
enum class SqliteCode {
    Busy = 5,
    Locked = 6,
    NoMem = 7,
    ReadOnly = 8,
    IoErr = 10,
    Corrupt = 11,
    Full = 13,
    CantOpen = 14,
    NotADb = 26
};

/// The SQLite primary result code of a Qt Sql error (0 when there is none).
[[nodiscard]] int sqliteCode(const QSqlError &error);

/// True for errors that mean the file itself is damaged (corrupt, not a database).
[[nodiscard]] bool isCorruption(const QSqlError &error);

/// A Storage error with a sentence for the person: a full disk, a read-only or damaged file, or
/// a generic failure while `doing` (e.g. "saving a message").
[[nodiscard]] Error sqlError(const QSqlError &error, const char *doing);

} // namespace confab::store
