#pragma once

#include <QString>

namespace confab {

/// How Qt Quick draws Confab's window: through the GPU (OpenGL via Qt's RHI), or with Qt Quick's
/// software renderer. A GPU is the right choice wherever there is one; where there is none, Mesa
/// would emulate OpenGL on the CPU (llvmpipe), which loads a large driver, costs tens of MiB and
/// starts slower than drawing the same 2D window with QPainter. So "automatic" draws in software
/// when nothing can reach a GPU: no DRM render node (/dev/dri/renderD*), Mesa told to render in
/// software, or an X server without direct rendering (Xvfb, Xvnc, `ssh -X`).
///
/// The person can override it in the settings file (`Appearance/renderer` = automatic, gpu or
/// software) and for one run with CONFAB_RENDERER; an explicit QT_QUICK_BACKEND always wins.
class Renderer
{
public:
    enum class Preference { Automatic, Gpu, Software };

    /// What decides "automatic", probed from the running application.
    struct Facts
    {
        QString platform;          ///< QGuiApplication::platformName()
        bool backendForced{false}; ///< QT_QUICK_BACKEND or QSG_RHI_BACKEND set by the person
        bool mesaSoftware{false};  ///< LIBGL_ALWAYS_SOFTWARE set
        bool renderNode{false};    ///< a /dev/dri/renderD* node exists
        bool x11Direct{true};      ///< on xcb: the server offers DRI3, DRI2 or NVIDIA's GLX
    };

    struct Decision
    {
        bool software{false};
        QString reason; ///< for the log: why
    };

    [[nodiscard]] static Preference preferenceFrom(const QString &value);
    [[nodiscard]] static Decision decide(Preference preference, const Facts &facts);

    /// Probes the facts (after QGuiApplication exists), reads the preference from `settingsFile`
    /// and CONFAB_RENDERER, and sets Qt Quick's graphics API before any window is made.
    static Decision choose(const QString &settingsFile);

private:
    [[nodiscard]] static Facts probe();
};

} // namespace confab
