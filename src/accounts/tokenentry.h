#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"
#include "secrets/oauthtokens.h"

namespace confab::accounts {

/// An account's OAuth tokens as one SecretStore entry: compact JSON
/// `{"v":1,"access":…,"refresh":…,"expiresAt":ms,"scope":…,"type":…}` in locked memory.
[[nodiscard]] crypto::SecureBytes encodeTokens(const secrets::OAuthTokens &tokens);
[[nodiscard]] Result<secrets::OAuthTokens> decodeTokens(const crypto::SecureBytes &entry);

} // namespace confab::accounts
