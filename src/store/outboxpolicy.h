#pragma once

#include <QtGlobal>

namespace confab::store {

/// When the outbox tries a message again after a transient failure: exponential backoff with
/// "equal jitter" (half the delay fixed, half random), so that many clients that failed together
/// do not retry together, and a cap so that a long outage still retries every few minutes.
struct OutboxPolicy
{
    qint64 initialDelayMs = 2000;
    qint64 maxDelayMs = 5 * 60 * 1000;
    int maxAutomaticAttempts = 10; ///< then the message is Failed and waits for the person

    /// The delay before attempt `attempts + 1`, after `attempts` failed ones (>= 1).
    [[nodiscard]] qint64 delayAfter(int attempts) const;
};

} // namespace confab::store
