#include "net/cancellation.h"

namespace confab::net {

void Cancellation::cancel()
{
    if (m_cancelled)
        return;
    m_cancelled = true;
    Q_EMIT cancelled();
}

} // namespace confab::net
