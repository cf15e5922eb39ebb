import QtQuick
import QtQuick.Layouts

// A friendly placeholder for a pane with nothing to show yet: an optional picture, a title and a
// sentence that says what will appear here or what to do.
ColumnLayout {
    id: root

    property string title
    property string explanation
    property url image

    spacing: Theme.spacing

    Image {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: Theme.spacing
        visible: root.image.toString() !== ""
        source: root.image
        sourceSize: Qt.size(96, 96)
        asynchronous: true
        opacity: 0.9
    }
    Text {
        Layout.fillWidth: true
        text: root.title
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        color: Theme.text
        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
        font.weight: Font.DemiBold
    }
    Text {
        Layout.fillWidth: true
        visible: text !== ""
        text: root.explanation
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        color: Theme.secondaryText
        lineHeight: 1.2
    }
}
