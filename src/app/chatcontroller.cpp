#include "app/chatcontroller.h"

#include "accounts/account.h"
#include "accounts/accountmanager.h"
#include "app/appsession.h"
#include "app/qmlsingleton.h"
#include "core/logging.h"
#include "core/taskfuture.h"
#include "models/conversationlistmodel.h"
#include "models/memberlistmodel.h"
#include "models/messagelistmodel.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSettings>
#include <qcoro/qcorofuture.h>

#include <utility>

namespace confab {

namespace {

QPointer<ChatController> s_instance;

Error noAccount()
{
    return Error(ErrorKind::NotFound,
                 QCoreApplication::translate("confab::ChatController",
                                             "This conversation's account is signed out. Sign in again to use it."));
}

} // namespace

ChatController::ChatController(AppSession &session, QObject *parent) : QObject(parent), m_session(session)
{
    // Accounts come and go with the session; each one's typing and key changes are passed on.
    connect(&m_session, &AppSession::storeReady, this, [this] {
        accounts::AccountManager *manager = m_session.accountManager();
        if (!manager)
            return;
        for (accounts::Account *account : manager->accounts())
            watch(account);
        connect(manager, &accounts::AccountManager::accountAdded, this, &ChatController::watch);
        connect(m_session.store(), &store::Store::membersChanged, this,
                [this](qint64 conversationId) { m_names.erase(conversationId); });
        // The conversation list shows who is typing, and what waits unsent.
        if (models::ConversationListModel *list = m_session.conversationList()) {
            connect(this, &ChatController::typingChanged, list, &models::ConversationListModel::setTyping);
            connect(this, &ChatController::draftChanged, list, &models::ConversationListModel::setDraft);
        }
        // A conversation that goes takes its draft with it; a recreated cache has new ids.
        connect(m_session.store(), &store::Store::conversationRemoved, this, [this](qint64 conversationId) {
            m_drafts.erase(conversationId);
            m_draftFiles.erase(conversationId);
        });
        connect(m_session.store(), &store::Store::databaseRecreated, this, [this] {
            m_drafts.clear();
            m_draftFiles.clear();
        });
    });
}

void ChatController::keepDraft(qint64 conversationId, const QVariantMap &draft)
{
    if (conversationId == 0)
        return;
    const bool empty = draft.value(QStringLiteral("text")).toString().trimmed().isEmpty() &&
                                   draft.value(QStringLiteral("replyTo")).toLongLong() == 0;
    if (empty)
        m_drafts.erase(conversationId);
    else
        m_drafts[conversationId] = draft;
    updateDraft(conversationId);
}

QVariantMap ChatController::draftOf(qint64 conversationId) const
{
    const auto found = m_drafts.find(conversationId);
    return found == m_drafts.end() ? QVariantMap() : found->second;
}

void ChatController::setDraftFiles(qint64 conversationId, const QStringList &fileNames)
{
    if (fileNames.isEmpty())
        m_draftFiles.erase(conversationId);
    else
        m_draftFiles[conversationId] = fileNames;
    updateDraft(conversationId);
}

void ChatController::updateDraft(qint64 conversationId)
{
    // One line for the conversation list: the text, else the files.
    const auto draft = m_drafts.find(conversationId);
    QString summary =
        draft == m_drafts.end() ? QString() : draft->second.value(QStringLiteral("text")).toString().simplified();
    const auto files = m_draftFiles.find(conversationId);
    if (summary.isEmpty() && files != m_draftFiles.end())
        summary = files->second.size() == 1
            ? QStringLiteral("📎 ") + files->second.first()
            : QStringLiteral("📎 ") + tr("%n file(s)", nullptr, static_cast<int>(files->second.size()));
    Q_EMIT draftChanged(conversationId, summary);
}

ChatController::~ChatController()
{
    *m_alive = false;
}

void ChatController::setInstance(ChatController *instance)
{
    s_instance = instance;
}

ChatController *ChatController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    Q_UNUSED(jsEngine)
    // Views loaded without the app (QML tests): a controller of a session that never starts.
    return qmlSingleton(s_instance, [] {
        auto *session = new AppSession(AppSession::Config{});
        auto *unattached = new ChatController(*session);
        session->setParent(unattached);
        return unattached;
    });
}

void ChatController::watch(accounts::Account *account)
{
    connect(account, &accounts::Account::typingChanged, this,
            [this, account](qint64 conversationId, const QStringList &personIds) {
                (void)announceTyping(account, conversationId, personIds);
            });
    connect(account, &accounts::Account::contactKeyChanged, this, [this, account](const QString &personId) {
        Q_EMIT contactKeyChanged(account->storeAccountId(), personId);
    });
    connect(account, &accounts::Account::uploadProgress, this, [this](qint64 messageId, qint64 sent, qint64 total) {
        if (m_messages)
            m_messages->setUploadProgress(messageId, sent, total);
    });
}

accounts::Account *ChatController::accountFor(qint64 accountId) const
{
    accounts::AccountManager *manager = m_session.accountManager();
    if (!manager || accountId == 0)
        return nullptr;
    for (accounts::Account *account : manager->accounts()) {
        if (account->storeAccountId() == accountId && account->state() != accounts::Account::State::SignedOut)
            return account;
    }
    return nullptr;
}

QCoro::Task<accounts::Account *> ChatController::accountOfConversation(qint64 conversationId)
{
    store::Store *store = m_session.store();
    if (!store)
        co_return nullptr;
    const Result<store::Conversation> conversation = co_await store->conversation(conversationId);
    if (!conversation)
        co_return nullptr;
    co_return accountFor(conversation.value().accountId);
}

void ChatController::fail(const QString &action, const Error &error)
{
    qCInfo(lcUi).noquote() << action << "failed:" << error.toString();
    Q_EMIT actionFailed(action, error.message());
}

// ---- the conversation on screen ------------------------------------------------------------

void ChatController::setFocusedConversation(qint64 conversationId)
{
    if (conversationId == m_focused)
        return;
    m_focused = conversationId;
    // The views may still hold the old models for a moment: they go with the event loop.
    if (models::MessageListModel *old = m_messages.data())
        old->deleteLater();
    if (models::MemberListModel *old = m_members.data())
        old->deleteLater();
    store::Store *store = m_session.store();
    if (conversationId != 0 && store) {
        auto *messages = new models::MessageListModel(*store, conversationId, this);
        messages->setHistorySource([this, conversationId] { return confab::toFuture(loadOlder(conversationId)); });
        m_messages = messages;
        m_members = new models::MemberListModel(*store, conversationId, this);
    }
    Q_EMIT focusedConversationChanged();
    if (accounts::AccountManager *manager = m_session.accountManager()) {
        for (accounts::Account *account : manager->accounts())
            account->setFocusedConversation(0);
    }
    if (conversationId == 0)
        return;
    (void)runFocus(conversationId);
}

QAbstractItemModel *ChatController::messages() const
{
    return m_messages.data();
}

QAbstractItemModel *ChatController::members() const
{
    return m_members.data();
}

QCoro::Task<Result<int>> ChatController::loadOlder(qint64 conversationId)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::Account *account = co_await accountOfConversation(conversationId);
    if (!*alive)
        co_return Error(ErrorKind::Cancelled, QString());
    if (!account)
        co_return noAccount();
    co_return co_await account->loadOlder(conversationId, 100);
}

QCoro::Task<void> ChatController::runFocus(qint64 conversationId)
{
    // The account is found through the store; the focus goes to it when the answer comes.
    const std::shared_ptr<bool> alive = m_alive;
    accounts::Account *account = co_await accountOfConversation(conversationId);
    if (*alive && account && m_focused == conversationId)
        account->setFocusedConversation(conversationId);
}

// ---- messages -------------------------------------------------------------------------------

void ChatController::send(qint64 conversationId, const QString &text, qint64 replyTo)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || conversationId == 0)
        return;
    (void)runSend(conversationId, trimmed, replyTo);
}

QCoro::Task<void> ChatController::runSend(qint64 conversationId, QString text, qint64 replyTo,
                                          QList<store::Attachment> files)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::Account *account = co_await accountOfConversation(conversationId);
    if (!*alive)
        co_return;
    if (!account) {
        fail(QStringLiteral("send"), noAccount());
        co_return;
    }
    // With files, the text is their caption.
    QCoro::Task<Result<store::Message>> sending =
        files.isEmpty() ? account->sendText(conversationId, std::move(text), replyTo)
                        : account->sendMedia(conversationId, std::move(files), std::move(text));
    const Result<store::Message> written = co_await std::move(sending);
    if (*alive && !written)
        fail(QStringLiteral("send"), written.error());
}

void ChatController::react(qint64 messageId, const QString &emoji, bool add)
{
    (void)runOnMessage(messageId, QStringLiteral("react"), emoji, add);
}

void ChatController::edit(qint64 messageId, const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    (void)runOnMessage(messageId, QStringLiteral("edit"), trimmed, false);
}

void ChatController::deleteMessage(qint64 messageId, bool forEveryone)
{
    (void)runOnMessage(messageId, QStringLiteral("delete"), QString(), forEveryone);
}

void ChatController::retry(qint64 messageId)
{
    (void)runOnMessage(messageId, QStringLiteral("retry"), QString(), false);
}

void ChatController::cancelUpload(qint64 messageId)
{
    (void)runOnMessage(messageId, QStringLiteral("cancelUpload"), QString(), false);
}

void ChatController::sendMedia(qint64 conversationId, const QList<store::Attachment> &files, const QString &caption)
{
    if (conversationId != 0 && !files.isEmpty())
        (void)runSend(conversationId, caption.trimmed(), 0, files);
}

void ChatController::discard(qint64 messageId)
{
    (void)runOnMessage(messageId, QStringLiteral("discard"), QString(), false);
}

QCoro::Task<void> ChatController::runOnMessage(qint64 messageId, QString action, QString text, bool flag)
{
    const std::shared_ptr<bool> alive = m_alive;
    store::Store *store = m_session.store();
    if (!store)
        co_return;
    // Retry and discard are the outbox's: the account need not be online for them.
    if (action == QLatin1String("retry")) {
        const Result<store::Message> retried = co_await store->retry(messageId, QDateTime::currentMSecsSinceEpoch());
        if (*alive && !retried)
            fail(action, retried.error());
        co_return;
    }
    if (action == QLatin1String("discard")) {
        const Result<void> discarded = co_await store->discard(messageId);
        if (*alive && !discarded)
            fail(action, discarded.error());
        co_return;
    }
    const Result<store::Message> message = co_await store->message(messageId);
    if (!*alive)
        co_return;
    if (!message) {
        fail(action, message.error());
        co_return;
    }
    const qint64 conversationId = message.value().conversationId;
    accounts::Account *account = co_await accountOfConversation(conversationId);
    if (!*alive)
        co_return;
    if (!account) {
        fail(action, noAccount());
        co_return;
    }
    Result<void> done;
    if (action == QLatin1String("cancelUpload")) {
        done = co_await account->cancelUpload(messageId);
    } else if (action == QLatin1String("react")) {
        done = co_await account->react(messageId, std::move(text), flag);
    } else if (action == QLatin1String("edit")) {
        done = co_await account->edit(messageId, std::move(text));
    } else {
        QList<qint64> ids{messageId};
        done = co_await account->deleteMessages(conversationId, std::move(ids), flag);
    }
    if (*alive && !done)
        fail(action, done.error());
}

void ChatController::markRead(qint64 conversationId)
{
    if (conversationId != 0)
        (void)runMarkRead(conversationId);
}

void ChatController::setMuted(qint64 conversationId, bool muted)
{
    if (conversationId != 0)
        (void)runSetMuted(conversationId, muted);
}

QCoro::Task<void> ChatController::runSetMuted(qint64 conversationId, bool muted)
{
    const std::shared_ptr<bool> alive = m_alive;
    store::Store *store = m_session.store();
    if (!store)
        co_return;
    const Result<store::Conversation> conversation = co_await store->conversation(conversationId);
    if (!*alive)
        co_return;
    if (!conversation) {
        fail(QStringLiteral("mute"), conversation.error());
        co_return;
    }
    store::ConversationInput input;
    input.accountId = conversation.value().accountId;
    input.remoteId = conversation.value().remoteId;
    input.kind = conversation.value().kind;
    input.muted = muted;
    const Result<store::Conversation> written = co_await store->upsertConversation(input);
    if (*alive && !written)
        fail(QStringLiteral("mute"), written.error());
}

QCoro::Task<void> ChatController::runMarkRead(qint64 conversationId)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::Account *account = co_await accountOfConversation(conversationId);
    if (!*alive || !account)
        co_return;
    const Result<void> marked = co_await account->markRead(conversationId);
    if (*alive && !marked)
        qCInfo(lcUi).noquote() << "marking read failed:" << marked.error().toString(); // retried with the next one
}

void ChatController::userTyping(qint64 conversationId)
{
    if (conversationId != 0)
        (void)runTyping(conversationId);
}

QCoro::Task<void> ChatController::runTyping(qint64 conversationId)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::Account *account = co_await accountOfConversation(conversationId);
    if (*alive && account)
        account->userTyping(conversationId);
}

QCoro::Task<void> ChatController::announceTyping(accounts::Account *account, qint64 conversationId,
                                                 QStringList personIds)
{
    const std::shared_ptr<bool> alive = m_alive;
    QPointer<accounts::Account> guard(account);
    store::Store *store = m_session.store();
    // Names come from the conversation's members, read once and kept until they change: a typing
    // line that waits for a busy store would show after the message it announces.
    auto known = m_names.find(conversationId);
    bool missing = known == m_names.end();
    for (const QString &id : std::as_const(personIds))
        missing = missing || !known->second.contains(id);
    if (missing && store) {
        const Result<QList<store::Member>> members = co_await store->members(conversationId);
        if (!*alive)
            co_return;
        if (members) {
            QHash<QString, QString> names;
            for (const store::Member &m : members.value())
                names.insert(m.userId, !m.displayName.isEmpty() ? m.displayName : m.username);
            m_names[conversationId] = names;
        }
    }
    QStringList names;
    const auto found = m_names.find(conversationId);
    for (const QString &id : std::as_const(personIds)) {
        const QString name = found != m_names.end() ? found->second.value(id) : QString();
        names.append(name.isEmpty() ? tr("Someone") : name);
    }
    if (guard)
        Q_EMIT typingChanged(conversationId, names);
}

// ---- people and new conversations -----------------------------------------------------------

void ChatController::findPerson(const QString &accountKey, const QString &handle)
{
    const QString trimmed = handle.trimmed();
    if (!trimmed.isEmpty())
        (void)runFind(accountKey, trimmed);
}

QCoro::Task<void> ChatController::runFind(QString accountKey, QString handle)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::AccountManager *manager = m_session.accountManager();
    accounts::Account *account = manager ? manager->account(accountKey) : nullptr;
    if (!account) {
        fail(QStringLiteral("find"), noAccount());
        co_return;
    }
    const Result<accounts::Person> found = co_await account->findPerson(std::move(handle));
    if (!*alive)
        co_return;
    if (!found) {
        fail(QStringLiteral("find"), found.error());
        co_return;
    }
    Q_EMIT personFound(accountKey, QVariantMap{{QStringLiteral("id"), found.value().id},
                                                {QStringLiteral("name"), found.value().name},
                                                 {QStringLiteral("handle"), found.value().handle},
                                                  {QStringLiteral("avatarUrl"), found.value().avatarUrl}});
}

void ChatController::startDirect(const QString &accountKey, const QString &personId)
{
    (void)runStart(accountKey, QStringList{personId}, QString(), false);
}

void ChatController::createGroup(const QString &accountKey, const QStringList &personIds, const QString &title)
{
    (void)runStart(accountKey, personIds, title.trimmed(), true);
}

QCoro::Task<void> ChatController::runStart(QString accountKey, QStringList personIds, QString title, bool group)
{
    const std::shared_ptr<bool> alive = m_alive;
    accounts::AccountManager *manager = m_session.accountManager();
    accounts::Account *account = manager ? manager->account(accountKey) : nullptr;
    const QString action = group ? QStringLiteral("createGroup") : QStringLiteral("startDirect");
    if (!account || personIds.isEmpty()) {
        fail(action, noAccount());
        co_return;
    }
    Result<qint64> started = qint64(0);
    if (group)
        started = co_await account->createGroup(std::move(personIds), std::move(title));
    else
        started = co_await account->startDirect(personIds.constFirst());
    if (!*alive)
        co_return;
    if (!started) {
        fail(action, started.error());
        co_return;
    }
    Q_EMIT conversationStarted(started.value());
}

// ---- keys -----------------------------------------------------------------------------------

namespace {
/// Where a verified fingerprint is kept in the profile's settings: not secret (the store keeps
/// member ids in the clear too), and only the fingerprint the person compared.
QString verifiedKey(const accounts::Account &account, const QString &personId)
{
    return QStringLiteral("Verified/%1/%2") .arg(
        QString::fromLatin1(account.key().toUtf8().toBase64(QByteArray::Base64UrlEncoding)),
        QString::fromLatin1(personId.toUtf8().toBase64(QByteArray::Base64UrlEncoding)));
}
} // namespace

bool ChatController::isVerified(qint64 accountId, const QString &personId) const
{
    const accounts::Account *account = accountFor(accountId);
    if (!account)
        return false;
    const QString current = account->fingerprintOf(personId);
    return !current.isEmpty() && QSettings(m_session.settingsFile(), QSettings::IniFormat)
                                         .value(verifiedKey(*account, personId))
                                         .toString() == current;
}

void ChatController::setVerified(qint64 accountId, const QString &personId, bool verified)
{
    const accounts::Account *account = accountFor(accountId);
    if (!account)
        return;
    QSettings settings(m_session.settingsFile(), QSettings::IniFormat);
    const QString current = account->fingerprintOf(personId);
    if (verified && !current.isEmpty())
        settings.setValue(verifiedKey(*account, personId), current);
    else
        settings.remove(verifiedKey(*account, personId));
    Q_EMIT verificationChanged(accountId, personId);
}

QString ChatController::ownFingerprint(qint64 accountId) const
{
    const accounts::Account *account = accountFor(accountId);
    return account ? account->ownFingerprint() : QString();
}

QString ChatController::fingerprintOf(qint64 accountId, const QString &personId) const
{
    const accounts::Account *account = accountFor(accountId);
    return account ? account->fingerprintOf(personId) : QString();
}

} // namespace confab
