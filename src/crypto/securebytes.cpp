#include "crypto/securebytes.h"

#include "crypto/sodium.h"

#include <cstring>
#include <sodium.h>

namespace confab::crypto {

void detail::SecureFree::operator()(unsigned char *p) const
{
    if (!p)
        return;
    sodium_memzero(p, size);
    sodium_munlock(p, size); // also zeroes; harmless if the lock had failed
    delete[] p;
}

SecureBytes::SecureBytes(std::size_t size)
    : m_data(new unsigned char[size > 0 ? size : 1]{}, detail::SecureFree{size})
    , m_size(size)
{
    ensureSodium();
    if (size > 0)
        sodium_mlock(m_data.get(), size); // best effort: RLIMIT_MEMLOCK may refuse
}

SecureBytes::SecureBytes(QByteArrayView bytes) : SecureBytes(static_cast<std::size_t>(bytes.size()))
{
    if (m_size > 0)
        std::memcpy(m_data.get(), bytes.data(), m_size);
}

SecureBytes SecureBytes::random(std::size_t size)
{
    SecureBytes bytes(size);
    if (size > 0)
        randombytes_buf(bytes.data(), size);
    return bytes;
}

SecureBytes::SecureBytes(const SecureBytes &other) : SecureBytes(other.view()) {}

SecureBytes &SecureBytes::operator=(const SecureBytes &other)
{
    if (this != &other)
        *this = SecureBytes(other.view());
    return *this;
}

SecureBytes::SecureBytes(SecureBytes &&other) noexcept
    : m_data(std::move(other.m_data))
    , m_size(std::exchange(other.m_size, 0))
{}

SecureBytes &SecureBytes::operator=(SecureBytes &&other) noexcept
{
    if (this != &other) {
        m_data = std::move(other.m_data); // the old buffer is wiped by its deleter
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecureBytes::~SecureBytes() = default;

QByteArrayView SecureBytes::view() const
{
    return {m_data.get(), static_cast<qsizetype>(m_size)};
}

QByteArray SecureBytes::toByteArray() const
{
    return QByteArray(reinterpret_cast<const char *>(m_data.get()), static_cast<qsizetype>(m_size));
}

bool operator==(const SecureBytes &a, const SecureBytes &b)
{
    if (a.m_size != b.m_size)
        return false;
    return a.m_size == 0 || sodium_memcmp(a.data(), b.data(), a.m_size) == 0;
}

void SecureBytes::wipe()
{
    m_data.reset();
    m_size = 0;
}

void wipe(QByteArray &bytes)
{
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
}

QDebug operator<<(QDebug debug, const SecureBytes &bytes)
{
    const QDebugStateSaver saver(debug);
    debug.nospace() << "SecureBytes(" << bytes.size() << " bytes)";
    return debug;
}

} // namespace confab::crypto
