#pragma once

#include "accounts/account.h"
#include "accounts/secretdevicekeystore.h"
#include "protocols/xchat/account/xchataccount.h"
#include "secrets/oauthclient.h"
#include "secrets/oauthtokenprovider.h"

#include <memory>
#include <optional>

namespace confab::store {
class OutboxDispatcher;
class Store;
} // namespace confab::store

namespace confab::accounts {

/// An X Chat account: its OAuth tokens (refreshed, rotated and kept in the SecretStore), its
/// device keys (SecretDeviceKeyStore) and the engine (xchat::XChatAccount) that syncs into the
/// shared store and sends from its outbox.
class XChatSession final : public Account
{
    Q_OBJECT
public:
    struct Parts
    {
        secrets::SecretStore &secrets;
        store::Store &store;
        store::OutboxDispatcher &dispatcher;
        xchat::XChatAccountConfig config; ///< baseUrl is the record's server
    };

    /// `record.userId` may be empty for a sign-in in progress: start() fills it in.
    XChatSession(AccountRecord record, Parts parts, secrets::OAuthTokens tokens, QObject *parent = nullptr);
    ~XChatSession() override;

    /// The keys to restore from a key backup at the next start() (a new device).
    void restoreKeysAtStart(crypto::SecureBytes backupBlob) { m_restore = std::move(backupBlob); }

    [[nodiscard]] QCoro::Task<Result<void>> start() override;
    void stop() override;
    [[nodiscard]] QCoro::Task<void> revokeAccess() override;
    void setWindowActive(bool active) override { m_engine->setWindowActive(active); }
    [[nodiscard]] QStringList secretNames() const override;
    [[nodiscard]] qint64 storeAccountId() const override;

    [[nodiscard]] QCoro::Task<Result<store::Message>> sendText(qint64 conversationId, QString text,
                                                               qint64 replyTo) override;
    [[nodiscard]] QCoro::Task<Result<void>> react(qint64 messageId, QString emoji, bool add) override;
    [[nodiscard]] QCoro::Task<Result<void>> edit(qint64 messageId, QString text) override;
    [[nodiscard]] QCoro::Task<Result<void>> deleteMessages(qint64 conversationId, QList<qint64> messageIds,
                                                           bool forEveryone) override;
    [[nodiscard]] QCoro::Task<Result<void>> markRead(qint64 conversationId) override;
    [[nodiscard]] QCoro::Task<Result<store::Message>> sendMedia(qint64 conversationId, QList<store::Attachment> files,
                                                                QString caption) override;
    [[nodiscard]] QCoro::Task<Result<void>> cancelUpload(qint64 messageId) override;
    [[nodiscard]] QCoro::Task<Result<void>> downloadMedia(qint64 conversationId, QString mediaId, QIODevice *sink,
                                                          std::function<void(qint64, qint64)> progress) override;
    [[nodiscard]] QCoro::Task<Result<int>> loadOlder(qint64 conversationId, int count) override;
    void userTyping(qint64 conversationId) override { m_engine->userTyping(conversationId); }
    void setFocusedConversation(qint64 conversationId) override { m_engine->setFocusedConversation(conversationId); }
    [[nodiscard]] QCoro::Task<Result<Person>> findPerson(QString handle) override;
    [[nodiscard]] QCoro::Task<Result<qint64>> startDirect(QString personId) override;
    [[nodiscard]] QCoro::Task<Result<qint64>> createGroup(QStringList personIds, QString title) override;
    [[nodiscard]] QString ownFingerprint() const override { return m_engine->fingerprint(); }
    [[nodiscard]] QString fingerprintOf(const QString &personId) const override
    {
        return m_engine->peerFingerprint(personId);
    }

    /// Saves the current tokens under the record's key (after the first start names it).
    [[nodiscard]] QCoro::Task<Result<void>> saveTokens();
    /// This device's keys as a passphrase-protected backup text (crypto::exportKeyBackup), made
    /// on a worker thread; marks the record as backed up.
    [[nodiscard]] QCoro::Task<Result<QByteArray>> exportKeyBackup(QString passphrase);

    [[nodiscard]] xchat::XChatAccount &engine() { return *m_engine; }
    [[nodiscard]] secrets::OAuthTokenProvider &tokenProvider() { return m_tokens; }

private:
    void onEngineStatus(xchat::XChatAccount::Status status);

    secrets::SecretStore &m_secrets;
    store::Store &m_store;
    secrets::OAuthClient m_oauth;
    secrets::OAuthTokenProvider m_tokens;
    SecretDeviceKeyStore m_deviceKeys;
    std::unique_ptr<xchat::XChatAccount> m_engine;
    std::optional<crypto::SecureBytes> m_restore;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace confab::accounts
