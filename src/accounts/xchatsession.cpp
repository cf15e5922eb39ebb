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
    connect(m_engine.get(), &xchat::XChatAccount::typingChanged, this, &Account::typingChanged);
    connect(m_engine.get(), &xchat::XChatAccount::uploadProgress, this, &Account::uploadProgress);
    connect(m_engine.get(), &xchat::XChatAccount::peerKeyChanged, this,
            [this](const QString &userId) { Q_EMIT contactKeyChanged(userId); });
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

// ---- conversation actions: the engine does them; these only adapt its names and types.

QCoro::Task<Result<store::Message>> XChatSession::sendText(qint64 conversationId, QString text, qint64 replyTo)
{
    co_return co_await m_engine->sendText(conversationId, std::move(text), replyTo);
}

QCoro::Task<Result<void>> XChatSession::react(qint64 messageId, QString emoji, bool add)
{
    co_return co_await m_engine->react(messageId, std::move(emoji), add);
}

QCoro::Task<Result<void>> XChatSession::edit(qint64 messageId, QString text)
{
    co_return co_await m_engine->edit(messageId, std::move(text));
}

QCoro::Task<Result<void>> XChatSession::deleteMessages(qint64 conversationId, QList<qint64> messageIds,
                                                       bool forEveryone)
{
    co_return co_await m_engine->deleteMessages(conversationId, std::move(messageIds), forEveryone);
}

QCoro::Task<Result<void>> XChatSession::markRead(qint64 conversationId)
{
    co_return co_await m_engine->markRead(conversationId);
}

QCoro::Task<Result<void>> XChatSession::downloadMedia(qint64 conversationId, QString mediaId, QIODevice *sink,
                                                      std::function<void(qint64, qint64)> progress)
{
    co_return co_await m_engine->downloadMedia(conversationId, std::move(mediaId), sink, std::move(progress));
}

QCoro::Task<Result<store::Message>> XChatSession::sendMedia(qint64 conversationId, QList<store::Attachment> files,
                                                            QString caption)
{
    co_return co_await m_engine->sendMedia(conversationId, std::move(files), std::move(caption));
}

QCoro::Task<Result<void>> XChatSession::cancelUpload(qint64 messageId)
{
    co_return co_await m_engine->cancelUpload(messageId);
}

QCoro::Task<Result<int>> XChatSession::loadOlder(qint64 conversationId, int count)
{
    co_return co_await m_engine->loadOlder(conversationId, count);
}

QCoro::Task<Result<Person>> XChatSession::findPerson(QString handle)
{
    const Result<xchat::RemoteUser> found = co_await m_engine->findUser(std::move(handle));
    if (!found)
        co_return found.error();
    Person person;
    person.id = found.value().id;
    person.name = found.value().name;
    person.handle = found.value().username;
    person.avatarUrl = found.value().avatarUrl;
    co_return person;
}

QCoro::Task<Result<qint64>> XChatSession::startDirect(QString personId)
{
    co_return co_await m_engine->startDirect(std::move(personId));
}

QCoro::Task<Result<qint64>> XChatSession::createGroup(QStringList personIds, QString title)
{
    co_return co_await m_engine->createGroup(std::move(personIds), std::move(title));
}

} // namespace confab::accounts
