#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace confab::net {

/// What the server last said about one endpoint's budget (`x-rate-limit-*`).
struct RateLimitState
{
    int limit = -1;            ///< -1: unknown
    int remaining = -1;        ///< -1: unknown
    qint64 resetMs = 0;        ///< when the window resets (epoch ms); 0: unknown
    qint64 blockedUntilMs = 0; ///< no request before this (a 429, or an exhausted budget)
};

/// Rate-limit budgets per endpoint, as the `x-rate-limit-limit/remaining/reset` headers and 429
/// answers report them. An endpoint is the method and the path with its ids replaced
/// ("POST /2/chat/conversations/{id}/messages"), as X counts them.
class RateLimits
{
public:
    [[nodiscard]] static QString endpointKey(const QByteArray &method, const QString &path);

    /// Notes the headers of an answer. An exhausted budget blocks the endpoint until the reset.
    void record(const QString &endpoint, const QByteArray &limit, const QByteArray &remaining, const QByteArray &reset,
                qint64 nowMs);
    /// Blocks the endpoint until `untilMs` (after a 429).
    void block(const QString &endpoint, qint64 untilMs);
    /// When the next request to the endpoint may go (<= now: at once).
    [[nodiscard]] qint64 blockedUntil(const QString &endpoint) const;
    [[nodiscard]] RateLimitState state(const QString &endpoint) const { return m_states.value(endpoint); }

private:
    QHash<QString, RateLimitState> m_states;
};

} // namespace confab::net
