#pragma once

#include "secrets/secretstore.h"
#include "store/sealer.h"

namespace confab::accounts {

/// The store's sealing key from the profile's SecretStore: made (32 random bytes) and kept there
/// on first use. With a session-only SecretStore the key, and so the cache, lasts one session.
class SecretSealingKey final : public store::SealingKeySource
{
public:
    explicit SecretSealingKey(secrets::SecretStore &secrets) : m_secrets(secrets) {}
    [[nodiscard]] QFuture<Result<crypto::SecureBytes>> sealingKey() override;

private:
    secrets::SecretStore &m_secrets;
};

} // namespace confab::accounts
