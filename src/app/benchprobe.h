#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QQuickItem>
#include <QQuickWindow>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <vector>

namespace confab {

class AppSession;

/// scripts/bench-ui's eyes inside the app (the UI benchmark of issue 8). Exists only when the
/// environment variable CONFAB_BENCH_REPORT names a file; then it appends one JSON line per
/// event, `{"event": ..., "ms": <wall-clock ms since the epoch>, ...}`:
///
///  - `loaded`      Main.qml is loaded (attach() is called right after Composition::load())
///  - `mapped`      the window's first Expose event with the window exposed
///  - `firstFrame`  the first frame swapped
///  - `listPainted` the first frame swapped whose scene was synchronised after the conversation
///                  list ("conversationList") had rows
///
/// With CONFAB_BENCH_SCRIPT=1 it then drives the window, once the session has settled and a
/// second has passed: opens the top conversation through the list pane's `open(0)` (the
/// generator gives the biggest conversation the newest activity), reports `opened` when the first
/// frame with timeline rows is swapped (`deltaMs` from the call), then scrolls the timeline
/// towards older messages, one tenth of its height per frame, until 10,000 rows have entered the
/// view at its top (the model pages from the store through fetchMore on the way), and reports
/// `frames` (what each frame cost: from setting contentY on the GUI thread to the render thread's
/// afterRendering, the part until afterSynchronizing, and until frameSwapped; p50/p90/p99/max)
/// and `scrolled`. Qt 6.4's DelegateModel does not call fetchMore when the oldest row's delegate
/// comes from the reuse pool (ConversationView's timeline has reuseItems), so the timeline on its
/// own stops paging after a page or two: the probe calls the model's fetchMore where the view
/// should have, and reports how many pages came and how many it asked for (`probeFetches`).
/// Then it leaves the window alone for 5 s and reports `idleAfterScroll`: frames swapped, items
/// that moved by themselves (and which: the timeline's highlight, header or footer), items with
/// `running` on, whether the model is fetching, objects incubating.
///
/// The GUI thread never waits: the render thread's signals touch atomics and post to the GUI
/// thread; lines are written by a thread of the probe's own. Parented to the window, so the render
/// loop is done with the window before the probe goes.
class BenchProbe : public QObject
{
    Q_OBJECT

public:
    /// Attaches a probe to `window` when CONFAB_BENCH_REPORT is set; does nothing otherwise.
    static void attachIfRequested(QQuickWindow *window, AppSession &session);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private Q_SLOTS:
    void onListCountChanged();
    void onTimelineCountChanged();

private:
    BenchProbe(QQuickWindow *window, AppSession &session, QString path, bool script);

    void write(const QString &event, qint64 ms, const QVariantMap &fields = {});
    void onFirstFrame(qint64 ms);
    void onListPainted(qint64 ms);
    void maybeStartScript();
    void openConversation();
    void onOpened(qint64 ms, qint64 ns);
    void step();
    struct FrameCost
    {
        qint64 rendered = 0;     ///< from the change to afterRendering
        qint64 synchronised = 0; ///< ... of which until afterSynchronizing (GUI thread: polish, sync)
        qint64 swapped = 0;      ///< from the change to frameSwapped
    };
    void onFrameDone(FrameCost cost);
    void finishScroll(const QString &why);
    void reportIdleAfterScroll();
    static void findRunning(QQuickItem *root, QStringList &out);
    static void snapshotPositions(QQuickItem *root, QHash<QQuickItem *, QPointF> &out);
    [[nodiscard]] int topRow() const;
    [[nodiscard]] static QQuickItem *findItem(QQuickItem *root, const QString &objectName);

    QPointer<QQuickWindow> m_window;
    AppSession &m_session;
    QString m_path;
    bool m_script = false;
    int m_rowsToScroll = 10'000;
    QThreadPool m_writer; ///< one thread: lines in order, never on the GUI thread
    QElapsedTimer m_clock;

    // Shared with the render thread.
    enum Stage : int { WaitingForRows = 0, RowsShown = 1, RowsSynced = 2, Done = 3 };
    std::atomic<bool> m_sawFirstFrame{false};
    std::atomic<int> m_listStage{WaitingForRows};
    std::atomic<int> m_timelineStage{Done};
    std::atomic<int> m_idleFrames{0};
    std::atomic<qint64> m_pendingNs{0};      ///< a change waiting for its frame (GUI → render thread)
    std::atomic<qint64> m_syncedNs{0};       ///< ... synchronised into the frame being rendered
    std::atomic<qint64> m_guiNs{0};          ///< its cost up to afterSynchronizing
    std::atomic<qint64> m_renderedNs{0};     ///< ... and up to afterRendering
    std::atomic<qint64> m_renderedFromNs{0}; ///< ... and its start, for the cost up to frameSwapped
    QList<QMetaObject::Connection> m_renderConnections;

    // GUI thread only.
    bool m_listPainted = false;
    bool m_started = false;
    QPointer<QQuickItem> m_list;
    QPointer<QQuickItem> m_timeline;
    qint64 m_openMs = 0;
    qint64 m_openNs = 0;
    qint64 m_openReturnedNs = 0;
    qint64 m_timelineRowsNs = 0;
    qint64 m_listRowsMs = 0;
    qint64 m_scrollStartMs = 0;
    int m_firstTopRow = 0;
    int m_maxTopRow = 0;
    bool m_waitingForRows = false;
    qint64 m_stallStartNs = 0;
    qint64 m_stallNs = 0;
    int m_stalls = 0;
    int m_timelineRows = 0;
    int m_pagesLoaded = 0;  ///< times rows were added while scrolling
    int m_probeFetches = 0; ///< fetchMore calls the probe made for the view (see step())
    QTimer m_watchdog;
    QHash<QQuickItem *, QPointF> m_positions; ///< after the scroll, to see what moves by itself
    std::vector<qint64> m_renderCosts;
    std::vector<qint64> m_guiCosts;
    std::vector<qint64> m_swapCosts;
};

} // namespace confab
