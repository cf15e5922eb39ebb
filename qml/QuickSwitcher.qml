import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// Ctrl+K: type part of a conversation's name, Enter opens the first match; Up/Down choose.
Popup {
    id: root

    objectName: "quickSwitcher"
    signal chosen(var conversationId)

    modal: true
    focus: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 480, 480)
    height: Math.min(parent ? parent.height - 8 * Theme.padding : 420, 420)
    padding: Theme.spacing
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside

    background: Rectangle {
        color: Theme.surface
        border.color: Theme.divider
        radius: Theme.radius
    }

    // Its own filtered list, so the sidebar's search stays as it is.
    property var filtered: null
    onOpened: {
        if (!filtered)
            filtered = Session.newConversationFilter()
        query.text = ""
        query.forceActiveFocus()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        TextField {
            id: query
            objectName: "quickSwitcherField"
            Layout.fillWidth: true
            placeholderText: qsTr("Jump to a conversation…")
            Accessible.name: qsTr("Conversation to open")
            onTextChanged: if (root.filtered) root.filtered.filterText = text
            Keys.onDownPressed: results.currentIndex = Math.min(results.count - 1, results.currentIndex + 1)
            Keys.onUpPressed: results.currentIndex = Math.max(0, results.currentIndex - 1)
            onAccepted: {
                const item = results.itemAtIndex(Math.max(0, results.currentIndex))
                if (item) {
                    root.chosen(item.conversationId)
                    root.close()
                }
            }
        }
        ListView {
            id: results
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.filtered
            currentIndex: 0
            delegate: ConversationDelegate {
                selected: ListView.isCurrentItem
                onClicked: {
                    root.chosen(conversationId)
                    root.close()
                }
            }
        }
    }
}
