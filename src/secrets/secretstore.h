#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QFuture>
#include <QString>

#include <optional>

namespace confab::secrets {

/// Where Confab keeps what must never touch the disk in plaintext: access and refresh tokens,
/// X Chat private keys, the store's sealing key. Entries are named byte strings; a profile's
/// entries are separate from every other profile's.
///
/// Implementations: `KeychainSecretStore` (the OS keychain, the normal case), `MemorySecretStore`
/// (no keychain: kept for this session only) and `FileSecretStore` (an explicit opt-in: a file
/// sealed with a passphrase the person types). Called on the thread that created the store; the
/// futures finish on it too.
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    /// The entry, or none when it does not exist.
    [[nodiscard]] virtual QFuture<Result<std::optional<crypto::SecureBytes>>> read(const QString &name) = 0;
    /// Creates or replaces the entry.
    [[nodiscard]] virtual QFuture<Result<void>> write(const QString &name, const crypto::SecureBytes &value) = 0;
    /// Deletes the entry; deleting one that does not exist succeeds.
    [[nodiscard]] virtual QFuture<Result<void>> remove(const QString &name) = 0;

    /// Whether entries outlive this run of the app.
    [[nodiscard]] virtual bool persistent() const = 0;
    /// Where the secrets are, for a person ("the system keychain", "memory only").
    [[nodiscard]] virtual QString description() const = 0;
};

} // namespace confab::secrets
