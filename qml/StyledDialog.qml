import QtQuick
import QtQuick.Controls

// Confab's dialogs: a rounded card on the window's surface with a clear title, generous padding,
// the window dimmed behind it, and a short fade. Esc closes it (unless closePolicy says
// otherwise).
Dialog {
    id: root

    padding: Theme.padding + 4
    topPadding: Theme.padding
    modal: true

    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius + 4
        border.color: Theme.divider
    }

    header: Label {
        visible: root.title !== ""
        text: root.title
        textFormat: Text.PlainText
        elide: Text.ElideRight
        color: Theme.text
        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
        font.weight: Font.DemiBold
        topPadding: Theme.padding + 4
        leftPadding: Theme.padding + 4
        rightPadding: Theme.padding + 4
        bottomPadding: 0
    }

    Overlay.modal: Rectangle {
        color: Qt.rgba(0, 0, 0, Theme.dark ? 0.55 : 0.35)
    }

    enter: Transition {
        NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 120 }
    }
    exit: Transition {
        NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 90 }
    }
}
