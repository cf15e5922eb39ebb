import QtQuick
import QtQuick.Controls
import QtTest
import Confab
import Confab.App

// The composer's keys and modes: Enter sends (and clears), Shift+Enter makes a new line, an empty
// message is not sent, reply and edit modes show and leave with Esc, emoji go in at the cursor.
TestCase {
    id: testCase
    name: "Composer"
    when: windowShown

    Window { id: stage; width: 700; height: 300; visible: true }
    Component { id: composerComponent; Composer { width: 600; conversationId: 0 } }

    function make() {
        const composer = createTemporaryObject(composerComponent, stage.contentItem)
        verify(composer)
        stage.requestActivate()
        tryVerify(() => stage.active)
        composer.input.forceActiveFocus()
        tryVerify(() => composer.input.activeFocus)
        return composer
    }
    function modeBar(composer) { return findChild(composer, "composerMode") }
    function type(text) {
        for (let i = 0; i < text.length; ++i)
            keyClick(text[i] === " " ? Qt.Key_Space : text[i])
    }

    function test_enterSendsAndClears() {
        const composer = make()
        keyClick(Qt.Key_Return)
        compare(composer.input.text, "", "nothing to send")
        type("h")
        type("i")
        compare(composer.input.text, "hi")
        keyClick(Qt.Key_Return)
        compare(composer.input.text, "", "sent and cleared")
    }

    function test_shiftEnterIsANewLine() {
        const composer = make()
        type("a")
        keyClick(Qt.Key_Return, Qt.ShiftModifier)
        type("b")
        compare(composer.input.text, "a\nb")
        keyClick(Qt.Key_Enter, Qt.ShiftModifier) // the keypad's Enter too
        compare(composer.input.text, "a\nb\n")
    }

    function test_replyModeAndEscape() {
        const composer = make()
        type("x")
        composer.startReply(5, "Maya", "Are you coming?")
        verify(modeBar(composer).visible)
        compare(composer.replyTo, 5)
        keyClick(Qt.Key_Escape)
        verify(!modeBar(composer).visible)
        compare(composer.replyTo, 0)
        compare(composer.input.text, "x", "leaving reply mode keeps what was typed")
    }

    function test_editModeFillsAndSaves() {
        const composer = make()
        composer.startEdit(7, "old text")
        compare(composer.input.text, "old text")
        compare(findChild(composer, "sendButton").text, "Save")
        verify(modeBar(composer).visible)
        keyClick(Qt.Key_Escape)
        compare(composer.input.text, "", "cancelling an edit drops the edited text")
        compare(composer.editing, 0)
        compare(findChild(composer, "sendButton").text, "Send")
    }

    function test_sendButtonOnlyWithText() {
        const composer = make()
        const send = findChild(composer, "sendButton")
        verify(!send.enabled)
        type(" ")
        verify(!send.enabled, "spaces are no message")
        type("k")
        verify(send.enabled)
    }

    function test_draftsStayWithTheirConversation() {
        const composer = make()
        composer.conversationId = 41
        composer.startReply(9, "Leo", "Hey")
        type("half a")
        // Another conversation starts empty...
        composer.conversationId = 42
        compare(composer.replyTo, 0)
        compare(composer.input.text, "")
        verify(!modeBar(composer).visible)
        type("other")
        // ...and the first one has its text and reply again, the cursor at the end.
        composer.conversationId = 41
        compare(composer.input.text, "half a")
        compare(composer.input.cursorPosition, 6)
        compare(composer.replyTo, 9)
        compare(composer.replySender, "Leo")
        verify(modeBar(composer).visible)
        compare(Chat.draftOf(42).text, "other")
        // Sent: nothing is kept any more.
        keyClick(Qt.Key_Return)
        composer.conversationId = 42
        compare(composer.input.text, "other")
        composer.conversationId = 41
        compare(composer.input.text, "")
        compare(composer.replyTo, 0)
        compare(Object.keys(Chat.draftOf(41)).length, 0)
        // An edit in progress is not a draft.
        composer.startEdit(7, "old text")
        composer.conversationId = 42
        composer.conversationId = 41
        compare(composer.input.text, "")
        compare(composer.editing, 0)
        composer.conversationId = 42
        composer.input.text = ""
        composer.conversationId = 0
    }
}
