#pragma once

#include "store/outboxpolicy.h"

#include <QString>

namespace confab::store {

/// What housekeeping keeps. The store is a cache of what the services hold, so old history can be
/// dropped and fetched again when the person scrolls back; unsent messages are never dropped.
struct HousekeepingPolicy
{
    int maxMessagesPerConversation = 200000; ///< 0: keep everything
    double vacuumFreeFraction = 0.2;         ///< give pages back when this much of the file is free
    qint64 vacuumMinFreePages = 2048;        ///< ... and at least this many pages (8 MiB)
};

struct StoreOptions
{
    QString path;                        ///< the database file; its folder must exist
    qint64 maxDatabaseBytes = 0;         ///< 0: no cap. Past it, writes fail as "disk full".
    qint64 cacheBytes = 8 * 1024 * 1024; ///< SQLite's page cache per connection
    OutboxPolicy outbox;
    HousekeepingPolicy housekeeping;
    int housekeepingIntervalMs = 6 * 60 * 60 * 1000; ///< also once shortly after opening; 0: never
};

} // namespace confab::store
