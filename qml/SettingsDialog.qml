import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Qt.labs.settings
import Confab.App

// Settings: accounts, appearance and notifications. Loaded on first use; Esc closes it.
StyledDialog {
    id: root

    objectName: "settingsDialog"
    title: qsTr("Settings")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 640, 640)
    height: Math.min(parent ? parent.height - 4 * Theme.padding : 560, 560)
    standardButtons: Dialog.Close
    padding: Theme.padding

    property alias currentPage: tabs.currentIndex

    header: TabBar {
        id: tabs
        TabButton { text: qsTr("Accounts") }
        TabButton { text: qsTr("Appearance") }
        TabButton { text: qsTr("Notifications") }
    }

    StackLayout {
        anchors.fill: parent
        currentIndex: tabs.currentIndex

        AccountsPage {}

        ColumnLayout {
            spacing: Theme.spacing
            Text {
                text: qsTr("Theme")
                textFormat: Text.PlainText
                color: Theme.text
                font.weight: Font.DemiBold
            }
            ButtonGroup { id: themeGroup }
            RadioButton {
                objectName: "themeSystem"
                text: qsTr("Follow the system")
                ButtonGroup.group: themeGroup
                checked: SystemAppearance.preference === SystemAppearance.FollowSystem
                onToggled: SystemAppearance.preference = SystemAppearance.FollowSystem
            }
            RadioButton {
                objectName: "themeLight"
                text: qsTr("Light")
                ButtonGroup.group: themeGroup
                checked: SystemAppearance.preference === SystemAppearance.Light
                onToggled: SystemAppearance.preference = SystemAppearance.Light
            }
            RadioButton {
                objectName: "themeDark"
                text: qsTr("Dark")
                ButtonGroup.group: themeGroup
                checked: SystemAppearance.preference === SystemAppearance.Dark
                onToggled: SystemAppearance.preference = SystemAppearance.Dark
            }

            Text {
                Layout.topMargin: Theme.padding
                text: qsTr("Drawing")
                textFormat: Text.PlainText
                color: Theme.text
                font.weight: Font.DemiBold
            }
            // Read by Renderer at start-up (src/app/renderer.h).
            Settings {
                id: drawingSettings
                fileName: AppInfo.settingsFile
                category: "Appearance"
                property string renderer: "automatic"
            }
            ButtonGroup { id: rendererGroup }
            RadioButton {
                objectName: "rendererAutomatic"
                text: qsTr("Automatic: the graphics card when there is one")
                ButtonGroup.group: rendererGroup
                checked: drawingSettings.renderer !== "gpu" && drawingSettings.renderer !== "software"
                onToggled: drawingSettings.renderer = "automatic"
            }
            RadioButton {
                objectName: "rendererGpu"
                text: qsTr("Always the graphics card")
                ButtonGroup.group: rendererGroup
                checked: drawingSettings.renderer === "gpu"
                onToggled: drawingSettings.renderer = "gpu"
            }
            RadioButton {
                objectName: "rendererSoftware"
                text: qsTr("Always in software (for graphics drivers that misbehave)")
                ButtonGroup.group: rendererGroup
                checked: drawingSettings.renderer === "software"
                onToggled: drawingSettings.renderer = "software"
            }
            Text {
                Layout.fillWidth: true
                text: qsTr("Takes effect the next time Confab starts.")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.secondaryText
            }
            Item { Layout.fillHeight: true }
        }

        ColumnLayout {
            objectName: "notificationsPage"
            spacing: Theme.spacing
            Text {
                Layout.fillWidth: true
                visible: !Notifications.serviceAvailable
                text: qsTr("This desktop shows no notifications (no notification service is running): new messages show as the unread count in the window title.")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.secondaryText
            }
            Switch {
                objectName: "notificationsEnabled"
                text: qsTr("Show a notification for new messages")
                checked: Notifications.enabled
                onToggled: Notifications.enabled = checked
            }
            Switch {
                objectName: "notificationsShowText"
                enabled: Notifications.enabled
                text: qsTr("Include the message text")
                checked: Notifications.showText
                onToggled: Notifications.showText = checked
            }
            Switch {
                objectName: "doNotDisturb"
                enabled: Notifications.enabled
                text: qsTr("Do not disturb")
                checked: Notifications.doNotDisturb
                onToggled: Notifications.doNotDisturb = checked
            }
            Text {
                Layout.fillWidth: true
                text: qsTr("Muted conversations and the conversation you are reading never notify.")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.secondaryText
            }
            Switch {
                Layout.topMargin: Theme.padding
                objectName: "closeToTray"
                text: qsTr("Closing the window keeps Confab in the tray")
                checked: Notifications.closeToTray
                onToggled: Notifications.closeToTray = checked
            }
            Item { Layout.fillHeight: true }
        }
    }
}
