#include "accounts/xchatsession.h"

#include "accounts/secretnames.h"
#include "accounts/tokenentry.h"
#include "core/logging.h"
#include "core/worker.h"
#include "crypto/keybackup.h"
#include "store/outboxdispatcher.h"
#include "store/store.h"

#include <QDateTime>
#include <qcoro/qcorofuture.h>

namespace confab::accounts {

namespace {

Account::State stateFor(xchat::XChatAccount::Status status)
{
    using S = xchat::XChatAccount::Status;
    switch (status) {
    case S::Stopped: return Account::State::Stopped;
    case S::Starting: return Account::State::Starting;
    case S::Syncing: return Account::State::Syncing;
    case S::Online: return Account::State::Online;
    case S::Offline: return Account::State::Offline;
    case S::RateLimited: return Account::State::RateLimited;
    case S::SignInRequired: return Account::State::SignInRequired;
    case S::Failed: return Account::State::Failed;
    }
    return Account::State::Failed;
}

xchat::XChatAccountConfig configFor(xchat::XChatAccountConfig config, const QUrl &server)
{
    config.baseUrl = server;
    return config;
}

secrets::OAuthEndpoints endpointsFor(const AccountRecord &record)
{
    if (record.server.host() == QLatin1String("api.x.com"))
        return secrets::OAuthEndpoints::forX(record.clientId);
    return secrets::OAuthEndpoints::forServer(record.server, record.clientId);
}

} // namespace

XChatSession::XChatSession(AccountRecord record, Parts parts, secrets::OAuthTokens tokens, QObject *parent)
    : Account(std::move(record), parent)
    , m_secrets(parts.secrets)
    , m_store(parts.store)
    , m_oauth(endpointsFor(this->record()))
    , m_tokens(&m_oauth, std::move(tokens))
    , m_deviceKeys(parts.secrets)
    , m_engine(std::make_unique<xchat::XChatAccount>(configFor(parts.config, this->record().server), m_tokens,
                                                     m_deviceKeys, parts.store, parts.dispatcher))
{
    connect(m_engine.get(), &xchat::XChatAccount::statusChanged, this, &XChatSession::onEngineStatus);
    connect(m_engine.get(), &xchat::XChatAccount::problem, this, &XChatSession::reportProblem);
    // The refresh token rotates: the keychain must always hold the newest, or the next start
    // cannot sign in silently.
    connect(&m_tokens, &secrets::OAuthTokenProvider::tokensChanged, this, [this] {
        if (key().isEmpty())
            return; // saved once the first start names the account
        [](XChatSession *self, std::shared_ptr<bool> alive) -> QCoro::Task<> {
            auto saved = co_await self->saveTokens();
            if (*alive && !saved)
                self->reportProblem(saved.error());
        }(this, m_alive);
    });
    connect(&m_tokens, &secrets::OAuthTokenProvider::signInRequired, this, [this](const Error &error) {
        setState(State::SignInRequired);
        reportProblem(error);
    });
}

XChatSession::~XChatSession()
{
    *m_alive = false;
    m_engine.reset();
}

void XChatSession::onEngineStatus(xchat::XChatAccount::Status status)
{
    setState(stateFor(status));
}

QCoro::Task<Result<void>> XChatSession::start()
{
    auto alive = m_alive;
    std::optional<crypto::SecureBytes> restore = std::move(m_restore);
    m_restore.reset();
    auto started = co_await m_engine->start(std::move(restore));
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."));
    // The first start names the account: who the tokens belong to.
    if (!m_engine->userId().isEmpty()) {
        const xchat::RemoteUser me = m_engine->self();
        AccountRecord &r = mutableRecord();
        const bool named = r.userId.isEmpty();
        r.userId = m_engine->userId();
        r.key = AccountRecord::makeKey(r.kind, r.userId, r.server);
        if (!me.username.isEmpty())
            r.username = me.username;
        if (!me.name.isEmpty())
            r.displayName = me.name;
        r.signedOut = false;
        Q_EMIT recordChanged();
        if (named) {
            auto saved = co_await saveTokens();
            if (!*alive)
                co_return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."));
            if (!saved)
                co_return saved.error();
        }
    }
    if (!started) {
        reportProblem(started.error());
        co_return started.error();
    }
    co_return Result<void>();
}

void XChatSession::stop()
{
    m_engine->stop();
}

QCoro::Task<void> XChatSession::revokeAccess()
{
    auto alive = m_alive;
    const secrets::OAuthTokens tokens = m_tokens.tokens();
    // Revoking the refresh token ends the whole sign-in on X (and on confab-localserver); the
    // access token is revoked too in case the server treats them apart.
    if (tokens.hasRefreshToken()) {
        auto revoked = co_await m_oauth.revoke(tokens.refreshToken, secrets::OAuthClient::TokenKind::RefreshToken);
        if (!*alive)
            co_return;
        if (!revoked)
            qCWarning(lcSecrets) << "could not revoke the refresh token:" << revoked.error().toString();
    }
    auto revoked = co_await m_oauth.revoke(tokens.accessToken, secrets::OAuthClient::TokenKind::AccessToken);
    if (*alive && !revoked)
        qCWarning(lcSecrets) << "could not revoke the access token:" << revoked.error().toString();
}

QStringList XChatSession::secretNames() const
{
    QStringList names;
    if (!key().isEmpty())
        names << secretnames::tokens(key());
    if (!record().userId.isEmpty())
        names << secretnames::xchatDeviceKeys(record().userId);
    return names;
}

qint64 XChatSession::storeAccountId() const
{
    return m_engine->accountId();
}

QCoro::Task<Result<void>> XChatSession::saveTokens()
{
    if (key().isEmpty())
        co_return Error(ErrorKind::Internal, QStringLiteral("The account has no name yet."));
    const crypto::SecureBytes entry = encodeTokens(m_tokens.tokens());
    co_return co_await m_secrets.write(secretnames::tokens(key()), entry);
}

QCoro::Task<Result<QByteArray>> XChatSession::exportKeyBackup(QString passphrase)
{
    auto alive = m_alive;
    if (auto ok = crypto::checkPassphrase(passphrase); !ok)
        co_return ok.error();
    auto loaded = co_await m_deviceKeys.load(record().userId);
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."));
    if (!loaded)
        co_return loaded.error();
    if (!loaded.value())
        co_return Error(ErrorKind::NotFound, QStringLiteral("This device has no X Chat keys to back up yet."));
    crypto::KeyBackupContents contents;
    contents.userId = record().userId;
    contents.keyVersion = loaded.value()->keyVersion;
    contents.createdMs = QDateTime::currentMSecsSinceEpoch();
    contents.backupBlob = std::move(loaded.value()->backupBlob);
    // Argon2id takes about half a second and 256 MiB: never on the GUI thread.
    const auto seal = [contents = std::move(contents), passphrase] {
        return crypto::exportKeyBackup(contents, passphrase);
    };
    QFuture<Result<QByteArray>> sealed = onWorker(seal);
    auto text = co_await sealed;
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."));
    if (!text)
        co_return text.error();
    noteKeysBackedUp();
    co_return text.value();
}

} // namespace confab::accounts
