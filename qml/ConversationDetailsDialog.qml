import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// Who is in the conversation and their key fingerprints, to compare with them in person or on a
// call; a fingerprint that matches can be marked verified (until their key changes).
StyledDialog {
    id: root

    objectName: "conversationDetailsDialog"
    property var conversation: ({})
    property int revision: 0 // bumped when a verification changes, to re-read the marks

    title: conversation.title || qsTr("Conversation")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 560, 560)
    height: Math.min(parent ? parent.height - 4 * Theme.padding : 560, 560)
    standardButtons: Dialog.Close

    Connections {
        target: Chat
        function onVerificationChanged() { root.revision++ }
        function onContactKeyChanged() { root.revision++ }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Switch {
            objectName: "muteSwitch"
            text: qsTr("Mute notifications")
            checked: root.conversation.muted || false
            onToggled: Chat.setMuted(root.conversation.conversationId || 0, checked)
        }
        Text {
            Layout.fillWidth: true
            text: qsTr("Compare each fingerprint with the person over another channel (in person, a call). If they match, nobody is listening in.")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.secondaryText
        }
        Text {
            Layout.fillWidth: true
            text: qsTr("Your fingerprint: %1").arg(Chat.ownFingerprint(root.conversation.accountId || 0) || qsTr("not known yet"))
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            color: Theme.text
            font.family: "monospace"
        }

        ListView {
            id: members
            objectName: "memberList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.spacing
            model: root.visible ? Chat.members : null
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Members")
            ScrollBar.vertical: ScrollBar {}

            delegate: Rectangle {
                id: member
                required property string userId
                required property string name
                required property string username
                required property string avatar
                required property string initials
                required property bool isAdmin

                readonly property string fingerprint: root.revision >= 0
                                                      ? Chat.fingerprintOf(root.conversation.accountId || 0, userId) : ""
                readonly property bool verified: root.revision >= 0
                                                 && Chat.isVerified(root.conversation.accountId || 0, userId)

                width: ListView.view.width
                implicitHeight: row.implicitHeight + 2 * Theme.spacing
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.divider

                RowLayout {
                    id: row
                    anchors.fill: parent
                    anchors.margins: Theme.spacing
                    spacing: Theme.padding
                    Avatar {
                        Layout.alignment: Qt.AlignTop
                        name: member.name
                        initials: member.initials
                        source: member.avatar
                        size: 36
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Text {
                            Layout.fillWidth: true
                            text: member.name + (member.isAdmin ? "  ·  " + qsTr("admin") : "")
                            textFormat: Text.PlainText
                            elide: Text.ElideRight
                            color: Theme.text
                            font.weight: Font.DemiBold
                        }
                        Text {
                            visible: member.username !== ""
                            text: "@" + member.username
                            textFormat: Text.PlainText
                            color: Theme.secondaryText
                        }
                        Text {
                            Layout.fillWidth: true
                            text: member.fingerprint !== "" ? member.fingerprint : qsTr("Fingerprint not known yet")
                            textFormat: Text.PlainText
                            wrapMode: Text.WrapAnywhere
                            color: Theme.secondaryText
                            font.family: "monospace"
                            font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                        }
                    }
                    CheckBox {
                        visible: member.fingerprint !== ""
                        text: member.verified ? qsTr("Verified") : qsTr("Verify")
                        checked: member.verified
                        onToggled: Chat.setVerified(root.conversation.accountId || 0, member.userId, checked)
                        Accessible.name: qsTr("Verified %1's fingerprint").arg(member.name)
                    }
                }
            }
        }
    }
}
