#pragma once

#include "core/result.h"
#include "crypto/securebytes.h"
#include "net/authprovider.h"
#include "protocols/xchat/account/devicekeystore.h"
#include "protocols/xchat/account/xchataccount.h"
#include "store/outboxdispatcher.h"
#include "store/store.h"

#include <QList>
#include <QString>

#include <memory>

namespace confab::xchat::test {

/// One running X Chat account engine as the app wires it: its own store on its own SQLite file,
/// its own outbox dispatcher, a Bearer token and a device key store. The key store and the
/// sealing key are the caller's, so that a restart can reuse them with the same file.
class Engine
{
public:
    Engine(QString storePath, crypto::SecureBytes sealingKey, DeviceKeyStore &keys, const QString &token,
           XChatAccountConfig config);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    /// Opens the store and makes the dispatcher and the account (not started).
    [[nodiscard]] Result<void> open();
    /// open() (unless done) and XChatAccount::start(), waited for.
    [[nodiscard]] Result<void> start(int timeoutMs = 30000);

    [[nodiscard]] XChatAccount &account() { return *m_account; }
    [[nodiscard]] store::Store &store() { return *m_store; }
    [[nodiscard]] store::OutboxDispatcher &dispatcher() { return *m_dispatcher; }

    /// Every row of a conversation, oldest first (at most 5000).
    [[nodiscard]] QList<store::Message> messages(qint64 conversationId);
    /// The row with `remoteId`, if the store has it.
    [[nodiscard]] std::optional<store::Message> byRemoteId(qint64 conversationId, const QString &remoteId);
    /// The row with `remoteId`, or an empty Message (id 0) when the store has none.
    [[nodiscard]] store::Message row(qint64 conversationId, const QString &remoteId);
    /// The first row of a conversation whose text is `text`.
    [[nodiscard]] std::optional<store::Message> byText(qint64 conversationId, const QString &text);

private:
    QString m_path;
    crypto::SecureBytes m_sealingKey;
    DeviceKeyStore &m_keys;
    net::StaticBearer m_auth;
    XChatAccountConfig m_config;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<store::OutboxDispatcher> m_dispatcher;
    std::unique_ptr<XChatAccount> m_account;
};

} // namespace confab::xchat::test
