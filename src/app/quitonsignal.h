#pragma once

#include <QObject>

class QSocketNotifier;

namespace confab {

/// Quits the application cleanly on SIGTERM, SIGINT and SIGHUP (the session ending, Ctrl+C in a
/// terminal, `kill`): the event loop ends, so the store finishes its writes, a session-only cache
/// is removed and secrets in memory are wiped, as when the window is closed. A second signal
/// while quitting ends the process at once. One instance per process.
class QuitOnSignal : public QObject
{
    Q_OBJECT
public:
    explicit QuitOnSignal(QObject *parent = nullptr);
    ~QuitOnSignal() override;

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace confab
