import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// The explicit opt-in for a computer without a keychain: keep sign-ins and keys in a file sealed
// with a passphrase the person chooses (and must type at every start), instead of forgetting
// them when Confab quits.
StyledDialog {
    id: root

    objectName: "secretsFileDialog"
    title: qsTr("Keep secrets in a passphrase-protected file")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 480, 480)

    readonly property string problem: passphrase.text === "" ? "" : Session.passphraseProblem(passphrase.text)
    readonly property bool matches: passphrase.text === repeat.text

    onOpened: {
        passphrase.text = ""
        repeat.text = ""
        passphrase.forceActiveFocus()
    }

    Connections {
        target: Session
        function onSecretsChanged() {
            if (Session.secretsPersistent)
                root.close()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Text {
            Layout.fillWidth: true
            text: qsTr("Your sign-ins and end-to-end keys will be sealed with this passphrase in a file of this "
                       + "profile. You type it every time Confab starts. Nobody can recover it: if you forget it, "
                       + "you sign in again and your keys are lost unless you have a key backup.")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
        }
        TextField {
            id: passphrase
            objectName: "newPassphrase"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            enabled: !Session.busy
            placeholderText: qsTr("Passphrase (at least 10 characters)")
            Accessible.name: qsTr("Passphrase")
        }
        TextField {
            id: repeat
            objectName: "repeatPassphrase"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            enabled: !Session.busy
            placeholderText: qsTr("The same passphrase again")
            Accessible.name: qsTr("Repeat the passphrase")
            onAccepted: keepButton.clicked()
        }
        Text {
            Layout.fillWidth: true
            visible: text !== ""
            text: root.problem !== "" ? root.problem
                                      : (repeat.text !== "" && !root.matches ? qsTr("The passphrases differ.")
                                                                              : Session.passphraseError)
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.errorText
        }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            BusyIndicator {
                running: Session.busy
                visible: running
                implicitWidth: 28
                implicitHeight: 28
            }
            Button {
                text: qsTr("Cancel")
                enabled: !Session.busy
                onClicked: root.close()
            }
            PrimaryButton {
                id: keepButton
                text: qsTr("Keep secrets in the file")
                enabled: !Session.busy && passphrase.text !== "" && root.problem === "" && root.matches
                onClicked: Session.keepSecretsInFile(passphrase.text)
            }
        }
    }
}
