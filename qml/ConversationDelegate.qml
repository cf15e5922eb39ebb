import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One conversation in the list: avatar, title, time, the last message or who is typing, the unread
// count, and marks for muted, a changed key and the account it belongs to.
ItemDelegate {
    id: root

    required property int index
    required property var conversationId
    required property var accountId
    required property string title
    required property string initials
    required property string avatarUrl
    required property string lastMessagePreview
    required property string lastActivityText
    required property int unreadCount
    required property bool muted
    required property string typing
    required property string draft
    required property bool trustWarning
    required property string accountBadge
    required property string accountColor
    required property string kind

    property bool selected: false
    /// What waits unsent here, shown instead of the last message (not for the open conversation,
    /// whose draft is in its field).
    readonly property bool showsDraft: draft !== "" && typing === "" && !selected

    width: ListView.view ? ListView.view.width : implicitWidth
    height: Theme.rowHeight
    topPadding: 0
    bottomPadding: 0
    leftPadding: Theme.padding
    rightPadding: Theme.padding
    highlighted: selected
    focusPolicy: Qt.NoFocus

    Accessible.role: Accessible.ListItem
    Accessible.name: {
        let parts = [title]
        if (unreadCount > 0)
            parts.push(qsTr("%n unread", "", unreadCount))
        if (typing !== "")
            parts.push(typing)
        else if (showsDraft)
            parts.push(qsTr("Draft: %1").arg(draft))
        else if (lastMessagePreview !== "")
            parts.push(lastMessagePreview)
        return parts.join(", ")
    }

    background: Rectangle {
        color: root.selected ? Theme.selected : (root.hovered ? Theme.hover : "transparent")
    }

    contentItem: RowLayout {
        spacing: Theme.padding

        Avatar {
            name: root.title
            initials: root.initials
            source: root.avatarUrl
            size: Theme.avatarSize
            Layout.alignment: Qt.AlignVCenter
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignVCenter
            spacing: 2

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing / 2
                Text {
                    Layout.fillWidth: true
                    text: root.title
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Theme.text
                    font.weight: root.unreadCount > 0 ? Font.Bold : Font.DemiBold
                }
                Text {
                    visible: root.trustWarning
                    text: "⚠"
                    color: Theme.errorText
                    ToolTip.visible: trustHover.hovered
                    ToolTip.text: qsTr("A key in this conversation changed. Compare fingerprints before you trust it.")
                    HoverHandler { id: trustHover }
                }
                Text {
                    visible: root.muted
                    text: "🔕"
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                    color: Theme.secondaryText
                }
                Text {
                    text: root.lastActivityText
                    textFormat: Text.PlainText
                    color: root.unreadCount > 0 && !root.muted ? Theme.accent : Theme.secondaryText
                    font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                }
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing / 2
                Rectangle {
                    visible: root.accountBadge !== ""
                    implicitWidth: badgeText.implicitWidth + 8
                    implicitHeight: badgeText.implicitHeight + 2
                    radius: 3
                    color: Theme.accountColor(root.accountColor)
                    Text {
                        id: badgeText
                        anchors.centerIn: parent
                        text: root.accountBadge
                        textFormat: Text.PlainText
                        color: "#ffffff"
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * 0.75)
                    }
                }
                Text {
                    objectName: "draftLabel"
                    visible: root.showsDraft
                    text: qsTr("Draft:")
                    textFormat: Text.PlainText
                    color: Theme.errorText
                }
                Text {
                    Layout.fillWidth: true
                    text: root.typing !== "" ? root.typing : root.showsDraft ? root.draft : root.lastMessagePreview
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    maximumLineCount: 1
                    color: root.typing !== "" ? Theme.accent : Theme.secondaryText
                    font.italic: root.typing !== ""
                }
                Rectangle {
                    visible: root.unreadCount > 0
                    implicitWidth: Math.max(implicitHeight, countText.implicitWidth + 10)
                    implicitHeight: countText.implicitHeight + 4
                    radius: implicitHeight / 2
                    color: root.muted ? Theme.mutedBadge : Theme.unreadBadge
                    Text {
                        id: countText
                        anchors.centerIn: parent
                        text: root.unreadCount > 999 ? "999+" : root.unreadCount
                        textFormat: Text.PlainText
                        color: Theme.accentText
                        font.pixelSize: Math.round(Qt.application.font.pixelSize * Theme.captionScale)
                        font.weight: Font.Bold
                    }
                }
            }
        }
    }
}
