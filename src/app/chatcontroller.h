#pragma once

#include "core/result.h"
#include "store/types.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QString>
#include <QVariantMap>
#include <qcoro/qcorotask.h>

#include <map>
#include <memory>

namespace confab::accounts {
class Account;
}
namespace confab::models {
class MemberListModel;
class MessageListModel;
} // namespace confab::models

namespace confab {

class AppSession;

/// What the views do in conversations, whatever account they belong to: send, reply, react,
/// edit, delete, retry or discard a failed message, mark read, say the person is typing, find
/// people and start conversations, and show key fingerprints. Exposed to QML as the `Chat`
/// singleton of Confab.App. It finds the conversation's account through the store and hands the
/// work to it; results come back as signals, and nothing waits on the GUI thread.
class ChatController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Chat)
    QML_SINGLETON

    /// The conversation on screen (0: none). Its account watches it more closely.
    Q_PROPERTY(qint64 focusedConversation READ focusedConversation WRITE setFocusedConversation NOTIFY
                   focusedConversationChanged)
    /// The focused conversation's messages, newest at row 0 (models::MessageListModel); null when
    /// none is focused.
    Q_PROPERTY(QAbstractItemModel *messages READ messages NOTIFY focusedConversationChanged)
    /// The focused conversation's members (models::MemberListModel); null when none is focused.
    Q_PROPERTY(QAbstractItemModel *members READ members NOTIFY focusedConversationChanged)

public:
    explicit ChatController(AppSession &session, QObject *parent = nullptr);
    ~ChatController() override;

    static void setInstance(ChatController *instance);
    static ChatController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    [[nodiscard]] qint64 focusedConversation() const { return m_focused; }
    void setFocusedConversation(qint64 conversationId);
    [[nodiscard]] QAbstractItemModel *messages() const;
    [[nodiscard]] QAbstractItemModel *members() const;

    /// Sends `text` (trimmed; nothing when empty) as a message, or a reply to `replyTo`.
    Q_INVOKABLE void send(qint64 conversationId, const QString &text, qint64 replyTo = 0);
    Q_INVOKABLE void react(qint64 messageId, const QString &emoji, bool add = true);
    Q_INVOKABLE void edit(qint64 messageId, const QString &text);
    Q_INVOKABLE void deleteMessage(qint64 messageId, bool forEveryone);
    /// A failed message: try again now, or give it up.
    Q_INVOKABLE void retry(qint64 messageId);
    Q_INVOKABLE void discard(qint64 messageId);
    /// Stops sending a message's files and removes the message.
    Q_INVOKABLE void cancelUpload(qint64 messageId);
    /// Sends files (as media::describeFile / stagePicture made them) with a caption.
    void sendMedia(qint64 conversationId, const QList<store::Attachment> &files, const QString &caption);
    Q_INVOKABLE void markRead(qint64 conversationId);
    /// Mutes (or unmutes) the conversation here: no notifications, a grey unread badge. (A
    /// conversation muted in X's own apps stays muted.)
    Q_INVOKABLE void setMuted(qint64 conversationId, bool muted);

    /// What the person wrote in a conversation and has not sent, kept while Confab runs so that
    /// it is there again when the conversation is: {text, replyTo, replySender, replyText}. An
    /// empty text without a reply forgets it. The conversation list shows it as "Draft: …".
    Q_INVOKABLE void keepDraft(qint64 conversationId, const QVariantMap &draft);
    /// The draft kept for a conversation (empty when none).
    Q_INVOKABLE QVariantMap draftOf(qint64 conversationId) const;
    /// The files waiting in a conversation's draft (MediaController keeps them), for the list.
    void setDraftFiles(qint64 conversationId, const QStringList &fileNames);

    /// The account a conversation belongs to (null when there is none any more).
    [[nodiscard]] QCoro::Task<accounts::Account *> accountOfConversation(qint64 conversationId);
    Q_INVOKABLE void userTyping(qint64 conversationId);

    /// Looks for someone by handle in an account: emits personFound or actionFailed("find").
    Q_INVOKABLE void findPerson(const QString &accountKey, const QString &handle);
    /// Starts (or opens) a 1:1: emits conversationStarted.
    Q_INVOKABLE void startDirect(const QString &accountKey, const QString &personId);
    Q_INVOKABLE void createGroup(const QString &accountKey, const QStringList &personIds, const QString &title);

    /// The conversation's account's own key fingerprint (empty while unknown).
    Q_INVOKABLE QString ownFingerprint(qint64 accountId) const;
    /// A contact's key fingerprint as the account knows it (empty while unknown).
    Q_INVOKABLE QString fingerprintOf(qint64 accountId, const QString &personId) const;

    /// Whether the person compared `personId`'s current key fingerprint out of band and said it
    /// matched. A key that changed since is no longer verified.
    Q_INVOKABLE bool isVerified(qint64 accountId, const QString &personId) const;
    /// Records (or withdraws) that the person verified `personId`'s current key fingerprint.
    Q_INVOKABLE void setVerified(qint64 accountId, const QString &personId, bool verified);

    /// The loaded account that owns store account `accountId` (null when none).
    [[nodiscard]] accounts::Account *accountFor(qint64 accountId) const;

Q_SIGNALS:
    void focusedConversationChanged();
    /// Something the person asked for failed: `action` names it ("send", "react", ...).
    void actionFailed(const QString &action, const QString &error);
    /// `person`: id, name, handle, avatarUrl.
    void personFound(const QString &accountKey, const QVariantMap &person);
    void conversationStarted(qint64 conversationId);
    /// Who is typing in a conversation now, by name.
    void typingChanged(qint64 conversationId, const QStringList &names);
    /// A contact's keys changed (compare fingerprints again).
    void contactKeyChanged(qint64 accountId, const QString &personId);
    /// The person marked a key verified or withdrew it.
    void verificationChanged(qint64 accountId, const QString &personId);
    /// What waits unsent in a conversation changed: `summary` is one line (empty: nothing).
    void draftChanged(qint64 conversationId, const QString &summary);

private:
    [[nodiscard]] QCoro::Task<void> runFocus(qint64 conversationId);
    [[nodiscard]] QCoro::Task<Result<int>> loadOlder(qint64 conversationId);
    [[nodiscard]] QCoro::Task<void> runSend(qint64 conversationId, QString text, qint64 replyTo,
                                            QList<store::Attachment> files = {});
    [[nodiscard]] QCoro::Task<void> runOnMessage(qint64 messageId, QString action, QString text, bool flag);
    [[nodiscard]] QCoro::Task<void> runMarkRead(qint64 conversationId);
    [[nodiscard]] QCoro::Task<void> runSetMuted(qint64 conversationId, bool muted);
    [[nodiscard]] QCoro::Task<void> runTyping(qint64 conversationId);
    [[nodiscard]] QCoro::Task<void> runFind(QString accountKey, QString handle);
    [[nodiscard]] QCoro::Task<void> runStart(QString accountKey, QStringList personIds, QString title, bool group);
    [[nodiscard]] QCoro::Task<void> announceTyping(accounts::Account *account, qint64 conversationId,
                                                   QStringList personIds);
    void watch(accounts::Account *account);
    void fail(const QString &action, const Error &error);
    void updateDraft(qint64 conversationId);

    AppSession &m_session;
    qint64 m_focused = 0;
    QPointer<models::MessageListModel> m_messages;
    QPointer<models::MemberListModel> m_members;
    std::map<qint64, QHash<QString, QString>> m_names; ///< conversation -> member id -> name (typing lines)
    std::map<qint64, QVariantMap> m_drafts;            ///< conversation -> unsent text and reply
    std::map<qint64, QStringList> m_draftFiles;        ///< conversation -> files waiting to be sent
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace confab
