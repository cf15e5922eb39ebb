#pragma once

#include "accounts/accountrecord.h"
#include "core/result.h"
#include "store/types.h"

#include <QObject>
#include <QStringList>
#include <qcoro/qcorotask.h>

#include <optional>

namespace confab::accounts {

/// Someone an account can start a conversation with.
struct Person
{
    QString id;     ///< the service's user id
    QString name;   ///< display name
    QString handle; ///< e.g. the X @username, without the "@"
    QString avatarUrl;
};

/// One signed-in account of any kind, as the app and the views see it. Each kind (X Chat now, ACS
/// and AionVision later) implements it around its own engine; AccountManager owns them all, and
/// every engine writes into the one store, so all conversations meet in one list.
class Account : public QObject
{
    Q_OBJECT
public:
    enum class State {
        SignedOut,      ///< in the list, no secrets: sign in again to use it
        Stopped,        ///< not started yet, or stopped
        Starting,       ///< keys, first contact
        Syncing,        ///< fetching what is new
        Online,         ///< up to date, live updates running
        Offline,        ///< the service cannot be reached; retrying
        RateLimited,    ///< the service asked to wait; retrying after the reset
        SignInRequired, ///< the sign-in expired or was revoked: sign in again
        Failed,         ///< something needs the person (see lastProblem())
    };
    Q_ENUM(State)

    explicit Account(AccountRecord record, QObject *parent = nullptr);

    [[nodiscard]] const AccountRecord &record() const { return m_record; }
    [[nodiscard]] QString key() const { return m_record.key; }
    [[nodiscard]] State state() const { return m_state; }
    /// The last problem the account reported, for the UI's account row.
    [[nodiscard]] const std::optional<Error> &lastProblem() const { return m_lastProblem; }

    /// The person holds a key backup of this account's end-to-end keys (exported or restored).
    void noteKeysBackedUp();
    /// Shows that the person must sign in again (secrets missing, sign-in revoked), and why.
    void requireSignIn(const Error &why);

    /// Connects and keeps the account up to date until stop().
    [[nodiscard]] virtual QCoro::Task<Result<void>> start() = 0;
    virtual void stop() = 0;
    /// Revokes at the service what can be revoked (tokens). Best effort: a failure is logged and
    /// signing out goes on.
    [[nodiscard]] virtual QCoro::Task<void> revokeAccess() = 0;
    /// Every SecretStore entry the account owns (wiped when it signs out).
    [[nodiscard]] virtual QStringList secretNames() const = 0;
    /// The account's row in the store (its conversations and messages), 0 before the first start.
    [[nodiscard]] virtual qint64 storeAccountId() const = 0;
    /// Whether the person is looking at Confab: accounts that poll do it faster then.
    virtual void setWindowActive(bool active) = 0;

    // ---- what the views do in this account's conversations (ids are the store's)
    /// Writes a text message (a reply when `replyTo` is set) to the outbox: it shows at once.
    [[nodiscard]] virtual QCoro::Task<Result<store::Message>> sendText(qint64 conversationId, QString text,
                                                                       qint64 replyTo) = 0;
    [[nodiscard]] virtual QCoro::Task<Result<void>> react(qint64 messageId, QString emoji, bool add) = 0;
    [[nodiscard]] virtual QCoro::Task<Result<void>> edit(qint64 messageId, QString text) = 0;
    [[nodiscard]] virtual QCoro::Task<Result<void>> deleteMessages(qint64 conversationId, QList<qint64> messageIds,
                                                                   bool forEveryone) = 0;
    [[nodiscard]] virtual QCoro::Task<Result<void>> markRead(qint64 conversationId) = 0;
    /// An attachment's encrypted bytes (as the service keeps them) into `sink` as they arrive;
    /// `progress` gets (received, total, -1 when unknown). Decrypting is the caller's.
    [[nodiscard]] virtual QCoro::Task<Result<void>> downloadMedia(qint64 conversationId, QString mediaId,
                                                                  QIODevice *sink,
                                                                  std::function<void(qint64, qint64)> progress) = 0;
    /// Writes a message with files (Attachments as the media layer prepared them, each with
    /// `extra.localPath`) and a caption to the outbox: it shows at once, and waits there until
    /// its files are up (uploadProgress).
    [[nodiscard]] virtual QCoro::Task<Result<store::Message>>
    sendMedia(qint64 conversationId, QList<store::Attachment> files, QString caption) = 0;
    /// Stops the upload of a message still in the outbox and removes the message.
    [[nodiscard]] virtual QCoro::Task<Result<void>> cancelUpload(qint64 messageId) = 0;
    /// Older history from the service into the store: how many messages came.
    [[nodiscard]] virtual QCoro::Task<Result<int>> loadOlder(qint64 conversationId, int count) = 0;
    /// The person is typing (the account throttles what it sends).
    virtual void userTyping(qint64 conversationId) = 0;
    /// The conversation on screen (0: none), watched more closely (typing).
    virtual void setFocusedConversation(qint64 conversationId) = 0;
    /// Finds someone by their handle, to start a conversation with.
    [[nodiscard]] virtual QCoro::Task<Result<Person>> findPerson(QString handle) = 0;
    /// Starts (or finds) the 1:1 with `personId`: the conversation's id.
    [[nodiscard]] virtual QCoro::Task<Result<qint64>> startDirect(QString personId) = 0;
    /// Creates a group with these people and this account: the conversation's id.
    [[nodiscard]] virtual QCoro::Task<Result<qint64>> createGroup(QStringList personIds, QString title) = 0;
    /// This account's own key fingerprint, to compare out of band (empty where there is none).
    [[nodiscard]] virtual QString ownFingerprint() const = 0;
    /// A contact's key fingerprint as this account knows it (empty when unknown).
    [[nodiscard]] virtual QString fingerprintOf(const QString &personId) const = 0;

Q_SIGNALS:
    void stateChanged(confab::accounts::Account::State state);
    void problem(const confab::Error &error);
    /// The record changed (name, backup flag): AccountManager saves it.
    void recordChanged();
    /// Who is typing in a conversation now (the service's user ids).
    void typingChanged(qint64 conversationId, const QStringList &personIds);
    /// A contact's keys changed: compare fingerprints again before trusting them.
    void contactKeyChanged(const QString &personId);
    /// Bytes of an outgoing message's files the service has so far (of `total`).
    void uploadProgress(qint64 messageId, qint64 sent, qint64 total);

protected:
    void setState(State state);
    void reportProblem(const Error &error);
    AccountRecord &mutableRecord() { return m_record; }

private:
    AccountRecord m_record;
    State m_state = State::Stopped;
    std::optional<Error> m_lastProblem;
};

} // namespace confab::accounts
