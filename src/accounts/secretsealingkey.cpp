#include "accounts/secretsealingkey.h"

#include "accounts/secretnames.h"
#include "core/logging.h"
#include "core/taskfuture.h"

#include <qcoro/qcorofuture.h>

namespace confab::accounts {

namespace {

QCoro::Task<Result<crypto::SecureBytes>> readOrMake(secrets::SecretStore &secrets)
{
    auto existing = co_await secrets.read(secretnames::sealingKey());
    if (!existing)
        co_return existing.error();
    if (existing.value()) {
        if (existing.value()->size() == store::SealingKeySize)
            co_return std::move(*existing.value());
        qCWarning(lcSecrets) << "the stored sealing key has the wrong size; the cache will be rebuilt";
    }
    crypto::SecureBytes key = crypto::SecureBytes::random(store::SealingKeySize);
    auto written = co_await secrets.write(secretnames::sealingKey(), key);
    if (!written)
        co_return written.error();
    co_return key;
}

} // namespace

QFuture<Result<crypto::SecureBytes>> SecretSealingKey::sealingKey()
{
    return toFuture(readOrMake(m_secrets));
}

} // namespace confab::accounts
