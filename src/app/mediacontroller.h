#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace confab::media {
class MediaCache;
class MediaLoader;
class MediaImageProvider;
} // namespace confab::media

namespace confab {

class AppSession;
class ChatController;

/// Received attachments for the window: a MediaLoader for the session's store, whose downloads go
/// through the conversation's account, with its ciphertext cache in the profile's cache folder
/// (`media/`; a throwaway `session-media/` when the session keeps nothing), and the
/// `image://media/…` provider the views use.
class MediaController : public QObject
{
    Q_OBJECT
public:
    MediaController(AppSession &session, ChatController &chat, QObject *parent = nullptr);
    ~MediaController() override;

    /// The session's loader, or null before the store is open.
    [[nodiscard]] media::MediaLoader *loader() const { return m_loader.get(); }
    /// A provider for the QML engine (which owns it).
    [[nodiscard]] media::MediaImageProvider *makeImageProvider();

private:
    void storeReady();
    void showStates();
    [[nodiscard]] QString throwawayDirectory() const;

    AppSession &m_session;
    ChatController &m_chat;
    std::shared_ptr<media::MediaCache> m_cache;
    std::unique_ptr<media::MediaLoader> m_loader;
};

} // namespace confab
