import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs
import QtQuick.Window
import Confab.App

// The media viewer: the conversation's attachments over the whole window, one at a time.
// Pictures fit the window and zoom (wheel, pinch, +/−, double-click for actual size) and pan
// when larger; ←/→ go through the conversation's attachments; Save as, Copy, Open with the
// system's application; dragging the picture out (when it fits) gives a decrypted copy. Esc or
// the ✕ closes it. Other files show their name and size with the same actions.
Popup {
    id: root

    property var conversationId: 0
    property int index: -1
    readonly property var items: Media.viewerItems
    readonly property var current: index >= 0 && index < items.length ? items[index] : null
    /// 1: the picture fits the window; more: zoomed in.
    property real zoom: 1
    readonly property real maxZoom: 8

    function show(conversation, messageId, ordinal) {
        conversationId = conversation
        index = -1
        Media.openViewer(conversation, messageId, ordinal)
        open()
    }
    function go(step) {
        if (items.length === 0)
            return
        index = Math.max(0, Math.min(items.length - 1, index + step))
        zoom = 1
    }
    function zoomBy(factor) {
        zoom = Math.max(1, Math.min(maxZoom, zoom * factor))
    }
    function actualSize() {
        if (picture.implicitWidth <= 0)
            return
        const fit = Math.min(flick.width / picture.implicitWidth, flick.height / picture.implicitHeight, 1)
        zoom = Math.max(1, Math.min(maxZoom, 1 / fit))
    }

    Connections {
        target: Media
        function onViewerItemsChanged() {
            if (Media.viewerStart >= 0)
                root.index = Media.viewerStart
        }
    }

    parent: Overlay.overlay
    x: 0
    y: 0
    width: parent ? parent.width : 800
    height: parent ? parent.height : 600
    modal: true
    focus: true
    padding: 0
    closePolicy: Popup.CloseOnEscape
    onClosed: {
        zoom = 1
        index = -1
    }

    background: Rectangle {
        color: "#101216"
    }

    contentItem: Item {
        focus: true
        Keys.onPressed: event => {
            if (event.key === Qt.Key_Right) {
                root.go(1)
            } else if (event.key === Qt.Key_Left) {
                root.go(-1)
            } else if (event.key === Qt.Key_Plus || event.key === Qt.Key_Equal) {
                root.zoomBy(1.25)
            } else if (event.key === Qt.Key_Minus) {
                root.zoomBy(0.8)
            } else if (event.key === Qt.Key_0) {
                root.zoom = 1
            } else if (event.matches(StandardKey.Save)) {
                saveDialog.open()
            } else if (event.matches(StandardKey.Copy) && root.current) {
                Media.copy(root.current.messageId, root.current.ordinal)
            } else {
                return
            }
            event.accepted = true
        }

        Flickable {
            id: flick
            objectName: "viewerFlickable"
            anchors.fill: parent
            anchors.topMargin: toolbar.height
            clip: true
            contentWidth: Math.max(width, picture.fitWidth * root.zoom)
            contentHeight: Math.max(height, picture.fitHeight * root.zoom)
            interactive: root.zoom > 1
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.horizontal: ScrollBar { visible: root.zoom > 1 }
            ScrollBar.vertical: ScrollBar { visible: root.zoom > 1 }

            Image {
                id: picture
                objectName: "viewerPicture"
                // The whole picture, decoded off the GUI thread; never larger than 100 MP (the
                // decoder's limit), scaled here.
                readonly property real fitScale: implicitWidth > 0
                                                 ? Math.min(flick.width / implicitWidth, flick.height / implicitHeight, 1) : 1
                readonly property real fitWidth: implicitWidth * fitScale
                readonly property real fitHeight: implicitHeight * fitScale
                visible: root.current !== null && root.current.picture
                source: visible ? root.current.source : ""
                asynchronous: true
                cache: false
                smooth: true
                mipmap: true
                width: fitWidth * root.zoom
                height: fitHeight * root.zoom
                x: Math.max(0, (flick.contentWidth - width) / 2)
                y: Math.max(0, (flick.contentHeight - height) / 2)
                Accessible.role: Accessible.Graphic
                Accessible.name: root.current ? root.current.name : ""

                TapHandler {
                    onDoubleTapped: root.zoom > 1 ? root.zoom = 1 : root.actualSize()
                }
                DragHandler {
                    target: null
                    enabled: root.zoom <= 1
                    onActiveChanged: if (active && root.current)
                                         Media.startDrag(root.current.messageId, root.current.ordinal, picture)
                }
            }

            WheelHandler {
                acceptedModifiers: Qt.NoModifier | Qt.ControlModifier
                onWheel: event => root.zoomBy(event.angleDelta.y > 0 ? 1.2 : 1 / 1.2)
            }
            PinchHandler {
                target: null
                onActiveScaleChanged: root.zoom = Math.max(1, Math.min(root.maxZoom, root.zoom * (1 + (activeScale - 1) * 0.1)))
            }
        }

        BusyIndicator {
            anchors.centerIn: parent
            running: root.opened && (root.index < 0 || (picture.visible && picture.status === Image.Loading))
            visible: running
        }
        Text {
            anchors.centerIn: parent
            width: parent.width - 8 * Theme.padding
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            visible: picture.visible && picture.status === Image.Error
            text: qsTr("This picture could not be shown.")
            textFormat: Text.PlainText
            color: "#ffb4ab"
        }

        // A file that is not a picture: what it is, and what can be done with it.
        ColumnLayout {
            anchors.centerIn: parent
            visible: root.current !== null && !root.current.picture
            spacing: Theme.spacing
            Text {
                Layout.alignment: Qt.AlignHCenter
                text: "📄"
                font.pixelSize: 72
            }
            Text {
                Layout.alignment: Qt.AlignHCenter
                Layout.maximumWidth: root.width - 8 * Theme.padding
                text: root.current ? root.current.name : ""
                textFormat: Text.PlainText
                elide: Text.ElideMiddle
                color: "white"
                font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.headingScale)
            }
            Text {
                Layout.alignment: Qt.AlignHCenter
                text: root.current ? root.current.size : ""
                textFormat: Text.PlainText
                color: "#c4c7cc"
            }
            Button {
                Layout.alignment: Qt.AlignHCenter
                text: qsTr("Open")
                onClicked: Media.openExternally(root.current.messageId, root.current.ordinal)
            }
        }

        // Previous and next, at the sides.
        RoundButton {
            objectName: "viewerPrevious"
            anchors.left: parent.left
            anchors.leftMargin: Theme.padding
            anchors.verticalCenter: parent.verticalCenter
            visible: root.index > 0
            text: "‹"
            font.pixelSize: 28
            onClicked: root.go(-1)
            Accessible.name: qsTr("Previous")
        }
        RoundButton {
            objectName: "viewerNext"
            anchors.right: parent.right
            anchors.rightMargin: Theme.padding
            anchors.verticalCenter: parent.verticalCenter
            visible: root.index >= 0 && root.index < root.items.length - 1
            text: "›"
            font.pixelSize: 28
            onClicked: root.go(1)
            Accessible.name: qsTr("Next")
        }

        Rectangle {
            id: toolbar
            anchors.left: parent.left
            anchors.right: parent.right
            height: toolRow.implicitHeight + Theme.spacing
            color: "#c0000000"
            RowLayout {
                id: toolRow
                anchors.fill: parent
                anchors.leftMargin: Theme.padding
                anchors.rightMargin: Theme.spacing
                spacing: Theme.spacing / 2
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 0
                    Text {
                        objectName: "viewerName"
                        Layout.fillWidth: true
                        text: root.current ? root.current.name || qsTr("Picture") : ""
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        color: "white"
                        font.weight: Font.DemiBold
                    }
                    Text {
                        objectName: "viewerPosition"
                        text: root.items.length > 0 && root.index >= 0
                              ? qsTr("%1 of %2").arg(root.index + 1).arg(root.items.length) + " · " + root.current.size
                              : ""
                        textFormat: Text.PlainText
                        color: "#c4c7cc"
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                    }
                }
                component ViewerButton: ToolButton {
                    property string tip
                    palette.buttonText: "white"
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * 1.2)
                    enabled: root.current !== null
                    ToolTip.visible: hovered
                    ToolTip.text: tip
                    Accessible.name: tip
                }
                ViewerButton {
                    visible: root.current !== null && root.current.picture
                    text: "−"
                    tip: qsTr("Zoom out")
                    onClicked: root.zoomBy(0.8)
                }
                Text {
                    visible: root.current !== null && root.current.picture
                    text: qsTr("%1%").arg(Math.round(root.zoom * picture.fitScale * 100))
                    color: "white"
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }
                ViewerButton {
                    visible: root.current !== null && root.current.picture
                    text: "+"
                    tip: qsTr("Zoom in")
                    onClicked: root.zoomBy(1.25)
                }
                ViewerButton {
                    visible: root.current !== null && root.current.picture
                    text: "⤢"
                    tip: root.zoom > 1 ? qsTr("Fit to the window") : qsTr("Actual size")
                    onClicked: root.zoom > 1 ? root.zoom = 1 : root.actualSize()
                }
                ViewerButton {
                    objectName: "viewerSave"
                    text: "💾"
                    tip: qsTr("Save as…")
                    onClicked: saveDialog.open()
                }
                ViewerButton {
                    objectName: "viewerCopy"
                    text: "⧉"
                    tip: qsTr("Copy")
                    onClicked: Media.copy(root.current.messageId, root.current.ordinal)
                }
                ViewerButton {
                    objectName: "viewerOpenWith"
                    text: "↗"
                    tip: qsTr("Open with the system's application")
                    onClicked: Media.openExternally(root.current.messageId, root.current.ordinal)
                }
                ViewerButton {
                    objectName: "viewerClose"
                    text: "✕"
                    enabled: true
                    tip: qsTr("Close")
                    onClicked: root.close()
                }
            }
        }
    }

    FileDialog {
        id: saveDialog
        title: qsTr("Save the attachment")
        fileMode: FileDialog.SaveFile
        selectedFile: root.current && root.current.name ? root.current.name : ""
        onAccepted: {
            if (root.current)
                Media.saveAs(root.current.messageId, root.current.ordinal, selectedFile)
        }
    }
}
