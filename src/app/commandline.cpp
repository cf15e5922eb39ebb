#include "app/commandline.h"

#include "app/profile.h"

#include <QCoreApplication>
#include <QHostAddress>

namespace confab {

namespace {
const auto ProfileOption = QStringLiteral("profile");
const auto ServerOption = QStringLiteral("server");
const auto ScreenshotOption = QStringLiteral("screenshot");
const auto SignInAsOption = QStringLiteral("sign-in-as");
const auto EphemeralOption = QStringLiteral("ephemeral");
} // namespace

void CommandLine::configure(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QCoreApplication::translate("CommandLine", "Confab: every conversation of every account in one window."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(
        {ProfileOption,
         QCoreApplication::translate("CommandLine", "Use the isolated profile <name> (own settings, data and keychain "
                                                    "entries). Default: \"%1\".")
             .arg(QLatin1String(Profile::DefaultName)),
         QCoreApplication::translate("CommandLine", "name"), QLatin1String(Profile::DefaultName)});
    parser.addOption({ServerOption,
                      QCoreApplication::translate("CommandLine",
                                                  "Talk to the chat server at <url> (for example a confab-localserver "
                                                  "on http://127.0.0.1:PORT) instead of the real services."),
                      QCoreApplication::translate("CommandLine", "url")});
    QCommandLineOption screenshot(ScreenshotOption, QStringLiteral("Save the first frame to <file> (PNG) and quit."),
                                                                   QStringLiteral("file"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    QCommandLineOption signInAs(
        SignInAsOption,
        QStringLiteral("Sign in as <user> at start through a loopback --server that approves on its own "
                       "(confab-localserver --auto-approve): for scripts/run and the GUI tests."),
                       QStringLiteral("user"));
    signInAs.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(signInAs);
    QCommandLineOption ephemeral(EphemeralOption,
                                 QStringLiteral("Keep nothing after quitting: secrets in memory, no account list, "
                                                "no message cache (scripts/run's demo session)."));
    ephemeral.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(ephemeral);
}

bool CommandLine::wantsInformationOnly(const QStringList &arguments)
{
    for (const QString &argument : arguments.mid(1)) {
        if (argument == QLatin1String("--"))
            break;
        if (argument == QLatin1String("-h") || argument == QLatin1String("--help") || argument == QLatin1String("-?") ||
            argument == QLatin1String("--help-all") || argument == QLatin1String("-v") ||
            argument == QLatin1String("--version"))
            return true;
    }
    return false;
}

Result<QUrl> CommandLine::validateServerUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || url.isRelative() || url.host().isEmpty() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("--server needs an absolute http:// or https:// URL, such as "
                                    "http://127.0.0.1:8080 (got \"%1\").")
                                        .arg(text));
    }
    if (scheme == QLatin1String("http")) {
        const QHostAddress address(url.host());
        const bool loopback = url.host() == QLatin1String("localhost") || address.isLoopback();
        if (!loopback) {
            return Error(ErrorKind::InvalidInput,
                         QStringLiteral("--server %1 would send your credentials unencrypted. Use https://, or "
                                        "http:// only for a server on this computer (127.0.0.1, ::1, localhost).")
                                            .arg(text));
        }
    }
    QUrl base = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (base.path() == QLatin1String("/"))
        base.setPath({});
    return base;
}

Result<LaunchOptions> CommandLine::read(const QCommandLineParser &parser)
{
    if (!parser.positionalArguments().isEmpty()) {
        return Error(ErrorKind::InvalidInput, QStringLiteral("Unexpected argument \"%1\". See --help.").arg(
                                                  parser.positionalArguments().first()));
    }
    LaunchOptions options;
    options.profile = parser.value(ProfileOption);
    if (parser.isSet(ServerOption)) {
        auto server = validateServerUrl(parser.value(ServerOption));
        if (!server)
            return server.error();
        options.server = std::move(server).value();
    }
    options.screenshotPath = parser.value(ScreenshotOption);
    if (parser.isSet(SignInAsOption)) {
        // Only a server on this computer may be signed in to without the person's browser.
        if (options.server.isEmpty() || !QHostAddress(options.server.host()).isLoopback())
            return Error(ErrorKind::InvalidInput,
                         QStringLiteral("--sign-in-as needs a --server on this computer (http://127.0.0.1:PORT)."));
        options.signInAs = parser.value(SignInAsOption);
    }
    options.ephemeral = parser.isSet(EphemeralOption);
    return options;
}

} // namespace confab
