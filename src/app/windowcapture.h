#pragma once

#include <QObject>
#include <QPointer>
#include <QQuickWindow>
#include <QString>
#include <QTimer>

namespace confab {

/// Saves a window's first complete frame as a PNG (with the window title in the PNG's "Title"
/// text chunk) and then quits the application: exit code 0 when saved, 1 when not. Used by
/// `--screenshot FILE` for the GUI smoke test and for documentation screenshots; works with the
/// offscreen platform, where no outside tool can see the window.
class WindowCapture : public QObject
{
    Q_OBJECT

public:
    WindowCapture(QQuickWindow *window, QString path, QObject *parent = nullptr);

    /// Waits for setReady(true) as well as the first frame (start-up still running, a sign-in
    /// under way), for at most a minute and a half.
    void holdUntilReady();
    void setReady(bool ready);

private:
    void capture();
    void settleIfReady();

    QPointer<QQuickWindow> m_window;
    QString m_path;
    QTimer m_settle;
    bool m_sawFrame = false;
    bool m_ready = true;
    bool m_done = false;
};

} // namespace confab
