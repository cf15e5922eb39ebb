#include "app/windowcapture.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QImage>

#include <utility>

namespace confab {

namespace {
constexpr int SettleMs = 400;             // let bindings, fonts and images settle after the first frame
constexpr int FirstFrameLimitMs = 15'000; // capture anyway if no frame is reported by then
constexpr int ReadyLimitMs = 90'000;      // ... or, when held, the app is not ready by then
} // namespace

WindowCapture::WindowCapture(QQuickWindow *window, QString path, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_path(std::move(path))
{
    m_settle.setSingleShot(true);
    connect(&m_settle, &QTimer::timeout, this, &WindowCapture::capture);
    connect(window, &QQuickWindow::frameSwapped, this, [this] {
        if (!m_sawFrame) {
            m_sawFrame = true;
            settleIfReady();
        }
    });
    m_settle.start(FirstFrameLimitMs);
}

void WindowCapture::holdUntilReady()
{
    m_ready = false;
    m_settle.start(ReadyLimitMs);
}

void WindowCapture::setReady(bool ready)
{
    if (ready == m_ready)
        return;
    m_ready = ready;
    settleIfReady();
}

void WindowCapture::settleIfReady()
{
    if (m_sawFrame && m_ready && !m_done)
        m_settle.start(SettleMs);
    else if (!m_ready && m_sawFrame)
        m_settle.start(ReadyLimitMs);
}

void WindowCapture::capture()
{
    if (m_done)
        return;
    m_done = true;
    int exitCode = 1;
    if (!m_ready)
        qCWarning(lcUi) << "Screenshot: the app was still not ready; capturing it as it is";
    if (!m_window) {
        qCCritical(lcUi) << "Screenshot: the window went away before its first frame";
    } else {
        QImage image = m_window->grabWindow();
        image.setText(QStringLiteral("Title"), m_window->title());
        if (image.isNull())
            qCCritical(lcUi) << "Screenshot: could not grab the window";
        else if (!image.save(m_path, "PNG"))
            qCCritical(lcUi) << "Screenshot: could not write" << m_path;
        else
            exitCode = 0;
    }
    QCoreApplication::exit(exitCode);
}

} // namespace confab
