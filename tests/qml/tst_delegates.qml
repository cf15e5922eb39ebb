import QtQuick
import QtQuick.Controls
import QtTest
import Confab
import Confab.App

// The list and timeline delegates show what their roles say, and nothing a sender could inject.
TestCase {
    id: testCase
    name: "Delegates"
    when: windowShown

    Window { id: stage; width: 800; height: 400; visible: true }

    Component {
        id: conversationRow
        ConversationDelegate {
            width: 320
            conversationId: 1
            accountId: 1
            title: "Maya Chen"
            initials: "MC"
            avatarUrl: ""
            lastMessagePreview: "See you at eight"
            lastActivityText: "14:05"
            unreadCount: 0
            muted: false
            typing: ""
            draft: ""
            trustWarning: false
            accountBadge: ""
            accountColor: ""
            kind: "direct"
            index: 0
        }
    }
    Component {
        id: messageRow
        MessageDelegate {
            width: 600
            index: 0
            messageId: 10
            senderName: "Maya Chen"
            senderAvatar: ""
            outgoing: false
            text: "<b>bold?</b> see https://example.org"
            linkedText: "&lt;b&gt;bold?&lt;/b&gt; see <a href=\"https://example.org\">https://example.org</a>"
            timeText: "14:05"
            edited: false
            deleted: false
            reactions: []
            replyToId: ""
            replyText: ""
            replySender: ""
            replyValid: true
            attachments: []
            uploadProgress: -1
            delivery: 0
            failureReason: ""
            verification: 1
            firstInGroup: true
            lastInGroup: true
            isGroup: false
        }
    }

    function texts(item) {
        let out = []
        function walk(i) {
            if (i.text !== undefined && typeof i.text === "string" && i.visible)
                out.push(i.text)
            for (let c = 0; c < i.children.length; ++c)
                walk(i.children[c])
        }
        walk(item)
        return out.join("|")
    }

    function test_conversationRow() {
        const row = createTemporaryObject(conversationRow, stage.contentItem)
        verify(texts(row).indexOf("See you at eight") >= 0)
        verify(row.Accessible.name.indexOf("Maya Chen") === 0)
        row.unreadCount = 3
        verify(texts(row).indexOf("3") >= 0, "unread badge")
        verify(row.Accessible.name.indexOf("3 unread") >= 0)
        row.typing = "Maya is typing…"
        verify(texts(row).indexOf("Maya is typing…") >= 0)
        verify(texts(row).indexOf("See you at eight") < 0, "typing replaces the preview")
        row.unreadCount = 1500
        verify(texts(row).indexOf("999+") >= 0)
        // A draft shows instead of the last message, after "Draft:", but not while the person is
        // typing, nor in the open conversation (its draft is in the field).
        row.typing = ""
        row.draft = "Half a thought"
        verify(texts(row).indexOf("Half a thought") >= 0)
        verify(texts(row).indexOf("Draft:") >= 0)
        verify(texts(row).indexOf("See you at eight") < 0, "the draft replaces the preview")
        verify(row.Accessible.name.indexOf("Draft: Half a thought") >= 0)
        row.selected = true
        verify(texts(row).indexOf("Half a thought") < 0)
        verify(texts(row).indexOf("See you at eight") >= 0)
        row.selected = false
        row.typing = "Maya is typing…"
        verify(texts(row).indexOf("Half a thought") < 0, "typing comes first")
    }

    function test_messageTextIsNeverMarkup() {
        const row = createTemporaryObject(messageRow, stage.contentItem)
        const body = findChild(row, "messageText")
        verify(body)
        // What shows is the sender's characters, tags included as text (escaped for the styled
        // text); the link is the only markup.
        compare(body.textFormat, Text.StyledText)
        compare(body.text.indexOf("&lt;b&gt;bold?&lt;/b&gt;"), 0)
        verify(body.text.indexOf("<a href=\"https://example.org\">") >= 0)
        verify(body.text.indexOf("<b>") < 0)
    }

    function test_failedSendOffersRetryAndDiscard() {
        const row = createTemporaryObject(messageRow, stage.contentItem)
        // Made only for a failed send: an ordinary message carries no buttons.
        compare(findChild(row, "retryButton"), null)
        row.outgoing = true
        row.delivery = 3
        row.failureReason = "The server refused it."
        verify(findChild(row, "retryButton").visible)
        verify(findChild(row, "discardButton").visible)
        verify(texts(row).indexOf("Not sent: The server refused it.") >= 0)
        compare(findChild(row, "deliveryMark").text, "!")
        row.delivery = 4
        compare(findChild(row, "deliveryMark").text, "✓✓")
        tryVerify(() => findChild(row, "retryButton") === null, 1000, "the buttons go once it is sent")
    }

    function test_deletedMessage() {
        const row = createTemporaryObject(messageRow, stage.contentItem)
        row.deleted = true
        compare(findChild(row, "messageText").text, "This message was deleted.")
    }
}
