#pragma once

// Starts the real `confab` binary for tests: offscreen, with its own XDG folders so it never
// touches the developer's profile, and with its output collected.

#include <QDeadlineTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class Launcher
{
public:
    Launcher()
    {
        m_environment = QProcessEnvironment::systemEnvironment();
        m_environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        m_environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        m_environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        m_environment.insert(QStringLiteral("XDG_CACHE_HOME"), m_home.filePath(QStringLiteral("cache")));
        m_environment.remove(QStringLiteral("CONFAB_COLOR_SCHEME"));
    }

    QProcessEnvironment &environment() { return m_environment; }
    [[nodiscard]] QString home() const { return m_home.path(); }

    /// Starts confab with `arguments`; the process is killed when the launcher goes away.
    QProcess *start(const QStringList &arguments)
    {
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(m_environment);
        process->setProgram(QStringLiteral(CONFAB_BINARY));
        process->setArguments(arguments);
        process->start();
        if (!process->waitForStarted(10'000))
            qWarning("could not start %s: %s", CONFAB_BINARY, qPrintable(process->errorString()));
        m_processes.push_back(std::move(process));
        return m_processes.back().get();
    }

    struct Outcome
    {
        bool finished = false;
        int exitCode = -1;
        QString out;
        QString err;
    };

    /// Runs confab to completion (at most `timeoutMs`).
    Outcome run(const QStringList &arguments, int timeoutMs = 60'000)
    {
        QProcess *process = start(arguments);
        Outcome outcome;
        outcome.finished = process->waitForFinished(timeoutMs);
        outcome.exitCode = process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
        outcome.out = QString::fromUtf8(process->readAllStandardOutput());
        outcome.err = QString::fromUtf8(process->readAllStandardError());
        return outcome;
    }

    ~Launcher()
    {
        for (auto &process : m_processes) {
            if (process->state() != QProcess::NotRunning) {
                process->kill();
                process->waitForFinished(5'000);
            }
        }
    }

private:
    QTemporaryDir m_home;
    QProcessEnvironment m_environment;
    std::vector<std::unique_ptr<QProcess>> m_processes;
};
