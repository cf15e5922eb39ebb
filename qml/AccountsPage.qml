import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// Settings › Accounts: every account of the profile with its state, and what can be done with it:
// sign in again, back up its end-to-end keys, sign out (with a warning when that loses keys),
// remove; and adding another account.
ColumnLayout {
    id: root

    spacing: Theme.spacing

    Text {
        Layout.fillWidth: true
        text: qsTr("Sign-ins and keys are kept in %1.").arg(Session.secretsWhere)
        visible: Session.secretsWhere !== ""
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: Theme.secondaryText
    }

    ListView {
        id: list
        objectName: "accountList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 120
        clip: true
        spacing: Theme.spacing
        model: Session.accounts
        keyNavigationEnabled: true
        activeFocusOnTab: true
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Accounts")

        delegate: Rectangle {
            id: row
            required property int index
            required property string key
            required property string displayName
            required property string username
            required property string server
            required property string stateText
            required property string problem
            required property bool signedOut
            required property int state
            // Account::State: SignInRequired
            readonly property bool needsSignIn: state === 7

            width: ListView.view.width
            implicitHeight: content.implicitHeight + 2 * Theme.padding
            radius: Theme.radius
            color: ListView.isCurrentItem && list.activeFocus ? Theme.selected : Theme.surface
            border.color: Theme.divider
            Accessible.role: Accessible.ListItem
            Accessible.name: qsTr("%1, %2").arg(displayName).arg(stateText)

            RowLayout {
                id: content
                anchors.fill: parent
                anchors.margins: Theme.padding
                spacing: Theme.padding

                Rectangle {
                    Layout.alignment: Qt.AlignTop
                    implicitWidth: 40
                    implicitHeight: 40
                    radius: 20
                    color: Theme.accent
                    Accessible.ignored: true
                    Text {
                        anchors.centerIn: parent
                        text: (row.displayName || row.username || "?").charAt(0).toUpperCase()
                        textFormat: Text.PlainText
                        color: Theme.accentText
                        font.weight: Font.Bold
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Text {
                        Layout.fillWidth: true
                        text: row.displayName !== "" ? row.displayName : "@" + row.username
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        color: Theme.text
                        font.weight: Font.DemiBold
                    }
                    Text {
                        Layout.fillWidth: true
                        text: qsTr("@%1 · X Chat · %2").arg(row.username).arg(row.server)
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        color: Theme.secondaryText
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                    }
                    Text {
                        objectName: "accountState"
                        Layout.fillWidth: true
                        text: row.stateText
                        textFormat: Text.PlainText
                        color: Theme.secondaryText
                    }
                    Text {
                        Layout.fillWidth: true
                        visible: row.problem !== ""
                        text: row.problem
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        color: Theme.errorText
                    }
                    Flow {
                        Layout.fillWidth: true
                        Layout.topMargin: Theme.spacing / 2
                        spacing: Theme.spacing
                        PrimaryButton {
                            visible: row.needsSignIn || row.signedOut
                            text: qsTr("Sign in again")
                            enabled: !Session.signingIn
                            onClicked: Session.signInAgain(row.key)
                        }
                        Button {
                            objectName: "backUpKeysButton"
                            visible: !row.signedOut
                            text: qsTr("Back up keys…")
                            onClicked: root.backUp(row.key, row.displayName)
                        }
                        Button {
                            objectName: "signOutButton"
                            visible: !row.signedOut
                            text: qsTr("Sign out…")
                            onClicked: root.confirm(row.key, row.displayName, false)
                        }
                        Button {
                            text: qsTr("Remove…")
                            onClicked: root.confirm(row.key, row.displayName, true)
                        }
                    }
                }
            }
        }
    }

    Text {
        Layout.fillWidth: true
        visible: Session.signingIn || Session.signInError !== ""
        text: Session.signingIn ? qsTr("Finish signing in in your browser…") : Session.signInError
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: Session.signingIn ? Theme.secondaryText : Theme.errorText
    }
    Text {
        id: actionResult
        Layout.fillWidth: true
        visible: text !== ""
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: Theme.errorText
    }
    Button {
        text: qsTr("Add account…")
        onClicked: addAccount.open()
    }

    Connections {
        target: Session
        function onAccountActionFinished(accountKey, error) { actionResult.text = error }
    }

    function confirm(key, name, removing) {
        signOut.accountKey = key
        signOut.accountName = name
        signOut.removing = removing
        signOut.open()
    }
    function backUp(key, name) {
        backup.accountKey = key
        backup.accountName = name
        backup.open()
    }

    SignOutDialog {
        id: signOut
        parent: Overlay.overlay
        onBackUpRequested: (key, name) => root.backUp(key, name)
    }
    KeyBackupDialog {
        id: backup
        parent: Overlay.overlay
    }
    Dialog {
        id: addAccount
        objectName: "addAccountDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(parent.width - 4 * Theme.padding, 460)
        modal: true
        title: qsTr("Add an account")
        standardButtons: Dialog.Close
        SignInPanel {
            anchors.fill: parent
        }
        Connections {
            target: Session
            function onSignInFinished(accountKey, error) {
                if (error === "")
                    addAccount.close()
            }
        }
    }
}
