#pragma once

namespace confab::crypto {

/// Initialises libsodium once per process (thread-safe); aborts if the library cannot start,
/// since no cryptography can be trusted then.
void ensureSodium();

} // namespace confab::crypto
