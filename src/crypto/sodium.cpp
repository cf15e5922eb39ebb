#include "crypto/sodium.h"

#include <QtGlobal>

#include <sodium.h>

namespace confab::crypto {

void ensureSodium()
{
    static const bool ready = [] { return sodium_init() >= 0; }();
    if (!ready)
        qFatal("libsodium could not be initialised");
}

} // namespace confab::crypto
