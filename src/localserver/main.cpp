// confab-localserver: the X Chat API on loopback, for running Confab without the real service.

#include "core/logging.h"
#include "localserver/localserver.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QSaveFile>

#include <cstdio>

#ifdef CONFAB_HAVE_DEMO
#include "localserver/demo/demodirector.h"
#endif

using namespace confab::localserver;

int main(int argc, char *argv[])
{
    // A server renders avatars but never shows a window.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-localserver"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A faithful loopback implementation of the X Chat API (chat, users, public keys, media, OAuth 2.0 "
        "with PKCE, activity stream) for Confab's development, tests and demo."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("TCP port (0 picks a free one)."),
                                                                         QStringLiteral("PORT"), QStringLiteral("0"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"), QStringLiteral("Address to bind instead of 127.0.0.1. Anything but "
                                                         "loopback exposes the server to the network."),
                                                 QStringLiteral("ADDR"));
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("Directory for the SQLite database (in memory when absent)."), QStringLiteral("DIR"));
    const QCommandLineOption dev(
        QStringLiteral("dev"), QStringLiteral("Enable the /_local/ administration and fault-injection API."));
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Seed demo users and run live demo peers."));
    const QCommandLineOption autoApprove(
        QStringLiteral("auto-approve"), QStringLiteral("Sign in without the consent page when the authorize "
                                                        "request has login_hint=<username>."));
    const QCommandLineOption tokenLifetime(
        QStringLiteral("token-lifetime"), QStringLiteral("Access token lifetime in seconds (default 7200)."),
                                                         QStringLiteral("SECONDS"), QStringLiteral("7200"));
    const QCommandLineOption typingLifetime(
        QStringLiteral("typing-lifetime"), QStringLiteral("How long a typing indicator lasts, in ms (default 6000)."),
                                                          QStringLiteral("MS"), QStringLiteral("6000"));
    const QCommandLineOption rateLimit(
        QStringLiteral("rate-limit"), QStringLiteral("Rate limit of a route group, e.g. chat.send=300/900 "
                                                      "(requests per window in seconds). Repeatable."),
                                                     QStringLiteral("GROUP=N/SECONDS"));
    const QCommandLineOption portFile(QStringLiteral("port-file"), QStringLiteral("Write the bound port to FILE once listening."), QStringLiteral("FILE"));
    parser.addOptions(
        {port, listenOption, data, dev, demo, autoApprove, tokenLifetime, typingLifetime, rateLimit, portFile});
    parser.process(app);

    ServerOptions options;
    bool ok = false;
    const uint portValue = parser.value(port).toUInt(&ok);
    if (!ok || portValue > 65535) {
        std::fprintf(stderr, "confab-localserver: --port must be 0..65535\n");
        return 2;
    }
    options.port = static_cast<quint16>(portValue);
    if (parser.isSet(listenOption)) {
        options.address = QHostAddress(parser.value(listenOption));
        if (options.address.isNull()) {
            std::fprintf(stderr, "confab-localserver: --listen needs an IP address\n");
            return 2;
        }
    }
    options.dataDir = parser.value(data);
    options.dev = parser.isSet(dev);
    options.autoApprove = parser.isSet(autoApprove);
    options.accessTokenLifetimeSecs = parser.value(tokenLifetime).toLongLong(&ok);
    if (!ok || options.accessTokenLifetimeSecs < 1) {
        std::fprintf(stderr, "confab-localserver: --token-lifetime must be a positive number of seconds\n");
        return 2;
    }
    options.typingLifetimeMsecs = parser.value(typingLifetime).toLongLong(&ok);
    if (!ok || options.typingLifetimeMsecs < 1) {
        std::fprintf(stderr, "confab-localserver: --typing-lifetime must be a positive number of ms\n");
        return 2;
    }
    options.rateLimits = parser.values(rateLimit);
#ifndef CONFAB_HAVE_DEMO
    if (parser.isSet(demo)) {
        std::fprintf(stderr, "confab-localserver: this build has no demo peers\n");
        return 2;
    }
#endif

    LocalServer server(options);
    const auto started = server.start();
    if (!started) {
        std::fprintf(stderr, "confab-localserver: %s\n", qUtf8Printable(started.error().toString()));
        return 1;
    }
    if (!options.address.isLoopback())
        std::fprintf(stderr, "confab-localserver: warning: listening on %s, reachable from the network\n",
                     qUtf8Printable(options.address.toString()));
    if (parser.isSet(portFile)) {
        QSaveFile file(parser.value(portFile));
        if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray::number(started.value()) + '\n') < 0 ||
            !file.commit()) {
            std::fprintf(stderr, "confab-localserver: cannot write %s\n", qUtf8Printable(parser.value(portFile)));
            return 1;
        }
    }
    std::printf("confab-localserver listening on %s\n", qUtf8Printable(server.baseUrl().toString()));
    std::fflush(stdout);

#ifdef CONFAB_HAVE_DEMO
    std::unique_ptr<demo::DemoDirector> director;
    if (parser.isSet(demo)) {
        director = std::make_unique<demo::DemoDirector>(server);
        director->start();
    }
#endif
    return app.exec();
}
