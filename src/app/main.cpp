// Confab's entry point and composition root: reads the command line, claims the profile, and
// builds the window. Only this layer knows every other layer.

#include "app/appid.h"
#include "app/benchprobe.h"
#include "app/commandline.h"
#include "app/composition.h"
#include "app/profile.h"
#include "app/quitonsignal.h"
#include "app/renderer.h"
#include "app/singleinstance.h"
#include "app/windowcapture.h"
#include "core/logging.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QQmlApplicationEngine>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTranslator>

#include <cstdio>
#include <memory>

Q_IMPORT_QML_PLUGIN(Confab_AppPlugin)
Q_IMPORT_QML_PLUGIN(ConfabPlugin)

namespace {

void printError(const confab::Error &error)
{
    std::fprintf(stderr, "confab: %s\n", qPrintable(error.message()));
    if (!error.detail().isEmpty())
        std::fprintf(stderr, "confab: (%s)\n", qPrintable(error.detail()));
}

void installTranslations(QCoreApplication &app)
{
    auto *qt = new QTranslator(&app);
    if (qt->load(QLocale(), QStringLiteral("qt"), QStringLiteral("_"),
                                                                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    auto *ours = new QTranslator(&app);
    if (ours->load(QLocale(), QStringLiteral("confab"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(ours);
}

void raise(QQuickWindow *window, const QString &activationToken)
{
    if (!activationToken.isEmpty())
        qputenv("XDG_ACTIVATION_TOKEN", activationToken.toUtf8()); // read by Qt's Wayland plugin
    window->setWindowStates(window->windowStates() & ~Qt::WindowMinimized);
    window->show();
    window->raise();
    window->requestActivate();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(QStringLiteral("confab"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(confab::AppVersion));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    QGuiApplication::setDesktopFileName(QString::fromLatin1(confab::AppId));

    QStringList rawArguments;
    for (int i = 0; i < argc; ++i)
        rawArguments << QString::fromLocal8Bit(argv[i]);
    if (confab::CommandLine::wantsInformationOnly(rawArguments)) {
        // --help and --version must work in a terminal without a display.
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        confab::CommandLine::configure(parser);
        parser.process(app); // prints and exits
        return 0;
    }

    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    confab::CommandLine::configure(parser);
    parser.process(app);
    auto options = confab::CommandLine::read(parser);
    if (!options) {
        printError(options.error());
        return 2;
    }
    auto profile = confab::Profile::resolve(options.value().profile);
    if (!profile) {
        printError(profile.error());
        return 2;
    }
    if (auto made = profile.value().ensureDirectories(); !made) {
        printError(made.error());
        return 1;
    }

    confab::SingleInstance instance(profile.value().dbusServiceName(),
                                    profile.value().dataDir() + QLatin1String("/confab.lock"));
    const auto role = instance.claim();
    if (!role) {
        printError(role.error());
        return 1;
    }
    if (role.value() == confab::SingleInstance::Role::Secondary)
        return 0;

    confab::QuitOnSignal quitOnSignal;
    installTranslations(app);
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/im.confab.Confab.svg")));
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    // The GPU where there is one; Qt Quick's software renderer where OpenGL would only be emulated.
    confab::Renderer::choose(profile.value().settingsFile());

    confab::Composition composition(profile.value(), options.value());
    if (!composition.load())
        return 1;
    QQuickWindow *window = composition.window();
    // scripts/bench-ui only (CONFAB_BENCH_REPORT set): timestamps of the first frames, and with
    // CONFAB_BENCH_SCRIPT=1 an opened conversation and a long scroll. Nothing otherwise.
    confab::BenchProbe::attachIfRequested(window, composition.session());
    QObject::connect(&instance, &confab::SingleInstance::activationRequested, window,
                     [window](const QString &token) { raise(window, token); });

    std::unique_ptr<confab::WindowCapture> capture;
    if (!options.value().screenshotPath.isEmpty()) {
        capture = std::make_unique<confab::WindowCapture>(window, options.value().screenshotPath);
        capture->holdUntilReady();
        confab::AppSession &session = composition.session();
        capture->setReady(session.isSettled());
        QObject::connect(&session, &confab::AppSession::settledChanged, capture.get(),
                         [&session, &capture] { capture->setReady(session.isSettled()); });
    }

    return QCoreApplication::exec();
}
