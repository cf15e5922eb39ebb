import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// The left pane: every conversation of every account, newest activity first, with a search
// field (Ctrl+F) that matches titles and last messages, accents and case ignored.
Rectangle {
    id: root

    color: Theme.sidebar

    signal settingsRequested()
    signal newConversationRequested()
    /// A conversation was opened: what the conversation view shows in its header.
    signal opened(var conversation)

    readonly property alias list: list
    readonly property alias searchField: search

    /// Opens the conversation `step` rows below (or above, when negative) the open one.
    function step(delta) {
        if (list.count === 0)
            return
        const current = currentRow()
        const next = Math.max(0, Math.min(list.count - 1, current < 0 ? 0 : current + delta))
        open(next)
    }
    function currentRow() {
        for (let i = 0; i < list.count; ++i) {
            const item = list.itemAtIndex(i)
            if (item && item.conversationId === Chat.focusedConversation)
                return i
        }
        return list.currentIndex
    }
    function open(row) {
        list.currentIndex = row
        list.positionViewAtIndex(row, ListView.Contain)
        const item = list.itemAtIndex(row)
        if (!item)
            return
        Chat.focusedConversation = item.conversationId
        root.opened({ conversationId: item.conversationId, title: item.title, initials: item.initials,
                      avatarUrl: item.avatarUrl, kind: item.kind, accountId: item.accountId, muted: item.muted })
    }
    /// Opens the conversation with this id if the list shows it.
    function openConversation(conversationId) {
        for (let i = 0; i < list.count; ++i) {
            const item = list.itemAtIndex(i)
            if (item && item.conversationId === conversationId) {
                open(i)
                return true
            }
        }
        return false
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Item {
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.headerHeight

            Text {
                anchors.left: parent.left
                anchors.leftMargin: Theme.padding
                anchors.verticalCenter: parent.verticalCenter
                text: qsTr("Chats")
                textFormat: Text.PlainText
                color: Theme.text
                font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.titleScale)
                font.weight: Font.Bold
            }
            Row {
                anchors.right: parent.right
                anchors.rightMargin: Theme.spacing
                anchors.verticalCenter: parent.verticalCenter
                spacing: 2
                ToolButton {
                    objectName: "newConversationButton"
                    text: "✎"
                    enabled: Session.accountCount > 0
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
                    onClicked: root.newConversationRequested()
                    Accessible.name: qsTr("New conversation")
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("New conversation (Ctrl+N)")
                }
                ToolButton {
                    objectName: "settingsButton"
                    text: "⚙"
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
                    onClicked: root.settingsRequested()
                    Accessible.name: qsTr("Settings")
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Settings (Ctrl+,)")
                }
            }
        }

        TextField {
            id: search
            objectName: "conversationSearch"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.padding
            Layout.rightMargin: Theme.padding
            Layout.bottomMargin: Theme.spacing
            placeholderText: qsTr("Search (Ctrl+F)")
            Accessible.name: qsTr("Search conversations")
            enabled: Session.conversations !== null
            onTextChanged: if (Session.conversations) Session.conversations.filterText = text
            Keys.onDownPressed: {
                list.forceActiveFocus()
                root.open(0)
            }
            Keys.onReturnPressed: if (list.count > 0) root.open(0)
            Keys.onEscapePressed: text = ""
        }

        // With several accounts: all of them, or one.
        ComboBox {
            id: accountFilter
            objectName: "accountFilter"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.padding
            Layout.rightMargin: Theme.padding
            Layout.bottomMargin: Theme.spacing
            visible: Session.accounts !== null && Session.accounts.count > 1
            property int revision: 0 // an account's name or store id arrived
            Connections {
                target: Session.accounts
                function onDataChanged() { accountFilter.revision++ }
            }
            model: {
                void revision
                const choices = [{ text: qsTr("All accounts"), id: 0 }]
                const accounts = Session.accounts
                if (accounts) {
                    for (let i = 0; i < accounts.count; ++i) {
                        const index = accounts.index(i, 0)
                        const name = accounts.data(index, Qt.DisplayRole)
                        const handle = accounts.data(index, Qt.UserRole + 4) // UsernameRole
                        const id = accounts.data(index, Qt.UserRole + 12)    // StoreAccountIdRole
                        choices.push({ text: handle ? qsTr("%1 (@%2)").arg(name).arg(handle) : name, id: id })
                    }
                }
                return choices
            }
            textRole: "text"
            valueRole: "id"
            onActivated: if (Session.conversations) Session.conversations.accountId = currentValue
            Accessible.name: qsTr("Show the conversations of")
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 1
            color: Theme.divider
        }

        ListView {
            id: list
            objectName: "conversationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Session.conversations
            boundsBehavior: Flickable.StopAtBounds
            reuseItems: true
            activeFocusOnTab: true
            keyNavigationEnabled: false
            currentIndex: -1
            highlightMoveDuration: 0
            ScrollBar.vertical: ScrollBar {}
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Conversations")

            Keys.onUpPressed: root.step(-1)
            Keys.onDownPressed: root.step(1)

            delegate: ConversationDelegate {
                selected: conversationId === Chat.focusedConversation
                onClicked: root.open(index)
            }

            EmptyState {
                objectName: "conversationListEmptyState"
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.padding * 2
                visible: list.count === 0
                title: search.text !== "" ? qsTr("Nothing found") : qsTr("No conversations yet")
                explanation: search.text !== ""
                             ? qsTr("No conversation's name or last message matches \"%1\".").arg(search.text)
                             : qsTr("Conversations from your X Chat, Azure Communication Services and AionVision accounts appear here.")
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 1
            color: Theme.divider
        }

        Text {
            objectName: "profileLine"
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            Layout.leftMargin: Theme.padding
            visible: !AppInfo.defaultProfile || AppInfo.server !== "" || Session.ephemeral
            text: {
                const parts = []
                if (!AppInfo.defaultProfile)
                    parts.push(qsTr("Profile: %1").arg(AppInfo.profile))
                if (AppInfo.server !== "")
                    parts.push(qsTr("Server: %1").arg(AppInfo.server.replace(/^https?:\/\//, "")))
                if (Session.ephemeral)
                    parts.push(qsTr("Nothing is kept after you quit"))
                return parts.join("  ·  ")
            }
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.secondaryText
            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
        }
    }
}
