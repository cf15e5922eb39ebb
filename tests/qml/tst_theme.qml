import QtQuick
import QtTest
import Confab
import Confab.App

// Both palettes must be readable: WCAG 2.1 contrast of text on every surface it is drawn on.
TestCase {
    name: "Theme"

    function luminance(c) {
        function channel(v) { return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) }
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }
    function contrast(a, b) {
        const la = luminance(a), lb = luminance(b)
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }
    function checkPalette(label) {
        const surfaces = { window: Theme.window, sidebar: Theme.sidebar, surface: Theme.surface,
                           hover: Theme.hover, selected: Theme.selected }
        for (const name in surfaces) {
            verify(contrast(Theme.text, surfaces[name]) >= 7,
                   label + ": text on " + name + " is " + contrast(Theme.text, surfaces[name]).toFixed(2))
            verify(contrast(Theme.secondaryText, surfaces[name]) >= 4.5,
                   label + ": secondary text on " + name + " is " + contrast(Theme.secondaryText, surfaces[name]).toFixed(2))
        }
        verify(contrast(Theme.accentText, Theme.accent) >= 4.5, label + ": text on the accent")
        verify(contrast(Theme.accent, Theme.window) >= 4.5, label + ": accent (links) on the window")
        verify(contrast(Theme.divider, Theme.window) > 1.1, label + ": dividers must be visible")
    }

    function cleanup() { SystemAppearance.preference = SystemAppearance.FollowSystem }

    function test_lightPalette() {
        SystemAppearance.preference = SystemAppearance.Light
        verify(!Theme.dark)
        checkPalette("light")
    }

    function test_darkPalette() {
        SystemAppearance.preference = SystemAppearance.Dark
        verify(Theme.dark)
        checkPalette("dark")
    }

    function test_palettesDiffer() {
        SystemAppearance.preference = SystemAppearance.Light
        const light = Qt.color(Theme.window)
        SystemAppearance.preference = SystemAppearance.Dark
        verify(!Qt.colorEqual(light, Theme.window))
        verify(luminance(Theme.window) < luminance(light))
    }
}
