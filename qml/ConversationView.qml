import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Qt.labs.qmlmodels
import Confab.App

// An open conversation: its header, the timeline (newest at the bottom, older pages loaded as
// you scroll up), who is typing, and the composer. Marks the conversation read while its newest
// message is on screen.
Rectangle {
    id: root

    property var conversationId: 0
    property string title
    property string initials
    property string avatarUrl
    property string kind
    property var accountId: 0
    property string typing

    readonly property bool isGroup: kind === "group"
    readonly property alias timeline: timeline
    readonly property alias composer: composer

    signal detailsRequested()

    color: Theme.window

    Connections {
        target: Chat
        function onTypingChanged(conversationId, names) {
            if (conversationId !== root.conversationId)
                return
            if (names.length === 0)
                root.typing = ""
            else if (names.length === 1)
                root.typing = qsTr("%1 is typing…").arg(names[0])
            else
                root.typing = qsTr("%1 and %n others are typing…", "", names.length - 1).arg(names[0])
        }
    }
    onConversationIdChanged: {
        typing = ""
        timeline.buffered = false
        markReadSoon.restart()
    }
    Timer {
        id: bufferSoon
        interval: 300
        onTriggered: timeline.buffered = true
    }

    // Read while the newest message is in view and Confab is in front.
    function markReadIfSeen() {
        if (conversationId !== 0 && timeline.atNewest && Qt.application.state === Qt.ApplicationActive)
            Chat.markRead(conversationId)
    }
    Timer {
        id: markReadSoon
        interval: 400
        onTriggered: root.markReadIfSeen()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Header
        Item {
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.headerHeight
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: Theme.padding
                anchors.rightMargin: Theme.spacing
                spacing: Theme.padding
                Avatar {
                    name: root.title
                    initials: root.initials
                    source: root.avatarUrl
                    size: 34
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 0
                    Text {
                        objectName: "conversationTitle"
                        Layout.fillWidth: true
                        text: root.title
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        color: Theme.text
                        font.weight: Font.DemiBold
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
                    }
                    Text {
                        Layout.fillWidth: true
                        text: root.typing !== "" ? root.typing
                                                 : (root.isGroup && Chat.members ? qsTr("%n members", "", Chat.members.count)
                                                                                 : qsTr("End-to-end encrypted"))
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        color: root.typing !== "" ? Theme.accent : Theme.secondaryText
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                    }
                }
                ToolButton {
                    objectName: "detailsButton"
                    text: "ⓘ"
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
                    onClicked: root.detailsRequested()
                    Accessible.name: qsTr("Conversation details")
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Members and keys")
                }
            }
            Rectangle {
                anchors.bottom: parent.bottom
                width: parent.width
                height: 1
                color: Theme.divider
            }
        }

        // Timeline
        ListView {
            id: timeline
            objectName: "timeline"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Chat.messages
            verticalLayoutDirection: ListView.BottomToTop
            boundsBehavior: Flickable.StopAtBounds
            // No buffer while a conversation opens (its rows come sooner); a screen's worth once
            // it shows, so scrolling finds the next rows made.
            property bool buffered: false
            cacheBuffer: buffered ? 800 : 0
            reuseItems: true
            activeFocusOnTab: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Messages")
            ScrollBar.vertical: ScrollBar { id: scrollBar }

            // Bottom-to-top: the newest message is row 0, at the bottom, where the content ends
            // (its origin is negative, growing upwards as older pages arrive).
            readonly property bool atNewest: count === 0 || contentY + height >= originY + contentHeight - 40

            header: Item { height: Theme.spacing }
            footer: Item {
                width: timeline.width
                height: Chat.messages && Chat.messages.fetching ? 40 : Theme.spacing
                BusyIndicator {
                    anchors.centerIn: parent
                    running: Chat.messages !== null && Chat.messages.fetching
                    visible: running
                    implicitWidth: 28
                    implicitHeight: 28
                }
            }

            // Older pages before the top comes into view. (The view asks the model itself only
            // when it creates the oldest row's delegate, not when it reuses one.)
            readonly property bool nearOldest: count > 0 && contentY - originY < 2 * height
            onNearOldestChanged: if (nearOldest) askForOlder()
            // Later, not inside the change that called it: a page that arrives at once would
            // change count, origin and the footer while their bindings are being evaluated.
            function askForOlder() { Qt.callLater(timeline.loadOlderNow) }
            function loadOlderNow() {
                if (Chat.messages && !Chat.messages.fetching && timeline.nearOldest)
                    Chat.messages.loadOlder()
            }
            // No highlight: it would glide after the current row across the whole history.
            highlightFollowsCurrentItem: false
            currentIndex: -1

            onAtNewestChanged: if (atNewest) markReadSoon.restart()
            onCountChanged: {
                if (count > 0 && !buffered && !bufferSoon.running)
                    bufferSoon.restart()
                if (atNewest)
                    markReadSoon.restart()
                if (nearOldest)
                    askForOlder()
            }
            onContentYChanged: if (nearOldest) askForOlder()

            Keys.onPressed: event => {
                if (event.key === Qt.Key_PageUp) {
                    flick(0, 2500)
                    event.accepted = true
                } else if (event.key === Qt.Key_PageDown) {
                    flick(0, -2500)
                    event.accepted = true
                } else if (event.key === Qt.Key_End) {
                    positionViewAtBeginning()
                    event.accepted = true
                }
            }

            delegate: DelegateChooser {
                role: "kind"
                DelegateChoice {
                    roleValue: 0
                    MessageDelegate {
                        isGroup: root.isGroup
                        onMenuRequested: (delegate, anchorItem) => messageMenu.openFor(delegate, anchorItem)
                        onViewRequested: (messageId, ordinal) => viewer.show(root.conversationId, messageId, ordinal)
                    }
                }
                DelegateChoice { NoticeDelegate {} }
            }

            EmptyState {
                anchors.centerIn: parent
                width: Math.min(parent.width - 4 * Theme.padding, 420)
                visible: timeline.count === 0 && Chat.messages !== null && !Chat.messages.loading
                title: qsTr("No messages yet")
                explanation: qsTr("Say hello. Messages here are end-to-end encrypted.")
            }

            // Jump back to the newest message after scrolling up.
            RoundButton {
                objectName: "jumpToLatest"
                anchors.right: parent.right
                anchors.bottom: parent.bottom
                anchors.margins: Theme.padding
                visible: !timeline.atNewest
                text: "↓"
                onClicked: timeline.positionViewAtBeginning()
                Accessible.name: qsTr("Jump to the newest message")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Newest messages (End)")
            }
        }

        Text {
            objectName: "typingLine"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.padding
            Layout.preferredHeight: implicitHeight
            text: root.typing
            visible: root.typing !== ""
            textFormat: Text.PlainText
            elide: Text.ElideRight
            color: Theme.secondaryText
            font.italic: true
            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
        }

        Composer {
            id: composer
            Layout.fillWidth: true
            conversationId: root.conversationId
            onSent: timeline.positionViewAtBeginning()
        }
    }

    MediaViewer {
        id: viewer
        objectName: "mediaViewer"
    }

    // Files dragged in from a file manager or the desktop join the draft.
    DropArea {
        id: dropArea
        anchors.fill: parent
        keys: ["text/uri-list"]
        onEntered: drag => drag.accepted = drag.hasUrls && root.conversationId !== 0
        onDropped: drop => {
            if (!drop.hasUrls)
                return
            Media.addFiles(drop.urls)
            drop.acceptProposedAction()
            composer.input.forceActiveFocus()
        }
        Rectangle {
            objectName: "dropOverlay"
            anchors.fill: parent
            anchors.margins: Theme.spacing
            visible: dropArea.containsDrag
            radius: Theme.radius * 2
            color: Qt.rgba(Theme.window.r, Theme.window.g, Theme.window.b, 0.92)
            border.color: Theme.accent
            border.width: 2
            Text {
                id: dropIcon
                anchors.horizontalCenter: parent.horizontalCenter
                anchors.bottom: dropText.top
                anchors.bottomMargin: Theme.spacing
                text: "📎"
                font.pixelSize: 48
                Accessible.ignored: true
            }
            Text {
                id: dropText
                anchors.centerIn: parent
                width: parent.width - 4 * Theme.padding
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: qsTr("Drop files here to send them to %1").arg(root.title)
                textFormat: Text.PlainText
                color: Theme.accent
                font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
                font.weight: Font.DemiBold
            }
        }
    }

    EmojiPicker {
        id: reactionPicker
        property var messageId: 0
        onPicked: emoji => Chat.react(messageId, emoji, true)
    }

    // One menu for every message of the timeline.
    Menu {
        id: messageMenu
        objectName: "messageMenu"
        property var messageId: 0
        property bool outgoing: false
        property string text
        property string sender
        property var anchorItem: null

        function openFor(delegate, anchor) {
            messageId = delegate.messageId
            outgoing = delegate.outgoing
            text = delegate.text
            sender = delegate.outgoing ? qsTr("You") : delegate.senderName
            anchorItem = anchor
            popup(anchor)
        }

        MenuItem {
            text: qsTr("Reply")
            onTriggered: composer.startReply(messageMenu.messageId, messageMenu.sender, messageMenu.text)
        }
        MenuItem {
            text: qsTr("React…")
            onTriggered: {
                reactionPicker.messageId = messageMenu.messageId
                reactionPicker.parent = messageMenu.anchorItem
                reactionPicker.y = -reactionPicker.implicitHeight
                reactionPicker.open()
            }
        }
        MenuItem {
            text: qsTr("Copy text")
            enabled: messageMenu.text !== ""
            onTriggered: {
                clipboardHelper.text = messageMenu.text
                clipboardHelper.selectAll()
                clipboardHelper.copy()
            }
        }
        MenuItem {
            text: qsTr("Edit")
            visible: messageMenu.outgoing
            height: visible ? implicitHeight : 0
            onTriggered: composer.startEdit(messageMenu.messageId, messageMenu.text)
        }
        MenuItem {
            text: qsTr("Delete for me")
            onTriggered: Chat.deleteMessage(messageMenu.messageId, false)
        }
        MenuItem {
            text: qsTr("Delete for everyone")
            visible: messageMenu.outgoing
            height: visible ? implicitHeight : 0
            onTriggered: Chat.deleteMessage(messageMenu.messageId, true)
        }
    }
    TextEdit { id: clipboardHelper; visible: false; textFormat: TextEdit.PlainText }
}
