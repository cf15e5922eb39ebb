#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDebug>

#include <cstddef>
#include <memory>

namespace confab::crypto {

namespace detail {
/// Wipes, unlocks and frees a SecureBytes buffer.
struct SecureFree
{
    std::size_t size = 0;
    void operator()(unsigned char *p) const;
};
} // namespace detail

/// Secret bytes (private scalars, conversation keys, shared secrets, plaintext media chunks).
///
/// The buffer is locked against swapping where the OS allows, never reallocated, and wiped with
/// sodium_memzero when destroyed or overwritten. Copies are explicit deep copies that are wiped
/// too. There is no implicit conversion to QByteArray (which would leave unwiped copies):
/// `view()` lends the bytes, `toByteArray()` makes an unprotected copy and says so. Printing one
/// shows only its length.
class SecureBytes
{
public:
    SecureBytes() = default;
    /// `size` zero bytes.
    explicit SecureBytes(std::size_t size);
    /// A copy of `bytes`. The caller remains responsible for wiping its own copy.
    explicit SecureBytes(QByteArrayView bytes);
    /// `size` bytes from the OS's CSPRNG (libsodium randombytes_buf).
    [[nodiscard]] static SecureBytes random(std::size_t size);

    SecureBytes(const SecureBytes &other);
    SecureBytes &operator=(const SecureBytes &other);
    SecureBytes(SecureBytes &&other) noexcept;
    SecureBytes &operator=(SecureBytes &&other) noexcept;
    ~SecureBytes();

    [[nodiscard]] unsigned char *data() { return m_data.get(); }
    [[nodiscard]] const unsigned char *data() const { return m_data.get(); }
    [[nodiscard]] std::size_t size() const { return m_size; }
    [[nodiscard]] bool isEmpty() const { return m_size == 0; }
    [[nodiscard]] QByteArrayView view() const;
    /// An unprotected copy, for handing to APIs that need a QByteArray. Wipe it when done.
    [[nodiscard]] QByteArray toByteArray() const;

    /// Constant-time comparison.
    friend bool operator==(const SecureBytes &a, const SecureBytes &b);

    /// Overwrites the bytes with zeros and makes this empty.
    void wipe();

private:
    std::unique_ptr<unsigned char[], detail::SecureFree> m_data;
    std::size_t m_size = 0;
};

/// Overwrites a QByteArray's bytes with zeros (for transient copies of secrets).
void wipe(QByteArray &bytes);

QDebug operator<<(QDebug debug, const SecureBytes &bytes);

} // namespace confab::crypto
