import QtQuick
import QtQuick.Controls
import Confab.App

// The right pane: the open conversation, or what comes before one: start-up, a failure that
// stops Confab, signing in to a first account, or a welcome.
Rectangle {
    id: root

    color: Theme.window

    property var conversation: ({})
    readonly property bool needsAccount: Session.phase === Session.Ready && Session.accountCount === 0
    readonly property bool showing: Chat.focusedConversation !== 0 && !needsAccount
    readonly property var view: viewLoader.item

    signal detailsRequested()

    BusyIndicator {
        objectName: "startingIndicator"
        anchors.centerIn: parent
        running: Session.phase === Session.Starting
        visible: running
        Accessible.name: qsTr("Opening your conversations")
    }

    EmptyState {
        objectName: "startFailure"
        anchors.centerIn: parent
        width: Math.min(parent.width - 4 * Theme.padding, 460)
        visible: Session.phase === Session.Failed
        title: qsTr("Confab cannot start")
        explanation: Session.failure
    }

    Loader {
        objectName: "signInLoader"
        anchors.centerIn: parent
        width: Math.min(parent.width - 4 * Theme.padding, 420)
        active: root.needsAccount
        visible: active
        sourceComponent: SignInPanel {}
    }

    EmptyState {
        objectName: "conversationEmptyState"
        anchors.centerIn: parent
        width: Math.min(parent.width - 4 * Theme.padding, 420)
        visible: Session.phase !== Session.Starting && Session.phase !== Session.Failed && !root.needsAccount
                 && !root.showing
        image: "qrc:/icons/im.confab.Confab.svg"
        title: qsTr("Welcome to Confab")
        explanation: qsTr("Choose a conversation on the left to read and reply here.")
    }

    // Not part of the first screen: made in the background once Confab is up (or at once when a
    // conversation opens before that), so opening the first conversation does not pay for it.
    property bool warm: false
    Timer {
        interval: 250
        running: Session.phase === Session.Ready && !root.warm
        onTriggered: root.warm = true
    }
    Loader {
        id: viewLoader
        anchors.fill: parent
        active: root.showing || root.warm
        asynchronous: !root.showing
        visible: root.showing
        sourceComponent: ConversationView {
            objectName: "conversationView"
            conversationId: root.showing ? Chat.focusedConversation : 0
            title: root.conversation.title || ""
            initials: root.conversation.initials || ""
            avatarUrl: root.conversation.avatarUrl || ""
            kind: root.conversation.kind || ""
            onDetailsRequested: root.detailsRequested()
        }
    }
}
