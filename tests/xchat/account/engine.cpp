#include "engine.h"

#include "store/sealer.h"
#include "wait.h"

#include <algorithm>

namespace confab::xchat::test {

using confab::test::take;
using confab::test::waitTask;

Engine::Engine(QString storePath, crypto::SecureBytes sealingKey, DeviceKeyStore &keys, const QString &token,
               XChatAccountConfig config)
    : m_path(std::move(storePath))
    , m_sealingKey(std::move(sealingKey))
    , m_keys(keys)
    , m_auth(token)
    , m_config(std::move(config))
{}

Engine::~Engine()
{
    // The account first (it unregisters from the dispatcher), then the dispatcher, then the store.
    m_account.reset();
    m_dispatcher.reset();
    m_store.reset();
}

Result<void> Engine::open()
{
    if (m_account)
        return {};
    m_store = std::make_unique<store::Store>();
    store::StoreOptions options;
    options.path = m_path;
    options.housekeepingIntervalMs = 0;
    options.outbox.initialDelayMs = 20;
    options.outbox.maxDelayMs = 200;
    options.outbox.maxAutomaticAttempts = 200;
    store::FixedSealingKey sealing(m_sealingKey);
    auto opened = take(m_store->open(options, sealing));
    if (!opened)
        return opened.error();
    m_dispatcher = std::make_unique<store::OutboxDispatcher>(*m_store);
    m_account = std::make_unique<XChatAccount>(m_config, m_auth, m_keys, *m_store, *m_dispatcher);
    return {};
}

Result<void> Engine::start(int timeoutMs)
{
    if (auto opened = open(); !opened)
        return opened.error();
    return waitTask(m_account->start(), timeoutMs);
}

QList<store::Message> Engine::messages(qint64 conversationId)
{
    auto rows = take(m_store->newestMessages(conversationId, 5000));
    if (!rows)
        return {};
    QList<store::Message> out = rows.value();
    std::sort(out.begin(), out.end(), [](const store::Message &a, const store::Message &b) { return a.key < b.key; });
    return out;
}

std::optional<store::Message> Engine::byRemoteId(qint64 conversationId, const QString &remoteId)
{
    auto row = take(m_store->messageByRemoteId(conversationId, remoteId));
    if (!row)
        return std::nullopt;
    return row.value();
}

store::Message Engine::row(qint64 conversationId, const QString &remoteId)
{
    return byRemoteId(conversationId, remoteId).value_or(store::Message());
}

std::optional<store::Message> Engine::byText(qint64 conversationId, const QString &text)
{
    const QList<store::Message> rows = messages(conversationId);
    for (const store::Message &m : rows) {
        if (m.text == text)
            return m;
    }
    return std::nullopt;
}

} // namespace confab::xchat::test
