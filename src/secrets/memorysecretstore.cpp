#include "secrets/memorysecretstore.h"

#include <QCoreApplication>
#include <QFuture>

namespace confab::secrets {

QFuture<Result<std::optional<crypto::SecureBytes>>> MemorySecretStore::read(const QString &name)
{
    const auto it = m_entries.constFind(name);
    std::optional<crypto::SecureBytes> value;
    if (it != m_entries.constEnd())
        value = it.value();
    return QtFuture::makeReadyFuture(Result<std::optional<crypto::SecureBytes>>(std::move(value)));
}

QFuture<Result<void>> MemorySecretStore::write(const QString &name, const crypto::SecureBytes &value)
{
    m_entries.insert(name, value);
    return QtFuture::makeReadyFuture(Result<void>());
}

QFuture<Result<void>> MemorySecretStore::remove(const QString &name)
{
    m_entries.remove(name);
    return QtFuture::makeReadyFuture(Result<void>());
}

QString MemorySecretStore::description() const
{
    return QCoreApplication::translate("confab::secrets", "memory only (forgotten when Confab quits)");
}

} // namespace confab::secrets
