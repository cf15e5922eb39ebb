#include "app/mediacontroller.h"

#include "accounts/account.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "media/mediacache.h"
#include "media/mediaimageprovider.h"
#include "media/medialoader.h"
#include "models/messagelistmodel.h"

#include <QDir>
#include <QPointer>

namespace confab {

MediaController::MediaController(AppSession &session, ChatController &chat, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_chat(chat)
{
    connect(&m_session, &AppSession::storeReady, this, &MediaController::storeReady);
    connect(&m_chat, &ChatController::focusedConversationChanged, this, &MediaController::showStates);
}

void MediaController::showStates()
{
    // The open conversation's timeline shows where each attachment stands.
    auto *messages = qobject_cast<models::MessageListModel *>(m_chat.messages());
    if (!messages || !m_loader)
        return;
    QPointer<media::MediaLoader> loader(m_loader.get());
    messages->setAttachmentStates([loader](qint64 conversationId, const QString &mediaId) {
        const media::MediaLoader *current = loader.data();
        return current != nullptr ? current->stateOf(conversationId, mediaId) : QString();
    });
    connect(m_loader.get(), &media::MediaLoader::stateChanged, messages,
            [messages](qint64 messageId, int) { messages->attachmentStateChanged(messageId); });
}

MediaController::~MediaController()
{
    m_loader.reset();
    m_cache.reset();
    if (m_session.isEphemeral() || !m_session.secretsPersistent())
        QDir(throwawayDirectory()).removeRecursively();
}

QString MediaController::throwawayDirectory() const
{
    return m_session.cacheDir() + QStringLiteral("/session-media");
}

void MediaController::storeReady()
{
    store::Store *store = m_session.store();
    if (!store || m_session.cacheDir().isEmpty())
        return;
    m_loader.reset();
    // With the session's secrets gone at quit, its attachments would be of no use afterwards.
    const bool throwaway = m_session.isEphemeral() || !m_session.secretsPersistent();
    if (throwaway)
        QDir(throwawayDirectory()).removeRecursively();
    m_cache = std::make_shared<media::MediaCache>(throwaway ? throwawayDirectory()
                                                            : m_session.cacheDir() + QStringLiteral("/media"));
    QPointer<ChatController> chat(&m_chat);
    auto fetch = [chat](qint64 conversationId, QString mediaId, QIODevice *sink,
                        std::function<void(qint64, qint64)> progress) -> QCoro::Task<Result<void>> {
        if (!chat)
            co_return Error(ErrorKind::Cancelled, QString());
        QCoro::Task<accounts::Account *> finding = chat->accountOfConversation(conversationId);
        accounts::Account *account = co_await std::move(finding);
        if (!account)
            co_return Error(ErrorKind::NotFound,
                            tr("The account of this conversation is gone: its attachments cannot be downloaded."));
        QCoro::Task<Result<void>> downloading =
            account->downloadMedia(conversationId, std::move(mediaId), sink, std::move(progress));
        co_return co_await std::move(downloading);
    };
    m_loader = std::make_unique<media::MediaLoader>(*store, m_cache, std::move(fetch));
    showStates();
}

media::MediaImageProvider *MediaController::makeImageProvider()
{
    QPointer<MediaController> self(this);
    return new media::MediaImageProvider(this, [self]() -> media::MediaLoader * {
        const MediaController *controller = self.data();
        return controller != nullptr ? controller->m_loader.get() : nullptr;
    });
}

} // namespace confab
