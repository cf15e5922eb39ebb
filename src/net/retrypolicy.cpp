#include "net/retrypolicy.h"

#include <QDateTime>
#include <QLocale>
#include <QRandomGenerator>

#include <algorithm>

namespace confab::net {

qint64 RetryPolicy::delayAfter(int failedAttempts) const
{
    const int doublings = std::clamp(failedAttempts - 1, 0, 30);
    const qint64 full = std::min(maxDelayMs, initialDelayMs << std::min(doublings, 20));
    const qint64 half = full / 2;
    return half + static_cast<qint64>(QRandomGenerator::global()->bounded(static_cast<double>(full - half + 1)));
}

std::optional<qint64> retryAfterMs(const QByteArray &value, qint64 nowMs)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = v.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? std::nullopt : std::optional<qint64>(seconds * 1000);
    // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
    QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(v), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return std::nullopt;
    when.setTimeSpec(Qt::UTC);
    return std::max<qint64>(0, when.toMSecsSinceEpoch() - nowMs);
}

} // namespace confab::net
