#pragma once

#include "app/appinfo.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/commandline.h"
#include "app/mediacontroller.h"
#include "app/notificationscontroller.h"
#include "app/profile.h"

#include <QQmlApplicationEngine>
#include <QQuickWindow>

#include <memory>

namespace confab {

/// Everything one window of a profile is made of: the facts for the views, the session (secrets,
/// store, accounts), the Chat controller, and the QML engine with Main.qml loaded. main() builds
/// one after the command line and the single-instance claim; the GUI tests build one in-process
/// the same way. Members are destroyed in the right order: the views, then the controller, then
/// the session.
class Composition
{
public:
    Composition(const Profile &profile, const LaunchOptions &options);
    ~Composition();

    /// Starts the session and loads the window. False (and logged) when Main.qml failed.
    [[nodiscard]] bool load();

    [[nodiscard]] QQuickWindow *window() const { return m_window; }
    [[nodiscard]] AppSession &session() { return *m_session; }
    [[nodiscard]] ChatController &chat() { return *m_chat; }
    [[nodiscard]] NotificationsController &notifications() { return *m_notifications; }
    [[nodiscard]] MediaController &media() { return *m_media; }
    [[nodiscard]] QQmlApplicationEngine &engine() { return *m_engine; }

private:
    std::unique_ptr<AppInfo> m_info;
    std::unique_ptr<AppSession> m_session;
    std::unique_ptr<ChatController> m_chat;
    std::unique_ptr<NotificationsController> m_notifications;
    std::unique_ptr<MediaController> m_media;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
};

} // namespace confab
