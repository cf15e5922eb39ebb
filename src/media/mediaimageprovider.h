#pragma once

#include <QPointer>
#include <QQuickAsyncImageProvider>

#include <functional>

namespace confab::media {

class MediaLoader;

/// `image://media/<message id>/<ordinal>` (and `image://media/local/<token>` for a file about to
/// be sent, MediaLoader::registerLocal) for QML: an attachment's picture at the size the view
/// asks for (`sourceSize`), decrypted and decoded off the GUI thread by the session's
/// MediaLoader. A picture that cannot be shown fails the Image with a message that says why.
class MediaImageProvider : public QQuickAsyncImageProvider
{
public:
    /// `loader` gives the current session's loader (none before the store is open). `context`
    /// is an object of the GUI thread, where loaders live.
    MediaImageProvider(QObject *context, std::function<MediaLoader *()> loader);

    QQuickImageResponse *requestImageResponse(const QString &id, const QSize &requestedSize) override;

private:
    QPointer<QObject> m_context;
    std::function<MediaLoader *()> m_loader;
};

} // namespace confab::media
