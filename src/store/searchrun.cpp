#include "store/searchrun.h"

#include "core/logging.h"
#include "store/sqlerror.h"

#include <QCborValue>
#include <QElapsedTimer>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThreadPool>
#include <QUuid>

#include <atomic>
#include <limits>

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
    void search(QSqlDatabase &db)
    {
        QElapsedTimer timer;
        timer.start();
        SearchStats stats;
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA query_only = ON"));
        QString sql = QStringLiteral("SELECT m.id, m.conversation_id, m.pending, m.sort_key, m.created_ms, m.sender_id,"
                                     " m.content_sealed FROM messages m");
        if (m_query.accountId > 0)
            sql += QStringLiteral(" JOIN conversations c ON c.id = m.conversation_id AND c.account_id = :account");
        sql += QStringLiteral(" WHERE (m.created_ms, m.id) < (:time, :id) AND m.deleted = 0");
        if (m_query.conversationId > 0)
            sql += QStringLiteral(" AND m.conversation_id = :conversation");
        sql += QStringLiteral(" ORDER BY m.created_ms DESC, m.id DESC LIMIT :limit");
        if (!q.prepare(sql))
            return fail(sqlError(q.lastError(), "searching"));
        qint64 lastTime = std::numeric_limits<qint64>::max();
        qint64 lastId = std::numeric_limits<qint64>::max();
        const int batch = std::max(m_query.batchSize, 1);
        const QString phrase = m_query.phrase;
        while (!m_shared->cancelled.load()) {
            if (m_query.accountId > 0)
                q.bindValue(QStringLiteral(":account"), m_query.accountId);
            if (m_query.conversationId > 0)
                q.bindValue(QStringLiteral(":conversation"), m_query.conversationId);
            q.bindValue(QStringLiteral(":time"), lastTime);
            q.bindValue(QStringLiteral(":id"), lastId);
            q.bindValue(QStringLiteral(":limit"), batch);
            if (!q.exec())
                return fail(sqlError(q.lastError(), "searching"));
            QList<SearchHit> hits;
            int rows = 0;
            bool full = false;
            while (q.next()) {
                ++rows;
                lastTime = q.value(4).toLongLong();
                lastId = q.value(0).toLongLong();
                if (full)
                    continue;
                ++stats.scanned;
                Result<QCborMap> content = m_sealer.openCbor(q.value(6).toByteArray());
                if (!content)
                    continue;
                const QString text = content.value().value(0).toString();
                const qsizetype at = text.indexOf(phrase, 0, Qt::CaseInsensitive);
                if (at < 0)
                    continue;
                SearchHit hit;
                hit.messageId = lastId;
                hit.conversationId = q.value(1).toLongLong();
                hit.key = MessageKey{q.value(2).toInt() != 0, q.value(3).toLongLong()};
                hit.createdMs = lastTime;
                hit.senderId = q.value(5).toString();
                hit.text = text;
                hit.matchStart = static_cast<int>(at);
                hit.matchLength = static_cast<int>(phrase.size());
                hits.append(hit);
                if (stats.hits + hits.size() >= m_query.limit)
                    full = true;
            }
            // A failed step (a damaged page) ends the loop like the last row: not "complete".
            if (q.lastError().isValid())
                return fail(sqlError(q.lastError(), "searching"));
            q.finish();
            stats.hits += static_cast<int>(hits.size());
            if (!hits.isEmpty())
                post([hits](SearchRun *run) { run->deliverHits(hits); });
            if (full)
                break;
            if (rows < batch) {
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
