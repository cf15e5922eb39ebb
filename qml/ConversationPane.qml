import QtQuick

// The right pane: the open conversation, or a welcome when none is open.
Rectangle {
    id: root

    color: Theme.window

    EmptyState {
        objectName: "conversationEmptyState"
        anchors.centerIn: parent
        width: Math.min(parent.width - 4 * Theme.padding, 420)
        image: "qrc:/icons/im.confab.Confab.svg"
        title: qsTr("Welcome to Confab")
        explanation: qsTr("Choose a conversation on the left to read and reply here.")
    }
}
