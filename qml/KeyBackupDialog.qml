import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Confab.App

// Exports an account's end-to-end keys as a key backup: a file protected by a passphrase the
// person chooses, to restore the keys when signing in on another computer (or here again).
StyledDialog {
    id: root

    property string accountKey
    property string accountName
    property string outcome
    property bool running: false

    objectName: "keyBackupDialog"
    title: qsTr("Back up end-to-end keys")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 480, 480)

    readonly property string problem: passphrase.text === "" ? "" : Session.passphraseProblem(passphrase.text)
    readonly property bool matches: passphrase.text === repeat.text

    onOpened: {
        passphrase.text = ""
        repeat.text = ""
        outcome = ""
        running = false
        passphrase.forceActiveFocus()
    }

    Connections {
        target: Session
        function onKeyBackupFinished(accountKey, error) {
            if (accountKey !== root.accountKey || !root.running)
                return
            root.running = false
            root.outcome = error === "" ? qsTr("The key backup is saved. Keep it and its passphrase somewhere safe.")
                                       : error
            root.failed = error !== ""
        }
    }
    property bool failed: false

    FileDialog {
        id: saveAs
        title: qsTr("Save the key backup")
        fileMode: FileDialog.SaveFile
        defaultSuffix: "confabkeys"
        nameFilters: [qsTr("Key backups (*.confabkeys)")]
        onAccepted: {
            root.running = true
            root.outcome = ""
            Session.exportKeyBackup(root.accountKey, passphrase.text, selectedFile)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Text {
            Layout.fillWidth: true
            text: qsTr("The backup holds the private keys that read %1's end-to-end encrypted messages. Choose a "
                       + "passphrase only you know; nobody can recover it.").arg(root.accountName)
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
        }
        TextField {
            id: passphrase
            objectName: "backupPassphrase"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            enabled: !root.running
            placeholderText: qsTr("Passphrase (at least 10 characters)")
            Accessible.name: qsTr("Passphrase")
        }
        TextField {
            id: repeat
            objectName: "backupPassphraseRepeat"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            enabled: !root.running
            placeholderText: qsTr("The same passphrase again")
            Accessible.name: qsTr("Repeat the passphrase")
        }
        Text {
            Layout.fillWidth: true
            visible: text !== ""
            text: root.problem !== "" ? root.problem
                                      : (repeat.text !== "" && !root.matches ? qsTr("The passphrases differ.") : "")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.errorText
        }
        Text {
            objectName: "backupResult"
            Layout.fillWidth: true
            visible: text !== ""
            text: root.outcome
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: root.failed ? Theme.errorText : Theme.text
        }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            BusyIndicator {
                running: root.running
                visible: running
                implicitWidth: 28
                implicitHeight: 28
            }
            Button {
                text: root.outcome !== "" && !root.failed ? qsTr("Close") : qsTr("Cancel")
                enabled: !root.running
                onClicked: root.close()
            }
            PrimaryButton {
                text: qsTr("Save backup…")
                visible: root.outcome === "" || root.failed
                enabled: !root.running && passphrase.text !== "" && root.problem === "" && root.matches
                onClicked: saveAs.open()
            }
        }
    }
}
