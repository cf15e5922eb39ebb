#pragma once

// Waiting for coroutines and Result futures from a test, with the event loop running (the server
// answers from it) and a deadline.

#include "core/result.h"

#include <QFuture>
#include <QTest>
#include <qcoro/qcorotask.h>

#include <memory>
#include <optional>

namespace confab::test {

namespace detail {
template<typename T>
QCoro::Task<> keepResult(QCoro::Task<T> task, std::shared_ptr<std::optional<T>> out)
{
    out->emplace(co_await std::move(task));
}
} // namespace detail

/// Runs the event loop until `task` is done: its result, or a Timeout error after `timeoutMs`.
template<typename T>
T waitTask(QCoro::Task<T> task, int timeoutMs = 30000)
{
    auto out = std::make_shared<std::optional<T>>();
    detail::keepResult(std::move(task), out);
    if (!QTest::qWaitFor([&out] { return out->has_value(); }, timeoutMs))
        return Error(ErrorKind::Timeout, QStringLiteral("The operation did not finish in time."));
    return std::move(**out);
}

/// Runs the event loop until a coroutine without a result is done; false after `timeoutMs`.
inline bool waitTask(QCoro::Task<void> task, int timeoutMs = 30000)
{
    auto done = std::make_shared<bool>(false);
    [](QCoro::Task<void> t, std::shared_ptr<bool> d) -> QCoro::Task<> {
        co_await std::move(t);
        *d = true;
    }(std::move(task), done);
    return QTest::qWaitFor([&done] { return *done; }, timeoutMs);
}

/// Runs the event loop until a future of a Result finishes (the store, a SecretStore).
template<typename T>
Result<T> take(QFuture<Result<T>> future, int timeoutMs = 30000)
{
    if (!QTest::qWaitFor([&future] { return future.isFinished(); }, timeoutMs))
        return Error(ErrorKind::Timeout, QStringLiteral("The store did not answer in time."));
    return future.result();
}

} // namespace confab::test
