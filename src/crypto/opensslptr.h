#pragma once

// Owning pointers for OpenSSL objects (internal to src/crypto).

#include <memory>

namespace confab::crypto::detail {

/// Calls `Free` on destruction: OpenSslPtr<BIGNUM, BN_clear_free>.
template<typename T, auto Free>
struct OpenSslDeleter
{
    void operator()(T *p) const { Free(p); }
};

template<typename T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

} // namespace confab::crypto::detail
