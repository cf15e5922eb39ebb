pragma Singleton

import QtQuick
import Confab.App

// Colours and metrics of the views, in a light and a dark palette. Which one applies follows
// SystemAppearance (the desktop's colour scheme, or the user's choice). Text colours meet WCAG
// contrast on their backgrounds in both palettes; tst_theme.qml checks it.
QtObject {
    readonly property bool dark: SystemAppearance.dark

    // Surfaces
    readonly property color window: dark ? "#16181c" : "#ffffff"
    readonly property color sidebar: dark ? "#1d2025" : "#f3f4f6"
    readonly property color surface: dark ? "#24282e" : "#ffffff"
    readonly property color hover: dark ? "#2a2f36" : "#e8eaee"
    readonly property color selected: dark ? "#2d3a52" : "#dde7fb"
    readonly property color divider: dark ? "#30353c" : "#dde0e5"

    // Text
    readonly property color text: dark ? "#e8eaed" : "#1b1d21"
    readonly property color secondaryText: dark ? "#a2a8b0" : "#5c6169"

    // Accent: links, the selection, the primary button, unread badges
    readonly property color accent: dark ? "#8ab4ff" : "#2457c5"
    readonly property color accentText: dark ? "#0d1524" : "#ffffff"

    // Banners: something to act on, something to know; errors in text
    readonly property color warningBackground: dark ? "#3d3420" : "#fff4d6"
    readonly property color infoBackground: dark ? "#1f2d44" : "#e6eefc"
    readonly property color errorText: dark ? "#ff9a94" : "#b3261e"

    // Conversation bubbles: the person's own on the accent's tint, others' on the surface
    readonly property color ownBubble: dark ? "#27406b" : "#dbe7fd"
    readonly property color otherBubble: dark ? "#24282e" : "#f1f3f5"
    readonly property color unreadBadge: accent
    readonly property color mutedBadge: dark ? "#5d636b" : "#9aa0a8"

    // Avatars and account badges: eight calm colours, picked by a name's hash
    readonly property var avatarPalette: ["#5b7bd5", "#3f9c8e", "#c0674f", "#8a63c9", "#4f93c0", "#b5831f",
                                          "#c2567d", "#5f8f3c"]
    function avatarColor(name) {
        let h = 0
        for (let i = 0; i < name.length; ++i)
            h = (h * 31 + name.charCodeAt(i)) % 1000003
        return avatarPalette[h % avatarPalette.length]
    }
    function accountColor(key) {
        const n = parseInt(key)
        return isNaN(n) ? accent : avatarPalette[n % avatarPalette.length]
    }

    // Metrics
    readonly property int spacing: 8
    readonly property int padding: 12
    readonly property int radius: 8
    readonly property int sidebarWidth: 320
    readonly property int sidebarMinimumWidth: 240
    readonly property int sidebarMaximumWidth: 480
    readonly property int conversationMinimumWidth: 360
    readonly property int headerHeight: 52
    readonly property int rowHeight: 64
    readonly property int avatarSize: 40
    readonly property int bubbleMaxWidth: 560
    readonly property int pictureMaxWidth: 320

    // Type scale, relative to the system font so the user's font size setting is honoured
    readonly property real titleScale: 1.35
    readonly property real headingScale: 1.15
    readonly property real captionScale: 0.85
}
