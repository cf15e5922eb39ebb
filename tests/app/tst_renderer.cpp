// Renderer: which scene graph Confab asks Qt Quick for, given what the machine offers.

#include "app/renderer.h"

#include <QTest>

using confab::Renderer;

class TestRenderer : public QObject
{
    Q_OBJECT

private:
    static Renderer::Facts desktopWithGpu()
    {
        Renderer::Facts facts;
        facts.platform = QStringLiteral("xcb");
        facts.renderNode = true;
        facts.x11Direct = true;
        return facts;
    }

private slots:
    void preferenceFromSettingText()
    {
        QCOMPARE(Renderer::preferenceFrom(QStringLiteral("gpu")), Renderer::Preference::Gpu);
        QCOMPARE(Renderer::preferenceFrom(QStringLiteral(" Software ")), Renderer::Preference::Software);
        QCOMPARE(Renderer::preferenceFrom(QStringLiteral("automatic")), Renderer::Preference::Automatic);
        QCOMPARE(Renderer::preferenceFrom(QString()), Renderer::Preference::Automatic);
        QCOMPARE(Renderer::preferenceFrom(QStringLiteral("vulkan-please")), Renderer::Preference::Automatic);
    }

    void aGpuDesktopKeepsQtsDefault()
    {
        const auto decision = Renderer::decide(Renderer::Preference::Automatic, desktopWithGpu());
        QVERIFY(!decision.software);
        auto wayland = desktopWithGpu();
        wayland.platform = QStringLiteral("wayland");
        wayland.x11Direct = false; // not asked on Wayland
        QVERIFY(!Renderer::decide(Renderer::Preference::Automatic, wayland).software);
    }

    void noGpuDrawsInSoftware()
    {
        auto noNode = desktopWithGpu();
        noNode.renderNode = false;
        const auto decision = Renderer::decide(Renderer::Preference::Automatic, noNode);
        QVERIFY(decision.software);
        QVERIFY(decision.reason.contains(QLatin1String("render node")));

        auto xvfb = desktopWithGpu();
        xvfb.x11Direct = false;
        QVERIFY(Renderer::decide(Renderer::Preference::Automatic, xvfb).software);

        auto mesa = desktopWithGpu();
        mesa.mesaSoftware = true;
        QVERIFY(Renderer::decide(Renderer::Preference::Automatic, mesa).software);

        auto offscreen = desktopWithGpu();
        offscreen.platform = QStringLiteral("offscreen");
        QVERIFY(Renderer::decide(Renderer::Preference::Gpu, offscreen).software);
    }

    void thePersonsChoiceWinsOverTheGuess()
    {
        auto noNode = desktopWithGpu();
        noNode.renderNode = false;
        QVERIFY(!Renderer::decide(Renderer::Preference::Gpu, noNode).software);
        QVERIFY(Renderer::decide(Renderer::Preference::Software, desktopWithGpu()).software);
    }

    void anExplicitQtBackendWinsOverEverything()
    {
        auto forced = desktopWithGpu();
        forced.renderNode = false;
        forced.backendForced = true;
        QVERIFY(!Renderer::decide(Renderer::Preference::Software, forced).software);
    }
};

QTEST_GUILESS_MAIN(TestRenderer)
#include "tst_renderer.moc"
