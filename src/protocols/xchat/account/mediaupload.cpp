#include "protocols/xchat/account/mediaupload.h"

#include "core/logging.h"
#include "core/worker.h"
#include "crypto/mediastream.h"
#include "net/cancellation.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <qcoro/qcorofuture.h>

namespace confab::xchat {

/// Reads the source and encrypts it, a segment at a time, on the pool (one job at a time).
struct MediaUpload::Reader
{
    UploadSource source;
    crypto::SecureBytes key;
    std::unique_ptr<QFile> file;
    std::optional<crypto::MediaEncryptor> encryptor;
    std::optional<crypto::MediaDecryptor> staged; ///< for sources Confab encrypted at rest
    qint64 plainRead = 0;
    bool headerSent = false;
    bool done = false;

    Error changed() const
    {
        return Error(ErrorKind::InvalidInput,
                     QCoreApplication::translate(
                         "confab::xchat", "%1 changed after it was chosen. Remove the message and send the file again.")
                         .arg(QFileInfo(source.path).fileName()),
                     QStringLiteral("%1 plaintext bytes, %2 expected").arg(plainRead).arg(source.size));
    }

    Result<QByteArray> next()
    {
        if (!file) {
            file = std::make_unique<QFile>(source.path);
            if (!file->open(QIODevice::ReadOnly))
                return Error(
                    ErrorKind::NotFound,
                    QCoreApplication::translate("confab::xchat",
                                                "%1 can no longer be read. Remove the message and send the file again.")
                        .arg(QFileInfo(source.path).fileName()),
                    file->errorString());
            auto made = crypto::MediaEncryptor::create(key);
            if (!made)
                return made.error();
            encryptor.emplace(std::move(made).value());
            if (!source.localKey.isEmpty()) {
                auto opener = crypto::MediaDecryptor::create(crypto::SecureBytes(QByteArrayView(source.localKey)));
                if (!opener)
                    return opener.error();
                staged.emplace(std::move(opener).value());
            }
        }
        QByteArray out;
        out.reserve(UploadSegmentBytes + 64 * 1024);
        if (!headerSent) {
            out += encryptor->header();
            headerSent = true;
        }
        QByteArray buffer(64 * 1024, Qt::Uninitialized);
        while (out.size() < UploadSegmentBytes && !done) {
            const qint64 got = file->read(buffer.data(), buffer.size());
            if (got < 0)
                return Error(ErrorKind::Storage,
                             QCoreApplication::translate("confab::xchat", "%1 could not be read.")
                                 .arg(QFileInfo(source.path).fileName()),
                             file->errorString());
            QByteArray plain;
            if (got == 0) {
                if (staged) {
                    auto tail = staged->finish();
                    if (!tail)
                        return tail.error();
                    plain = tail.value();
                }
            } else if (staged) {
                auto opened = staged->update(QByteArrayView(buffer.constData(), got));
                if (!opened)
                    return opened.error();
                plain = std::move(opened).value();
            } else {
                plain = buffer.left(got);
            }
            plainRead += plain.size();
            if (plainRead > source.size)
                return changed();
            auto sealed = encryptor->update(plain);
            plain.fill('\0');
            if (!sealed)
                return sealed.error();
            out += sealed.value();
            if (got == 0) {
                if (plainRead != source.size)
                    return changed();
                auto last = encryptor->finish();
                if (!last)
                    return last.error();
                out += last.value();
                done = true;
            }
        }
        return out;
    }
};

MediaUpload::MediaUpload(UploadSource source, QString conversationId, crypto::SecureBytes key, QString keyVersion)
    : m_source(std::move(source))
    , m_conversationId(std::move(conversationId))
    , m_key(std::move(key))
    , m_keyVersion(std::move(keyVersion))
    , m_total(crypto::mediaCiphertextSize(m_source.size))
{}

MediaUpload::~MediaUpload() = default;

void MediaUpload::restart()
{
    m_session.reset();
    m_reader.reset();
    m_pending.clear();
    m_next = 0;
    m_confirmed = 0;
}

QCoro::Task<Result<QString>> MediaUpload::run(XChatApi &api, QPointer<net::Cancellation> cancellation,
                                              std::function<void(qint64)> progress)
{
    if (finished())
        co_return m_mediaHashKey;
    while (true) {
        if (!m_session) {
            restart();
            auto opened = co_await api.initializeUpload(m_conversationId, m_total, cancellation);
            if (!opened)
                co_return opened.error();
            m_session = opened.value();
            m_reader = std::make_shared<Reader>();
            m_reader->source = m_source;
            m_reader->key = m_key;
            if (progress)
                progress(0);
        }
        bool lost = false;
        while (!m_pending.isEmpty() || !m_reader->done) {
            if (m_pending.isEmpty()) {
                auto job = [reader = m_reader] { return reader->next(); };
                QFuture<Result<QByteArray>> reading = onWorker(std::move(job));
                Result<QByteArray> segment = co_await reading;
                if (!segment) {
                    // The reader is in an unknown state: a later run starts over.
                    m_session.reset();
                    co_return segment.error();
                }
                m_pending = std::move(segment).value();
                if (m_pending.isEmpty())
                    continue;
            }
            const qint64 base = m_confirmed;
            const qint64 segment = m_pending.size();
            // The request also carries the multipart framing: count the segment's share of it.
            std::function<void(qint64, qint64)> partial = [progress, base, segment](qint64 sent, qint64 body) {
                if (progress && body > 0)
                    progress(base + std::min(segment, sent * segment / body));
            };
            auto appended =
                co_await api.appendUpload(m_conversationId, *m_session, m_next, m_pending, cancellation, partial);
            if (!appended) {
                if (appended.error().kind() == ErrorKind::NotFound && !m_restarted) {
                    lost = true; // the server forgot the session (it expired): once more from the start
                    break;
                }
                co_return appended.error(); // m_pending stays: the next run sends it again
            }
            m_confirmed += m_pending.size();
            m_pending.clear();
            ++m_next;
            if (progress)
                progress(m_confirmed);
        }
        if (!lost) {
            auto finalized = co_await api.finalizeUpload(m_conversationId, *m_session, m_next, cancellation);
            if (finalized) {
                m_mediaHashKey = m_session->mediaHashKey;
                m_reader.reset();
                co_return m_mediaHashKey;
            }
            if (finalized.error().kind() != ErrorKind::NotFound || m_restarted)
                co_return finalized.error();
        }
        qCInfo(lcXChat) << "an upload session was lost; starting the upload again";
        m_restarted = true;
        m_session.reset();
    }
}

} // namespace confab::xchat
