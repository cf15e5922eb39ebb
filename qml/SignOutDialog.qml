import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// Asks before signing out (or removing) an account, and warns when its end-to-end keys were never
// backed up: they exist only on this computer and are wiped with the sign-out.
StyledDialog {
    id: root

    property string accountKey
    property string accountName
    property bool removing: false
    property bool losesKeys: false

    signal backUpRequested(string accountKey, string accountName)

    objectName: "signOutDialog"
    title: removing ? qsTr("Remove %1?").arg(accountName) : qsTr("Sign out of %1?").arg(accountName)
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 480, 480)

    onAboutToShow: losesKeys = Session.signOutLosesKeys(accountKey)

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Text {
            Layout.fillWidth: true
            text: root.removing
                  ? qsTr("Confab signs out, deletes this account's conversations from this computer and forgets the account.")
                  : qsTr("Confab signs out and deletes this account's conversations from this computer. You can sign in again later.")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
        }
        Rectangle {
            objectName: "keysWarning"
            Layout.fillWidth: true
            visible: root.losesKeys
            implicitHeight: warning.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.warningBackground
            Text {
                id: warning
                anchors.fill: parent
                anchors.margins: Theme.spacing
                text: qsTr("Your end-to-end keys for this account exist only on this computer and have never been "
                           + "backed up. After signing out, messages sent to you before cannot be read anywhere, "
                           + "ever. Back up your keys first to keep them.")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.text
            }
        }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            Button {
                text: qsTr("Cancel")
                onClicked: root.close()
            }
            PrimaryButton {
                visible: root.losesKeys
                text: qsTr("Back up keys…")
                onClicked: {
                    root.close()
                    root.backUpRequested(root.accountKey, root.accountName)
                }
            }
            Button {
                objectName: "confirmSignOut"
                text: root.losesKeys ? (root.removing ? qsTr("Remove anyway") : qsTr("Sign out anyway"))
                                     : (root.removing ? qsTr("Remove") : qsTr("Sign out"))
                highlighted: !root.losesKeys
                onClicked: {
                    root.close()
                    if (root.removing)
                        Session.removeAccount(root.accountKey)
                    else
                        Session.signOut(root.accountKey)
                }
            }
        }
    }
}
