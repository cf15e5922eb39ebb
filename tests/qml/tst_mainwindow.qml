import QtQuick
import QtQuick.Controls
import QtQuick.Window
import QtTest
import Confab
import Confab.App

TestCase {
    id: testCase
    name: "MainWindow"
    when: windowShown

    Component { id: mainWindow; Main {} }
    Component { id: listPane; ConversationListPane { width: 320; height: 600 } }
    Component { id: conversationPane; ConversationPane { width: 700; height: 600 } }
    // TestCase itself is invisible; panes are shown in a window of their own.
    Window { id: stage; width: 1000; height: 700; visible: true }

    function cleanup() { SystemAppearance.preference = SystemAppearance.FollowSystem }

    function test_windowBasics() {
        const window = createTemporaryObject(mainWindow, testCase)
        verify(window)
        compare(window.title, "Confab")
        verify(window.minimumWidth >= 600 && window.minimumWidth <= 800, "minimum width " + window.minimumWidth)
        verify(window.minimumHeight >= 400 && window.minimumHeight <= 600, "minimum height " + window.minimumHeight)
        verify(window.width >= window.minimumWidth && window.height >= window.minimumHeight)
    }

    function test_twoPanes() {
        const window = createTemporaryObject(mainWindow, testCase)
        const list = findChild(window.contentItem, "conversationListPane")
        const conversation = findChild(window.contentItem, "conversationPane")
        verify(list && conversation)
        tryVerify(() => list.width > 0 && conversation.width > 0)
        verify(list.x < conversation.x, "list on the left")
        tryCompare(list, "width", Theme.sidebarWidth)
        verify(conversation.width > list.width, "the conversation gets the room")
        tryVerify(() => list.height === window.contentItem.height && list.height > 0)
        tryVerify(() => conversation.height === window.contentItem.height)
    }

    function test_panesKeepTheirMinimumsInASmallWindow() {
        const window = createTemporaryObject(mainWindow, testCase)
        findChild(window.contentItem, "conversationListPane").SplitView.preferredWidth = Theme.sidebarMaximumWidth
        window.width = window.minimumWidth
        window.height = window.minimumHeight
        const list = findChild(window.contentItem, "conversationListPane")
        const conversation = findChild(window.contentItem, "conversationPane")
        tryVerify(() => list.width + conversation.width <= window.width)
        verify(list.width >= Theme.sidebarMinimumWidth, "list " + list.width)
        verify(conversation.width >= Theme.conversationMinimumWidth, "conversation " + conversation.width)
    }

    function test_followsTheColourScheme() {
        const window = createTemporaryObject(mainWindow, testCase)
        SystemAppearance.preference = SystemAppearance.Light
        verify(Qt.colorEqual(window.color, Theme.window))
        const light = Qt.color(window.color)
        SystemAppearance.preference = SystemAppearance.Dark
        verify(!Qt.colorEqual(window.color, light))
        verify(Qt.colorEqual(window.color, Theme.window))
        verify(Qt.colorEqual(window.palette.windowText, Theme.text))
    }

    function test_emptyStates() {
        const list = createTemporaryObject(listPane, stage.contentItem)
        const empty = findChild(list, "conversationListEmptyState")
        verify(empty.visible)
        verify(empty.width > 0 && empty.width < list.width, "the placeholder wraps inside the pane")

        // No session runs here, so the conversation pane shows that Confab is starting, and
        // neither the welcome nor the sign-in yet.
        const pane = createTemporaryObject(conversationPane, stage.contentItem)
        compare(Session.phase, Session.Starting)
        verify(findChild(pane, "startingIndicator").visible)
        verify(!findChild(pane, "conversationEmptyState").visible)
        verify(!findChild(pane, "signInLoader").active)
    }

    function test_profileLineOnlyWhenUseful() {
        const list = createTemporaryObject(listPane, stage.contentItem)
        const line = findChild(list, "profileLine")
        // The default profile on the real services needs no reminder.
        verify(!line.visible)
    }

    function test_geometryIsRestored() {
        let window = createTemporaryObject(mainWindow, testCase)
        window.width = 900
        window.height = 600
        window.close() // saves geometry and pane size
        window.destroy()
        wait(0)
        window = createTemporaryObject(mainWindow, testCase)
        compare(window.width, 900)
        compare(window.height, 600)
    }
}
