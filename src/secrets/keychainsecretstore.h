#pragma once

#include "secrets/secretstore.h"

namespace confab::secrets {

/// The OS keychain through QtKeychain (the Secret Service on Linux: GNOME Keyring, KWallet,
/// KeePassXC), under a service name per profile, so profiles never see each other's entries.
///
/// QtKeychain's "insecure fallback" is never used. A keychain that is missing, locked or that
/// refuses gives an ErrorKind::Keychain error whose message says what to do; `probe()` finds out
/// before anything is stored.
class KeychainSecretStore final : public SecretStore
{
public:
    /// `service`: e.g. "im.confab.Confab" for the default profile, "im.confab.Confab.work" for
    /// the profile "work" (see `serviceNameFor`). `timeoutMs`: how long to wait for the keychain
    /// (an unlock prompt the person ignores) before giving up with an error.
    explicit KeychainSecretStore(QString service, int timeoutMs = 120000);

    /// The keychain service name of a profile.
    [[nodiscard]] static QString serviceNameFor(const QString &appId, const QString &profile, bool isDefault);

    /// Whether the keychain answers: a read of an entry that does not exist must come back as
    /// "not found". Fails with a Keychain error that explains what is missing otherwise.
    [[nodiscard]] QFuture<Result<void>> probe(int timeoutMs = 10000);

    [[nodiscard]] QFuture<Result<std::optional<crypto::SecureBytes>>> read(const QString &name) override;
    [[nodiscard]] QFuture<Result<void>> write(const QString &name, const crypto::SecureBytes &value) override;
    [[nodiscard]] QFuture<Result<void>> remove(const QString &name) override;
    [[nodiscard]] bool persistent() const override { return true; }
    [[nodiscard]] QString description() const override;

    [[nodiscard]] const QString &service() const { return m_service; }

private:
    [[nodiscard]] QFuture<Result<std::optional<crypto::SecureBytes>>> readWithin(const QString &name, int timeoutMs);

    QString m_service;
    int m_timeoutMs;
};

} // namespace confab::secrets
