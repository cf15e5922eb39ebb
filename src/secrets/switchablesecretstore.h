#pragma once

#include "secrets/memorysecretstore.h"
#include "secrets/secretstore.h"

#include <qcoro/qcorotask.h>

#include <memory>

namespace confab::secrets {

/// The profile's SecretStore as the rest of the app holds it: forwards to the store in use and can
/// move, mid-session, from the session-only memory store to a persistent one (the person opted in
/// to a passphrase file), carrying every entry over so that nothing signed in is lost.
class SwitchableSecretStore final : public SecretStore
{
public:
    explicit SwitchableSecretStore(std::unique_ptr<SecretStore> target);
    ~SwitchableSecretStore() override;

    [[nodiscard]] QFuture<Result<std::optional<crypto::SecureBytes>>> read(const QString &name) override;
    [[nodiscard]] QFuture<Result<void>> write(const QString &name, const crypto::SecureBytes &value) override;
    [[nodiscard]] QFuture<Result<void>> remove(const QString &name) override;
    [[nodiscard]] bool persistent() const override { return m_target->persistent(); }
    [[nodiscard]] QString description() const override { return m_target->description(); }

    /// Copies every entry of the session-only store in use into `next`, then makes `next` the
    /// store in use. Fails, and changes nothing, when the store in use is not the memory store or
    /// when `next` refuses an entry. Writes that arrive while the copy runs go to both.
    [[nodiscard]] QCoro::Task<Result<void>> moveTo(std::unique_ptr<SecretStore> next);

private:
    std::unique_ptr<SecretStore> m_target;
    SecretStore *m_alsoWriteTo = nullptr; ///< the store being moved to, while the copy runs
};

} // namespace confab::secrets
