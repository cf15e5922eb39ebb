#include "store/outboxpolicy.h"

#include <QRandomGenerator>

#include <algorithm>

namespace confab::store {

qint64 OutboxPolicy::delayAfter(int attempts) const
{
    qint64 delay = initialDelayMs;
    for (int i = 1; i < attempts && delay < maxDelayMs; ++i)
        delay *= 2;
    delay = std::min(delay, maxDelayMs);
    const qint64 half = delay / 2;
    return half + static_cast<qint64>(QRandomGenerator::global()->bounded(static_cast<quint64>(half) + 1));
}

} // namespace confab::store
