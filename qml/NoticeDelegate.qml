import QtQuick
import QtQuick.Controls

// A line across the timeline that is not a message: a day ("Today"), a group change, a key that
// changed (a trust event), or a message that could not be verified or decrypted, with why.
Item {
    id: root

    required property int kind
    required property string text
    required property string dateText
    required property string timeText
    required property string senderName

    width: ListView.view ? ListView.view.width : 400
    implicitHeight: pill.implicitHeight + 2 * Theme.spacing

    readonly property bool warning: kind === 2 || kind === 4 // key change, failure
    readonly property string shown: {
        switch (kind) {
        case 1: return dateText
        case 2: return "🔑 " + text
        case 3: return qsTr("%1 %2").arg(senderName).arg(text)
        case 4: return qsTr("⚠ A message from %1 could not be shown: %2").arg(senderName).arg(text)
        default: return text
        }
    }

    Accessible.role: Accessible.StaticText
    Accessible.name: shown

    Rectangle {
        id: pill
        anchors.centerIn: parent
        width: Math.min(label.implicitWidth + 2 * Theme.padding, root.width - 4 * Theme.padding)
        implicitHeight: label.implicitHeight + 8
        radius: implicitHeight / 2 > 14 ? 10 : implicitHeight / 2
        color: root.warning ? Theme.warningBackground : Theme.sidebar
        Text {
            id: label
            anchors.centerIn: parent
            width: Math.min(implicitWidth, root.width - 6 * Theme.padding)
            text: root.shown + (root.kind === 1 ? "" : "  ·  " + root.timeText)
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            horizontalAlignment: Text.AlignHCenter
            color: root.warning ? Theme.text : Theme.secondaryText
            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
            font.weight: root.kind === 1 ? Font.DemiBold : Font.Normal
        }
    }
}
