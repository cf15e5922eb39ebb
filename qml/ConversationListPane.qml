import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// The left pane: every conversation of every account, newest activity first.
Rectangle {
    id: root

    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Item {
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.headerHeight

            Text {
                anchors.left: parent.left
                anchors.leftMargin: Theme.padding
                anchors.verticalCenter: parent.verticalCenter
                text: qsTr("Chats")
                textFormat: Text.PlainText
                color: Theme.text
                font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.titleScale)
                font.weight: Font.Bold
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 1
            color: Theme.divider
        }

        ListView {
            id: list
            objectName: "conversationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            EmptyState {
                objectName: "conversationListEmptyState"
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.padding * 2
                visible: list.count === 0
                title: qsTr("No conversations yet")
                explanation: qsTr("Conversations from your X Chat, Azure Communication Services and AionVision accounts appear here.")
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 1
            color: Theme.divider
        }

        Text {
            objectName: "profileLine"
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            Layout.leftMargin: Theme.padding
            visible: !AppInfo.defaultProfile || AppInfo.server !== "" || Session.ephemeral
            text: {
                const parts = []
                if (!AppInfo.defaultProfile)
                    parts.push(qsTr("Profile: %1").arg(AppInfo.profile))
                if (AppInfo.server !== "")
                    parts.push(qsTr("Server: %1").arg(AppInfo.server))
                if (Session.ephemeral)
                    parts.push(qsTr("Nothing is kept after you quit"))
                return parts.join("  ·  ")
            }
            textFormat: Text.PlainText
            elide: Text.ElideMiddle
            color: Theme.secondaryText
            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
        }
    }
}
