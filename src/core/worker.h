#pragma once

#include <QFuture>
#include <QPromise>
#include <QThreadPool>

#include <memory>
#include <type_traits>

namespace confab {

/// Runs `work` on the global thread pool and hands its result out as a future that finishes on
/// the pool's thread (co_await it, or attach one continuation). For the CPU-bound work the GUI
/// thread must never wait on: verification, key derivation, sealing.
template<typename Work>
[[nodiscard]] QFuture<std::invoke_result_t<Work &>> onWorker(Work work)
{
    using T = std::invoke_result_t<Work &>;
    auto promise = std::make_shared<QPromise<T>>();
    QFuture<T> future = promise->future();
    promise->start();
    QThreadPool::globalInstance()->start([promise, work = std::move(work)]() mutable {
        promise->addResult(work());
        promise->finish();
    });
    return future;
}

} // namespace confab
