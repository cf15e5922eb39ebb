#include "app/avatarprovider.h"

#include "core/logging.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QImageReader>
#include <QNetworkReply>
#include <QPainter>
#include <QPainterPath>
#include <QPointer>
#include <QRunnable>
#include <QThreadPool>
#include <QUrl>

#include <algorithm>

namespace confab {

namespace {
constexpr qint64 MaxAvatarBytes = 4 * 1024 * 1024;
constexpr int MaxSide = 512;
} // namespace

/// One request: downloads (on the GUI thread), then decodes and cuts (on the pool).
class AvatarResponse final : public QQuickImageResponse
{
public:
    AvatarResponse(QNetworkAccessManager *nam, std::shared_ptr<AvatarProvider::Cache> cache, QString key, QUrl url,
                   int side)
        : m_nam(nam)
        , m_cache(std::move(cache))
        , m_key(std::move(key))
        , m_url(std::move(url))
        , m_side(side)
    {}

    void start()
    {
        if (m_url.scheme() != QLatin1String("http") && m_url.scheme() != QLatin1String("https")) {
            // Queued: the view connects to finished() after this request returns.
            QMetaObject::invokeMethod(
                this, [this] { fail(QStringLiteral("not a web address")); }, Qt::QueuedConnection);
            return;
        }
        QPointer<AvatarResponse> self(this);
        QNetworkAccessManager *nam = m_nam;
        QMetaObject::invokeMethod(nam, [self, nam, url = m_url] {
            if (!self)
                return;
            QNetworkRequest request(url);
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
            request.setTransferTimeout(30'000);
            QNetworkReply *reply = nam->get(request);
            QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
                if (received > MaxAvatarBytes)
                    reply->abort();
            });
            QObject::connect(reply, &QNetworkReply::finished, reply, [self, reply] {
                reply->deleteLater();
                if (!self)
                    return;
                if (reply->error() != QNetworkReply::NoError) {
                    self->fail(reply->errorString());
                    return;
                }
                self->decode(reply->readAll());
            });
        });
    }

    [[nodiscard]] QQuickTextureFactory *textureFactory() const override
    {
        return QQuickTextureFactory::textureFactoryForImage(m_image);
    }
    [[nodiscard]] QString errorString() const override { return m_error; }

    void finishWith(const QImage &image)
    {
        m_image = image;
        Q_EMIT finished();
    }

private:
    void decode(QByteArray bytes)
    {
        QPointer<AvatarResponse> self(this);
        QThreadPool::globalInstance()->start(
            [self, bytes = std::move(bytes), side = m_side, key = m_key, cache = m_cache] {
                QImageReader reader;
                QByteArray data = bytes;
                QBuffer buffer(&data);
                buffer.open(QIODevice::ReadOnly);
                reader.setDevice(&buffer);
                reader.setAllocationLimit(64); // MiB: a picture this large is not an avatar
                const QSize size = reader.size();
                if (size.isValid() && std::max(size.width(), size.height()) > 2 * MaxSide)
                    reader.setScaledSize(size.scaled(2 * MaxSide, 2 * MaxSide, Qt::KeepAspectRatio));
                const QImage image = reader.read();
                QImage round = image.isNull() ? QImage() : AvatarProvider::circle(image, side);
                if (!round.isNull()) {
                    QMutexLocker lock(&cache->mutex);
                    cache->images.insert(key, new QImage(round), round.width() * round.height());
                }
                QMetaObject::invokeMethod(qApp, [self, round, error = reader.errorString()] {
                    if (!self)
                        return;
                    if (round.isNull())
                        self->fail(error);
                    else
                        self->finishWith(round);
                });
            });
    }
    void fail(const QString &why)
    {
        qCDebug(lcUi).noquote() << "avatar" << m_url.toDisplayString() << "unavailable:" << why;
        m_error = why;
        Q_EMIT finished();
    }
    QNetworkAccessManager *m_nam;
    std::shared_ptr<AvatarProvider::Cache> m_cache;
    QString m_key;
    QUrl m_url;
    int m_side;
    QImage m_image;
    QString m_error;
};

AvatarProvider::AvatarProvider() : m_nam(new QNetworkAccessManager(qApp)) {}

AvatarProvider::~AvatarProvider() = default;

QQuickImageResponse *AvatarProvider::requestImageResponse(const QString &id, const QSize &requestedSize)
{
    const int side = std::clamp(std::max(requestedSize.width(), requestedSize.height()), 16, MaxSide);
    const QUrl url(QUrl::fromPercentEncoding(id.toUtf8()));
    const QString key = QString::number(side) + QLatin1Char(' ') + url.toString();
    auto *response = new AvatarResponse(m_nam, m_cache, key, url, side);
    QImage cached;
    {
        QMutexLocker lock(&m_cache->mutex);
        if (const QImage *found = m_cache->images.object(key))
            cached = *found;
    }
    if (!cached.isNull()) {
        QMetaObject::invokeMethod(
            response, [response, cached] { response->finishWith(cached); }, Qt::QueuedConnection);
        return response;
    }
    response->start();
    return response;
}

QImage AvatarProvider::Cache::largest(const QString &url)
{
    const QMutexLocker lock(&mutex);
    const QString suffix = QLatin1Char(' ') + url;
    const QImage *best = nullptr;
    for (const QString &key : images.keys()) {
        if (!key.endsWith(suffix))
            continue;
        const QImage *image = images.object(key);
        if (image && (!best || image->width() > best->width()))
            best = image;
    }
    return best ? *best : QImage();
}

QImage AvatarProvider::circle(const QImage &source, int side)
{
    const int square = std::min(source.width(), source.height());
    const QImage centre = source.copy((source.width() - square) / 2, (source.height() - square) / 2, square, square)
                              .scaled(side, side, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    QImage out(side, side, QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addEllipse(QRectF(0, 0, side, side));
    painter.setClipPath(path);
    painter.drawImage(0, 0, centre);
    return out;
}

} // namespace confab
