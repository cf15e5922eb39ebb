import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Qt.labs.settings
import Confab.App

// Adding an account: X (with the person's own X app client id) or the --server in use. The
// sign-in happens in the browser; this shows what is going on, the link to copy when no browser
// opened, and why a sign-in failed. Optionally restores end-to-end keys from a key backup.
ColumnLayout {
    id: root

    spacing: Theme.spacing

    Settings {
        id: remembered
        fileName: AppInfo.settingsFile
        category: "SignIn"
        property string clientId
    }

    Text {
        Layout.fillWidth: true
        text: Session.customServer ? qsTr("Sign in to %1").arg(AppInfo.server) : qsTr("Sign in to X")
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        color: Theme.text
        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
        font.weight: Font.DemiBold
    }
    Text {
        Layout.fillWidth: true
        text: Session.customServer
              ? qsTr("Your browser opens the server's sign-in page. Confab never sees your password.")
              : qsTr("Your browser opens X's sign-in page. Confab never sees your password. X needs the client id of "
                     + "your own X app (developer.x.com, \"Keys and tokens\").")
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        color: Theme.secondaryText
    }

    TextField {
        id: clientId
        objectName: "clientIdField"
        Layout.fillWidth: true
        visible: !Session.customServer
        enabled: !Session.signingIn
        placeholderText: qsTr("OAuth 2.0 client id")
        text: remembered.clientId
        Accessible.name: qsTr("Client id of your X app")
        onAccepted: signInButton.clicked()
    }

    CheckBox {
        id: restore
        objectName: "restoreKeysCheck"
        enabled: !Session.signingIn
        text: qsTr("Restore my end-to-end keys from a key backup")
    }
    RowLayout {
        Layout.fillWidth: true
        visible: restore.checked
        Button {
            text: backupFile.selectedFile.toString() === "" ? qsTr("Choose backup…") : qsTr("Change…")
            enabled: !Session.signingIn
            onClicked: backupFile.open()
        }
        Text {
            Layout.fillWidth: true
            text: backupFile.selectedFile.toString() === "" ? qsTr("No file chosen")
                                                             : decodeURIComponent(backupFile.selectedFile.toString().replace(/^.*\//, ""))
            textFormat: Text.PlainText
            elide: Text.ElideMiddle
            color: Theme.secondaryText
        }
    }
    TextField {
        id: backupPassphrase
        Layout.fillWidth: true
        visible: restore.checked
        enabled: !Session.signingIn
        echoMode: TextInput.Password
        placeholderText: qsTr("Passphrase of the key backup")
        Accessible.name: qsTr("Passphrase of the key backup")
    }
    FileDialog {
        id: backupFile
        title: qsTr("Choose a key backup")
        nameFilters: [qsTr("Key backups (*.confabkeys *.txt)"), qsTr("All files (*)")]
    }

    PrimaryButton {
        id: signInButton
        objectName: "signInButton"
        Layout.alignment: Qt.AlignHCenter
        visible: !Session.signingIn
        enabled: (Session.customServer || clientId.text.trim() !== "")
                 && (!restore.checked || (backupFile.selectedFile.toString() !== "" && backupPassphrase.text !== ""))
        text: qsTr("Sign in with your browser")
        onClicked: {
            if (!Session.customServer)
                remembered.clientId = clientId.text.trim()
            Session.signIn(clientId.text, "", restore.checked ? backupFile.selectedFile : "",
                           restore.checked ? backupPassphrase.text : "")
        }
    }

    ColumnLayout {
        objectName: "signInWaiting"
        Layout.fillWidth: true
        visible: Session.signingIn
        spacing: Theme.spacing
        BusyIndicator {
            Layout.alignment: Qt.AlignHCenter
            running: Session.signingIn
            Accessible.name: qsTr("Signing in")
        }
        Text {
            Layout.fillWidth: true
            text: qsTr("Finish signing in in your browser. If no browser opened, copy the link and open it yourself.")
            textFormat: Text.PlainText
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: Theme.secondaryText
        }
        RowLayout {
            Layout.alignment: Qt.AlignHCenter
            Button {
                text: qsTr("Copy link")
                enabled: Session.signInLink !== ""
                onClicked: {
                    linkCopy.text = Session.signInLink
                    linkCopy.selectAll()
                    linkCopy.copy()
                }
            }
            Button {
                text: qsTr("Cancel")
                onClicked: Session.cancelSignIn()
            }
        }
        TextEdit { id: linkCopy; visible: false }
    }

    Text {
        objectName: "signInError"
        Layout.fillWidth: true
        visible: text !== "" && !Session.signingIn
        text: Session.signInError
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        color: Theme.errorText
    }
}
