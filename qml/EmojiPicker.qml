import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A small grid of common emoji; picking one emits `picked` and closes.
Popup {
    id: root

    signal picked(string emoji)

    readonly property var emoji: ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "🔥", "👏", "😊", "😍", "🤔",
                                  "😅", "🙌", "👀", "✅", "💯", "😎", "🥳", "😴", "🤝", "☕", "🌞", "🚀"]

    padding: Theme.spacing
    focus: true
    modal: false
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside

    background: Rectangle {
        color: Theme.surface
        border.color: Theme.divider
        radius: Theme.radius
    }

    contentItem: GridLayout {
        columns: 6
        rowSpacing: 2
        columnSpacing: 2
        Repeater {
            model: root.emoji
            delegate: ToolButton {
                required property string modelData
                required property int index
                text: modelData
                font.pixelSize: Math.round(Qt.application.font.pixelSize * 1.4)
                focus: index === 0
                Accessible.name: modelData
                onClicked: {
                    root.picked(modelData)
                    root.close()
                }
                Keys.onReturnPressed: clicked()
            }
        }
    }
}
