#include "store/searchrun.h"

#include "core/logging.h"
#include "store/sqlerror.h"

#include <QCborValue>
#include <QElapsedTimer>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <QThreadPool>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <limits>
#include <vector>

namespace confab::store {

struct SearchRun::Shared
{
    std::atomic<bool> cancelled{false};
    QSemaphore done;
};

namespace detail {

/// Runs on a pool thread: reads, decrypts, matches; reports through `report` (queued to the run).
class SearchTask
{
public:
    SearchTask(QString path, Sealer sealer, SearchQuery query, std::shared_ptr<SearchRun::Shared> shared,
               SearchRun *run)
        : m_path(std::move(path))
        , m_sealer(std::move(sealer))
        , m_query(std::move(query))
        , m_shared(std::move(shared))
        , m_run(run)
    {}

    void operator()()
    {
        const QString connection = QStringLiteral("confab-search-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(m_path);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            if (!db.open())
                fail(sqlError(db.lastError(), "opening the message cache for search"));
            else
                search(db);
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        m_shared->done.release();
    }

private:
    /// One sealed row of a batch, and its text once decrypted.
    struct Row
    {
        qint64 id = 0;
        qint64 conversationId = 0;
        MessageKey key;
        qint64 createdMs = 0;
        QString senderId;
        QByteArray sealed;
        QString text;
    };

    /// Decryption is most of a search's cost: a batch is split over the idle cores (a pool of
    /// its own, so that this never waits on the pool it runs in).
    void decrypt(std::vector<Row> &rows) const
    {
        static QThreadPool pool;
        static const bool configured = [] {
            pool.setMaxThreadCount(std::max(QThread::idealThreadCount() - 1, 1));
            return true;
        }();
        Q_UNUSED(configured)
        const auto decryptRange = [this, &rows](std::size_t from, std::size_t to) {
            for (std::size_t i = from; i < to; ++i) {
                if (Result<QCborMap> content = m_sealer.openCbor(rows[i].sealed))
                    rows[i].text = content.value().value(0).toString();
                rows[i].sealed.clear();
            }
        };
        const std::size_t chunks =
            std::clamp<std::size_t>(rows.size() / 256, 1, static_cast<std::size_t>(pool.maxThreadCount()) + 1);
        const std::size_t per = (rows.size() + chunks - 1) / chunks;
        QSemaphore done;
        int started = 0;
        for (std::size_t c = 1; c < chunks; ++c) {
            const std::size_t from = c * per;
            const std::size_t to = std::min(rows.size(), from + per);
            if (from >= to)
                break;
            pool.start([&decryptRange, &done, from, to] {
                decryptRange(from, to);
                done.release();
            });
            ++started;
        }
        decryptRange(0, std::min(rows.size(), per));
        done.acquire(started);
    }

    void search(QSqlDatabase &db)
    {
        QElapsedTimer timer;
        timer.start();
        SearchStats stats;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.exec(QStringLiteral("PRAGMA query_only = ON"));
        // Newest first: across conversations by time (messages_by_time); within one conversation
        // in timeline order (messages_by_position), so neither needs a sort.
        const bool inConversation = m_query.conversationId > 0;
        QString sql = QStringLiteral("SELECT m.id, m.conversation_id, m.pending, m.sort_key, m.created_ms, m.sender_id,"
                                     " m.content_sealed FROM messages m");
        if (m_query.accountId > 0)
            sql += QStringLiteral(" JOIN conversations c ON c.id = m.conversation_id AND c.account_id = :account");
        if (inConversation)
            sql += QStringLiteral(" WHERE m.conversation_id = :conversation AND (m.pending, m.sort_key) < (:a, :b)"
                                  " AND m.deleted = 0 ORDER BY m.pending DESC, m.sort_key DESC LIMIT :limit");
        else
            sql += QStringLiteral(" WHERE (m.created_ms, m.id) < (:a, :b) AND m.deleted = 0"
                                  " ORDER BY m.created_ms DESC, m.id DESC LIMIT :limit");
        if (!q.prepare(sql))
            return fail(sqlError(q.lastError(), "searching"));
        qint64 lastA = std::numeric_limits<qint64>::max();
        qint64 lastB = std::numeric_limits<qint64>::max();
        const int batch = std::max(m_query.batchSize, 1);
        const QString phrase = m_query.phrase;
        std::vector<Row> rows;
        while (!m_shared->cancelled.load()) {
            if (m_query.accountId > 0)
                q.bindValue(QStringLiteral(":account"), m_query.accountId);
            if (inConversation)
                q.bindValue(QStringLiteral(":conversation"), m_query.conversationId);
            q.bindValue(QStringLiteral(":a"), lastA);
            q.bindValue(QStringLiteral(":b"), lastB);
            q.bindValue(QStringLiteral(":limit"), batch);
            if (!q.exec())
                return fail(sqlError(q.lastError(), "searching"));
            rows.clear();
            while (q.next()) {
                Row row;
                row.id = q.value(0).toLongLong();
                row.conversationId = q.value(1).toLongLong();
                row.key = MessageKey{q.value(2).toInt() != 0, q.value(3).toLongLong()};
                row.createdMs = q.value(4).toLongLong();
                row.senderId = q.value(5).toString();
                row.sealed = q.value(6).toByteArray();
                rows.push_back(std::move(row));
            }
            // A failed step (a damaged page) ends the loop like the last row: not "complete".
            if (q.lastError().isValid())
                return fail(sqlError(q.lastError(), "searching"));
            q.finish();
            if (!rows.empty()) {
                const Row &last = rows.back();
                lastA = inConversation ? qint64(last.key.pending) : last.createdMs;
                lastB = inConversation ? last.key.sortKey : last.id;
            }
            decrypt(rows);
            QList<SearchHit> hits;
            bool full = false;
            for (Row &row : rows) {
                ++stats.scanned;
                const qsizetype at = row.text.indexOf(phrase, 0, Qt::CaseInsensitive);
                if (at < 0)
                    continue;
                SearchHit hit;
                hit.messageId = row.id;
                hit.conversationId = row.conversationId;
                hit.key = row.key;
                hit.createdMs = row.createdMs;
                hit.senderId = row.senderId;
                hit.text = std::move(row.text);
                hit.matchStart = static_cast<int>(at);
                hit.matchLength = static_cast<int>(phrase.size());
                hits.append(hit);
                if (stats.hits + hits.size() >= m_query.limit) {
                    full = true;
                    break;
                }
            }
            stats.hits += static_cast<int>(hits.size());
            if (!hits.isEmpty())
                post([hits](SearchRun *run) { run->deliverHits(hits); });
            if (full)
                break;
            if (static_cast<int>(rows.size()) < batch) {
                stats.complete = true;
                break;
            }
        }
        stats.cancelled = m_shared->cancelled.load();
        stats.elapsedMs = timer.elapsed();
        qCDebug(lcStore) << "search scanned" << stats.scanned << "messages in" << stats.elapsedMs << "ms";
        post([stats](SearchRun *run) { run->deliverEnd(stats, std::nullopt); });
    }

    void fail(const Error &error)
    {
        post([error](SearchRun *run) { run->deliverEnd({}, error); });
    }

    /// Queues `f` on the run's thread. The run waits for this task before it is destroyed, so the
    /// pointer is valid here; Qt drops the call if the run is gone by the time it is delivered.
    template<typename F>
    void post(F f)
    {
        if (m_shared->cancelled.load())
            return;
        SearchRun *run = m_run;
        QMetaObject::invokeMethod(
            run, [run, f = std::move(f)] { f(run); }, Qt::QueuedConnection);
    }

    QString m_path;
    Sealer m_sealer;
    SearchQuery m_query;
    std::shared_ptr<SearchRun::Shared> m_shared;
    SearchRun *m_run;
};

} // namespace detail

SearchRun::SearchRun(QString databasePath, Sealer sealer, SearchQuery query, QObject *parent)
    : QObject(parent)
    , m_query(std::move(query))
    , m_shared(std::make_shared<Shared>())
{
    start(databasePath, std::move(sealer));
}

SearchRun::~SearchRun()
{
    m_shared->cancelled.store(true);
    m_shared->done.acquire();
}

void SearchRun::cancel()
{
    if (m_shared->cancelled.exchange(true))
        return;
    // The task stops posting once cancelled, so say so here.
    SearchStats stats;
    stats.cancelled = true;
    QMetaObject::invokeMethod(
        this, [this, stats] { deliverEnd(stats, std::nullopt); }, Qt::QueuedConnection);
}

void SearchRun::deliverHits(const QList<SearchHit> &hits)
{
    if (!m_finished)
        emit hitsFound(hits);
}

void SearchRun::deliverEnd(const SearchStats &stats, const std::optional<Error> &error)
{
    if (m_finished)
        return;
    m_finished = true;
    if (error)
        emit failed(*error);
    else
        emit finished(stats);
}

void SearchRun::start(const QString &databasePath, Sealer sealer)
{
    if (m_query.phrase.trimmed().isEmpty()) {
        m_shared->done.release();
        QMetaObject::invokeMethod(
            this,
            [this] {
                deliverEnd(SearchStats{0, 0, 0, true, false}, std::nullopt);
            },
            Qt::QueuedConnection);
        return;
    }
    QThreadPool::globalInstance()->start(detail::SearchTask(databasePath, std::move(sealer), m_query, m_shared, this));
}

} // namespace confab::store
