import QtQuick
import QtQuick.Controls

// The one button of a view or dialog that does what the person came for: in the accent colour.
Button {
    id: root

    palette.button: Theme.accent
    palette.buttonText: Theme.accentText
    font.weight: Font.DemiBold

    background: Rectangle {
        implicitWidth: 88
        implicitHeight: 32
        radius: 6
        color: !root.enabled ? Theme.hover
                             : root.down ? Qt.darker(Theme.accent, 1.15)
                                         : root.hovered ? Qt.lighter(Theme.accent, 1.08) : Theme.accent
        border.color: root.visualFocus ? Theme.text : "transparent"
        border.width: root.visualFocus ? 2 : 0
    }
    contentItem: Text {
        text: root.text
        font: root.font
        textFormat: Text.PlainText
        color: root.enabled ? Theme.accentText : Theme.secondaryText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
}
