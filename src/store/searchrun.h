#pragma once

#include "core/error.h"
#include "store/sealer.h"
#include "store/types.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace confab::store {

namespace detail {
class SearchTask;
}

struct SearchQuery
{
    QString phrase;            ///< matched case-insensitively anywhere in a message's text
    int limit = 200;           ///< stop after this many hits
    qint64 accountId = 0;      ///< 0: every account
    qint64 conversationId = 0; ///< 0: every conversation
    int batchSize = 2000;      ///< rows read and decrypted per step
};

struct SearchStats
{
    qint64 scanned = 0; ///< messages decrypted and looked at
    int hits = 0;
    qint64 elapsedMs = 0;
    bool complete = false; ///< every message was looked at (not stopped by the limit)
    bool cancelled = false;
};

/// One search across the store, newest message first. The store keeps no plaintext index, so a
/// worker thread reads the sealed bodies in batches through its own read-only connection,
/// decrypts them in memory and reports the hits batch by batch. Deleting the run cancels it.
class SearchRun : public QObject
{
    Q_OBJECT
public:
    SearchRun(QString databasePath, Sealer sealer, SearchQuery query, QObject *parent = nullptr);
    ~SearchRun() override;

    [[nodiscard]] const SearchQuery &query() const { return m_query; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// Stops after the batch in progress; `finished` follows with `cancelled` set.
    void cancel();

signals:
    /// Newest first, in order across batches.
    void hitsFound(const QList<confab::store::SearchHit> &hits);
    void finished(const confab::store::SearchStats &stats);
    void failed(const confab::Error &error);

private:
    friend class detail::SearchTask;
    struct Shared;
    void start(const QString &databasePath, Sealer sealer);
    void deliverHits(const QList<SearchHit> &hits);
    void deliverEnd(const SearchStats &stats, const std::optional<Error> &error);

    SearchQuery m_query;
    std::shared_ptr<Shared> m_shared;
    bool m_finished = false;
};

} // namespace confab::store

Q_DECLARE_METATYPE(confab::store::SearchStats)
