#include "app/renderer.h"

#include "core/logging.h"

#include <QDir>
#include <QGuiApplication>
#include <QQuickWindow>
#include <QSettings>
#include <qguiapplication_platform.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <xcb/xcb.h>

namespace confab {

namespace {

bool hasRenderNode()
{
    const QDir dri(QStringLiteral("/dev/dri"));
    return !dri.entryList({QStringLiteral("renderD*")}, QDir::System | QDir::AllEntries).isEmpty();
}

/// Whether the X server can hand out direct (GPU) rendering. One round trip for all three.
bool x11OffersDirectRendering()
{
    auto *x11 = qGuiApp->nativeInterface<QNativeInterface::QX11Application>();
    if (x11 == nullptr || x11->connection() == nullptr)
        return true; // cannot tell: leave it to Qt
    xcb_connection_t *connection = x11->connection();
    constexpr std::array<const char *, 3> names{"DRI3", "DRI2", "NV-GLX"};
    std::array<xcb_query_extension_cookie_t, names.size()> cookies{};
    for (std::size_t i = 0; i < names.size(); ++i)
        cookies[i] = xcb_query_extension(connection, static_cast<uint16_t>(std::strlen(names[i])), names[i]);
    bool direct = false;
    for (auto cookie : cookies) {
        xcb_query_extension_reply_t *reply = xcb_query_extension_reply(connection, cookie, nullptr);
        direct = direct || (reply != nullptr && reply->present != 0);
        std::free(reply);
    }
    return direct;
}

} // namespace

Renderer::Preference Renderer::preferenceFrom(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v == QLatin1String("gpu"))
        return Preference::Gpu;
    if (v == QLatin1String("software"))
        return Preference::Software;
    return Preference::Automatic;
}

Renderer::Decision Renderer::decide(Preference preference, const Facts &facts)
{
    if (facts.backendForced)
        return {false, QStringLiteral("QT_QUICK_BACKEND or QSG_RHI_BACKEND decides")};
    if (facts.platform == QLatin1String("offscreen"))
        return {true, QStringLiteral("the offscreen platform has no GPU context")};
    switch (preference) {
    case Preference::Gpu: return {false, QStringLiteral("the GPU, as set")};
    case Preference::Software: return {true, QStringLiteral("software, as set")};
    case Preference::Automatic: break;
    }
    if (facts.mesaSoftware)
        return {true, QStringLiteral("LIBGL_ALWAYS_SOFTWARE asks for software rendering")};
    if (!facts.renderNode)
        return {true, QStringLiteral("no GPU render node (/dev/dri/renderD*)")};
    if (facts.platform == QLatin1String("xcb") && !facts.x11Direct)
        return {true, QStringLiteral("the X server offers no direct rendering (DRI3, DRI2 or NVIDIA GLX)")};
    return {false, QStringLiteral("a GPU is available")};
}

Renderer::Facts Renderer::probe()
{
    Facts facts;
    facts.platform = QGuiApplication::platformName();
    facts.backendForced =
        !qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND") || !qEnvironmentVariableIsEmpty("QSG_RHI_BACKEND");
    facts.mesaSoftware = qEnvironmentVariableIntValue("LIBGL_ALWAYS_SOFTWARE") != 0;
    facts.renderNode = hasRenderNode();
    if (facts.platform == QLatin1String("xcb") && facts.renderNode && !facts.backendForced)
        facts.x11Direct = x11OffersDirectRendering();
    return facts;
}

Renderer::Decision Renderer::choose(const QString &settingsFile)
{
    QString setting = qEnvironmentVariable("CONFAB_RENDERER");
    if (setting.isEmpty())
        setting = QSettings(settingsFile, QSettings::IniFormat).value(QStringLiteral("Appearance/renderer")).toString();
    const Decision decision = decide(preferenceFrom(setting), probe());
    if (decision.software)
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    qCInfo(lcUi).noquote() << "drawing" << (decision.software ? "in software:" : "with Qt's default:")
                           << decision.reason;
    return decision;
}

} // namespace confab
