#pragma once

#include <QObject>

namespace confab::net {

/// A cancel button for requests, streams and delays: hand a pointer to the requests; cancel()
/// aborts every one of them (they end with ErrorKind::Cancelled). Cancelling is final.
class Cancellation : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    void cancel();
    [[nodiscard]] bool isCancelled() const { return m_cancelled; }

Q_SIGNALS:
    void cancelled();

private:
    bool m_cancelled = false;
};

} // namespace confab::net
