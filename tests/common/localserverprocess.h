#pragma once

// A real confab-localserver for tests that run the app's own parts against it: started as its
// own process on a free loopback port (it writes the port to a file), its output collected, and
// stopped when the test is done.

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

namespace confab::test {

class LocalServerProcess
{
public:
    LocalServerProcess() { m_process.setProcessChannelMode(QProcess::MergedChannels); }
    ~LocalServerProcess()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(10'000))
            m_process.kill();
    }
    LocalServerProcess(const LocalServerProcess &) = delete;
    LocalServerProcess &operator=(const LocalServerProcess &) = delete;

    /// Starts `CONFAB_BUILD_DIR/bin/confab-localserver` with `arguments` (e.g. --demo,
    /// --auto-approve, --dev) and waits for its port: its base URL, or an empty URL when it did
    /// not come up (the log says why).
    QUrl start(const QStringList &arguments)
    {
        const QString portFile = m_dir.filePath(QStringLiteral("port"));
        QObject::connect(&m_process, &QProcess::readyRead, &m_process, [this] { m_log += m_process.readAll(); });
        m_process.start(QStringLiteral(CONFAB_BUILD_DIR "/bin/confab-localserver"),
            arguments +
                QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--port-file"), portFile});
        if (!m_process.waitForStarted(10'000) ||
            !QTest::qWaitFor([&] { return QFileInfo(portFile).size() > 0; }, 20'000))
            return {};
        QFile port(portFile);
        if (!port.open(QIODevice::ReadOnly))
            return {};
        m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(port.readAll().trimmed())));
        return m_url;
    }

    [[nodiscard]] const QUrl &url() const { return m_url; }
    /// Everything the server printed so far ("demo: seeded ..." and the like).
    [[nodiscard]] const QByteArray &log() const { return m_log; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_log;
    QUrl m_url;
};

} // namespace confab::test
