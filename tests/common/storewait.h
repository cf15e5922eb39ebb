#pragma once

// Waiting for the store's futures from a test: the event loop runs while the store works, and
// the change signals it posted before finishing the future are delivered before the result is
// looked at (so models and spies have seen them). With AWAIT, AWAIT_OK and AWAIT_ERROR.

#include "core/result.h"

#include <QCoreApplication>
#include <QFuture>
#include <QTest>

namespace confab::test {

template<typename T>
QString errorText(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().toString();
}

/// Waits for a store future (at most `timeoutMs`), then delivers the signals the store posted
/// before finishing it.
template<typename T>
Result<T> settle(QFuture<Result<T>> future, int timeoutMs = 120000)
{
    if (!QTest::qWaitFor([&future] { return future.isFinished(); }, timeoutMs))
        return Error(ErrorKind::Timeout, QStringLiteral("the store did not answer"));
    QCoreApplication::sendPostedEvents();
    return future.result();
}

template<typename T>
Result<T> settle(Result<T> result)
{
    return result;
}

} // namespace confab::test

/// Waits for `expr` (a future or a Result), fails the test with the error, else declares `name`.
#define AWAIT(name, expr)                                                                                              \
    auto name##Result = confab::test::settle(expr);                                                                    \
    QVERIFY2(name##Result.ok(), qPrintable(confab::test::errorText(name##Result)));                                    \
    auto name = std::move(name##Result).value()

/// Waits for `expr` and fails the test unless it succeeded.
#define AWAIT_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto awaited = confab::test::settle(expr);                                                               \
        QVERIFY2(awaited.ok(), qPrintable(confab::test::errorText(awaited)));                                          \
    } while (false)

/// Waits for `expr`, fails the test unless it failed, and declares the Error `name`.
#define AWAIT_ERROR(name, expr)                                                                                        \
    auto name##Result = confab::test::settle(expr);                                                                    \
    QVERIFY2(name##Result.hasError(), "expected an error, the call succeeded");                                        \
    const Error name = name##Result.error()
