import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A strip across the top of the window that tells the person something they should act on (or
// know): a message, an optional action and a close button. Hidden while `message` is empty or
// after it was dismissed; a different message shows again.
Rectangle {
    id: root

    property string message
    property string actionText
    property bool warning: true
    property string dismissedMessage

    signal actionTriggered()

    visible: message !== "" && dismissedMessage !== message
    implicitHeight: row.implicitHeight + 2 * Theme.spacing
    color: warning ? Theme.warningBackground : Theme.infoBackground

    Accessible.role: Accessible.AlertMessage
    Accessible.name: message

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.padding
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Text {
            text: root.warning ? "⚠" : "ℹ"
            color: Theme.text
            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
            Accessible.ignored: true
        }
        Text {
            objectName: "bannerText"
            Layout.fillWidth: true
            text: root.message
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
        }
        Button {
            visible: root.actionText !== ""
            text: root.actionText
            onClicked: root.actionTriggered()
        }
        ToolButton {
            text: "✕"
            onClicked: root.dismissedMessage = root.message
            Accessible.name: qsTr("Dismiss")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Dismiss")
        }
    }
}
