#pragma once

#include <QFuture>
#include <QObject>
#include <QPointer>

#include <type_traits>
#include <utility>

namespace confab {

/// `future.then(context, f)` for a `context` that may be destroyed before the future finishes (a
/// timeline model replaced when another conversation opens, while its store read is on its way).
/// Qt 6.4 asserts then (in debug builds; Qt 6.6 cancels such a continuation instead). Here the
/// continuation is queued to `anchor`, which must live in the same thread as `context` and outlive
/// the future's work (a model's store), and `f` is skipped once `context` is gone. Ordering is the
/// same as with `then(context, …)`. `f` takes the future's result, or the future itself. A
/// cancelled `future` skips `f` and cancels the future returned (for `onCanceled(anchor, …)`).
template<typename T, typename F>
QFuture<void> thenWhileAlive(QFuture<T> future, QObject *anchor, QObject *context, F &&f)
{
    return future.then(anchor, [guard = QPointer<QObject>(context), f = std::forward<F>(f)](QFuture<T> done) mutable {
        if (!guard)
            return;
        if constexpr (std::is_invocable_v<F &, QFuture<T>>) {
            f(std::move(done));
        } else {
            if (done.resultCount() > 0)
                f(done.result());
        }
    });
}

} // namespace confab
