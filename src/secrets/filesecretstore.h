#pragma once

#include "crypto/passphrasebox.h"
#include "secrets/secretstore.h"

#include <qcoro/qcorotask.h>

#include <map>
#include <memory>

namespace confab::secrets {

/// The explicit, clearly labelled opt-in for machines without a keychain: every entry in one file
/// sealed with a passphrase the person types (crypto::sealWithPassphrase: Argon2id and
/// XChaCha20-Poly1305). Never plaintext on disk.
///
/// The entries live in locked memory while the app runs. Each change rewrites the whole file on a
/// worker thread (key derivation, sealing and the atomic write take about half a second with
/// the default strength); the futures finish when the file holds the change. Concurrent changes
/// are written in order: an older snapshot never overwrites a newer one.
///
/// Plaintext inside the box: for each entry `u16 name length | name (UTF-8) | u32 value length |
/// value`, big-endian.
class FileSecretStore final : public SecretStore
{
public:
    ~FileSecretStore() override;

    /// Opens the file at `path` with `passphrase`, or starts an empty store that will create it on
    /// the first write when there is no file yet (the passphrase must then pass
    /// crypto::checkPassphrase). A wrong passphrase or a damaged file is an error, and the file is
    /// left as it is.
    [[nodiscard]] static QCoro::Task<Result<std::unique_ptr<FileSecretStore>>>
    open(QString path, QString passphrase, crypto::PassphraseStrength strength = crypto::PassphraseStrength::Moderate);

    [[nodiscard]] QFuture<Result<std::optional<crypto::SecureBytes>>> read(const QString &name) override;
    [[nodiscard]] QFuture<Result<void>> write(const QString &name, const crypto::SecureBytes &value) override;
    [[nodiscard]] QFuture<Result<void>> remove(const QString &name) override;
    [[nodiscard]] bool persistent() const override { return true; }
    [[nodiscard]] QString description() const override;

    /// The entries as the sealed plaintext lays them out, and back (exposed for tests).
    [[nodiscard]] static crypto::SecureBytes encode(const std::map<QString, crypto::SecureBytes> &entries);
    [[nodiscard]] static Result<std::map<QString, crypto::SecureBytes>> decode(const crypto::SecureBytes &plaintext);

private:
    struct Writer; // what the worker threads share: the path, the passphrase, the newest written

    FileSecretStore() = default;
    [[nodiscard]] QFuture<Result<void>> save();

    std::map<QString, crypto::SecureBytes> m_entries;
    std::shared_ptr<Writer> m_writer;
    quint64 m_generation = 0;
};

} // namespace confab::secrets
