#pragma once

#include <QFuture>
#include <QPromise>
#include <qcoro/qcorotask.h>

#include <memory>

namespace confab {

/// Runs a coroutine and hands its result out as a QFuture, for interfaces that speak futures
/// (the store's SealingKeySource, the engine's DeviceKeyStore, the media loader). Header only:
/// include it where QCoro is linked.
template<typename T>
QFuture<T> toFuture(QCoro::Task<T> task)
{
    auto promise = std::make_shared<QPromise<T>>();
    promise->start();
    QFuture<T> future = promise->future();
    [](QCoro::Task<T> t, std::shared_ptr<QPromise<T>> p) -> QCoro::Task<> {
        p->addResult(co_await std::move(t));
        p->finish();
    }(std::move(task), promise);
    return future;
}

} // namespace confab
