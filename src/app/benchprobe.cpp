#include "app/benchprobe.h"

#include "app/appsession.h"
#include "core/logging.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlEngine>
#include <QQmlIncubationController>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace confab {

namespace {

constexpr int FramesPerScreen = 10;
constexpr int SettleBeforeScriptMs = 1000; // after the session settled: start-up work is over
constexpr int FrameWatchdogMs = 5000;      // a change that never reaches a frame
constexpr int RowsWatchdogMs = 10'000;     // at the top of what is loaded, and no older rows come
constexpr int IdleAfterScrollMs = 5000;    // then the window is watched, left alone, this long

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

double toMs(qint64 ns)
{
    return std::round(static_cast<double>(ns) / 10'000.0) / 100.0; // ms with two decimals
}

/// Nearest-rank percentile of sorted values, in ms.
double percentile(const std::vector<qint64> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return toMs(sorted.at(std::clamp<std::size_t>(rank, 1, sorted.size()) - 1));
}

QVariantMap summary(std::vector<qint64> costs, const QString &prefix)
{
    std::sort(costs.begin(), costs.end());
    const double mean =
        costs.empty() ? 0 : toMs(std::accumulate(costs.begin(), costs.end(), qint64(0)) / qint64(costs.size()));
    return {{prefix + QStringLiteral("p50"), percentile(costs, 50)},
             {prefix + QStringLiteral("p90"), percentile(costs, 90)},
              {prefix + QStringLiteral("p99"), percentile(costs, 99)},
               {prefix + QStringLiteral("max"), costs.empty() ? 0.0 : toMs(costs.back())},
                {prefix + QStringLiteral("mean"), mean}};
}

int countOf(const QObject *view)
{
    return view ? view->property("count").toInt() : 0;
}

} // namespace

void BenchProbe::attachIfRequested(QQuickWindow *window, AppSession &session)
{
    const QString path = qEnvironmentVariable("CONFAB_BENCH_REPORT");
    if (path.isEmpty() || !window)
        return;
    const bool script = qEnvironmentVariable("CONFAB_BENCH_SCRIPT") == QLatin1String("1");
    new BenchProbe(window, session, path, script); // the window owns it
}

BenchProbe::BenchProbe(QQuickWindow *window, AppSession &session, QString path, bool script)
    : QObject(window)
    , m_window(window)
    , m_session(session)
    , m_path(std::move(path))
    , m_script(script)
{
    // A shorter scroll for trying the probe out (scripts/bench-ui always scrolls 10,000 rows).
    bool ok = false;
    if (const int rows = qEnvironmentVariableIntValue("CONFAB_BENCH_SCROLL_ROWS", &ok); ok && rows > 0)
        m_rowsToScroll = rows;
    m_clock.start();
    m_writer.setMaxThreadCount(1);
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        finishScroll(m_waitingForRows ? QStringLiteral("no older rows came")
                                      : QStringLiteral("a change was never drawn"));
    });
    const bool software = QQuickWindow::sceneGraphBackend() == QLatin1String("software");
    write(
        QStringLiteral("loaded"), nowMs(),
                       {{QStringLiteral("script"), m_script},
                         {QStringLiteral("renderer"), software ? QStringLiteral("software") : QStringLiteral("gpu")}});
    qCInfo(lcUi) << "bench probe: reporting to" << m_path << (m_script ? "(scripted)" : "");

    if (window->isExposed())
        write(QStringLiteral("mapped"), nowMs(), {{QStringLiteral("beforeAttach"), true}});
    else
        window->installEventFilter(this);

    m_list = findItem(window->contentItem(), QStringLiteral("conversationList"));
    if (m_list) {
        connect(m_list, SIGNAL(countChanged()), this, SLOT(onListCountChanged()));
        onListCountChanged();
    } else {
        write(QStringLiteral("error"), nowMs(), {{QStringLiteral("what"), QStringLiteral("no conversationList")}});
    }
    connect(&session, &AppSession::settledChanged, this, &BenchProbe::maybeStartScript);

    // The render thread's side (the GUI thread's, with the basic render loop): atomics only, and
    // posts to the GUI thread.
    m_renderConnections << connect(
        window, &QQuickWindow::beforeSynchronizing, this,
        [this] {
            int shown = RowsShown;
            m_listStage.compare_exchange_strong(shown, RowsSynced);
            shown = RowsShown;
            m_timelineStage.compare_exchange_strong(shown, RowsSynced);
            if (const qint64 pending = m_pendingNs.exchange(0); pending != 0)
                m_syncedNs.store(pending);
        },
        Qt::DirectConnection);
    m_renderConnections << connect(
        window, &QQuickWindow::afterSynchronizing, this,
        [this] {
            if (const qint64 from = m_syncedNs.load(); from != 0)
                m_guiNs.store(m_clock.nsecsElapsed() - from);
        },
        Qt::DirectConnection);
    m_renderConnections << connect(
        window, &QQuickWindow::afterRendering, this,
        [this] {
            if (const qint64 from = m_syncedNs.exchange(0); from != 0) {
                m_renderedNs.store(m_clock.nsecsElapsed() - from);
                m_renderedFromNs.store(from);
            }
        },
        Qt::DirectConnection);
    m_renderConnections << connect(
        window, &QQuickWindow::frameSwapped, this,
        [this] {
            const qint64 ms = nowMs();
            const qint64 ns = m_clock.nsecsElapsed();
            if (!m_sawFirstFrame.exchange(true))
                QMetaObject::invokeMethod(
                    this, [this, ms] { onFirstFrame(ms); }, Qt::QueuedConnection);
            int synced = RowsSynced;
            if (m_listStage.compare_exchange_strong(synced, Done))
                QMetaObject::invokeMethod(
                    this, [this, ms] { onListPainted(ms); }, Qt::QueuedConnection);
            synced = RowsSynced;
            if (m_timelineStage.compare_exchange_strong(synced, Done))
                QMetaObject::invokeMethod(
                    this, [this, ms, ns] { onOpened(ms, ns); }, Qt::QueuedConnection);
            if (const qint64 from = m_renderedFromNs.exchange(0); from != 0) {
                const FrameCost cost{m_renderedNs.load(), m_guiNs.exchange(0), ns - from};
                QMetaObject::invokeMethod(
                    this, [this, cost] { onFrameDone(cost); }, Qt::QueuedConnection);
            }
        },
        Qt::DirectConnection);
}

void BenchProbe::write(const QString &event, qint64 ms, const QVariantMap &fields)
{
    QJsonObject line = QJsonObject::fromVariantMap(fields);
    line.insert(QStringLiteral("event"), event);
    line.insert(QStringLiteral("ms"), ms);
    QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact);
    bytes.append('\n');
    m_writer.start([path = m_path, bytes] {
        QFile file(path);
        if (file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
            file.write(bytes);
    });
}

bool BenchProbe::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Expose && watched == m_window && m_window->isExposed()) {
        write(QStringLiteral("mapped"), nowMs());
        m_window->removeEventFilter(this);
    }
    return QObject::eventFilter(watched, event);
}

void BenchProbe::onFirstFrame(qint64 ms)
{
    write(QStringLiteral("firstFrame"), ms);
}

void BenchProbe::onListCountChanged()
{
    if (countOf(m_list) > 0) {
        int waiting = WaitingForRows;
        if (m_listStage.compare_exchange_strong(waiting, RowsShown))
            m_listRowsMs = nowMs();
    }
}

void BenchProbe::onListPainted(qint64 ms)
{
    m_listPainted = true;
    write(QStringLiteral("listPainted"), ms,
                         {{QStringLiteral("rows"), countOf(m_list)}, {QStringLiteral("rowsMs"), m_listRowsMs}});
    if (!m_script) {
        // Nothing more to watch: the idle window runs without the probe's connections.
        for (const QMetaObject::Connection &c : std::as_const(m_renderConnections))
            disconnect(c);
        m_renderConnections.clear();
        return;
    }
    maybeStartScript();
}

// ---- the script -----------------------------------------------------------------------------

void BenchProbe::maybeStartScript()
{
    if (!m_script || m_started || !m_listPainted || !m_session.isSettled())
        return;
    m_started = true;
    QTimer::singleShot(SettleBeforeScriptMs, this, &BenchProbe::openConversation);
}

void BenchProbe::openConversation()
{
    if (!m_window)
        return;
    QQuickItem *pane = findItem(m_window->contentItem(), QStringLiteral("conversationListPane"));
    if (!pane) {
        write(QStringLiteral("error"), nowMs(), {{QStringLiteral("what"), QStringLiteral("no conversationListPane")}});
        return;
    }
    m_timelineStage.store(WaitingForRows);
    m_openMs = nowMs();
    m_openNs = m_clock.nsecsElapsed();
    QMetaObject::invokeMethod(pane, "open", Q_ARG(QVariant, QVariant(0)));
    m_openReturnedNs = m_clock.nsecsElapsed();
    m_timeline = findItem(m_window->contentItem(), QStringLiteral("timeline"));
    if (!m_timeline) {
        m_timelineStage.store(Done);
        write(QStringLiteral("error"), nowMs(),
            {{QStringLiteral("what"), QStringLiteral("no timeline after open(0): is there an account?")}});
        return;
    }
    connect(m_timeline, SIGNAL(countChanged()), this, SLOT(onTimelineCountChanged()));
    onTimelineCountChanged();
}

void BenchProbe::onTimelineCountChanged()
{
    const int count = countOf(m_timeline);
    if (m_scrollStartMs != 0 && count > m_timelineRows)
        ++m_pagesLoaded;
    m_timelineRows = count;
    if (count > 0) {
        int waiting = WaitingForRows;
        if (m_timelineStage.compare_exchange_strong(waiting, RowsShown))
            m_timelineRowsNs = m_clock.nsecsElapsed();
    }
    if (m_waitingForRows) {
        m_waitingForRows = false;
        m_watchdog.stop();
        m_stallNs += m_clock.nsecsElapsed() - m_stallStartNs;
        step();
    }
}

void BenchProbe::onOpened(qint64 ms, qint64 ns)
{
    QQuickItem *title = findItem(m_window->contentItem(), QStringLiteral("conversationTitle"));
    write(QStringLiteral("opened"), ms,
                         {{QStringLiteral("deltaMs"), toMs(ns - m_openNs)},
                           {QStringLiteral("openCallMs"), toMs(m_openReturnedNs - m_openNs)},
                            {QStringLiteral("rowsAfterMs"), toMs(m_timelineRowsNs - m_openNs)},
                             {QStringLiteral("wallDeltaMs"), ms - m_openMs},
                              {QStringLiteral("rows"), countOf(m_timeline)},
                               {QStringLiteral("title"), title ? title->property("text").toString() : QString()}});
    m_scrollStartMs = nowMs();
    m_firstTopRow = std::max(topRow(), 0);
    m_maxTopRow = m_firstTopRow;
    m_renderCosts.reserve(20'000);
    m_guiCosts.reserve(20'000);
    m_swapCosts.reserve(20'000);
    step();
}

int BenchProbe::topRow() const
{
    if (!m_timeline)
        return -1;
    int row = -1;
    const qreal y = m_timeline->property("contentY").toReal() + 2;
    QMetaObject::invokeMethod(m_timeline, "indexAt", Q_RETURN_ARG(int, row), Q_ARG(qreal, m_timeline->width() / 2),
                              Q_ARG(qreal, y));
    return row;
}

void BenchProbe::step()
{
    if (!m_timeline) {
        finishScroll(QStringLiteral("the timeline went away"));
        return;
    }
    if (m_maxTopRow - m_firstTopRow >= m_rowsToScroll) {
        finishScroll(QStringLiteral("done"));
        return;
    }
    const qreal y = m_timeline->property("contentY").toReal();
    const qreal origin = m_timeline->property("originY").toReal();
    const qreal stepPx = m_timeline->height() / FramesPerScreen;
    const qreal target = std::max(y - stepPx, origin);
    if (y - origin < m_timeline->property("cacheBuffer").toReal() + stepPx) {
        // Where the view asks for the next page when the oldest row is created in its cache
        // buffer. Qt's DelegateModel does not ask when that row's delegate comes from the reuse
        // pool (reuseItems), so the probe asks as the view should, and counts how often it did.
        if (auto *model = qobject_cast<QAbstractItemModel *>(m_timeline->property("model").value<QObject *>());
            model && model->canFetchMore(QModelIndex())) {
            model->fetchMore(QModelIndex());
            ++m_probeFetches;
        }
    }
    if (y - target < 0.5) {
        // At the top of what is loaded: wait for the next page (countChanged resumes).
        m_waitingForRows = true;
        m_stallStartNs = m_clock.nsecsElapsed();
        ++m_stalls;
        m_watchdog.start(RowsWatchdogMs);
        return;
    }
    m_watchdog.start(FrameWatchdogMs);
    m_pendingNs.store(m_clock.nsecsElapsed());
    m_timeline->setProperty("contentY", target);
}

void BenchProbe::onFrameDone(FrameCost cost)
{
    if (m_timelineStage.load() != Done || m_scrollStartMs == 0)
        return;
    m_watchdog.stop();
    m_renderCosts.push_back(cost.rendered);
    m_guiCosts.push_back(cost.synchronised);
    m_swapCosts.push_back(cost.swapped);
    m_maxTopRow = std::max(m_maxTopRow, topRow());
    step();
}

void BenchProbe::finishScroll(const QString &why)
{
    m_watchdog.stop();
    m_waitingForRows = false;
    for (const QMetaObject::Connection &c : std::as_const(m_renderConnections))
        disconnect(c);
    m_renderConnections.clear();
    if (m_scrollStartMs == 0)
        return;
    const qint64 ms = nowMs();
    QVariantMap fields = summary(m_renderCosts, QString());
    fields.insert(summary(m_guiCosts, QStringLiteral("sync_")));
    fields.insert(summary(m_swapCosts, QStringLiteral("swap_")));
    fields.insert(QStringLiteral("count"), int(m_renderCosts.size()));
    fields.insert(QStringLiteral("rowsScrolled"), m_maxTopRow - m_firstTopRow);
    fields.insert(QStringLiteral("rowsLoaded"), countOf(m_timeline));
    fields.insert(QStringLiteral("stepPx"), m_timeline ? m_timeline->height() / FramesPerScreen : 0.0);
    fields.insert(QStringLiteral("pagesLoaded"), m_pagesLoaded);
    fields.insert(QStringLiteral("probeFetches"), m_probeFetches);
    fields.insert(QStringLiteral("stalls"), m_stalls);
    fields.insert(QStringLiteral("stallMs"), toMs(m_stallNs));
    fields.insert(QStringLiteral("reason"), why);
    if (m_timeline) {
        // Where the view stopped, for a run that ended early.
        fields.insert(QStringLiteral("contentY"), m_timeline->property("contentY").toReal());
        fields.insert(QStringLiteral("originY"), m_timeline->property("originY").toReal());
        if (const auto *model = qobject_cast<QAbstractItemModel *>(m_timeline->property("model").value<QObject *>())) {
            fields.insert(QStringLiteral("canFetchMore"), model->canFetchMore(QModelIndex()));
            fields.insert(QStringLiteral("fetching"), model->property("fetching").toBool());
        }
    }
    write(QStringLiteral("frames"), ms, fields);
    write(QStringLiteral("scrolled"), ms, {{QStringLiteral("durationMs"), ms - m_scrollStartMs}});
    m_scrollStartMs = 0;

    // Then what the window does when left alone: frames drawn, and what is still running.
    if (m_window) {
        m_idleFrames.store(0);
        m_positions.clear();
        snapshotPositions(m_window->contentItem(), m_positions);
        m_renderConnections << connect(
            m_window, &QQuickWindow::frameSwapped, this, [this] { m_idleFrames.fetch_add(1); }, Qt::DirectConnection);
        QTimer::singleShot(IdleAfterScrollMs, this, &BenchProbe::reportIdleAfterScroll);
    }
}

void BenchProbe::reportIdleAfterScroll()
{
    for (const QMetaObject::Connection &c : std::as_const(m_renderConnections))
        disconnect(c);
    m_renderConnections.clear();
    QStringList running;
    if (m_window)
        findRunning(m_window->contentItem(), running);
    QStringList moving; // items whose place changed while nobody touched the window
    if (m_window) {
        QHash<QQuickItem *, QPointF> now;
        snapshotPositions(m_window->contentItem(), now);
        for (auto it = now.constBegin(); it != now.constEnd() && moving.size() < 8; ++it) {
            const auto before = m_positions.constFind(it.key());
            if (before == m_positions.constEnd() || before.value() == it.value())
                continue;
            QStringList path;
            for (QQuickItem *item = it.key(); item && path.size() < 6; item = item->parentItem())
                path << QString::fromLatin1(item->metaObject()->className()) +
                            (item->objectName().isEmpty() ? QString() : QLatin1Char('#') + item->objectName());
            QString role;
            for (const char *which : {"highlightItem", "headerItem", "footerItem"}) {
                if (m_timeline && it.key() == m_timeline->property(which).value<QQuickItem *>())
                    role = QStringLiteral("the timeline's %1: ").arg(QLatin1String(which));
            }
            const QString where = QLatin1String(" (y ") + QString::number(before.value().y()) + QLatin1String(" to ") +
                                  QString::number(it.value().y()) + QLatin1String(", height ") +
                                  QString::number(it.key()->height()) + QLatin1Char(')');
            moving << role + path.join(QStringLiteral(" < ")) + where;
        }
    }
    m_positions.clear();
    QVariantMap fields;
    fields.insert(QStringLiteral("seconds"), IdleAfterScrollMs / 1000);
    fields.insert(QStringLiteral("framesSwapped"), m_idleFrames.load());
    fields.insert(QStringLiteral("moving"), moving);
    fields.insert(QStringLiteral("running"), running);
    if (m_timeline) {
        if (const auto *model = qobject_cast<QAbstractItemModel *>(m_timeline->property("model").value<QObject *>()))
            fields.insert(QStringLiteral("fetching"), model->property("fetching").toBool());
    }
    if (QQmlEngine *engine = m_window ? qmlEngine(m_window->contentItem()) : nullptr) {
        if (QQmlIncubationController *incubation = engine->incubationController())
            fields.insert(QStringLiteral("incubating"), incubation->incubatingObjectCount());
    }
    write(QStringLiteral("idleAfterScroll"), nowMs(), fields);
}

void BenchProbe::snapshotPositions(QQuickItem *root, QHash<QQuickItem *, QPointF> &out)
{
    if (!root)
        return;
    out.insert(root, root->position());
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children)
        snapshotPositions(child, out);
}

void BenchProbe::findRunning(QQuickItem *root, QStringList &out)
{
    // Busy indicators and other items with a `running` property that is on, visible or not.
    if (!root)
        return;
    if (const QVariant running = root->property("running"); running.isValid() && running.toBool())
        out << QStringLiteral("%1 \"%2\" (visible: %3, in %4)")
                                  .arg(QString::fromLatin1(root->metaObject()->className()), root->objectName())
                                  .arg(root->isVisible())
                                  .arg(root->parentItem()
                                           ? QString::fromLatin1(root->parentItem()->metaObject()->className())
                                           : QString());
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children)
        findRunning(child, out);
}

QQuickItem *BenchProbe::findItem(QQuickItem *root, const QString &objectName)
{
    if (!root)
        return nullptr;
    if (root->objectName() == objectName)
        return root;
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children) {
        if (QQuickItem *found = findItem(child, objectName))
            return found;
    }
    return nullptr;
}

} // namespace confab
