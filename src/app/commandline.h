#pragma once

#include "core/result.h"

#include <QCommandLineParser>
#include <QString>
#include <QUrl>

namespace confab {

/// What the command line asked for.
struct LaunchOptions
{
    QString profile;        ///< --profile NAME (validated by Profile::resolve)
    QUrl server;            ///< --server URL; empty for the services' real endpoints
    QString screenshotPath; ///< hidden --screenshot FILE: save the first frame as PNG and quit
    QString signInAs;       ///< hidden --sign-in-as USER: sign in on a loopback --server at start
    bool ephemeral = false; ///< hidden --ephemeral: keep nothing after quitting
};

/// Confab's command line: `--help`, `--version`, `--profile NAME`, `--server URL`.
class CommandLine
{
public:
    /// Adds Confab's options, help and version to `parser`.
    static void configure(QCommandLineParser &parser);

    /// True when the arguments only ask for --help or --version, which must work without a display.
    [[nodiscard]] static bool wantsInformationOnly(const QStringList &arguments);

    /// Reads and validates the options of a parser that has processed the arguments.
    [[nodiscard]] static Result<LaunchOptions> read(const QCommandLineParser &parser);

    /// Checks a `--server` URL: absolute http(s) with a host; plain http only for loopback hosts.
    [[nodiscard]] static Result<QUrl> validateServerUrl(const QString &text);
};

} // namespace confab
