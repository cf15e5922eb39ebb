#pragma once

#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

#include <coroutine>
#include <memory>

namespace confab::net {

/// Awaits the end of a QNetworkReply. Resumes when the reply finishes, or when it is destroyed
/// unfinished (its owner shut down); `await_resume` returns null then.
class ReplyFinished
{
public:
    explicit ReplyFinished(QNetworkReply *reply) : m_reply(reply) {}
    bool await_ready() const noexcept { return !m_reply || m_reply->isFinished(); }
    void await_suspend(std::coroutine_handle<> handle);
    QNetworkReply *await_resume() const noexcept { return m_reply.data(); }

private:
    QPointer<QNetworkReply> m_reply;
};

/// Awaits a reply's status line and headers: resumes on metaDataChanged, when it finishes
/// without them (no connection), or when it is destroyed (`await_resume` returns null then).
class ReplyHeaders
{
public:
    explicit ReplyHeaders(QNetworkReply *reply) : m_reply(reply) {}
    bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> handle);
    QNetworkReply *await_resume() const noexcept { return m_reply.data(); }

private:
    QPointer<QNetworkReply> m_reply;
};

/// Awaits a single-shot timer. Resumes with true when it fires, false when it is destroyed first.
class TimerFired
{
public:
    explicit TimerFired(QTimer *timer);
    bool await_ready() const noexcept { return !m_timer; }
    void await_suspend(std::coroutine_handle<> handle);
    bool await_resume() const noexcept;

private:
    QPointer<QTimer> m_timer;
    std::shared_ptr<bool> m_fired;
};

} // namespace confab::net
