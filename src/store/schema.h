#pragma once

#include "core/result.h"

#include <QSqlDatabase>
#include <QStringList>

namespace confab::store {

/// The schema's versions, oldest first. Version N is reached by applying the statements of every
/// step up to N to an empty database; a database at version M < N is brought forward by the steps
/// after M. Steps are never edited once released: a change is a new step.
[[nodiscard]] int latestSchemaVersion();

/// The statements of one step (1-based).
[[nodiscard]] QStringList migrationStatements(int version);

/// Reads `PRAGMA user_version`.
[[nodiscard]] Result<int> schemaVersion(QSqlDatabase &db);

/// Brings `db` from its version to `target` (default: the latest), each step in its own
/// transaction with its user_version, so a crash leaves the database at a whole step. A database
/// newer than this build is refused untouched.
[[nodiscard]] Result<int> migrate(QSqlDatabase &db, int target = 0);

} // namespace confab::store
