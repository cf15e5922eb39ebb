#pragma once

#include "secrets/secretstore.h"

#include <QHash>
#include <QStringList>

namespace confab::secrets {

/// Secrets kept in locked memory for this session only: what Confab uses when there is no
/// keychain. Everything is gone (and wiped) when the app quits.
class MemorySecretStore final : public SecretStore
{
public:
    [[nodiscard]] QFuture<Result<std::optional<crypto::SecureBytes>>> read(const QString &name) override;
    [[nodiscard]] QFuture<Result<void>> write(const QString &name, const crypto::SecureBytes &value) override;
    [[nodiscard]] QFuture<Result<void>> remove(const QString &name) override;
    [[nodiscard]] bool persistent() const override { return false; }
    [[nodiscard]] QString description() const override;

    /// The names of the entries held now (to carry them over into a persistent store).
    [[nodiscard]] QStringList names() const { return m_entries.keys(); }

private:
    QHash<QString, crypto::SecureBytes> m_entries;
};

} // namespace confab::secrets
