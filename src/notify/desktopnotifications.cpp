#include "notify/desktopnotifications.h"

#include "core/logging.h"

#include <QDBusArgument>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QVariantMap>

namespace confab::notify {

namespace {

/// The `image-data` hint: (iiibiiay) width, height, rowstride, alpha, bits per sample, channels,
/// RGBA bytes.
struct ImageData
{
    QImage image; ///< Format_RGBA8888
};

QDBusArgument &operator<<(QDBusArgument &argument, const ImageData &data)
{
    const QImage &i = data.image;
    argument.beginStructure();
    argument << i.width() << i.height() << static_cast<int>(i.bytesPerLine()) << true << 8 << 4
             << QByteArray(reinterpret_cast<const char *>(i.constBits()), static_cast<int>(i.sizeInBytes()));
    argument.endStructure();
    return argument;
}

const QDBusArgument &operator>>(const QDBusArgument &argument, ImageData &data)
{
    // Only ever sent; reading it back is not needed, but QtDBus wants both directions.
    data = ImageData{};
    argument.beginStructure();
    int width = 0;
    int height = 0;
    int stride = 0;
    bool alpha = false;
    int bits = 0;
    int channels = 0;
    QByteArray bytes;
    argument >> width >> height >> stride >> alpha >> bits >> channels >> bytes;
    argument.endStructure();
    return argument;
}

constexpr int NotifyTimeoutMs = 5000; ///< a server that does not answer in time: no notification
constexpr int AvatarPixels = 96;      ///< what a notification shows at most; keeps the message small

} // namespace

} // namespace confab::notify

Q_DECLARE_METATYPE(confab::notify::ImageData)

namespace confab::notify {

DesktopNotifications::DesktopNotifications(QString appName, QString desktopEntry, QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_appName(std::move(appName))
    , m_desktopEntry(std::move(desktopEntry))
    , m_bus(std::move(bus))
{
    qDBusRegisterMetaType<ImageData>();
    if (!m_bus.isConnected()) {
        qCInfo(lcNotify) << "no session bus: notifications show as the unread count only";
        return;
    }
    m_watcher =
        new QDBusServiceWatcher(QString::fromLatin1(Service), m_bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(m_watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &newOwner) {
                m_ours.clear();
                if (newOwner.isEmpty()) {
                    m_capabilities.clear();
                    if (m_available) {
                        m_available = false;
                        Q_EMIT availableChanged();
                    }
                    return;
                }
                askCapabilities();
            });
    const QString service = QString::fromLatin1(Service);
    const QString path = QString::fromLatin1(Path);
    const QString iface = QString::fromLatin1(Interface);
    m_bus.connect(service, path, iface, QStringLiteral("ActionInvoked"), this, SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(service, path, iface,
                  QStringLiteral("NotificationReplied"), this, SLOT(onNotificationReplied(uint, QString)));
    m_bus.connect(service, path, iface,
                  QStringLiteral("NotificationClosed"), this, SLOT(onNotificationClosed(uint, uint)));
    askCapabilities();
}

DesktopNotifications::~DesktopNotifications() = default;

void DesktopNotifications::askCapabilities()
{
    const quint64 generation = ++m_generation;
    QDBusMessage call =
        QDBusMessage::createMethodCall(QString::fromLatin1(Service), QString::fromLatin1(Path),
                                       QString::fromLatin1(Interface), QStringLiteral("GetCapabilities"));
    // A service that is not running is started by the bus where it can be (activation).
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, NotifyTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, generation](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        if (generation != m_generation)
            return;
        const QDBusPendingReply<QStringList> reply = *w;
        const bool was = m_available;
        if (reply.isError()) {
            qCInfo(lcNotify).noquote() << "no notification service:" << reply.error().message()
                                       << "(the unread count still shows)";
            m_capabilities.clear();
            m_available = false;
        } else {
            const QStringList caps = reply.value();
            m_capabilities = QSet<QString>(caps.begin(), caps.end());
            m_available = true;
            qCInfo(lcNotify).noquote() << "notification service capabilities:" << caps.join(QLatin1Char(' '));
        }
        if (was != m_available)
            Q_EMIT availableChanged();
    });
}

QString DesktopNotifications::escapeMarkup(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('&'))
            out += QLatin1String("&amp;");
        else if (c == QLatin1Char('<'))
            out += QLatin1String("&lt;");
        else if (c == QLatin1Char('>'))
            out += QLatin1String("&gt;");
        else
            out += c;
    }
    return out;
}

void DesktopNotifications::show(const Notification &n, std::function<void(uint)> shown)
{
    if (!m_bus.isConnected()) {
        if (shown)
            shown(0);
        return;
    }
    QStringList actions;
    const bool actionsShown = m_capabilities.isEmpty() || hasCapability(QStringLiteral("actions"));
    if (actionsShown) {
        for (const auto &[key, label] : n.actions)
            actions << key << label;
    }
    QVariantMap hints;
    hints.insert(QStringLiteral("desktop-entry"), m_desktopEntry);
    if (!n.category.isEmpty())
        hints.insert(QStringLiteral("category"), n.category);
    if (n.inlineReply && hasCapability(QStringLiteral("inline-reply"))) {
        actions << QStringLiteral("inline-reply") << QString();
        if (!n.replyPlaceholder.isEmpty())
            hints.insert(QStringLiteral("x-kde-reply-placeholder-text"), n.replyPlaceholder);
    }
    if (!n.image.isNull()) {
        QImage image = n.image.scaled(AvatarPixels, AvatarPixels, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                           .convertToFormat(QImage::Format_RGBA8888);
        hints.insert(QStringLiteral("image-data"), QVariant::fromValue(ImageData{std::move(image)}));
    }
    const QString body = hasCapability(QStringLiteral("body-markup")) ? escapeMarkup(n.body) : n.body;

    QDBusMessage call = QDBusMessage::createMethodCall(QString::fromLatin1(Service), QString::fromLatin1(Path),
                                                       QString::fromLatin1(Interface), QStringLiteral("Notify"));
    call << m_appName << n.replaces << QString() << n.summary << body << actions << hints << -1;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, NotifyTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, shown = std::move(shown)](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusPendingReply<uint> reply = *w;
                uint id = 0;
                if (reply.isError())
                    qCInfo(lcNotify).noquote()
                        << "the notification service refused a notification:" << reply.error().message();
                else
                    id = reply.value();
                if (id != 0)
                    m_ours.insert(id);
                if (shown)
                    shown(id);
            });
}

void DesktopNotifications::close(uint id)
{
    if (id == 0 || !m_bus.isConnected())
        return;
    m_ours.remove(id);
    QDBusMessage call =
        QDBusMessage::createMethodCall(QString::fromLatin1(Service), QString::fromLatin1(Path),
                                       QString::fromLatin1(Interface), QStringLiteral("CloseNotification"));
    call << id;
    m_bus.asyncCall(call, NotifyTimeoutMs); // the answer does not matter
}

void DesktopNotifications::onActionInvoked(uint id, const QString &actionKey)
{
    if (m_ours.contains(id))
        Q_EMIT actionInvoked(id, actionKey);
}

void DesktopNotifications::onNotificationReplied(uint id, const QString &text)
{
    if (m_ours.contains(id))
        Q_EMIT replied(id, text);
}

void DesktopNotifications::onNotificationClosed(uint id, uint reason)
{
    if (m_ours.remove(id))
        Q_EMIT closed(id, reason);
}

} // namespace confab::notify
