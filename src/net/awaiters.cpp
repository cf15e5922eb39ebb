#include "net/awaiters.h"

namespace confab::net {

void ReplyFinished::await_suspend(std::coroutine_handle<> handle)
{
    // Resume exactly once: on finished, or when the reply goes away without finishing.
    auto resumed = std::make_shared<bool>(false);
    auto resume = [handle, resumed] {
        if (*resumed)
            return;
        *resumed = true;
        handle.resume();
    };
    QObject::connect(m_reply.data(), &QNetworkReply::finished, m_reply.data(), resume);
    QObject::connect(m_reply.data(), &QObject::destroyed, resume);
}

bool ReplyHeaders::await_ready() const noexcept
{
    return !m_reply || m_reply->isFinished() || !m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isNull();
}

void ReplyHeaders::await_suspend(std::coroutine_handle<> handle)
{
    auto resumed = std::make_shared<bool>(false);
    auto resume = [handle, resumed] {
        if (*resumed)
            return;
        *resumed = true;
        handle.resume();
    };
    QObject::connect(m_reply.data(), &QNetworkReply::metaDataChanged, m_reply.data(), resume);
    QObject::connect(m_reply.data(), &QNetworkReply::finished, m_reply.data(), resume);
    QObject::connect(m_reply.data(), &QObject::destroyed, resume);
}

TimerFired::TimerFired(QTimer *timer) : m_timer(timer), m_fired(std::make_shared<bool>(false)) {}

void TimerFired::await_suspend(std::coroutine_handle<> handle)
{
    auto resumed = std::make_shared<bool>(false);
    auto fired = m_fired;
    QObject::connect(m_timer.data(), &QTimer::timeout, m_timer.data(), [handle, resumed, fired] {
        if (*resumed)
            return;
        *resumed = true;
        *fired = true;
        handle.resume();
    });
    QObject::connect(m_timer.data(), &QObject::destroyed, [handle, resumed] {
        if (*resumed)
            return;
        *resumed = true;
        handle.resume();
    });
}

bool TimerFired::await_resume() const noexcept
{
    return *m_fired;
}

} // namespace confab::net
