import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Confab.App

// At start, when the person keeps their secrets in a passphrase file: asks for the passphrase.
// "Not now" keeps this session's secrets in memory and leaves the file as it is.
StyledDialog {
    id: root

    objectName: "unlockSecretsDialog"
    title: qsTr("Unlock your secrets")
    modal: true
    closePolicy: Popup.NoAutoClose
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 4 * Theme.padding : 440, 440)
    visible: Session.phase === Session.Unlock

    onOpened: passphrase.forceActiveFocus()

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Text {
            Layout.fillWidth: true
            text: qsTr("Confab keeps your sign-ins and keys in a file protected by your passphrase, because this "
                       + "computer has no keychain. Type the passphrase to open it.")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
        }
        TextField {
            id: passphrase
            objectName: "unlockPassphrase"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            enabled: !Session.busy
            placeholderText: qsTr("Passphrase")
            Accessible.name: qsTr("Passphrase")
            onAccepted: unlockButton.clicked()
        }
        Text {
            Layout.fillWidth: true
            visible: text !== ""
            text: Session.passphraseError
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
                text: qsTr("Not now")
                enabled: !Session.busy
                onClicked: Session.skipUnlock()
            }
            PrimaryButton {
                id: unlockButton
                text: qsTr("Unlock")
                enabled: !Session.busy && passphrase.text !== ""
                onClicked: Session.unlockSecretsFile(passphrase.text)
            }
        }
    }
}
