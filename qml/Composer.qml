import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs
import Confab.App

// Writing a message: several lines, Enter sends, Shift+Enter starts a new line, Esc leaves reply
// or edit mode. Replying shows the quoted message above; editing puts the old text in the field.
// Files (the 📎 button, dropped on the conversation, or pasted) wait above the field, shown,
// until they are sent with the text as their caption.
Rectangle {
    id: root

    property var conversationId: 0
    property var replyTo: 0
    property string replySender
    property string replyText
    property var editing: 0

    readonly property alias input: field

    function startReply(messageId, sender, text) {
        editing = 0
        replyTo = messageId
        replySender = sender
        replyText = text
        field.forceActiveFocus()
    }
    function startEdit(messageId, text) {
        replyTo = 0
        editing = messageId
        field.text = text
        field.cursorPosition = field.length
        field.forceActiveFocus()
    }
    function cancelModes() {
        if (editing !== 0)
            field.text = ""
        replyTo = 0
        editing = 0
    }
    readonly property bool hasDraft: Media.draft.length > 0
    /// Something was sent (the timeline shows the newest message then).
    signal sent()
    function submit() {
        const text = field.text
        if (hasDraft && editing === 0) {
            Media.sendDraft(conversationId, text)
            field.text = ""
            replyTo = 0
            sent()
            return
        }
        if (text.trim() === "")
            return
        if (editing === 0)
            sent()
        if (editing !== 0)
            Chat.edit(editing, text)
        else
            Chat.send(conversationId, text, replyTo)
        field.text = ""
        replyTo = 0
        editing = 0
    }

    // What was written and not sent stays with its conversation (Chat keeps it while Confab runs):
    // the text, and the message it answers. An edit in progress is not a draft.
    property var shownConversation: 0
    function keepDraft() {
        if (shownConversation !== 0)
            Chat.keepDraft(shownConversation, editing !== 0 ? {} : {
                text: field.text, replyTo: replyTo, replySender: replySender, replyText: replyText
            })
    }
    onConversationIdChanged: {
        keepDraft()
        shownConversation = conversationId
        const draft = conversationId !== 0 ? Chat.draftOf(conversationId) : {}
        editing = 0
        replyTo = draft.replyTo || 0
        replySender = draft.replySender || ""
        replyText = draft.replyText || ""
        field.text = draft.text || ""
        field.cursorPosition = field.length
    }
    Component.onDestruction: keepDraft()

    color: Theme.window
    implicitHeight: column.implicitHeight + 2 * Theme.spacing

    Rectangle {
        width: parent.width
        height: 1
        color: Theme.divider
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        anchors.leftMargin: Theme.padding
        anchors.rightMargin: Theme.padding
        spacing: Theme.spacing / 2

        // The files about to be sent, shown; the text below becomes their caption.
        Flow {
            objectName: "draftTray"
            Layout.fillWidth: true
            visible: root.hasDraft || Media.preparing
            spacing: Theme.spacing
            Repeater {
                model: Media.draft
                delegate: Rectangle {
                    id: draftItem
                    required property var modelData
                    required property int index
                    width: 96
                    height: 96
                    radius: Theme.radius
                    color: Theme.hover
                    border.color: Theme.divider
                    Image {
                        anchors.fill: parent
                        anchors.margins: 1
                        visible: draftItem.modelData.picture
                        source: draftItem.modelData.source
                        sourceSize.width: 192
                        sourceSize.height: 192
                        fillMode: Image.PreserveAspectCrop
                        asynchronous: true
                        clip: true
                    }
                    ColumnLayout {
                        anchors.fill: parent
                        anchors.margins: Theme.spacing / 2
                        visible: !draftItem.modelData.picture
                        spacing: 0
                        Text {
                            Layout.alignment: Qt.AlignHCenter
                            text: "📄"
                            font.pixelSize: Math.round(Qt.application.font.pixelSize * 1.8)
                        }
                        Text {
                            Layout.fillWidth: true
                            text: draftItem.modelData.name
                            textFormat: Text.PlainText
                            elide: Text.ElideMiddle
                            horizontalAlignment: Text.AlignHCenter
                            color: Theme.text
                            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                        }
                        Text {
                            Layout.fillWidth: true
                            text: draftItem.modelData.size
                            textFormat: Text.PlainText
                            horizontalAlignment: Text.AlignHCenter
                            color: Theme.secondaryText
                            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                        }
                    }
                    RoundButton {
                        anchors.top: parent.top
                        anchors.right: parent.right
                        anchors.margins: 2
                        width: 26
                        height: 26
                        padding: 0
                        text: "✕"
                        onClicked: Media.removeFromDraft(draftItem.index)
                        Accessible.name: qsTr("Remove %1").arg(draftItem.modelData.name)
                    }
                    ToolTip.visible: draftHover.hovered
                    ToolTip.text: draftItem.modelData.name + " · " + draftItem.modelData.size
                    HoverHandler {
                        id: draftHover
                    }
                }
            }
            BusyIndicator {
                visible: Media.preparing
                running: visible
                width: 48
                height: 96
            }
        }

        // Reply or edit mode.
        RowLayout {
            objectName: "composerMode"
            Layout.fillWidth: true
            visible: root.replyTo !== 0 || root.editing !== 0
            Rectangle {
                implicitWidth: 3
                Layout.fillHeight: true
                color: Theme.accent
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                Text {
                    text: root.editing !== 0 ? qsTr("Editing your message") : qsTr("Replying to %1").arg(root.replySender)
                    textFormat: Text.PlainText
                    color: Theme.accent
                    font.weight: Font.DemiBold
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }
                Text {
                    Layout.fillWidth: true
                    visible: root.replyTo !== 0
                    text: root.replyText
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    maximumLineCount: 1
                    color: Theme.secondaryText
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }
            }
            ToolButton {
                text: "✕"
                onClicked: root.cancelModes()
                Accessible.name: root.editing !== 0 ? qsTr("Cancel editing") : qsTr("Cancel reply")
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing / 2

            ToolButton {
                id: emojiButton
                text: "🙂"
                font.pixelSize: Math.round(Qt.application.font.pixelSize * 1.3)
                onClicked: picker.open()
                Accessible.name: qsTr("Insert emoji")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Emoji")
                EmojiPicker {
                    id: picker
                    y: -implicitHeight - Theme.spacing
                    onPicked: emoji => {
                        field.insert(field.cursorPosition, emoji)
                        field.forceActiveFocus()
                    }
                }
            }

            ToolButton {
                objectName: "attachButton"
                text: "📎"
                enabled: root.editing === 0 && root.conversationId !== 0
                font.pixelSize: Math.round(Qt.application.font.pixelSize * 1.3)
                onClicked: filePicker.open()
                Accessible.name: qsTr("Attach files")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Attach files (or drop them here, or paste a picture)")
                FileDialog {
                    id: filePicker
                    title: qsTr("Choose files to send")
                    fileMode: FileDialog.OpenFiles
                    onAccepted: {
                        Media.addFiles(selectedFiles)
                        field.forceActiveFocus()
                    }
                }
            }

            ScrollView {
                Layout.fillWidth: true
                Layout.maximumHeight: Math.round(Qt.application.font.pixelSize * 10)
                Layout.preferredHeight: Math.min(field.implicitHeight, Math.round(Qt.application.font.pixelSize * 10))
                TextArea {
                    id: field
                    objectName: "composerField"
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.PlainText
                    placeholderText: root.editing !== 0 ? qsTr("Edit your message")
                                     : root.hasDraft ? qsTr("Add a caption…") : qsTr("Write a message…")
                    Accessible.name: qsTr("Message")
                    background: Rectangle {
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: field.activeFocus ? Theme.accent : Theme.divider
                    }
                    Keys.onPressed: event => {
                        // A picture or files on the clipboard join the draft; text pastes as text.
                        if (event.matches(StandardKey.Paste) && root.editing === 0 && Media.paste()) {
                            event.accepted = true
                            return
                        }
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && !(event.modifiers & Qt.ShiftModifier)) {
                            root.submit()
                            event.accepted = true
                        } else if (event.key === Qt.Key_Escape && (root.replyTo !== 0 || root.editing !== 0)) {
                            root.cancelModes()
                            event.accepted = true
                        }
                    }
                    onTextChanged: if (text !== "" && root.editing === 0 && root.conversationId !== 0)
                                       Chat.userTyping(root.conversationId)
                }
            }

            PrimaryButton {
                objectName: "sendButton"
                text: root.editing !== 0 ? qsTr("Save") : qsTr("Send")
                enabled: field.text.trim() !== "" || (root.hasDraft && root.editing === 0)
                onClicked: root.submit()
                Accessible.name: root.editing !== 0 ? qsTr("Save the edit") : qsTr("Send the message")
            }
        }
    }
}
