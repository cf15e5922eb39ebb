import QtQuick
import QtQuick.Controls
import QtQuick.Window
import Qt.labs.settings
import Confab.App

// The main window: the conversation list on the left, the open conversation on the right.
ApplicationWindow {
    id: window

    readonly property int defaultWidth: 1100
    readonly property int defaultHeight: 720

    readonly property string appTitle: AppInfo.defaultProfile ? qsTr("Confab") : qsTr("Confab — %1").arg(AppInfo.profile)
    // The unread count first, so it shows in a task bar's narrow button.
    title: Session.unreadTotal > 0 ? qsTr("(%1) %2").arg(Session.unreadTotal > 999 ? "999+" : Session.unreadTotal)
                                                     .arg(appTitle)
                                   : appTitle
    width: defaultWidth
    height: defaultHeight
    minimumWidth: Theme.sidebarWidth + Theme.conversationMinimumWidth + 40
    minimumHeight: 420
    visible: true
    color: Theme.window

    palette {
        window: Theme.window
        windowText: Theme.text
        base: Theme.surface
        alternateBase: Theme.sidebar
        text: Theme.text
        button: Theme.surface
        buttonText: Theme.text
        brightText: Theme.accentText
        highlight: Theme.accent
        highlightedText: Theme.accentText
        placeholderText: Theme.secondaryText
        toolTipBase: Theme.surface
        toolTipText: Theme.text
        link: Theme.accent
        light: Theme.hover
        midlight: Theme.hover
        mid: Theme.divider
        dark: Theme.divider
        shadow: Theme.divider
    }

    // Window geometry and pane sizes of this profile, restored on the next start.
    Settings {
        id: uiSettings
        fileName: AppInfo.settingsFile
        category: "MainWindow"
        property int x: -1
        property int y: -1
        property int width: 0
        property int height: 0
        property bool maximized: false
        property int sidebarWidth: Theme.sidebarWidth
    }

    // The theme the person chose in Settings (unless CONFAB_COLOR_SCHEME decides for this run).
    Settings {
        id: appearanceSettings
        fileName: AppInfo.settingsFile
        category: "Appearance"
        property int theme: SystemAppearance.FollowSystem
    }
    Connections {
        target: SystemAppearance
        function onPreferenceChanged() {
            if (!SystemAppearance.forcedByEnvironment)
                appearanceSettings.theme = SystemAppearance.preference
        }
    }

    Component.onCompleted: {
        if (!SystemAppearance.forcedByEnvironment && AppInfo.settingsFile !== "")
            SystemAppearance.preference = appearanceSettings.theme
        if (uiSettings.width >= minimumWidth && uiSettings.height >= minimumHeight) {
            width = uiSettings.width
            height = uiSettings.height
            // Only put the window back where it was if that place is still on a screen.
            if (uiSettings.x >= 0 && uiSettings.y >= 0
                    && uiSettings.x + 100 < Screen.desktopAvailableWidth
                    && uiSettings.y + 100 < Screen.desktopAvailableHeight) {
                x = uiSettings.x
                y = uiSettings.y
            }
        }
        if (uiSettings.maximized)
            visibility = Window.Maximized
    }

    onClosing: close => {
        // Close to the tray (a setting), where there is a tray to come back from.
        if (Notifications.closeToTray && trayLoader.item && trayLoader.item.available && !window.quitting) {
            close.accepted = false
            window.hide()
            return
        }
        uiSettings.maximized = visibility === Window.Maximized
        if (!uiSettings.maximized) {
            uiSettings.x = x
            uiSettings.y = y
            uiSettings.width = width
            uiSettings.height = height
        }
        uiSettings.sidebarWidth = Math.round(conversationList.width)
    }

    header: Column {
        Banner {
            objectName: "secretsBanner"
            width: window.width
            message: Session.secretsProblem
            actionText: qsTr("Use a passphrase file…")
            onActionTriggered: secretsFileDialog.open()
        }
        Banner {
            objectName: "storeBanner"
            width: window.width
            warning: false
            message: Session.storeNotice
        }
        // What the person asked for and did not work (sending, saving, a file refused).
        Banner {
            id: problemBanner
            objectName: "problemBanner"
            width: window.width
            Timer {
                id: problemTimeout
                interval: 12000
                onTriggered: problemBanner.message = ""
            }
            function show(text) {
                dismissedMessage = ""
                message = text
                problemTimeout.restart()
            }
            Connections {
                target: Media
                function onProblem(message) { problemBanner.show(message) }
            }
            Connections {
                target: Chat
                function onActionFailed(action, error) {
                    if (action === "send" || action === "cancelUpload" || action === "discard" || action === "retry")
                        problemBanner.show(error)
                }
            }
        }
    }

    // From the tray's Quit: closing then really quits.
    property bool quitting: false
    function bringToFront() {
        if (!visible)
            show()
        if (visibility === Window.Minimized)
            showNormal()
        raise()
        requestActivate()
    }
    // A notification was clicked: this window, this conversation.
    Connections {
        target: Notifications
        function onConversationRequested(conversationId) {
            window.bringToFront()
            window.openConversation(conversationId)
        }
    }
    // The tray icon, where the desktop has a tray: made once Confab is up, not for the first screen.
    Loader {
        id: trayLoader
        active: Session.phase === Session.Ready && Notifications.trayAvailable
        asynchronous: true
        source: "TrayIcon.qml"
        onLoaded: {
            item.openRequested.connect(window.bringToFront)
            item.quitRequested.connect(() => {
                window.quitting = true
                Qt.quit()
            })
        }
    }

    UnlockSecretsDialog {}
    SecretsFileDialog { id: secretsFileDialog }

    // Settings are loaded when first opened: the first screen does not need them.
    Loader {
        id: settingsLoader
        active: false
        sourceComponent: SettingsDialog {
            parent: Overlay.overlay
        }
        onLoaded: item.open()
    }
    function openSettings(page) {
        if (settingsLoader.item) {
            settingsLoader.item.currentPage = page
            settingsLoader.item.open()
        } else {
            settingsLoader.active = true
            settingsLoader.item.currentPage = page
        }
    }
    Shortcut {
        sequence: "Ctrl+,"
        onActivated: window.openSettings(0)
    }

    // Dialogs and the switcher are made on first use.
    Loader {
        id: newConversationLoader
        active: false
        sourceComponent: NewConversationDialog {
            parent: Overlay.overlay
            onStarted: id => window.openConversation(id)
        }
        onLoaded: item.open()
    }
    Loader {
        id: detailsLoader
        active: false
        sourceComponent: ConversationDetailsDialog {
            parent: Overlay.overlay
            conversation: conversation.conversation
        }
        onLoaded: item.open()
    }
    Loader {
        id: switcherLoader
        active: false
        sourceComponent: QuickSwitcher {
            parent: Overlay.overlay
            onChosen: id => window.openConversation(id)
        }
        onLoaded: item.open()
    }
    function showLoaded(loader) {
        if (loader.item)
            loader.item.open()
        else
            loader.active = true
    }
    /// Opens a conversation by id (after starting one, from the switcher).
    function openConversation(id) {
        conversationList.list.model.filterText = ""
        conversationList.searchField.text = ""
        if (!conversationList.openConversation(id)) {
            // Not in the list yet (just created): focus it; the list catches up.
            Chat.focusedConversation = id
            conversation.conversation = { conversationId: id }
            pendingOpen.target = id
            pendingOpen.restart()
        }
    }
    Timer {
        id: pendingOpen
        property var target: 0
        interval: 250
        repeat: true
        property int tries: 0
        onTriggered: {
            if (conversationList.openConversation(target) || ++tries > 40) {
                tries = 0
                stop()
            }
        }
    }

    Shortcut {
        sequence: "Ctrl+K"
        enabled: Session.conversations !== null
        onActivated: window.showLoaded(switcherLoader)
    }
    Shortcut {
        sequence: "Ctrl+F"
        onActivated: {
            conversationList.searchField.forceActiveFocus()
            conversationList.searchField.selectAll()
        }
    }
    Shortcut {
        sequence: "Ctrl+N"
        enabled: Session.accountCount > 0
        onActivated: window.showLoaded(newConversationLoader)
    }
    Shortcut {
        sequence: "Alt+Up"
        onActivated: conversationList.step(-1)
    }
    Shortcut {
        sequence: "Alt+Down"
        onActivated: conversationList.step(1)
    }

    SplitView {
        id: split
        objectName: "mainSplit"
        anchors.fill: parent
        orientation: Qt.Horizontal

        // A 1 px line with a 5 px grip, so the divider is easy to drag but looks light.
        handle: Item {
            implicitWidth: 5
            Rectangle {
                anchors.horizontalCenter: parent.horizontalCenter
                width: parent.SplitHandle.hovered || parent.SplitHandle.pressed ? 3 : 1
                height: parent.height
                color: parent.SplitHandle.hovered || parent.SplitHandle.pressed ? Theme.accent : Theme.divider
            }
        }

        ConversationListPane {
            id: conversationList
            objectName: "conversationListPane"
            onSettingsRequested: window.openSettings(0)
            onNewConversationRequested: window.showLoaded(newConversationLoader)
            onOpened: info => {
                conversation.conversation = info
                if (conversation.view)
                    conversation.view.composer.input.forceActiveFocus()
            }
            SplitView.preferredWidth: Math.max(Theme.sidebarMinimumWidth,
                                               Math.min(uiSettings.sidebarWidth, Theme.sidebarMaximumWidth))
            SplitView.minimumWidth: Theme.sidebarMinimumWidth
            // Never so wide that the conversation falls below its own minimum.
            SplitView.maximumWidth: split.width <= 0
                                    ? Theme.sidebarMaximumWidth
                                    : Math.max(Theme.sidebarMinimumWidth,
                                               Math.min(Theme.sidebarMaximumWidth,
                                                        split.width - Theme.conversationMinimumWidth - 5))
        }

        ConversationPane {
            id: conversation
            objectName: "conversationPane"
            SplitView.fillWidth: true
            SplitView.minimumWidth: Theme.conversationMinimumWidth
            onDetailsRequested: window.showLoaded(detailsLoader)
        }
    }
}
