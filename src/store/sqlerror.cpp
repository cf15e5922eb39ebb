#include "store/sqlerror.h"

namespace confab::store {

int sqliteCode(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : 0;
}

bool isCorruption(const QSqlError &error)
{
    const int code = sqliteCode(error);
    return code == int(SqliteCode::Corrupt) || code == int(SqliteCode::NotADb);
}

Error sqlError(const QSqlError &error, const char *doing)
{
    const QString detail =
        QStringLiteral("%1: %2 (SQLite %3)") .arg(QLatin1String(doing), error.text(), error.nativeErrorCode());
    switch (SqliteCode(sqliteCode(error))) {
    case SqliteCode::Full:
        return Error(ErrorKind::Storage,
                     QStringLiteral("The disk is full, so Confab could not save this. Free some space and try again."),
                                    detail);
    case SqliteCode::ReadOnly:
    case SqliteCode::CantOpen:
        return Error(ErrorKind::Storage,
                     QStringLiteral("Confab cannot write its message cache. Check the permissions of its data folder."),
                                    detail);
    case SqliteCode::Corrupt:
    case SqliteCode::NotADb: return Error(ErrorKind::Storage, QStringLiteral("The message cache is damaged."), detail);
    case SqliteCode::Busy:
    case SqliteCode::Locked:
        return Error(ErrorKind::Storage,
                     QStringLiteral("The message cache is in use by another Confab. Close it and try again."), detail);
    case SqliteCode::NoMem:
    case SqliteCode::IoErr: break;
    }
    return Error(ErrorKind::Storage, QStringLiteral("Confab could not read or write its message cache."), detail);
}

} // namespace confab::store
