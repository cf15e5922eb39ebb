#include "net/ratelimits.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace confab::net {

QString RateLimits::endpointKey(const QByteArray &method, const QString &path)
{
    // Numeric ids, 1:1 pairs (`1-2`, `1:2`), group ids (`g123`), UUIDs and media hash keys are ids.
    static const QRegularExpression id(
        QStringLiteral("^(?:[0-9]+(?:[-:][0-9]+)?|g[0-9]+|[0-9a-fA-F-]{32,36}|[A-Za-z0-9]{20,})$"));
    QStringList segments = path.split(QLatin1Char('/'));
    // The first segment is the API's version ("/2/..."), never an id.
    bool first = true;
    for (QString &s : segments) {
        if (s.isEmpty())
            continue;
        if (!first && id.match(s).hasMatch())
            s = QStringLiteral("{id}");
        first = false;
    }
    return QString::fromLatin1(method) + QLatin1Char(' ') + segments.join(QLatin1Char('/'));
}

void RateLimits::record(const QString &endpoint, const QByteArray &limit, const QByteArray &remaining,
                        const QByteArray &reset, qint64 nowMs)
{
    if (limit.isEmpty() && remaining.isEmpty() && reset.isEmpty())
        return;
    RateLimitState &s = m_states[endpoint];
    bool ok = false;
    if (const int l = limit.toInt(&ok); ok)
        s.limit = l;
    if (const int r = remaining.toInt(&ok); ok)
        s.remaining = r;
    if (const qint64 seconds = reset.toLongLong(&ok); ok && seconds > 0)
        s.resetMs = seconds * 1000;
    if (s.remaining == 0 && s.resetMs > nowMs)
        s.blockedUntilMs = std::max(s.blockedUntilMs, s.resetMs);
}

void RateLimits::block(const QString &endpoint, qint64 untilMs)
{
    RateLimitState &s = m_states[endpoint];
    s.blockedUntilMs = std::max(s.blockedUntilMs, untilMs);
}

qint64 RateLimits::blockedUntil(const QString &endpoint) const
{
    return m_states.value(endpoint).blockedUntilMs;
}

} // namespace confab::net
