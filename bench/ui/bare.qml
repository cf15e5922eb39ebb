import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The floor of scripts/bench-ui: a bare Qt Quick window of the same size as Confab's, showing a
// small form, run by the stock `qml` runtime. It logs when it is shown and its first frame, the
// way Confab's bench probe does (bench/ui/bench_ui.py reads the "BENCH" lines).
ApplicationWindow {
    id: window
    width: 1100
    height: 720
    visible: true
    title: "Bare Qt Quick window"

    property bool framed: false
    onVisibleChanged: if (visible) console.log("BENCH mapped " + Date.now())
    onFrameSwapped: {
        if (!framed) {
            framed = true
            console.log("BENCH firstFrame " + Date.now())
        }
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: 360
        spacing: 10

        Label {
            text: "Sign up"
            font.pixelSize: 22
            font.bold: true
        }
        Label {
            Layout.fillWidth: true
            text: "A few fields and a button: what any Qt Quick window costs."
            wrapMode: Text.Wrap
        }
        Label { text: "Name" }
        TextField {
            Layout.fillWidth: true
            placeholderText: "Your name"
        }
        Label { text: "Email" }
        TextField {
            Layout.fillWidth: true
            placeholderText: "you@example.com"
        }
        CheckBox { text: "Keep me signed in" }
        Button {
            Layout.alignment: Qt.AlignRight
            text: "Continue"
        }
    }
}
