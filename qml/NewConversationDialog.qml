import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// Starting a conversation: find people by their handle in one of the accounts, then open a 1:1
// with one person or a group with several (and a name).
StyledDialog {
    id: root

    objectName: "newConversationDialog"
    title: qsTr("New conversation")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 480, 480)

    property string accountKey
    property var people: []  // [{id, name, handle, avatarUrl}]
    property string error
    property bool busy: false

    onOpened: {
        people = []
        error = ""
        busy = false
        groupName.text = ""
        handle.text = ""
        if (Session.accounts && Session.accounts.count > 0 && accountKey === "")
            accountKey = accountBox.valueAt(0) || ""
        handle.forceActiveFocus()
    }

    Connections {
        target: Chat
        function onPersonFound(accountKey, person) {
            if (accountKey !== root.accountKey || !root.busy)
                return
            root.busy = false
            if (root.people.some(p => p.id === person.id))
                return
            root.people = root.people.concat([person])
            handle.text = ""
            root.error = ""
        }
        function onActionFailed(action, error) {
            if (!root.busy)
                return
            root.busy = false
            root.error = error
        }
        function onConversationStarted(conversationId) {
            if (!root.busy)
                return
            root.busy = false
            root.close()
            root.started(conversationId)
        }
    }

    signal started(var conversationId)

    function find() {
        if (handle.text.trim() === "")
            return
        busy = true
        error = ""
        Chat.findPerson(accountKey, handle.text)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        ComboBox {
            id: accountBox
            Layout.fillWidth: true
            visible: count > 1
            model: Session.accounts
            textRole: "displayName"
            valueRole: "key"
            onActivated: root.accountKey = currentValue
            Accessible.name: qsTr("Account")
        }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: handle
                objectName: "handleField"
                Layout.fillWidth: true
                placeholderText: qsTr("@handle")
                enabled: !root.busy
                Accessible.name: qsTr("Handle of the person to add")
                onAccepted: root.find()
            }
            Button {
                text: qsTr("Add")
                enabled: !root.busy && handle.text.trim() !== ""
                onClicked: root.find()
            }
        }
        Repeater {
            model: root.people
            delegate: RowLayout {
                required property var modelData
                required property int index
                Layout.fillWidth: true
                Avatar {
                    name: modelData.name
                    source: modelData.avatarUrl
                    size: 28
                }
                Text {
                    Layout.fillWidth: true
                    text: qsTr("%1 (@%2)").arg(modelData.name).arg(modelData.handle)
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Theme.text
                }
                ToolButton {
                    text: "✕"
                    Accessible.name: qsTr("Remove %1").arg(modelData.name)
                    onClicked: {
                        const copy = root.people.slice()
                        copy.splice(index, 1)
                        root.people = copy
                    }
                }
            }
        }
        TextField {
            id: groupName
            Layout.fillWidth: true
            visible: root.people.length > 1
            placeholderText: qsTr("Group name")
            Accessible.name: qsTr("Group name")
        }
        Text {
            Layout.fillWidth: true
            visible: root.error !== ""
            text: root.error
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.errorText
        }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            BusyIndicator {
                running: root.busy
                visible: running
                implicitWidth: 28
                implicitHeight: 28
            }
            Button {
                text: qsTr("Cancel")
                onClicked: root.close()
            }
            PrimaryButton {
                objectName: "startConversationButton"
                enabled: !root.busy && root.people.length > 0
                text: root.people.length > 1 ? qsTr("Create group") : qsTr("Start chat")
                onClicked: {
                    root.busy = true
                    root.error = ""
                    if (root.people.length === 1)
                        Chat.startDirect(root.accountKey, root.people[0].id)
                    else
                        Chat.createGroup(root.accountKey, root.people.map(p => p.id), groupName.text)
                }
            }
        }
    }
}
