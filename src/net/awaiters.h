#pragma once

#include <QFuture>
#include <QFutureWatcher>
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

/// Awaits a QFuture for as long as `context` lives: resumes when the future finishes (a result,
/// or cancelled), or when `context` is destroyed first (`await_resume` returns false then). Unlike
/// a plain `co_await future`, an owner that shuts down does not wait for someone else's answer.
template<typename T>
class FutureFinished
{
public:
    FutureFinished(QFuture<T> future, QObject *context) : m_future(std::move(future)), m_context(context) {}
    bool await_ready() const noexcept { return !m_context || m_future.isFinished(); }
    void await_suspend(std::coroutine_handle<> handle)
    {
        auto *watcher = new QFutureWatcher<T>(m_context.data());
        auto resumed = std::make_shared<bool>(false);
        auto resume = [handle, resumed] {
            if (*resumed)
                return;
            *resumed = true;
            handle.resume();
        };
        QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, resume] {
            watcher->deleteLater();
            resume();
        });
        QObject::connect(watcher, &QObject::destroyed, resume);
        watcher->setFuture(m_future);
    }
    bool await_resume() const noexcept { return m_future.isFinished(); }

private:
    QFuture<T> m_future;
    QPointer<QObject> m_context;
};

} // namespace confab::net
