import QtQuick
import QtQuick.Window

// A round picture of a person or a group: the picture when there is one (image://avatar cuts it to
// a circle in the background), the initials on a colour of the name until then or without one.
Item {
    id: root

    property string name
    property string initials
    property string source
    property int size: 40

    implicitWidth: size
    implicitHeight: size
    Accessible.ignored: true

    Rectangle {
        anchors.fill: parent
        radius: width / 2
        color: Theme.avatarColor(root.name)
        visible: picture.status !== Image.Ready
        Text {
            anchors.centerIn: parent
            text: root.initials !== "" ? root.initials
                                       : (root.name.length > 0 ? root.name.charAt(0).toUpperCase() : "?")
            textFormat: Text.PlainText
            color: "#ffffff"
            font.pixelSize: Math.round(root.size * 0.38)
            font.weight: Font.DemiBold
        }
    }
    Image {
        id: picture
        anchors.fill: parent
        source: root.source !== "" ? "image://avatar/" + encodeURIComponent(root.source) : ""
        // Device pixels, so pictures stay sharp on HiDPI screens.
        sourceSize: Qt.size(root.size * Screen.devicePixelRatio, root.size * Screen.devicePixelRatio)
        asynchronous: true
        cache: true
    }
}
