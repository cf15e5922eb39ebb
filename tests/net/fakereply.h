#pragma once

// A QNetworkReply whose body the test hands over piece by piece, for HttpStream's byte-level
// behaviour (line breaks split across reads, CRLF, Server-Sent Events, the server closing) that
// the local server has no route to produce. Everything above the reply is the real code.

#include <QByteArray>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>
#include <cstring>

namespace confab::net::test {

class FakeReply final : public QNetworkReply
{
public:
    explicit FakeReply(int status = 200)
    {
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, status);
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }

    /// Bytes arrive from the server.
    void deliver(const QByteArray &bytes)
    {
        m_buffer += bytes;
        Q_EMIT readyRead();
    }

    /// The server ends the response normally.
    void serverCloses()
    {
        if (isFinished())
            return;
        setFinished(true);
        Q_EMIT finished();
    }

    [[nodiscard]] bool wasAborted() const { return m_aborted; }

    void abort() override
    {
        m_aborted = true;
        if (isFinished())
            return;
        setError(QNetworkReply::OperationCanceledError, QStringLiteral("Operation canceled"));
        setFinished(true);
        Q_EMIT errorOccurred(QNetworkReply::OperationCanceledError);
        Q_EMIT finished();
    }

    [[nodiscard]] qint64 bytesAvailable() const override { return m_buffer.size() + QNetworkReply::bytesAvailable(); }
    [[nodiscard]] bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = std::min<qint64>(maxSize, m_buffer.size());
        std::memcpy(data, m_buffer.constData(), static_cast<size_t>(n));
        m_buffer.remove(0, n);
        return n;
    }

private:
    QByteArray m_buffer;
    bool m_aborted = false;
};

} // namespace confab::net::test
