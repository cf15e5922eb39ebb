#include "net/retrypolicy.h"

#include <QDateTime>
#include <QLocale>
#include <QRandomGenerator>
#include <QStringList>

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
    // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT". Read as UTC from the start: parsed as
    // local time, a moment in a local daylight-saving gap would not exist.
    const QString text = QString::fromLatin1(v);
    const qsizetype comma = text.indexOf(QLatin1Char(','));
    if (comma != 3 || !text.endsWith(QLatin1String(" GMT")))
        return std::nullopt;
    const QStringList parts = text.mid(comma + 1, text.size() - comma - 5).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (parts.size() != 4)
        return std::nullopt;
    const QDate date = QLocale::c().toDate(parts.mid(0, 3).join(QLatin1Char(' ')), QStringLiteral("dd MMM yyyy"));
    const QTime time = QTime::fromString(parts.at(3), QStringLiteral("HH:mm:ss"));
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const QDateTime when(date, time, Qt::UTC);
    return std::max<qint64>(0, when.toMSecsSinceEpoch() - nowMs);
}

} // namespace confab::net
