#include "secrets/switchablesecretstore.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <qcoro/qcorofuture.h>

#include <utility>

namespace confab::secrets {

SwitchableSecretStore::SwitchableSecretStore(std::unique_ptr<SecretStore> target) : m_target(std::move(target)) {}

SwitchableSecretStore::~SwitchableSecretStore() = default;

QFuture<Result<std::optional<crypto::SecureBytes>>> SwitchableSecretStore::read(const QString &name)
{
    return m_target->read(name);
}

QFuture<Result<void>> SwitchableSecretStore::write(const QString &name, const crypto::SecureBytes &value)
{
    if (m_alsoWriteTo)
        (void)m_alsoWriteTo->write(name, value); // the copy's own write of this name may come later; see moveTo
    return m_target->write(name, value);
}

QFuture<Result<void>> SwitchableSecretStore::remove(const QString &name)
{
    if (m_alsoWriteTo)
        (void)m_alsoWriteTo->remove(name);
    return m_target->remove(name);
}

QCoro::Task<Result<void>> SwitchableSecretStore::moveTo(std::unique_ptr<SecretStore> next)
{
    auto *memory = dynamic_cast<MemorySecretStore *>(m_target.get());
    if (!memory || m_alsoWriteTo)
        co_return Error(ErrorKind::InvalidInput,
                        QCoreApplication::translate("confab::secrets", "Secrets are already kept persistently."));
    m_alsoWriteTo = next.get();
    // Each entry is read from the memory store right before it is written, so a change made while
    // an earlier entry was being written is carried over in its newest form.
    for (const QString &name : memory->names()) {
        Result<std::optional<crypto::SecureBytes>> value = co_await memory->read(name);
        if (!value || !value.value())
            continue; // removed meanwhile
        Result<void> written = co_await next->write(name, *value.value());
        if (!written) {
            m_alsoWriteTo = nullptr;
            co_return written.error();
        }
    }
    m_alsoWriteTo = nullptr;
    qCInfo(lcSecrets).noquote() << "secrets are now kept in" << next->description();
    m_target = std::move(next);
    co_return Result<void>();
}

} // namespace confab::secrets
