import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import Confab.App

// One message in the timeline: grouped with its neighbours from the same sender (the name on the
// first, the time on the last), a reply quote, the text (plain, links made clickable, never the
// sender's markup), attachments, reactions, "edited", delivery ticks, and for a failed send the
// choice to retry or discard. Right-click or the … button offers reply, react, edit and delete.
Item {
    id: root

    required property int index
    required property var messageId
    required property string senderName
    required property string senderAvatar
    required property bool outgoing
    required property string text
    required property string linkedText
    required property string timeText
    required property bool edited
    required property bool deleted
    required property var reactions
    required property string replyToId
    required property string replyText
    required property string replySender
    required property bool replyValid
    required property var attachments
    required property real uploadProgress
    required property int delivery
    required property string failureReason
    required property int verification
    required property bool firstInGroup
    required property bool lastInGroup
    required property bool isGroup

    /// The actions menu for this message (one menu serves the whole timeline).
    signal menuRequested(var delegate, var anchorItem)
    /// An attachment was clicked: the viewer opens on it.
    signal viewRequested(var messageId, int ordinal)

    readonly property int topGap: firstInGroup ? Theme.spacing : 2

    width: ListView.view ? ListView.view.width : 400
    implicitHeight: topGap + row.implicitHeight + (reactionRow.visible ? reactionRow.implicitHeight - 2 : 0) + 2

    Accessible.role: Accessible.StaticText
    Accessible.name: (outgoing ? qsTr("You") : senderName) + ": " + (deleted ? qsTr("deleted message") : text)
                     + ", " + timeText

    RowLayout {
        id: row
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.topMargin: root.topGap
        anchors.leftMargin: Theme.padding
        anchors.rightMargin: Theme.padding
        layoutDirection: root.outgoing ? Qt.RightToLeft : Qt.LeftToRight
        spacing: Theme.spacing

        // Others' avatar beside the last message of a run (groups only; a 1:1 has one other).
        Item {
            visible: !root.outgoing && root.isGroup
            Layout.alignment: Qt.AlignBottom
            implicitWidth: 32
            implicitHeight: 32
            Avatar {
                visible: root.lastInGroup
                name: root.senderName
                source: root.senderAvatar
                size: 32
            }
        }

        Rectangle {
            id: bubble
            Layout.maximumWidth: Math.min(Theme.bubbleMaxWidth, root.width * 0.75)
            implicitWidth: Math.max(content.implicitWidth, 60) + 2 * Theme.padding
            implicitHeight: content.implicitHeight + Theme.spacing * 1.5
            radius: 14
            color: root.delivery === 3 ? Theme.warningBackground : (root.outgoing ? Theme.ownBubble : Theme.otherBubble)

            TapHandler {
                acceptedButtons: Qt.RightButton
                onTapped: root.menuRequested(root, bubble)
            }

            ColumnLayout {
                id: content
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                anchors.leftMargin: Theme.padding
                anchors.rightMargin: Theme.padding
                spacing: 3

                Text {
                    visible: root.firstInGroup && !root.outgoing && root.isGroup
                    text: root.senderName
                    textFormat: Text.PlainText
                    color: Theme.avatarColor(root.senderName)
                    font.weight: Font.DemiBold
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }

                // The quoted message of a reply; a quote that does not match the original says so.
                // Made only for replies (the timeline makes thousands of these delegates).
                Loader {
                    active: root.replyToId !== ""
                    visible: active
                    Layout.fillWidth: true
                    sourceComponent: quoteComponent
                }

                // Attachments: pictures in the timeline (decrypted and scaled off the GUI thread by
                // image://media), other files by name and size. A click opens the viewer; a drag
                // takes a decrypted copy out (to the desktop, a file manager). While the files
                // go up, a bar shows how far, with a button that stops it.
                Repeater {
                    model: root.attachments
                    delegate: Item {
                        id: attachment
                        required property var modelData
                        // X says "image" or "gif"; a detected type is a MIME name. (SVG is a file.)
                        readonly property string kind: String(modelData.type)
                        readonly property bool isPicture: kind === "image" || kind === "gif"
                                                          || (kind.startsWith("image/") && kind !== "image/svg+xml")
                        readonly property real naturalWidth: modelData.width > 0 ? modelData.width : 240
                        readonly property real naturalHeight: modelData.height > 0 ? modelData.height : 180
                        readonly property real shownWidth: Math.min(naturalWidth, Theme.pictureMaxWidth)
                        implicitWidth: isPicture ? shownWidth : fileChip.implicitWidth
                        implicitHeight: (isPicture ? Math.round(naturalHeight * shownWidth / naturalWidth)
                                                   : fileChip.implicitHeight)

                        Accessible.role: Accessible.Button
                        Accessible.name: (isPicture ? qsTr("Picture") : qsTr("File")) + " "
                                         + (modelData.name !== "" ? modelData.name : "")

                        TapHandler {
                            onTapped: root.viewRequested(root.messageId, attachment.modelData.ordinal)
                        }
                        DragHandler {
                            id: dragOut
                            target: null
                            onActiveChanged: if (active)
                                                 Media.startDrag(root.messageId, attachment.modelData.ordinal, attachment)
                        }
                        HoverHandler {
                            cursorShape: Qt.PointingHandCursor
                        }

                        Rectangle {
                            anchors.fill: parent
                            visible: attachment.isPicture && picture.status !== Image.Ready
                            radius: 8
                            color: Theme.hover
                            Text {
                                anchors.centerIn: parent
                                width: parent.width - 16
                                horizontalAlignment: Text.AlignHCenter
                                wrapMode: Text.Wrap
                                textFormat: Text.PlainText
                                text: picture.status === Image.Error ? qsTr("This picture could not be shown.")
                                      : attachment.modelData.downloadState === "downloading" ? qsTr("Downloading the picture…")
                                      : qsTr("Loading the picture…")
                                color: picture.status === Image.Error ? Theme.errorText : Theme.secondaryText
                                font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                            }
                        }
                        Image {
                            id: picture
                            objectName: "attachmentPicture"
                            anchors.fill: parent
                            visible: attachment.isPicture && status === Image.Ready
                            asynchronous: true
                            fillMode: Image.PreserveAspectFit
                            source: attachment.isPicture ? "image://media/" + root.messageId + "/" + attachment.modelData.ordinal
                                                         : ""
                            sourceSize.width: Math.ceil(attachment.shownWidth * Screen.devicePixelRatio)
                            Accessible.role: Accessible.Graphic
                            Accessible.name: attachment.modelData.name !== "" ? attachment.modelData.name : qsTr("Picture")
                        }
                        // Any other file: what it is, how big.
                        Rectangle {
                            id: fileChip
                            visible: !attachment.isPicture
                            anchors.left: parent.left
                            implicitWidth: Math.min(fileRow.implicitWidth + 2 * Theme.spacing, Theme.pictureMaxWidth)
                            implicitHeight: fileRow.implicitHeight + 2 * Theme.spacing
                            width: implicitWidth
                            radius: Theme.radius
                            color: Theme.hover
                            RowLayout {
                                id: fileRow
                                anchors.fill: parent
                                anchors.margins: Theme.spacing
                                spacing: Theme.spacing
                                Text {
                                    text: "📄"
                                    font.pixelSize: Math.round(Qt.application.font.pixelSize * 1.6)
                                    Accessible.ignored: true
                                }
                                ColumnLayout {
                                    spacing: 0
                                    Layout.fillWidth: true
                                    Text {
                                        objectName: "attachmentFileName"
                                        Layout.fillWidth: true
                                        Layout.maximumWidth: Theme.pictureMaxWidth - 80
                                        text: attachment.modelData.name !== "" ? attachment.modelData.name : qsTr("Attachment")
                                        textFormat: Text.PlainText
                                        elide: Text.ElideMiddle
                                        color: Theme.text
                                    }
                                    Text {
                                        text: Qt.locale().formattedDataSize(attachment.modelData.size)
                                        textFormat: Text.PlainText
                                        color: Theme.secondaryText
                                        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                                    }
                                }
                            }
                        }
                        // Going up: how far, and a way to stop it.
                        Rectangle {
                            objectName: "uploadOverlay"
                            visible: root.uploadProgress >= 0
                            anchors.left: parent.left
                            anchors.right: parent.right
                            anchors.bottom: parent.bottom
                            height: uploadRow.implicitHeight + Theme.spacing
                            radius: 8
                            color: Qt.rgba(0, 0, 0, 0.55)
                            RowLayout {
                                id: uploadRow
                                anchors.fill: parent
                                anchors.leftMargin: Theme.spacing
                                anchors.rightMargin: 2
                                spacing: Theme.spacing / 2
                                ProgressBar {
                                    objectName: "uploadProgress"
                                    Layout.fillWidth: true
                                    from: 0
                                    to: 1
                                    value: Math.max(0, root.uploadProgress)
                                    Accessible.name: qsTr("Sending")
                                }
                                Text {
                                    text: qsTr("%1%").arg(Math.floor(Math.max(0, root.uploadProgress) * 100))
                                    color: "white"
                                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                                }
                                ToolButton {
                                    objectName: "cancelUpload"
                                    text: "✕"
                                    palette.buttonText: "white"
                                    onClicked: Chat.cancelUpload(root.messageId)
                                    Accessible.name: qsTr("Stop sending")
                                    ToolTip.visible: hovered
                                    ToolTip.text: qsTr("Stop sending and remove the message")
                                }
                            }
                        }
                    }
                }

                // Light on purpose (the timeline holds thousands): a Text, not a TextEdit; "Copy
                // text" in the menu copies it.
                Text {
                    id: body
                    objectName: "messageText"
                    Layout.fillWidth: true
                    Layout.maximumWidth: Math.min(Theme.bubbleMaxWidth, root.width * 0.75) - 2 * Theme.padding
                    visible: root.text !== "" || root.deleted
                    // One format for both: escaped by the model, only its links as anchors.
                    text: root.deleted ? qsTr("This message was deleted.").replace(/&/g, "&amp;").replace(/</g, "&lt;")
                                       : root.linkedText
                    textFormat: Text.StyledText
                    wrapMode: Text.Wrap
                    color: root.deleted ? Theme.secondaryText : Theme.text
                    linkColor: Theme.accent
                    font.italic: root.deleted
                    onLinkActivated: link => Qt.openUrlExternally(link)
                    HoverHandler {
                        enabled: body.hoveredLink !== ""
                        cursorShape: Qt.PointingHandCursor
                    }
                }

                RowLayout {
                    Layout.alignment: Qt.AlignRight
                    spacing: 4
                    Text {
                        visible: root.verification === 2
                        text: "⚠"
                        color: Theme.errorText
                    }
                    Text {
                        visible: root.edited && !root.deleted
                        text: qsTr("edited")
                        textFormat: Text.PlainText
                        color: Theme.secondaryText
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * 0.75)
                    }
                    Text {
                        text: root.timeText
                        textFormat: Text.PlainText
                        color: Theme.secondaryText
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * 0.75)
                    }
                    Text {
                        objectName: "deliveryMark"
                        visible: root.outgoing
                        // Pending: a clock; sent: one tick; read: two ticks in the accent; failed: "!".
                        text: root.delivery === 1 ? "🕓" : root.delivery === 2 ? "✓" : root.delivery === 4 ? "✓✓"
                                                                                                               : root.delivery === 3 ? "!" : ""
                        color: root.delivery === 4 ? Theme.accent : root.delivery === 3 ? Theme.errorText
                                                                                         : Theme.secondaryText
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * 0.75)
                        font.weight: Font.Bold
                        Accessible.name: root.delivery === 1 ? qsTr("Sending") : root.delivery === 2 ? qsTr("Sent")
                                       : root.delivery === 4 ? qsTr("Read") : root.delivery === 3 ? qsTr("Not sent") : ""
                    }
                }

                // A send that gave up: why, and what to do (made only for such a message).
                Loader {
                    active: root.delivery === 3
                    visible: active
                    Layout.fillWidth: true
                    sourceComponent: failureComponent
                }
            }
        }

        // The actions button, made while the pointer is over the message.
        Loader {
            Layout.alignment: Qt.AlignVCenter
            active: hoverArea.hovered && !root.deleted && root.delivery !== 3
            sourceComponent: ToolButton {
                id: more
                objectName: "messageActions"
                text: "⋯"
                onClicked: root.menuRequested(root, more)
                Accessible.name: qsTr("Message actions")
            }
        }
        Item { Layout.fillWidth: true }
    }

    // Reactions under the bubble.
    Flow {
        id: reactionRow
        visible: root.reactions.length > 0
        anchors.top: row.bottom
        anchors.topMargin: -4
        x: root.outgoing ? root.width - width - Theme.padding - 8 : row.x + bubble.x + 8
        spacing: 4
        Repeater {
            model: root.reactions
            delegate: Rectangle {
                required property var modelData
                implicitWidth: chip.implicitWidth + 10
                implicitHeight: chip.implicitHeight + 4
                radius: height / 2
                color: modelData.mine ? Theme.selected : Theme.surface
                border.color: Theme.divider
                Text {
                    id: chip
                    anchors.centerIn: parent
                    text: modelData.emoji + (modelData.count > 1 ? " " + modelData.count : "")
                    textFormat: Text.PlainText
                    color: Theme.text
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }
                TapHandler {
                    onTapped: Chat.react(root.messageId, modelData.emoji, !modelData.mine)
                }
                Accessible.role: Accessible.Button
                Accessible.name: qsTr("%1, %n reactions", "", modelData.count).arg(modelData.emoji)
            }
        }
    }

    HoverHandler { id: hoverArea }

    Component {
        id: quoteComponent
        Rectangle {
            implicitHeight: quote.implicitHeight + 8
            radius: 6
            color: Qt.rgba(0, 0, 0, Theme.dark ? 0.25 : 0.06)
            Rectangle {
                width: 3
                height: parent.height
                radius: 1.5
                color: root.replyValid ? Theme.accent : Theme.errorText
            }
            ColumnLayout {
                id: quote
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                anchors.leftMargin: 10
                anchors.rightMargin: 6
                spacing: 0
                Text {
                    Layout.fillWidth: true
                    text: root.replySender
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Theme.accent
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                    font.weight: Font.DemiBold
                }
                Text {
                    Layout.fillWidth: true
                    text: root.replyValid ? root.replyText
                                          : qsTr("⚠ This quote does not match the original message.")
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    maximumLineCount: 2
                    wrapMode: Text.Wrap
                    color: root.replyValid ? Theme.secondaryText : Theme.errorText
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }
            }
        }
    }

    Component {
        id: failureComponent
        ColumnLayout {
            spacing: 2
            Text {
                Layout.fillWidth: true
                text: root.failureReason !== "" ? qsTr("Not sent: %1").arg(root.failureReason) : qsTr("Not sent.")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.errorText
                font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
            }
            RowLayout {
                Button {
                    objectName: "retryButton"
                    text: qsTr("Retry")
                    flat: true
                    onClicked: Chat.retry(root.messageId)
                }
                Button {
                    objectName: "discardButton"
                    text: qsTr("Discard")
                    flat: true
                    onClicked: Chat.discard(root.messageId)
                }
            }
        }
    }
}
