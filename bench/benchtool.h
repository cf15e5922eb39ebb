#pragma once

// What the bench tools share: a name to prefix their messages with, dying with a reason,
// progress lines, elapsed seconds, and waiting for a store future that must succeed.

#include "core/result.h"

#include <QCoreApplication>
#include <QFuture>
#include <QString>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace confab::bench {

using Clock = std::chrono::steady_clock;

/// The tool's name in its messages ("confab_bench_store: ..."); set once in main().
inline const char *g_toolName = "bench";

[[noreturn]] inline void die(const QString &what)
{
    std::fprintf(stderr, "%s: %s\n", g_toolName, qPrintable(what));
    std::fflush(stderr);
    std::_Exit(1);
}

inline void progress(const QString &what)
{
    std::fprintf(stderr, "%s: %s\n", g_toolName, qPrintable(what));
    std::fflush(stderr);
}

inline double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// What to do with the change notifications the store queued to this thread once a future is done.
enum class Notifications { Leave, Deliver };

/// Waits for a store future (the store finishes it on its own thread; nothing here needs the event
/// loop) and dies with `what` if it failed. With Notifications::Deliver, the notifications the
/// store queued meanwhile are delivered before returning.
template<typename T>
T await(QFuture<Result<T>> future, const char *what, Notifications notifications = Notifications::Leave)
{
    future.waitForFinished();
    if (notifications == Notifications::Deliver)
        QCoreApplication::sendPostedEvents();
    Result<T> result = future.takeResult();
    if (!result)
        die(QStringLiteral("%1 failed: %2").arg(QLatin1String(what), result.error().toString()));
    if constexpr (!std::is_void_v<T>)
        return std::move(result).value();
}

} // namespace confab::bench
