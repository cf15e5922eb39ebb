#include "app/composition.h"

#include "app/appid.h"
#include "app/avatarprovider.h"
#include "core/logging.h"
#include "media/mediaimageprovider.h"

#include <QGuiApplication>

namespace confab {

Composition::Composition(const Profile &profile, const LaunchOptions &options)
{
    m_info = std::make_unique<AppInfo>(
        AppInfo::Facts{profile.name(), profile.isDefault(), options.server.toString(), profile.settingsFile()});
    AppInfo::setInstance(m_info.get());

    AppSession::Config config;
    config.appId = QString::fromLatin1(AppId);
    config.profile = profile.name();
    config.defaultProfile = profile.isDefault();
    config.dataDir = profile.dataDir();
    config.cacheDir = profile.cacheDir();
    config.settingsFile = profile.settingsFile();
    config.server = options.server;
    config.signInAs = options.signInAs;
    config.ephemeral = options.ephemeral;
    m_session = std::make_unique<AppSession>(std::move(config));
    AppSession::setInstance(m_session.get());
    QObject::connect(qGuiApp, &QGuiApplication::applicationStateChanged, m_session.get(),
                     [session = m_session.get()](Qt::ApplicationState state) {
                         session->setWindowActive(state == Qt::ApplicationActive);
                     });
    m_chat = std::make_unique<ChatController>(*m_session);
    ChatController::setInstance(m_chat.get());
    m_notifications = std::make_unique<NotificationsController>(*m_session, *m_chat, profile.settingsFile());
    NotificationsController::setInstance(m_notifications.get());
    m_media = std::make_unique<MediaController>(*m_session, *m_chat);
    MediaController::setInstance(m_media.get());
}

Composition::~Composition()
{
    m_engine.reset();
    m_media.reset();
    m_notifications.reset();
    m_chat.reset();
    m_session.reset();
    m_info.reset();
}

bool Composition::load()
{
    // The session gets going in the background while the window appears.
    m_session->start();
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    auto *avatars = new AvatarProvider; // the engine owns it
    m_notifications->setAvatarLookup(
        [cache = avatars->cache()](const QString &url) { return cache ? cache->largest(url) : QImage(); });
    m_engine->addImageProvider(QStringLiteral("avatar"), avatars);
    m_engine->addImageProvider(QStringLiteral("media"), m_media->makeImageProvider());
    m_engine->load(QUrl(QStringLiteral("qrc:/qt/qml/Confab/Main.qml")));
    if (m_engine->rootObjects().isEmpty()) {
        qCCritical(lcUi) << "The main window could not be created";
        return false;
    }
    m_window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().constFirst());
    if (!m_window) {
        qCCritical(lcUi) << "Main.qml did not create a window";
        return false;
    }
    return true;
}

} // namespace confab
