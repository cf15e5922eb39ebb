// Confab's entry point and composition root: reads the command line, claims the profile, and
// builds the window. Only this layer knows every other layer.

#include "app/appid.h"
#include "app/appinfo.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/commandline.h"
#include "app/profile.h"
#include "app/quitonsignal.h"
#include "app/singleinstance.h"
#include "app/windowcapture.h"
#include "core/logging.h"

#include <QApplication>
#include <QCommandLineParser>
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

    QApplication app(argc, argv);
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
    if (QGuiApplication::platformName() == QLatin1String("offscreen") &&
        qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND")) {
        // No GPU context offscreen: render in software so --screenshot and the tests work headless.
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    }

    confab::AppInfo appInfo({profile.value().name(), profile.value().isDefault(), options.value().server.toString(),
                             profile.value().settingsFile()});
    confab::AppInfo::setInstance(&appInfo);

    // The profile's secrets, cache and accounts: started now, ready in the background while the
    // window appears.
    confab::AppSession::Config sessionConfig;
    sessionConfig.appId = QString::fromLatin1(confab::AppId);
    sessionConfig.profile = profile.value().name();
    sessionConfig.defaultProfile = profile.value().isDefault();
    sessionConfig.dataDir = profile.value().dataDir();
    sessionConfig.cacheDir = profile.value().cacheDir();
    sessionConfig.settingsFile = profile.value().settingsFile();
    sessionConfig.server = options.value().server;
    sessionConfig.signInAs = options.value().signInAs;
    sessionConfig.ephemeral = options.value().ephemeral;
    confab::AppSession session(std::move(sessionConfig));
    confab::AppSession::setInstance(&session);
    QObject::connect(&app, &QGuiApplication::applicationStateChanged, &session, [&session](Qt::ApplicationState state) {
        session.setWindowActive(state == Qt::ApplicationActive);
    });
    confab::ChatController chat(session);
    confab::ChatController::setInstance(&chat);
    session.start();

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Confab/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        qCCritical(lcUi) << "The main window could not be created";
        return 1;
    }
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        qCCritical(lcUi) << "Main.qml did not create a window";
        return 1;
    }
    QObject::connect(&instance, &confab::SingleInstance::activationRequested, window,
                     [window](const QString &token) { raise(window, token); });

    std::unique_ptr<confab::WindowCapture> capture;
    if (!options.value().screenshotPath.isEmpty()) {
        capture = std::make_unique<confab::WindowCapture>(window, options.value().screenshotPath);
        capture->holdUntilReady();
        capture->setReady(session.isSettled());
        QObject::connect(&session, &confab::AppSession::settledChanged, capture.get(),
                         [&session, &capture] { capture->setReady(session.isSettled()); });
    }

    return QCoreApplication::exec();
}
