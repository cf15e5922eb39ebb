#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QCborMap>
#include <QFuture>
#include <QString>

namespace confab::store {

/// Where the store's 32-byte sealing key comes from: the keychain in the app (src/secrets), a
/// fixed key in tests. Asked once per `Store::open`.
class SealingKeySource
{
public:
    virtual ~SealingKeySource() = default;
    [[nodiscard]] virtual QFuture<Result<crypto::SecureBytes>> sealingKey() = 0;
};

/// A key that is already in memory (tests, benchmarks, tools).
class FixedSealingKey final : public SealingKeySource
{
public:
    explicit FixedSealingKey(crypto::SecureBytes key) : m_key(std::move(key)) {}
    [[nodiscard]] QFuture<Result<crypto::SecureBytes>> sealingKey() override;

private:
    crypto::SecureBytes m_key;
};

inline constexpr std::size_t SealingKeySize = 32;

/// Seals column values with libsodium secretbox (XSalsa20-Poly1305, a random nonce per value):
/// `nonce(24) || tag(16) || ciphertext`. Empty values are stored as NULL, not sealed. Copies share
/// nothing mutable, so each thread can hold its own.
class Sealer
{
public:
    Sealer() = default;
    explicit Sealer(crypto::SecureBytes key) : m_key(std::move(key)) {}

    [[nodiscard]] bool isValid() const { return m_key.size() == SealingKeySize; }

    /// A sealed value, or a null QByteArray for empty input.
    [[nodiscard]] QByteArray seal(QByteArrayView plaintext) const;
    [[nodiscard]] QByteArray sealString(const QString &text) const;
    [[nodiscard]] QByteArray sealCbor(const QCborMap &map) const;

    /// Opens a value `seal` made; NULL opens as empty. A wrong key or a changed byte is a Crypto
    /// error.
    [[nodiscard]] Result<QByteArray> open(QByteArrayView sealed) const;
    [[nodiscard]] Result<QString> openString(QByteArrayView sealed) const;
    [[nodiscard]] Result<QCborMap> openCbor(QByteArrayView sealed) const;

private:
    crypto::SecureBytes m_key;
};

} // namespace confab::store
