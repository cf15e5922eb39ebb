#include "media/mediaimageprovider.h"

#include "media/medialoader.h"

#include <QCoreApplication>
#include <QMetaObject>

namespace confab::media {

namespace {

/// What the Image gets: the picture, or why not.
class Response : public QQuickImageResponse
{
    Q_OBJECT
public:
    [[nodiscard]] QQuickTextureFactory *textureFactory() const override
    {
        return QQuickTextureFactory::textureFactoryForImage(m_image);
    }
    [[nodiscard]] QString errorString() const override { return m_error; }

public Q_SLOTS:
    void deliver(const QImage &image, const QString &error)
    {
        m_image = image;
        m_error = error;
        Q_EMIT finished();
    }

private:
    QImage m_image;
    QString m_error;
};

/// Carries the answer from the GUI thread to the response, wherever that lives; a response
/// that was cancelled meanwhile (deleted) simply gets nothing.
class Relay : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void done(const QImage &image, const QString &error);
};

} // namespace

MediaImageProvider::MediaImageProvider(QObject *context, std::function<MediaLoader *()> loader)
    : m_context(context)
    , m_loader(std::move(loader))
{}

QQuickImageResponse *MediaImageProvider::requestImageResponse(const QString &id, const QSize &requestedSize)
{
    auto *response = new Response;
    auto *relay = new Relay;
    QObject::connect(relay, &Relay::done, response, &Response::deliver, Qt::QueuedConnection);
    const QStringList parts = id.split(QLatin1Char('/'));
    bool okMessage = false;
    bool okOrdinal = false;
    const qint64 messageId = parts.value(0).toLongLong(&okMessage);
    const int ordinal = parts.value(1).toInt(&okOrdinal);
    const auto fail = [relay](const QString &why) {
        Q_EMIT relay->done(QImage(), why);
        relay->deleteLater();
    };
    const bool local = parts.value(0) == QLatin1String("local"); // "local/<token>": a file not sent yet
    if (parts.size() != 2 || (!local && (!okMessage || !okOrdinal)) || !m_context) {
        fail(QCoreApplication::translate("confab::media", "This attachment is not available."));
        return response;
    }
    QMetaObject::invokeMethod(
        m_context.data(),
        [loaderOf = m_loader, relay, fail, messageId, ordinal, requestedSize, local, token = parts.value(1)] {
            MediaLoader *loader = loaderOf();
            if (!loader) {
                fail(QCoreApplication::translate("confab::media", "This attachment is not available."));
                return;
            }
            QFuture<Result<Picture>> loading =
                local ? loader->localPicture(token, requestedSize) : loader->picture(messageId, ordinal, requestedSize);
            loading.then([relay](const Result<Picture> &picture) {
                if (picture)
                    Q_EMIT relay->done(picture.value().image, QString());
                else if (picture.error().kind() != ErrorKind::Cancelled)
                    Q_EMIT relay->done(QImage(), picture.error().message());
                relay->deleteLater();
            });
        },
        Qt::QueuedConnection);
    return response;
}

} // namespace confab::media

#include "mediaimageprovider.moc"
