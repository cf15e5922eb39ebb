#pragma once

#include <QCache>
#include <QImage>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QQuickAsyncImageProvider>

#include <memory>

namespace confab {

/// "image://avatar/<percent-encoded URL>": a person's or group's picture, downloaded once, cut to
/// a circle at the size the view asks for, and kept in memory. Downloads run on the GUI thread's
/// network manager (asynchronously); decoding and cutting run on the thread pool. A picture that
/// cannot be had is an error the view answers with initials.
class AvatarProvider final : public QQuickAsyncImageProvider
{
public:
    AvatarProvider();
    ~AvatarProvider() override;

    QQuickImageResponse *requestImageResponse(const QString &id, const QSize &requestedSize) override;

    /// The circle of `source` at `side` pixels (the image's centre square, scaled smoothly).
    [[nodiscard]] static QImage circle(const QImage &source, int side);

    /// What requests share with the provider; kept alive by requests still running after it went.
    struct Cache
    {
        QMutex mutex;
        QCache<QString, QImage> images{64 * 1024 * 1024 / 4}; ///< cost: pixels; about 64 MiB of ARGB32

        /// The largest picture already made for `url` (at any size), or a null image. Never waits
        /// on the network: for notifications, which show the avatar the window has shown.
        [[nodiscard]] QImage largest(const QString &url);
    };
    [[nodiscard]] std::shared_ptr<Cache> cache() const { return m_cache; }

private:
    QNetworkAccessManager *m_nam; ///< lives on the GUI thread
    std::shared_ptr<Cache> m_cache = std::make_shared<Cache>();
};

} // namespace confab
