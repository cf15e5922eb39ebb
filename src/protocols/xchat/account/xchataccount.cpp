#include "protocols/xchat/account/xchataccount.h"

#include "core/logging.h"
#include "core/worker.h"
#include "crypto/base64.h"
#include "net/authprovider.h"
#include "net/cancellation.h"
#include "protocols/xchat/account/verifyjob.h"
#include "protocols/xchat/thriftcodec.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPromise>
#include <qcoro/qcorofuture.h>

#include <algorithm>

namespace confab::xchat {

namespace {

constexpr qint64 KeyRefetchMs = 10 * 1000;
constexpr int MaxPages = 1000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Error cancelled()
{
    return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."), QStringLiteral("the account stopped"));
}

Error noConversation(qint64 id)
{
    return Error(ErrorKind::NotFound, QStringLiteral("This conversation is not known to this account."),
                                                     QStringLiteral("conversation %1").arg(id));
}

/// Releases an AsyncLock when it goes out of scope, unless the account that owns the lock is gone
/// meanwhile (a coroutine resumed after the account's destruction unwinds through its guard).
class LockGuard
{
public:
    LockGuard(AsyncLock &lock, std::shared_ptr<bool> alive) : m_lock(lock), m_alive(std::move(alive)) {}
    ~LockGuard()
    {
        if (*m_alive)
            m_lock.release();
    }
    LockGuard(const LockGuard &) = delete;
    LockGuard &operator=(const LockGuard &) = delete;

private:
    AsyncLock &m_lock;
    std::shared_ptr<bool> m_alive;
};

/// Named lists: GCC 12 cannot keep an initializer list's array across a suspension.
QStringList pairOf(const QString &a, const QString &b)
{
    QStringList out;
    out << a;
    if (!b.isEmpty())
        out << b;
    return out;
}

// GCC 12 miscompiles braced temporaries and conditional expressions of class type inside
// coroutines (a temporary is destroyed twice: a double free). The coroutines use these instead.

template<typename T>
T choose(bool condition, const T &ifTrue, const T &ifFalse)
{
    if (condition)
        return ifTrue;
    return ifFalse;
}

std::optional<QString> unlessEmpty(const QString &s)
{
    if (s.isEmpty())
        return std::nullopt;
    return s;
}

/// The name a person sees for a user: display name, else username, else `fallback`.
QString displayName(const RemoteUser &u, const QString &fallback)
{
    if (!u.name.isEmpty())
        return u.name;
    if (!u.username.isEmpty())
        return u.username;
    return fallback;
}

Participant participantOf(const QString &userId, const QString &version, const crypto::P256PublicKey &identityKey)
{
    return Participant{userId, version, identityKey};
}

qint64 sequenceOf(const QByteArray &encoded)
{
    auto event = decodeEventBase64(encoded);
    return event ? fromWire(event.value().sequence_id).toLongLong() : 0;
}

QByteArray outboxPayload(const wire::MessageEntryHolder &contents)
{
    QJsonObject o;
    o.insert(QStringLiteral("v"), 1);
    o.insert(QStringLiteral("contents"), QString::fromLatin1(crypto::base64::encodePadded(encodeThrift(contents))));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/// What the outbox keeps for a message with files: where each file is and what it is. The
/// contents are made at send time, once the files are up (their media_hash_keys).
QByteArray mediaPayload(const QList<store::Attachment> &files, const QString &caption)
{
    QJsonArray list;
    for (const store::Attachment &a : files) {
        QJsonObject f;
        f.insert(QStringLiteral("path"), a.extra.value(QLatin1String("localPath")));
        f.insert(QStringLiteral("key"), a.extra.value(QLatin1String("localKey")));
        f.insert(QStringLiteral("name"), a.fileName);
        f.insert(QStringLiteral("mime"), a.mimeType);
        f.insert(QStringLiteral("size"), QString::number(a.sizeBytes));
        f.insert(QStringLiteral("width"), a.width);
        f.insert(QStringLiteral("height"), a.height);
        f.insert(QStringLiteral("durationMs"), QString::number(a.durationMs));
        list.append(f);
    }
    QJsonObject o;
    o.insert(QStringLiteral("v"), 2);
    o.insert(QStringLiteral("caption"), caption);
    o.insert(QStringLiteral("files"), list);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

MediaType mediaTypeFor(const QString &mime)
{
    if (mime == QLatin1String("image/gif"))
        return MediaType::Gif;
    if (mime == QLatin1String("image/svg+xml"))
        return MediaType::Svg;
    if (mime.startsWith(QLatin1String("image/")))
        return MediaType::Image;
    if (mime.startsWith(QLatin1String("video/")))
        return MediaType::Video;
    if (mime.startsWith(QLatin1String("audio/")))
        return MediaType::Audio;
    return MediaType::File;
}

QString claimedTypeName(MediaType type)
{
    switch (type) {
    case MediaType::Image: return QStringLiteral("image");
    case MediaType::Gif: return QStringLiteral("gif");
    case MediaType::Video: return QStringLiteral("video");
    case MediaType::Audio: return QStringLiteral("audio");
    case MediaType::Svg: return QStringLiteral("svg");
    case MediaType::File: break;
    }
    return QStringLiteral("file");
}

/// Removes the files Confab staged (encrypted) for a message's attachments, on the pool.
void removeStagedFiles(const QList<store::Attachment> &attachments)
{
    QStringList paths;
    for (const store::Attachment &a : attachments) {
        if (!a.extra.value(QLatin1String("localKey")).toString().isEmpty())
            paths << a.extra.value(QLatin1String("localPath")).toString();
    }
    if (!paths.isEmpty()) {
        (void)onWorker([paths] {
            for (const QString &path : paths)
                QFile::remove(path);
            return true;
        });
    }
}

Result<wire::MessageEntryHolder> contentsFromPayload(const QByteArray &payload)
{
    const QJsonObject o = QJsonDocument::fromJson(payload).object();
    auto bytes = crypto::base64::decode(o.value(QLatin1String("contents")).toString().toLatin1());
    if (o.value(QLatin1String("v")).toInt() != 1 || !bytes)
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("This message could not be prepared for sending."),
                                    QStringLiteral("the outbox payload is not an X Chat message"));
    return decodeThrift<wire::MessageEntryHolder>(bytes.value(), "MessageEntryHolder");
}

/// Deleted for everyone: the body goes, the row stays as a marker. False when it was already.
bool deleteForEveryone(store::Message &m)
{
    if (m.deleted)
        return false;
    m.deleted = true;
    m.text.clear();
    m.extra = QJsonObject();
    m.attachments.clear();
    return true;
}

QJsonObject reactionsWith(QJsonObject reactions, const QString &emoji, const QString &userId, bool add)
{
    QJsonArray users = reactions.value(emoji).toArray();
    QJsonArray out;
    for (const QJsonValue &u : users) {
        if (u.toString() != userId)
            out.append(u);
    }
    if (add)
        out.append(userId);
    if (out.isEmpty())
        reactions.remove(emoji);
    else
        reactions.insert(emoji, out);
    return reactions;
}

} // namespace

// ---- AsyncLock --------------------------------------------------------------------------------

bool AsyncLock::Awaiter::await_ready() noexcept
{
    if (lock.m_locked)
        return false;
    lock.m_locked = true;
    return true;
}

AsyncLock::~AsyncLock()
{
    for (const std::coroutine_handle<> waiter : m_waiters) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [waiter] { waiter.resume(); }, Qt::QueuedConnection);
    }
}

void AsyncLock::release()
{
    if (m_waiters.empty()) {
        m_locked = false;
        return;
    }
    // Hand the lock to the next waiter (it stays locked), resumed from the event loop.
    const std::coroutine_handle<> next = m_waiters.front();
    m_waiters.pop_front();
    QMetaObject::invokeMethod(
        QCoreApplication::instance(), [next] { next.resume(); }, Qt::QueuedConnection);
}

// ---- XChatAccount -----------------------------------------------------------------------------

XChatAccount::XChatAccount(XChatAccountConfig config, net::AuthProvider &auth, DeviceKeyStore &keys,
                           store::Store &store, store::OutboxDispatcher &dispatcher, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_auth(auth)
    , m_keyStore(keys)
    , m_store(store)
    , m_dispatcher(dispatcher)
    , m_http(m_config.baseUrl, &auth)
    , m_api(m_http)
    , m_alive(std::make_shared<bool>(true))
{
    m_http.setRetryPolicy(m_config.retry);
    m_poll.setSingleShot(true);
    connect(&m_poll, &QTimer::timeout, this, [this] { pollOnce(); });
    m_focusPoll.setSingleShot(true);
    connect(&m_focusPoll, &QTimer::timeout, this, [this] { pollFocused(); });
    m_typingExpiry.setSingleShot(true);
    connect(&m_typingExpiry, &QTimer::timeout, this, &XChatAccount::expireTyping);
    connect(&m_http, &net::HttpClient::rateLimited, this, [this](const QString &endpoint, const QDateTime &until) {
        qCInfo(lcXChat) << "rate limited:" << endpoint << "until" << until;
        setStatus(Status::RateLimited);
    });
    connect(&m_http, &net::HttpClient::authenticationFailed, this, [this] { setStatus(Status::SignInRequired); });
    connect(&m_dispatcher, &store::OutboxDispatcher::attemptFailed, this,
            [this](qint64 messageId, const confab::Error &, bool willRetry) {
                if (!m_cancelledUploads.remove(messageId)) {
                    if (!willRetry)
                        m_uploads.erase(messageId); // waits for the person now: a retry starts afresh
                    return;
                }
                // A cancelled upload: its attempt has ended, so the message can go.
                m_uploads.erase(messageId);
                QFuture<Result<store::Message>> row = m_store.message(messageId);
                row.then(this, [this, messageId](const Result<store::Message> &m) {
                    if (m)
                        removeStagedFiles(m.value().attachments);
                    (void)m_store.discard(messageId);
                });
            });
    connect(&m_dispatcher, &store::OutboxDispatcher::messageSent, this,
            [this](qint64 messageId, qint64 conversationId) {
                m_uploads.erase(messageId);
                if (!m_actionRows.remove(messageId))
                    return;
                // A reaction or edit: its effect already shows on its target.
                QFuture<Result<store::Message>> row = m_store.message(messageId);
                row.then(this, [this, conversationId](const Result<store::Message> &m) {
                    if (m)
                        (void)m_store.removeMessages(conversationId, {m.value().remoteId});
                });
            });
}

XChatAccount::~XChatAccount()
{
    *m_alive = false;
    m_dispatcher.setTransport(m_accountId, nullptr);
    m_http.shutDown();
}

void XChatAccount::setStatus(Status status)
{
    if (m_status == status)
        return;
    m_status = status;
    Q_EMIT statusChanged(status);
}

QString XChatAccount::fingerprint() const
{
    if (!m_keys)
        return {};
    auto r = m_keys->registration();
    return r ? QString::fromLatin1(r.value().fingerprint) : QString();
}

QString XChatAccount::peerFingerprint(const QString &userId) const
{
    const std::optional<QString> version = m_directory.newestVersion(userId);
    if (!version)
        return {};
    const SigningKeyDirectory::Entry *entry = m_directory.find(userId, *version);
    return entry ? QString::fromLatin1(entry->identityKey.fingerprint()) : QString();
}

QCoro::Task<Result<RemoteUser>> XChatAccount::findUser(QString username)
{
    if (username.startsWith(QLatin1Char('@')))
        username.remove(0, 1);
    co_return co_await m_api.userByUsername(std::move(username));
}

qint64 XChatAccount::conversationId(const QString &remoteId) const
{
    const auto it = m_conversations.find(remoteId);
    return it == m_conversations.end() ? 0 : it->second.localId;
}

LocalIdentity XChatAccount::identity() const
{
    return {m_userId, m_keyVersion, m_keys->identity()};
}

XChatAccount::ConvState &XChatAccount::state(const QString &id)
{
    auto [it, inserted] = m_conversations.try_emplace(id);
    if (inserted) {
        it->second.id = id;
        it->second.group = id.startsWith(QLatin1Char('g'));
        if (!it->second.group)
            it->second.members = id.split(QLatin1Char(':'));
    }
    return it->second;
}

// ---- start, keys ------------------------------------------------------------------------------

QCoro::Task<Result<void>> XChatAccount::start(std::optional<crypto::SecureBytes> backupBlob)
{
    auto alive = m_alive;
    setStatus(Status::Starting);
    auto me = co_await m_api.me();
    if (!*alive)
        co_return cancelled();
    if (!me) {
        setStatus(me.error().kind() == ErrorKind::Unauthorized ? Status::SignInRequired : Status::Offline);
        co_return me.error();
    }
    m_userId = me.value().id;
    m_users.insert(m_userId, me.value());
    // Named: an implicit optional temporary inside a co_await is destroyed twice by GCC 12.
    const std::optional<QString> name = me.value().name;
    auto account = co_await m_store.upsertAccount(store::AccountKind::XChat, m_userId, name);
    if (!*alive)
        co_return cancelled();
    if (!account) {
        setStatus(Status::Failed);
        co_return account.error();
    }
    m_accountId = account.value().id;
    const QJsonObject peers = account.value().syncState.value(QLatin1String("peerKeys")).toObject();
    for (auto it = peers.begin(); it != peers.end(); ++it)
        m_peerVersions.insert(it.key(), it.value().toString());

    // What the store knows already: conversations and their cursors.
    auto known = co_await m_store.conversations(m_accountId);
    if (!*alive)
        co_return cancelled();
    if (!known)
        co_return known.error();
    for (const store::Conversation &c : known.value()) {
        ConvState &conv = state(c.remoteId);
        conv.localId = c.id;
        conv.title = c.title;
        conv.newest = c.syncState.value(QLatin1String("newest")).toString().toLongLong();
        conv.olderToken = c.syncState.value(QLatin1String("older")).toString();
        conv.updatedAt = c.syncState.value(QLatin1String("updatedAt")).toString();
        conv.historyComplete = c.historyComplete;
        m_byLocal.insert(c.id, c.remoteId);
    }

    auto keys = co_await setUpKeys(std::move(backupBlob));
    if (!*alive)
        co_return cancelled();
    if (!keys) {
        setStatus(keys.error().isTransient() ? Status::Offline : Status::Failed);
        co_return keys.error();
    }
    m_dispatcher.setTransport(m_accountId, this);
    auto synced = co_await sync();
    if (!*alive)
        co_return cancelled();
    schedulePoll(pollInterval());
    if (!synced && !synced.error().isTransient())
        co_return synced.error();
    co_return Result<void>();
}

void XChatAccount::stop()
{
    m_poll.stop();
    m_focusPoll.stop();
    m_dispatcher.setTransport(m_accountId, nullptr);
    setStatus(Status::Stopped);
}

QCoro::Task<Result<void>> XChatAccount::setUpKeys(std::optional<crypto::SecureBytes> backupBlob)
{
    auto alive = m_alive;
    if (backupBlob) {
        // A new device: the keys come from the person's backup; find the version they were
        // registered under by comparing with what the server publishes.
        auto restored = crypto::IdentityKeys::fromBackupBlob(*backupBlob);
        if (!restored)
            co_return restored.error();
        const QStringList self = pairOf(m_userId, QString());
        auto fetched = co_await fetchKeys(self, true);
        if (!*alive)
            co_return cancelled();
        if (!fetched)
            co_return fetched.error();
        auto newest = m_directory.newestVersion(m_userId);
        QString version;
        if (newest) {
            const SigningKeyDirectory::Entry *e = m_directory.find(m_userId, *newest);
            if (e && e->identityKey == restored.value().identity().publicKey())
                version = *newest;
        }
        if (version.isEmpty()) {
            co_return Error(ErrorKind::Crypto,
                            QStringLiteral("This backup does not hold the keys your account uses now."),
                                           QStringLiteral("no published key version matches the backup"));
        }
        DeviceKeys saved{restored.value().backupBlob(), version};
        auto stored = co_await m_keyStore.save(m_userId, saved);
        if (!*alive)
            co_return cancelled();
        if (!stored)
            co_return stored.error();
        co_return co_await adoptKeys(std::move(restored).value(), version);
    }

    auto loaded = co_await m_keyStore.load(m_userId);
    if (!*alive)
        co_return cancelled();
    if (!loaded)
        co_return loaded.error();
    if (loaded.value()) {
        auto keys = crypto::IdentityKeys::fromBackupBlob(loaded.value()->backupBlob);
        if (!keys)
            co_return keys.error();
        co_return co_await adoptKeys(std::move(keys).value(), loaded.value()->keyVersion);
    }

    // First sign-in on this device: generate, register, keep.
    auto generated = crypto::IdentityKeys::generate();
    if (!generated)
        co_return generated.error();
    auto registration = generated.value().registration();
    if (!registration)
        co_return registration.error();
    auto version = co_await m_api.registerKeys(m_userId, registration.value());
    if (!*alive)
        co_return cancelled();
    if (!version)
        co_return version.error();
    DeviceKeys saved{generated.value().backupBlob(), version.value()};
    auto stored = co_await m_keyStore.save(m_userId, saved);
    if (!*alive)
        co_return cancelled();
    if (!stored)
        co_return stored.error();
    qCInfo(lcXChat) << "registered this device's keys as version" << version.value();
    co_return co_await adoptKeys(std::move(generated).value(), version.value());
}

QCoro::Task<Result<void>> XChatAccount::adoptKeys(crypto::IdentityKeys keys, QString version)
{
    auto alive = m_alive;
    m_keyVersion = version;
    m_actions = std::make_unique<OutgoingActions>(m_userId, ActionSigner(keys.signing(), version));
    m_keys = std::move(keys);
    // Our own record as the server serves it, so that our own events verify like everyone else's.
    const QStringList self = pairOf(m_userId, QString());
    auto fetched = co_await fetchKeys(self, true);
    if (!*alive)
        co_return cancelled();
    if (!fetched)
        co_return fetched.error();
    const SigningKeyDirectory::Entry *mine = m_directory.find(m_userId, m_keyVersion);
    if (!mine || !(mine->identityKey == m_keys->identity().publicKey())) {
        co_return Error(
            ErrorKind::Crypto,
            QStringLiteral("The server does not list this device's encryption keys. Sign in again."),
                           QStringLiteral("key version %1 is not published for this account").arg(m_keyVersion));
    }
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::fetchKeys(QStringList userIds, bool force)
{
    auto alive = m_alive;
    const qint64 now = nowMs();
    QStringList wanted;
    for (const QString &id : std::as_const(userIds)) {
        if (!id.isEmpty() && (force || now - m_keyFetchedAt.value(id, 0) >= KeyRefetchMs))
            wanted << id;
    }
    if (wanted.isEmpty())
        co_return Result<void>();
    auto records = co_await m_api.publicKeys(wanted);
    if (!*alive)
        co_return cancelled();
    if (!records)
        co_return records.error();
    for (const QString &id : std::as_const(wanted))
        m_keyFetchedAt.insert(id, now);
    for (const PublicKeyRecord &record : records.value()) {
        if (m_directory.find(record.userId, record.version))
            continue;
        // Only records whose key binding verifies are kept (spec §2.1, §2.4 rule 1).
        if (auto added = m_directory.addRecord(record); !added)
            qCWarning(lcXChat) << "refusing a published key of user" << record.userId << "version" << record.version
                               << added.error().toString();
    }
    co_return Result<void>();
}

QCoro::Task<Result<QList<Participant>>> XChatAccount::participantsFor(QStringList userIds)
{
    auto alive = m_alive;
    auto fetched = co_await fetchKeys(userIds, false);
    if (!*alive)
        co_return cancelled();
    if (!fetched)
        co_return fetched.error();
    QList<Participant> out;
    for (const QString &id : std::as_const(userIds)) {
        const auto version = m_directory.newestVersion(id);
        if (!version) {
            co_return Error(ErrorKind::NotFound,
                            QStringLiteral("Someone in this conversation has not set up encrypted messages yet."),
                                           QStringLiteral("user %1 has no binding-verified key").arg(id));
        }
        out.append(participantOf(id, *version, m_directory.find(id, *version)->identityKey));
    }
    co_return out;
}

// ---- sync -------------------------------------------------------------------------------------

QCoro::Task<Result<void>> XChatAccount::sync()
{
    auto alive = m_alive;
    if (m_syncing)
        co_return Result<void>();
    m_syncing = true;
    if (m_status != Status::RateLimited)
        setStatus(Status::Syncing);
    auto listed = co_await syncList();
    if (!*alive)
        co_return cancelled();
    m_syncing = false;
    if (!listed) {
        ++m_failures;
        const ErrorKind kind = listed.error().kind();
        setStatus(kind == ErrorKind::Unauthorized  ? Status::SignInRequired
                  : kind == ErrorKind::RateLimited ? Status::RateLimited
                  : listed.error().isTransient()   ? Status::Offline
                                                   : Status::Failed);
        qCInfo(lcXChat) << "sync failed:" << listed.error().toString();
        Q_EMIT problem(listed.error());
        co_return listed.error();
    }
    m_failures = 0;
    setStatus(Status::Online);
    m_dispatcher.wake();
    Q_EMIT synced();
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::syncList()
{
    auto alive = m_alive;
    QList<RemoteConversation> listed;
    QString token;
    bool single = true;
    QByteArray etag;
    for (int page = 0; page < MaxPages; ++page) {
        auto result = co_await m_api.conversations(token, choose(page == 0, m_listEtag, QByteArray()));
        if (!*alive)
            co_return cancelled();
        if (!result)
            co_return result.error();
        if (result.value().notModified)
            co_return Result<void>(); // nothing new anywhere
        if (page == 0)
            etag = result.value().etag;
        listed += result.value().conversations;
        for (const RemoteUser &u : result.value().users)
            m_users.insert(u.id, u);
        token = result.value().nextToken;
        if (token.isEmpty())
            break;
        single = false;
    }

    QStringList changed;
    for (const RemoteConversation &rc : std::as_const(listed)) {
        ConvState &conv = state(rc.id);
        conv.group = rc.group;
        if (!rc.memberIds.isEmpty())
            conv.members = rc.memberIds;
        conv.admins = rc.adminIds;
        // The title a person sees: the group's name, or the other person's.
        QString title = rc.title;
        QString avatar = rc.avatarUrl;
        if (!rc.group) {
            for (const QString &m : std::as_const(conv.members)) {
                if (m != m_userId) {
                    const RemoteUser u = m_users.value(m);
                    title = displayName(u, m);
                    avatar = u.avatarUrl;
                }
            }
        }
        const bool isNew = conv.localId == 0;
        const bool membersKnown = !conv.members.isEmpty();
        if (isNew || conv.title != title || conv.updatedAt != rc.updatedAt) {
            store::ConversationInput input;
            input.accountId = m_accountId;
            input.remoteId = rc.id;
            input.kind = rc.group ? store::ConversationKind::Group : store::ConversationKind::Direct;
            input.title = title;
            input.avatarUrl = avatar;
            // Muted in X's apps mutes it here; unmuted there leaves a mute made here alone
            // (X's API has no call to mute a conversation, so that one is Confab's own).
            if (rc.muted)
                input.muted = true;
            auto upserted = co_await m_store.upsertConversation(input);
            if (!*alive)
                co_return cancelled();
            if (!upserted)
                co_return upserted.error();
            ConvState &after = state(rc.id);
            after.localId = upserted.value().id;
            after.title = title;
            m_byLocal.insert(after.localId, rc.id);
            if (membersKnown) {
                QList<store::Member> members;
                for (const QString &m : std::as_const(after.members)) {
                    const RemoteUser u = m_users.value(m);
                    store::Member member;
                    member.userId = m;
                    member.displayName = u.name;
                    member.username = u.username;
                    member.avatarUrl = u.avatarUrl;
                    member.admin = after.admins.contains(m);
                    members << member;
                }
                auto set = co_await m_store.setMembers(after.localId, members);
                if (!*alive)
                    co_return cancelled();
                if (!set)
                    co_return set.error();
            }
        }
        ConvState &now = state(rc.id);
        if (isNew || now.newest == 0 || now.updatedAt != rc.updatedAt || rc.updatedAt.isEmpty()) {
            now.updatedAt = rc.updatedAt;
            changed << rc.id;
        }
    }
    // The members' keys of every changed conversation in one lookup (100 users a request), not
    // one per conversation; catchUp() then finds them fresh.
    QStringList people;
    for (const QString &id : std::as_const(changed)) {
        for (const QString &m : std::as_const(state(id).members)) {
            if (!people.contains(m))
                people << m;
        }
    }
    auto prefetched = co_await fetchKeys(people, false);
    if (!*alive)
        co_return cancelled();
    if (!prefetched)
        co_return prefetched.error();
    for (const QString &id : std::as_const(changed)) {
        auto caught = co_await catchUp(id, false, m_config.initialHistory);
        if (!*alive)
            co_return cancelled();
        if (!caught)
            co_return caught.error();
    }
    // Only a complete single-page answer can vouch for "nothing changed" next time.
    m_listEtag = choose(single, etag, QByteArray());
    co_return Result<void>();
}

QCoro::Task<Result<int>> XChatAccount::loadOlder(qint64 conversationId, int count)
{
    auto alive = m_alive;
    const QString id = m_byLocal.value(conversationId);
    if (id.isEmpty())
        co_return noConversation(conversationId);
    int added = 0;
    auto loaded = co_await catchUp(id, true, count, &added);
    if (!*alive)
        co_return cancelled();
    if (!loaded)
        co_return loaded.error();
    co_return added;
}

QCoro::Task<Result<void>> XChatAccount::catchUp(QString id, bool older, int limit, int *added)
{
    auto alive = m_alive;
    ConvState *conv = &state(id);
    co_await conv->lock.acquire();
    if (!*alive)
        co_return cancelled();
    LockGuard guard(conv->lock, alive);
    if (older && conv->historyComplete)
        co_return Result<void>();

    const bool first = conv->newest == 0;
    QString token = choose(older, conv->olderToken, QString());
    if (older && token.isEmpty() && !first)
        co_return Result<void>(); // nothing older was ever offered
    QList<QByteArray> keyEvents;
    QList<QByteArray> events;
    bool reachedKnown = false;
    bool more = false;
    for (int page = 0; page < MaxPages; ++page) {
        auto fetched = co_await m_api.events(id, token, m_config.pageSize);
        if (!*alive)
            co_return cancelled();
        if (!fetched)
            co_return fetched.error();
        for (const QByteArray &k : fetched.value().keyEvents) {
            if (!keyEvents.contains(k))
                keyEvents << k;
        }
        for (const QByteArray &e : fetched.value().events) {
            const qint64 seq = sequenceOf(e);
            if (!older && !first && seq > 0 && seq <= conv->newest) {
                reachedKnown = true;
                continue;
            }
            events << e;
        }
        token = fetched.value().nextToken;
        more = !token.isEmpty();
        if (!more || reachedKnown)
            break;
        if ((older || first) && events.size() >= limit)
            break;
    }
    if (older || first) {
        conv->olderToken = choose(more, token, QString());
        conv->historyComplete = !more;
    }
    auto processed = co_await process(conv, keyEvents, events, added);
    if (!*alive)
        co_return cancelled();
    if (!processed)
        co_return processed.error();
    conv->keysLoaded = true;
    co_return co_await saveSyncState(conv);
}

QCoro::Task<Result<void>> XChatAccount::saveSyncState(ConvState *conv)
{
    auto alive = m_alive;
    QJsonObject sync;
    sync.insert(QStringLiteral("newest"), QString::number(conv->newest));
    sync.insert(QStringLiteral("older"), conv->olderToken);
    sync.insert(QStringLiteral("updatedAt"), conv->updatedAt);
    store::ConversationInput input;
    input.accountId = m_accountId;
    input.remoteId = conv->id;
    input.kind = conv->group ? store::ConversationKind::Group : store::ConversationKind::Direct;
    input.syncState = sync;
    input.historyComplete = conv->historyComplete;
    auto saved = co_await m_store.upsertConversation(input);
    if (!*alive)
        co_return cancelled();
    if (!saved)
        co_return saved.error();
    conv->localId = saved.value().id;
    m_byLocal.insert(conv->localId, conv->id);
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::process(ConvState *conv, QList<QByteArray> keyEvents, QList<QByteArray> events,
                                                int *added)
{
    auto alive = m_alive;
    // Oldest first, so that edits and reactions meet their targets and key changes apply in order.
    std::vector<std::pair<qint64, QByteArray>> ordered;
    ordered.reserve(static_cast<std::size_t>(events.size()));
    QStringList signers;
    bool unknownSigner = false;
    QList<store::IncomingMessage> trustRows;
    auto noteSigner = [&](const wire::MessageEvent &ev, bool keyEvent) {
        if (!ev.__isset.message_event_signature)
            return;
        const QString sender = fromWire(ev.sender_id);
        const QString version = fromWire(ev.message_event_signature.public_key_version);
        if (sender.isEmpty() || version.isEmpty())
            return;
        if (!signers.contains(sender))
            signers << sender;
        // A version this device has never looked up (a peer's new device, say) is fetched now,
        // whatever the refresh interval: else its events would fail verification until then.
        if (!m_directory.find(sender, version) && !m_versionsSought.contains(sender + QLatin1Char('/') + version)) {
            m_versionsSought.insert(sender + QLatin1Char('/') + version);
            unknownSigner = true;
        }
        if (sender == m_userId)
            return;
        const QString previous = m_peerVersions.value(sender);
        if (!previous.isEmpty() && compareVersions(version, previous).value_or(0) <= 0)
            return;
        m_peerVersions.insert(sender, version);
        if (previous.isEmpty())
            return; // first sight: nothing to compare with
        qCInfo(lcXChat) << "user" << sender << "has a new key version" << version << "(was" << previous << ")";
        Q_EMIT peerKeyChanged(sender, previous, version);
        // The trust event, in the timeline where the new key first shows.
        const qint64 seq = fromWire(ev.sequence_id).toLongLong();
        const qint64 prev = fromWire(ev.previous_sequence_id).toLongLong();
        if (!keyEvent && !(prev < seq - 1))
            return;
        store::IncomingMessage row;
        row.remoteId = QStringLiteral("keychange:%1:%2").arg(sender, version);
        row.sequence = keyEvent ? seq : seq - 1;
        row.senderId = sender;
        row.createdMs = fromWire(ev.created_at_msec).toLongLong();
        row.kind = store::MessageKind::KeyChange;
        row.text = QStringLiteral("The encryption key of this contact changed.");
        row.extra.insert(QStringLiteral("userId"), sender);
        row.extra.insert(QStringLiteral("oldVersion"), previous);
        row.extra.insert(QStringLiteral("newVersion"), version);
        trustRows << row;
    };
    for (const QByteArray &k : std::as_const(keyEvents)) {
        if (auto ev = decodeEventBase64(k))
            noteSigner(ev.value(), true);
    }
    for (QByteArray &e : events) {
        auto ev = decodeEventBase64(e);
        const qint64 seq = ev ? fromWire(ev.value().sequence_id).toLongLong() : 0;
        if (ev)
            noteSigner(ev.value(), false);
        ordered.emplace_back(seq, std::move(e));
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    auto keysFetched = co_await fetchKeys(signers, unknownSigner);
    if (!*alive)
        co_return cancelled();
    if (!keysFetched)
        co_return keysFetched.error();

    const std::size_t batchSize = static_cast<std::size_t>(std::max(1, m_config.verifyBatch));
    bool firstBatch = true;
    for (std::size_t start = 0; firstBatch || start < ordered.size(); start += batchSize) {
        VerifyJob job;
        job.myUserId = m_userId;
        job.identity = identity();
        job.directory = m_directory;
        job.ring = conv->ring;
        if (firstBatch)
            job.keyEvents = keyEvents;
        for (std::size_t i = start; i < std::min(ordered.size(), start + batchSize); ++i)
            job.events << ordered[i].second;
        VerifyOutput out = co_await verifyOnWorker(std::move(job));
        if (!*alive)
            co_return cancelled();
        conv->ring = std::move(out.ring);
        if (out.normalized.currentKeyRecipients)
            conv->keyRecipients = *out.normalized.currentKeyRecipients;
        if (firstBatch)
            out.normalized.messages += trustRows;
        firstBatch = false;
        auto applied = co_await apply(conv, std::move(out.normalized), added);
        if (!*alive)
            co_return cancelled();
        if (!applied)
            co_return applied.error();
    }

    if (!trustRows.isEmpty() || !m_peerVersions.isEmpty()) {
        QJsonObject peers;
        for (auto it = m_peerVersions.constBegin(); it != m_peerVersions.constEnd(); ++it)
            peers.insert(it.key(), it.value());
        QJsonObject syncState;
        syncState.insert(QStringLiteral("peerKeys"), peers);
        auto saved = co_await m_store.upsertAccount(store::AccountKind::XChat, m_userId, std::nullopt, syncState);
        if (!*alive)
            co_return cancelled();
        if (!saved)
            co_return saved.error();
    }
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::apply(ConvState *conv, NormalizedEvents n, int *added)
{
    auto alive = m_alive;
    for (const Error &e : std::as_const(n.problems))
        qCInfo(lcXChat) << "an event in" << conv->id << "failed the receiver rules:" << e.toString();
    if (n.unreadable > 0) {
        Q_EMIT problem(Error(ErrorKind::Protocol, tr("%n message(s) from X could not be read.", nullptr, n.unreadable),
                             QStringLiteral("%1 undecodable events in %2").arg(n.unreadable).arg(conv->id)));
    }
    const qint64 localId = conv->localId;
    if (!n.messages.isEmpty()) {
        auto inserted = co_await m_store.insertMessages(localId, n.messages);
        if (!*alive)
            co_return cancelled();
        if (!inserted)
            co_return inserted.error();
        if (added)
            *added += inserted.value().inserted;
    }

    for (const TargetedChange &t : std::as_const(n.changes)) {
        if (t.kind == TargetedChange::Kind::SendFailed)
            continue; // the Failure row says it; the message itself stays as the server has it
        if (t.kind == TargetedChange::Kind::DeleteForSelf) {
            QStringList remoteIds;
            for (qint64 seq : t.targets) {
                auto m = co_await m_store.messageBySequence(localId, seq);
                if (!*alive)
                    co_return cancelled();
                if (m && m.value())
                    remoteIds << m.value()->remoteId;
            }
            if (!remoteIds.isEmpty()) {
                auto removed = co_await m_store.removeMessages(localId, remoteIds);
                if (!*alive)
                    co_return cancelled();
                if (!removed)
                    co_return removed.error();
            }
            continue;
        }
        for (qint64 seq : t.targets) {
            auto target = co_await m_store.messageBySequence(localId, seq);
            if (!*alive)
                co_return cancelled();
            if (!target)
                co_return target.error();
            if (!target.value()) {
                qCDebug(lcXChat) << "a change in" << conv->id << "targets a message not in the store:" << seq;
                continue;
            }
            const QString targetSender = target.value()->senderId;
            const bool actorIsAdmin = conv->admins.contains(t.actorId);
            std::function<bool(store::Message &)> mutate;
            switch (t.kind) {
            case TargetedChange::Kind::ReactionAdd:
            case TargetedChange::Kind::ReactionRemove: {
                const bool add = t.kind == TargetedChange::Kind::ReactionAdd;
                const QString emoji = t.emoji;
                const QString actor = t.actorId;
                mutate = [emoji, actor, add](store::Message &m) {
                    m.extra.insert(QStringLiteral("reactions"),
                                                  reactionsWith(m.extra.value(QLatin1String("reactions")).toObject(),
                                                                emoji, actor, add));
                    return true;
                };
                break;
            }
            case TargetedChange::Kind::Edit: {
                if (t.actorId != targetSender)
                    continue; // only the author edits
                const QString text = t.text;
                const QJsonArray entities = t.entities;
                const qint64 at = t.atMs;
                mutate = [text, entities, at](store::Message &m) {
                    if (m.deleted || at < m.editedMs)
                        return false;
                    m.text = text;
                    m.editedMs = std::max<qint64>(at, 1);
                    if (entities.isEmpty())
                        m.extra.remove(QStringLiteral("entities"));
                    else
                        m.extra.insert(QStringLiteral("entities"), entities);
                    return true;
                };
                break;
            }
            case TargetedChange::Kind::DeleteForAll:
                if (t.actorId != targetSender && !actorIsAdmin)
                    continue; // only the author or an admin deletes for everyone
                mutate = deleteForEveryone;
                break;
            default: continue;
            }
            auto modified = co_await m_store.modifyMessage(localId, target.value()->remoteId, mutate);
            if (!*alive)
                co_return cancelled();
            if (!modified)
                co_return modified.error();
        }
    }

    for (const ReadMarkerChange &r : std::as_const(n.readMarkers)) {
        if (r.userId == m_userId) {
            auto marked = co_await m_store.markRead(localId, r.sequence);
            if (!*alive)
                co_return cancelled();
            if (!marked)
                co_return marked.error();
        } else {
            auto marked = co_await m_store.setMemberReadMarker(localId, r.userId, r.sequence);
            if (!*alive)
                co_return cancelled();
            if (!marked)
                co_return marked.error();
        }
    }

    const qint64 now = nowMs();
    bool typingChangedHere = false;
    for (const TypingNotice &t : std::as_const(n.typing)) {
        const qint64 until = std::max(t.createdMs, now - 1000) + m_config.typingLifetimeMs;
        if (until > now && conv->typing.value(t.userId) < until) {
            typingChangedHere = typingChangedHere || !conv->typing.contains(t.userId);
            conv->typing.insert(t.userId, until);
        }
    }
    // A message from someone ends their typing.
    for (const store::IncomingMessage &m : std::as_const(n.messages)) {
        if (conv->typing.remove(m.senderId) > 0)
            typingChangedHere = true;
    }
    if (typingChangedHere) {
        Q_EMIT typingChanged(localId, conv->typing.keys());
        expireTyping();
    }
    if (n.membersChanged)
        m_listEtag.clear();
    if (n.newestSequence > conv->newest)
        conv->newest = n.newestSequence;
    co_return Result<void>();
}

// ---- conversations and keys -------------------------------------------------------------------

QCoro::Task<Result<XChatAccount::ConvState *>> XChatAccount::conversationFor(qint64 localId)
{
    const QString id = m_byLocal.value(localId);
    if (id.isEmpty())
        co_return noConversation(localId);
    co_return &state(id);
}

QCoro::Task<Result<void>> XChatAccount::postKeyChange(ConvState *conv, QString pathId)
{
    auto alive = m_alive;
    QStringList members = conv->members;
    if (!members.contains(m_userId))
        members.prepend(m_userId);
    auto participants = co_await participantsFor(members);
    if (!*alive)
        co_return cancelled();
    if (!participants)
        co_return participants.error();
    auto change = m_actions->prepareConversationKeyChange(conv->id, participants.value());
    if (!change)
        co_return change.error();
    auto posted = co_await m_api.postKeys(pathId, change.value().requestBody);
    if (!*alive)
        co_return cancelled();
    if (!posted)
        co_return posted.error();
    if (posted.value() != conv->id) {
        co_return Error(ErrorKind::Protocol, QStringLiteral("X answered in a way Confab does not understand."),
                                                            QStringLiteral("keys returned conversation %1 for %2").arg(
                                                                posted.value(), conv->id));
    }
    conv->ring.add(change.value().keyVersion, change.value().conversationKey, ConversationKeyRing::Trust::Verified);
    conv->keyRecipients.clear();
    for (const Participant &p : std::as_const(participants.value()))
        conv->keyRecipients.insert(p.userId, p.publicKeyVersion);
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::ensureSendKey(ConvState *conv)
{
    auto alive = m_alive;
    if (!conv->keysLoaded && conv->localId != 0) {
        // After a restart the ring is empty: the newest page carries every key change for us.
        auto caught = co_await catchUp(conv->id, false, m_config.initialHistory);
        if (!*alive)
            co_return cancelled();
        if (!caught)
            co_return caught.error();
    }
    co_await conv->lock.acquire();
    if (!*alive)
        co_return cancelled();
    LockGuard guard(conv->lock, alive);
    auto fetched = co_await fetchKeys(conv->members, false);
    if (!*alive)
        co_return cancelled();
    if (!fetched)
        co_return fetched.error();
    bool stale = !conv->ring.currentKey();
    for (const QString &m : std::as_const(conv->members)) {
        const auto newest = m_directory.newestVersion(m);
        const QString wrappedFor = conv->keyRecipients.value(m);
        // A member with a newer identity key than the current key was wrapped for (or none at
        // all: a new member) cannot read what we send: rotate.
        if (newest && (wrappedFor.isEmpty() ? !conv->keyRecipients.isEmpty()
                                            : compareVersions(*newest, wrappedFor).value_or(0) > 0))
            stale = true;
    }
    if (!stale)
        co_return Result<void>();
    qCInfo(lcXChat) << "giving" << conv->id << "a new conversation key";
    co_return co_await postKeyChange(conv, conversationPathId(conv->id));
}

QCoro::Task<Result<qint64>> XChatAccount::startDirect(QString userId)
{
    auto alive = m_alive;
    if (!m_actions)
        co_return Error(ErrorKind::Internal, QStringLiteral("The account is not signed in yet."));
    if (userId == m_userId)
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("You cannot start a conversation with yourself."));
    const QString id = directConversationId(m_userId, userId);
    ConvState *conv = &state(id);
    if (conv->localId == 0) {
        auto caught = co_await syncList(); // it may exist on the server already
        if (!*alive)
            co_return cancelled();
        if (!caught)
            co_return caught.error();
    }
    conv = &state(id);
    if (conv->localId == 0) {
        // New: fetch and verify the peer's keys, make a conversation key for both, post it.
        co_await conv->lock.acquire();
        if (!*alive)
            co_return cancelled();
        LockGuard guard(conv->lock, alive);
        conv->members = pairOf(m_userId, userId);
        auto posted = co_await postKeyChange(conv, userId);
        if (!*alive)
            co_return cancelled();
        if (!posted)
            co_return posted.error();
        conv->keysLoaded = true;
        auto users = co_await m_api.users(pairOf(userId, QString()));
        if (!*alive)
            co_return cancelled();
        if (users)
            for (const RemoteUser &u : users.value())
                m_users.insert(u.id, u);
        const RemoteUser peer = m_users.value(userId);
        store::ConversationInput input;
        input.accountId = m_accountId;
        input.remoteId = id;
        input.kind = store::ConversationKind::Direct;
        input.title = displayName(peer, userId);
        input.avatarUrl = peer.avatarUrl;
        input.lastActivityMs = nowMs();
        auto upserted = co_await m_store.upsertConversation(input);
        if (!*alive)
            co_return cancelled();
        if (!upserted)
            co_return upserted.error();
        conv->localId = upserted.value().id;
        conv->title = *input.title;
        m_byLocal.insert(conv->localId, id);
        m_listEtag.clear();
    }
    co_return conv->localId;
}

QCoro::Task<Result<qint64>> XChatAccount::createGroup(QStringList memberIds, QString title, QStringList adminIds)
{
    auto alive = m_alive;
    if (!m_actions)
        co_return Error(ErrorKind::Internal, QStringLiteral("The account is not signed in yet."));
    if (title.contains(QLatin1Char(',')))
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("A group name cannot contain a comma."));
    QStringList members = pairOf(m_userId, QString());
    for (const QString &m : std::as_const(memberIds)) {
        if (!members.contains(m))
            members << m;
    }
    if (adminIds.isEmpty())
        adminIds << m_userId;
    auto participants = co_await participantsFor(members);
    if (!*alive)
        co_return cancelled();
    if (!participants)
        co_return participants.error();
    auto groupId = co_await m_api.initializeGroup();
    if (!*alive)
        co_return cancelled();
    if (!groupId)
        co_return groupId.error();
    const std::optional<QString> name = unlessEmpty(title);
    auto created = m_actions->prepareGroupCreate(groupId.value(), members, adminIds, name, participants.value());
    if (!created)
        co_return created.error();
    auto posted = co_await m_api.createGroup(created.value().requestBody);
    if (!*alive)
        co_return cancelled();
    if (!posted)
        co_return posted.error();
    ConvState *conv = &state(groupId.value());
    conv->group = true;
    conv->members = members;
    conv->admins = adminIds;
    conv->ring.add(created.value().keyVersion, created.value().conversationKey, ConversationKeyRing::Trust::Verified);
    for (const Participant &p : std::as_const(participants.value()))
        conv->keyRecipients.insert(p.userId, p.publicKeyVersion);
    conv->keysLoaded = true;
    m_listEtag.clear();
    auto listed = co_await syncList(); // the group, its roster and its first events
    if (!*alive)
        co_return cancelled();
    if (!listed)
        co_return listed.error();
    conv = &state(groupId.value());
    if (conv->localId == 0) {
        co_return Error(ErrorKind::Protocol, QStringLiteral("The new group did not appear on the server."),
                                                            QStringLiteral("group %1 not listed").arg(groupId.value()));
    }
    co_return conv->localId;
}

QCoro::Task<Result<void>> XChatAccount::addMembers(qint64 conversationId, QStringList userIds)
{
    auto alive = m_alive;
    auto found = co_await conversationFor(conversationId);
    if (!found)
        co_return found.error();
    ConvState *conv = found.value();
    if (!conv->group)
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("Members can only be added to groups."));
    co_await conv->lock.acquire();
    if (!*alive)
        co_return cancelled();
    LockGuard guard(conv->lock, alive);
    QStringList after = conv->members;
    QStringList added;
    for (const QString &u : std::as_const(userIds)) {
        if (!after.contains(u)) {
            after << u;
            added << u;
        }
    }
    if (added.isEmpty())
        co_return Result<void>();
    auto participants = co_await participantsFor(after);
    if (!*alive)
        co_return cancelled();
    if (!participants)
        co_return participants.error();
    GroupRoster roster;
    roster.memberIds = conv->members;
    roster.adminIds = conv->admins;
    if (!conv->title.isEmpty())
        roster.title = conv->title;
    auto change = m_actions->prepareMemberAdd(conv->id, roster, added, participants.value());
    if (!change)
        co_return change.error();
    auto posted = co_await m_api.addMembers(conv->id, change.value().requestBody);
    if (!*alive)
        co_return cancelled();
    if (!posted)
        co_return posted.error();
    // The new key (wrapped for everyone, the new members included) is current from now on.
    conv->ring.add(change.value().keyVersion, change.value().conversationKey, ConversationKeyRing::Trust::Verified);
    conv->keyRecipients.clear();
    for (const Participant &p : std::as_const(participants.value()))
        conv->keyRecipients.insert(p.userId, p.publicKeyVersion);
    conv->members = after;
    m_listEtag.clear();
    co_return Result<void>();
}

// ---- sending ----------------------------------------------------------------------------------

QCoro::Task<Result<store::Message>> XChatAccount::enqueue(ConvState *conv, wire::MessageEntryHolder contents,
                                                          store::OutgoingMessage message)
{
    auto alive = m_alive;
    // The plaintext contents wait in the outbox (sealed at rest); they are encrypted and signed
    // with the conversation's current key at each attempt, under the one message id minted here.
    message.remoteId = newMessageId();
    message.senderId = m_userId;
    message.payload = outboxPayload(contents);
    auto queued = co_await m_store.enqueue(conv->localId, message);
    if (!*alive)
        co_return cancelled();
    co_return queued;
}

QCoro::Task<Result<store::Message>> XChatAccount::sendText(qint64 conversationId, QString text, qint64 replyToMessageId)
{
    auto alive = m_alive;
    if (text.trimmed().isEmpty())
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("There is nothing to send."));
    auto found = co_await conversationFor(conversationId);
    if (!found)
        co_return found.error();
    wire::MessageEntryHolder contents = textContent(text);
    store::OutgoingMessage out;
    out.kind = store::MessageKind::Text;
    out.text = text;
    if (replyToMessageId != 0) {
        auto original = co_await m_store.message(replyToMessageId);
        if (!*alive)
            co_return cancelled();
        if (!original)
            co_return original.error();
        const store::Message &o = original.value();
        auto raw = crypto::base64::decode(o.extra.value(QLatin1String("raw")).toString().toLatin1());
        if (!raw || o.key.pending) {
            co_return Error(ErrorKind::InvalidInput,
                            QStringLiteral("You can only reply to a message that was sent."),
                                           QStringLiteral("message %1 has no signed event").arg(replyToMessageId));
        }
        auto event = decodeThrift<wire::MessageEvent>(raw.value(), "MessageEvent");
        if (!event)
            co_return event.error();
        // The original's decrypted contents, as the reply preview must quote them.
        EventVerifier verifier(identity(), m_directory, found.value()->ring);
        auto verified = verifier.process(event.value());
        if (!verified)
            co_return verified.error();
        const RemoteUser sender = m_users.value(o.senderId);
        auto reply = replyContent(text, verified.value(), unlessEmpty(sender.name));
        if (!reply)
            co_return reply.error();
        contents = std::move(reply).value();
        QJsonObject preview;
        preview.insert(QStringLiteral("sequence"), QString::number(o.key.sortKey));
        preview.insert(QStringLiteral("messageId"), o.remoteId);
        preview.insert(QStringLiteral("senderId"), o.senderId);
        preview.insert(QStringLiteral("senderName"), sender.name);
        preview.insert(QStringLiteral("text"), o.text);
        preview.insert(QStringLiteral("validation"), QStringLiteral("valid"));
        out.extra.insert(QStringLiteral("reply"), preview);
    }
    co_return co_await enqueue(found.value(), std::move(contents), out);
}

QCoro::Task<Result<store::Message>> XChatAccount::sendMedia(qint64 conversationId, QList<store::Attachment> files,
                                                            QString caption)
{
    if (files.isEmpty())
        co_return Error(ErrorKind::InvalidInput, tr("There is nothing to send."));
    if (files.size() > 10)
        co_return Error(ErrorKind::InvalidInput, tr("At most 10 files go in one message."));
    bool allVisual = true;
    for (const store::Attachment &f : std::as_const(files)) {
        const MediaType type = mediaTypeFor(f.mimeType);
        allVisual = allVisual && (type == MediaType::Image || type == MediaType::Gif || type == MediaType::Video);
        if (f.sizeBytes > MaxMediaBytes)
            co_return Error(ErrorKind::InvalidInput,
                            tr("%1 is too large to send: files can have at most 200 MB.").arg(f.fileName),
                            QStringLiteral("%1 bytes").arg(f.sizeBytes));
        if (f.sizeBytes < 0 || f.extra.value(QLatin1String("localPath")).toString().isEmpty())
            co_return Error(ErrorKind::InvalidInput, tr("%1 cannot be read.").arg(f.fileName),
                            QStringLiteral("the attachment names no local file"));
    }
    if (files.size() > 1 && !allVisual)
        co_return Error(ErrorKind::InvalidInput,
                        tr("Several files go in one message only when all are pictures or videos. Send the "
                           "others one at a time."));
    auto found = co_await conversationFor(conversationId);
    if (!found)
        co_return found.error();
    store::OutgoingMessage out;
    out.kind = store::MessageKind::Media;
    out.text = caption.trimmed();
    for (int i = 0; i < files.size(); ++i) {
        store::Attachment a = files.at(i);
        a.ordinal = i;
        a.mediaId.clear();
        a.mediaKey.clear();
        a.extra.insert(QStringLiteral("claimedType"), claimedTypeName(mediaTypeFor(a.mimeType)));
        out.attachments << a;
    }
    out.payload = mediaPayload(out.attachments, out.text);
    out.remoteId = newMessageId();
    out.senderId = m_userId;
    auto alive = m_alive;
    auto queued = co_await m_store.enqueue(found.value()->localId, out);
    if (!*alive)
        co_return cancelled();
    co_return queued;
}

QCoro::Task<Result<void>> XChatAccount::cancelUpload(qint64 messageId)
{
    auto alive = m_alive;
    if (const QPointer<net::Cancellation> running = m_uploadCancels.value(messageId)) {
        // Its attempt is under way: it ends Cancelled, and the message goes then.
        m_cancelledUploads.insert(messageId);
        running->cancel();
        co_return Result<void>();
    }
    auto row = co_await m_store.message(messageId);
    if (!*alive)
        co_return cancelled();
    if (!row)
        co_return row.error();
    auto discarded = co_await m_store.discard(messageId);
    if (!*alive)
        co_return cancelled();
    if (!discarded) {
        if (discarded.error().kind() == ErrorKind::Conflict) {
            // Claimed by the outbox a moment ago: its attempt stops as it starts.
            m_cancelledUploads.insert(messageId);
            co_return Result<void>();
        }
        co_return discarded.error();
    }
    m_uploads.erase(messageId);
    removeStagedFiles(row.value().attachments);
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::react(qint64 messageId, QString emoji, bool add)
{
    auto alive = m_alive;
    auto target = co_await m_store.message(messageId);
    if (!*alive)
        co_return cancelled();
    if (!target)
        co_return target.error();
    const store::Message t = target.value();
    if (t.key.pending)
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("Wait until the message is sent to react to it."));
    auto found = co_await conversationFor(t.conversationId);
    if (!found)
        co_return found.error();
    // Shown at once on the target; the outbox row carries it to the server.
    // Named: GCC 12 destroys a closure temporary with class-type captures twice inside a co_await.
    const auto showReaction = [emoji, me = m_userId, add](store::Message &m) {
        m.extra.insert(QStringLiteral("reactions"), reactionsWith(m.extra.value(QLatin1String("reactions")).toObject(),
                                                                  emoji, me, add));
        return true;
    };
    auto shown = co_await m_store.modifyMessage(t.conversationId, t.remoteId, showReaction);
    if (!*alive)
        co_return cancelled();
    if (!shown)
        co_return shown.error();
    store::OutgoingMessage out;
    out.kind = store::MessageKind::Action;
    out.extra.insert(QStringLiteral("action"),
                                    choose(add, QStringLiteral("reactionAdd"), QStringLiteral("reactionRemove")));
    out.extra.insert(QStringLiteral("target"), QString::number(t.key.sortKey));
    out.text = emoji;
    auto queued = co_await enqueue(found.value(), reactionContent(QString::number(t.key.sortKey), emoji, add), out);
    if (!*alive)
        co_return cancelled();
    if (!queued)
        co_return queued.error();
    m_actionRows.insert(queued.value().id);
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::edit(qint64 messageId, QString text)
{
    auto alive = m_alive;
    if (text.trimmed().isEmpty())
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("An edited message cannot be empty."));
    auto target = co_await m_store.message(messageId);
    if (!*alive)
        co_return cancelled();
    if (!target)
        co_return target.error();
    const store::Message t = target.value();
    if (!t.outgoing || t.senderId != m_userId || t.key.pending || t.deleted)
        co_return Error(ErrorKind::InvalidInput, QStringLiteral("Only your own sent messages can be edited."));
    auto found = co_await conversationFor(t.conversationId);
    if (!found)
        co_return found.error();
    const qint64 at = nowMs();
    const auto showEdit = [text, at](store::Message &m) { // named, as in react()
        m.text = text;
        m.editedMs = at;
        m.extra.remove(QStringLiteral("entities"));
        return true;
    };
    auto shown = co_await m_store.modifyMessage(t.conversationId, t.remoteId, showEdit);
    if (!*alive)
        co_return cancelled();
    if (!shown)
        co_return shown.error();
    store::OutgoingMessage out;
    out.kind = store::MessageKind::Action;
    out.extra.insert(QStringLiteral("action"), QStringLiteral("edit"));
    out.extra.insert(QStringLiteral("target"), QString::number(t.key.sortKey));
    out.text = text;
    auto queued = co_await enqueue(found.value(), editContent(QString::number(t.key.sortKey), text), out);
    if (!*alive)
        co_return cancelled();
    if (!queued)
        co_return queued.error();
    m_actionRows.insert(queued.value().id);
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::deleteMessages(qint64 conversationId, QList<qint64> messageIds,
                                                       bool forEveryone)
{
    auto alive = m_alive;
    auto found = co_await conversationFor(conversationId);
    if (!found)
        co_return found.error();
    QStringList sequences;
    QStringList remoteIds;
    for (qint64 id : std::as_const(messageIds)) {
        auto m = co_await m_store.message(id);
        if (!*alive)
            co_return cancelled();
        if (!m)
            co_return m.error();
        if (m.value().key.pending)
            co_return Error(ErrorKind::InvalidInput,
                            QStringLiteral("A message that is not sent yet is discarded, not deleted."));
        if (forEveryone && m.value().senderId != m_userId && !found.value()->admins.contains(m_userId))
            co_return Error(ErrorKind::Forbidden,
                            QStringLiteral("You can only delete your own messages for everyone."));
        sequences << QString::number(m.value().key.sortKey);
        remoteIds << m.value().remoteId;
    }
    if (sequences.isEmpty())
        co_return Result<void>();
    auto body = m_actions->prepareMessageDelete(found.value()->id, sequences, forEveryone);
    if (!body)
        co_return body.error();
    auto posted = co_await m_api.deleteMessages(found.value()->id, body.value());
    if (!*alive)
        co_return cancelled();
    if (!posted)
        co_return posted.error();
    if (!forEveryone) {
        auto removed = co_await m_store.removeMessages(conversationId, remoteIds);
        if (!*alive)
            co_return cancelled();
        if (!removed)
            co_return removed.error();
        co_return Result<void>();
    }
    for (const QString &remoteId : std::as_const(remoteIds)) {
        auto modified = co_await m_store.modifyMessage(conversationId, remoteId, deleteForEveryone);
        if (!*alive)
            co_return cancelled();
        if (!modified)
            co_return modified.error();
    }
    co_return Result<void>();
}

QCoro::Task<Result<void>> XChatAccount::downloadMedia(qint64 conversationId, QString mediaId, QIODevice *sink,
                                                      std::function<void(qint64, qint64)> progress)
{
    const QString id = m_byLocal.value(conversationId);
    if (id.isEmpty())
        co_return noConversation(conversationId);
    co_return co_await m_api.downloadMedia(id, std::move(mediaId), sink, std::move(progress));
}

QCoro::Task<Result<void>> XChatAccount::markRead(qint64 conversationId)
{
    auto alive = m_alive;
    auto found = co_await conversationFor(conversationId);
    if (!found)
        co_return found.error();
    const qint64 newest = found.value()->newest;
    if (newest <= 0)
        co_return Result<void>();
    auto local = co_await m_store.markRead(conversationId, newest);
    if (!*alive)
        co_return cancelled();
    if (!local)
        co_return local.error();
    co_return co_await m_api.markRead(found.value()->id, QString::number(newest));
}

void XChatAccount::userTyping(qint64 conversationId)
{
    const QString id = m_byLocal.value(conversationId);
    const qint64 now = nowMs();
    if (id.isEmpty() || now - m_typingSent.value(conversationId, 0) < m_config.typingThrottleMs)
        return;
    m_typingSent.insert(conversationId, now);
    auto task = [](XChatApi &api, QString cid) -> QCoro::Task<> {
        auto sent = co_await api.typing(cid);
        if (!sent && sent.error().kind() != ErrorKind::Cancelled)
            qCDebug(lcXChat) << "typing indicator not sent:" << sent.error().toString();
    };
    task(m_api, id);
}

QFuture<Result<store::SendReceipt>> XChatAccount::send(const store::OutboxItem &item)
{
    auto promise = std::make_shared<QPromise<Result<store::SendReceipt>>>();
    QFuture<Result<store::SendReceipt>> future = promise->future();
    promise->start();
    if (item.message.kind == store::MessageKind::Action)
        m_actionRows.insert(item.message.id);
    sendTask(item, promise);
    return future;
}

QCoro::Task<Result<QList<MediaAttachmentInfo>>> XChatAccount::uploadFiles(ConvState *conv, qint64 messageId,
                                                                          QJsonArray files)
{
    auto alive = m_alive;
    const QString version = conv->ring.currentVersion().value_or(QString());
    const crypto::SecureBytes key = *conv->ring.currentKey();
    auto &uploads = m_uploads[messageId];
    bool reusable = uploads.size() == static_cast<std::size_t>(files.size());
    for (const auto &u : uploads)
        reusable = reusable && u->keyVersion() == version;
    if (!reusable) {
        uploads.clear();
        for (const QJsonValue &v : std::as_const(files)) {
            const QJsonObject f = v.toObject();
            UploadSource source;
            source.path = f.value(QLatin1String("path")).toString();
            source.localKey =
                crypto::base64::decode(f.value(QLatin1String("key")).toString().toLatin1()).valueOr(QByteArray());
            source.size = f.value(QLatin1String("size")).toString().toLongLong();
            uploads.push_back(std::make_shared<MediaUpload>(source, conv->id, key, version));
        }
    }
    // Held here: a cancel may drop the account's list while a run is under way.
    const std::vector<std::shared_ptr<MediaUpload>> running = uploads;
    auto sent = std::make_shared<std::vector<qint64>>(running.size(), 0);
    qint64 total = 0;
    for (const auto &u : running)
        total += u->totalBytes();
    const QPointer<net::Cancellation> cancellation = m_uploadCancels.value(messageId);
    QList<MediaAttachmentInfo> infos;
    for (std::size_t i = 0; i < running.size(); ++i) {
        QPointer<XChatAccount> self(this);
        std::function<void(qint64)> progress = [self, messageId, sent, i, total](qint64 bytes) {
            // A segment sent again after a dropped connection does not move the bar back.
            (*sent)[i] = std::max((*sent)[i], bytes);
            qint64 all = 0;
            for (qint64 n : *sent)
                all += n;
            if (self)
                Q_EMIT self->uploadProgress(messageId, all, total);
        };
        if (running[i]->finished())
            progress(running[i]->totalBytes());
        auto run = running[i]->run(m_api, cancellation, progress);
        Result<QString> hashKey = co_await std::move(run);
        if (!*alive)
            co_return cancelled();
        if (!hashKey)
            co_return hashKey.error();
        const QJsonObject f = files.at(static_cast<qsizetype>(i)).toObject();
        MediaAttachmentInfo info;
        info.mediaHashKey = hashKey.value();
        info.width = f.value(QLatin1String("width")).toInteger();
        info.height = f.value(QLatin1String("height")).toInteger();
        info.type = mediaTypeFor(f.value(QLatin1String("mime")).toString());
        info.filesizeBytes = f.value(QLatin1String("size")).toString().toLongLong();
        info.filename = f.value(QLatin1String("name")).toString();
        const qint64 duration = f.value(QLatin1String("durationMs")).toString().toLongLong();
        if (duration > 0)
            info.durationMillis = duration;
        infos << info;
    }
    co_return infos;
}

QCoro::Task<> XChatAccount::sendTask(store::OutboxItem item,
                                     std::shared_ptr<QPromise<Result<store::SendReceipt>>> promise)
{
    auto alive = m_alive;
    auto finish = [promise, alive, this, id = item.message.id](Result<store::SendReceipt> r) {
        // However the attempt ends, its cancel button goes with it.
        if (*alive) {
            if (QPointer<net::Cancellation> button = m_uploadCancels.take(id))
                button->deleteLater();
        }
        promise->addResult(std::move(r));
        promise->finish();
    };
    const QJsonObject payload = QJsonDocument::fromJson(item.payload).object();
    const bool withFiles = payload.value(QLatin1String("v")).toInt() == 2;
    Result<wire::MessageEntryHolder> contents =
        withFiles ? Result<wire::MessageEntryHolder>(wire::MessageEntryHolder()) : contentsFromPayload(item.payload);
    if (!contents) {
        finish(contents.error());
        co_return;
    }
    const qint64 messageId = item.message.id;
    if (withFiles) {
        if (m_cancelledUploads.contains(messageId)) {
            finish(Error(ErrorKind::Cancelled, tr("The upload was cancelled.")));
            co_return;
        }
        // The attempt's cancel button, from now until it ends.
        m_uploadCancels.insert(messageId, new net::Cancellation(this));
    }
    ConvState *conv = &state(item.conversationRemoteId);
    if (conv->localId == 0)
        conv->localId = item.message.conversationId;
    m_byLocal.insert(item.message.conversationId, item.conversationRemoteId);
    auto keyed = co_await ensureSendKey(conv);
    if (!*alive) {
        finish(cancelled());
        co_return;
    }
    if (!keyed) {
        finish(keyed.error());
        co_return;
    }
    const auto version = conv->ring.currentVersion();
    // A copy: the ring may change (and move its keys) while the files go up.
    const std::optional<crypto::SecureBytes> currentKey =
        conv->ring.currentKey() ? std::optional<crypto::SecureBytes>(*conv->ring.currentKey()) : std::nullopt;
    const crypto::SecureBytes *key = currentKey ? &*currentKey : nullptr;
    if (!version || !key) {
        finish(Error(ErrorKind::Crypto, QStringLiteral("This conversation has no key to send with yet."),
                                                       QStringLiteral("no current key in %1").arg(conv->id)));
        co_return;
    }
    if (withFiles) {
        // The files go up first, encrypted with the key the message is sent with.
        const QJsonArray files = payload.value(QLatin1String("files")).toArray();
        auto uploaded = co_await uploadFiles(conv, messageId, files);
        if (!*alive) {
            finish(cancelled());
            co_return;
        }
        if (!uploaded) {
            finish(m_cancelledUploads.contains(messageId) ? Error(ErrorKind::Cancelled, tr("The upload was cancelled."))
                                                          : uploaded.error());
            co_return;
        }
        const QList<MediaAttachmentInfo> infos = uploaded.value();
        contents = mediaContent(infos, payload.value(QLatin1String("caption")).toString());
        // The row learns where its files are and the key that opens them.
        const QByteArray mediaKey = key->toByteArray();
        std::function<bool(store::Message &)> locate = [infos, mediaKey](store::Message &m) {
            for (store::Attachment &a : m.attachments) {
                if (a.ordinal < 0 || a.ordinal >= infos.size())
                    continue;
                a.mediaId = infos.at(a.ordinal).mediaHashKey;
                a.mediaKey = mediaKey;
                if (!a.extra.value(QLatin1String("localKey")).toString().isEmpty()) {
                    // A staged file: it goes once the message is sent, and its key with it.
                    a.extra.remove(QStringLiteral("localKey"));
                    a.extra.remove(QStringLiteral("localPath"));
                }
            }
            return true;
        };
        QFuture<Result<std::optional<store::Message>>> recording =
            m_store.modifyMessage(item.message.conversationId, item.message.remoteId, std::move(locate));
        auto recorded = co_await recording;
        if (!*alive) {
            finish(cancelled());
            co_return;
        }
        if (!recorded) {
            finish(recorded.error());
            co_return;
        }
        if (conv->ring.currentVersion() != version) {
            // The key changed while the files went up: they go again with the new one.
            finish(Error(ErrorKind::Server, tr("The conversation's key changed; the files are sent again.")));
            co_return;
        }
    }
    auto encrypted = m_actions->encryptMessage(conv->id, *key, *version, contents.value(), true, std::nullopt,
                                               item.message.remoteId);
    if (!encrypted) {
        finish(encrypted.error());
        co_return;
    }
    auto event = co_await m_api.sendMessage(conv->id, encrypted.value().requestBody());
    if (!*alive) {
        finish(cancelled());
        co_return;
    }
    if (!event) {
        finish(event.error());
        co_return;
    }
    store::SendReceipt receipt;
    receipt.sequence = fromWire(event.value().sequence_id).toLongLong();
    receipt.createdMs = fromWire(event.value().created_at_msec).toLongLong();
    if (receipt.sequence <= 0) {
        finish(Error(ErrorKind::Protocol, QStringLiteral("X answered in a way Confab does not understand."),
                                                         QStringLiteral("the sent event has no sequence id")));
        co_return;
    }
    if (withFiles)
        removeStagedFiles(item.message.attachments);
    finish(receipt);
}

// ---- live updates -----------------------------------------------------------------------------

int XChatAccount::pollInterval() const
{
    qint64 base = m_windowActive ? m_config.activePollMs : m_config.idlePollMs;
    // Back off on errors: double per failure, up to the cap.
    for (int i = 0; i < std::min(m_failures, 16) && base < m_config.maxPollMs; ++i)
        base *= 2;
    if (m_status == Status::RateLimited)
        base = std::max<qint64>(base, m_config.idlePollMs);
    return static_cast<int>(std::min<qint64>(base, m_config.maxPollMs));
}

void XChatAccount::schedulePoll(int ms)
{
    if (m_status == Status::Stopped || m_status == Status::SignInRequired)
        return;
    m_poll.start(ms);
    if (m_focused != 0 && m_windowActive && !m_focusPoll.isActive())
        m_focusPoll.start(m_config.activePollMs);
}

QCoro::Task<> XChatAccount::pollOnce()
{
    auto alive = m_alive;
    auto synced = co_await sync();
    if (!*alive)
        co_return;
    (void)synced;
    schedulePoll(pollInterval());
}

QCoro::Task<> XChatAccount::pollFocused()
{
    auto alive = m_alive;
    const QString id = m_byLocal.value(m_focused);
    if (id.isEmpty() || !m_windowActive || m_status == Status::Stopped || m_status == Status::SignInRequired)
        co_return;
    // The open conversation's newest page: new messages and who is typing, without waiting for
    // the conversation list to change.
    auto caught = co_await catchUp(id, false, m_config.initialHistory);
    if (!*alive)
        co_return;
    if (!caught)
        qCDebug(lcXChat) << "focused poll failed:" << caught.error().toString();
    if (m_focused != 0 && m_windowActive)
        m_focusPoll.start(caught ? m_config.activePollMs : pollInterval());
}

void XChatAccount::setWindowActive(bool active)
{
    if (m_windowActive == active)
        return;
    m_windowActive = active;
    if (active && m_poll.isActive())
        m_poll.start(std::min(m_poll.remainingTime(), pollInterval()));
    if (active && m_focused != 0)
        m_focusPoll.start(0);
}

void XChatAccount::setFocusedConversation(qint64 conversationId)
{
    m_focused = conversationId;
    if (conversationId == 0)
        m_focusPoll.stop();
    else if (m_windowActive && m_status != Status::Stopped)
        m_focusPoll.start(0);
}

QStringList XChatAccount::typingUsers(qint64 conversationId) const
{
    const auto it = m_conversations.find(m_byLocal.value(conversationId));
    return it == m_conversations.end() ? QStringList() : it->second.typing.keys();
}

void XChatAccount::expireTyping()
{
    const qint64 now = nowMs();
    qint64 next = 0;
    for (auto &[id, conv] : m_conversations) {
        bool changed = false;
        for (auto it = conv.typing.begin(); it != conv.typing.end();) {
            if (it.value() <= now) {
                it = conv.typing.erase(it);
                changed = true;
            } else {
                next = next == 0 ? it.value() : std::min(next, it.value());
                ++it;
            }
        }
        if (changed)
            Q_EMIT typingChanged(conv.localId, conv.typing.keys());
    }
    if (next > 0)
        m_typingExpiry.start(static_cast<int>(next - now));
}

} // namespace confab::xchat
