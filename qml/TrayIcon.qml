import QtQuick
import Qt.labs.platform as Platform
import Confab.App

// The tray icon, where the desktop has a tray (StatusNotifierItem): the unread count in its
// tooltip, a click brings the window back, and a menu to open Confab, pause notifications
// ("do not disturb") or quit. Without a tray `available` is false and nothing shows.
Platform.SystemTrayIcon {
    id: tray

    signal openRequested()
    signal quitRequested()

    visible: available
    icon.source: "qrc:/icons/im.confab.Confab.svg"
    tooltip: Session.unreadTotal === 1 ? qsTr("Confab: 1 unread message")
           : Session.unreadTotal > 1 ? qsTr("Confab: %n unread messages", "", Session.unreadTotal) : qsTr("Confab")
    onActivated: reason => {
        if (reason !== Platform.SystemTrayIcon.Context)
            tray.openRequested()
    }

    menu: Platform.Menu {
        Platform.MenuItem {
            text: qsTr("Open Confab")
            onTriggered: tray.openRequested()
        }
        Platform.MenuItem {
            text: qsTr("Do not disturb")
            checkable: true
            checked: Notifications.doNotDisturb
            onTriggered: Notifications.doNotDisturb = checked
        }
        Platform.MenuSeparator {}
        Platform.MenuItem {
            text: qsTr("Quit")
            onTriggered: tray.quitRequested()
        }
    }
}
