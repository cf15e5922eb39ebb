#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <optional>

namespace confab::net {

/// How often and how patiently a request is tried again after a transient failure (no answer,
/// dropped connection, timeout, 5xx, 429): exponential backoff with "equal jitter" (half the delay
/// fixed, half random) so that clients that failed together do not return together.
struct RetryPolicy
{
    int maxAttempts = 5;
    qint64 initialDelayMs = 500;
    qint64 maxDelayMs = 30 * 1000;
    /// A rate limit that resets later than this is reported at once (RateLimited) instead of waited out.
    qint64 maxRateLimitWaitMs = 15 * 60 * 1000;

    /// The delay before attempt `failedAttempts + 1`.
    [[nodiscard]] qint64 delayAfter(int failedAttempts) const;
};

/// `Retry-After` as milliseconds from `nowMs`: delay-seconds or an HTTP date. Empty when absent
/// or unreadable.
[[nodiscard]] std::optional<qint64> retryAfterMs(const QByteArray &value, qint64 nowMs);

} // namespace confab::net
