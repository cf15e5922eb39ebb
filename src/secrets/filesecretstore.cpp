#include "secrets/filesecretstore.h"

#include "core/logging.h"
#include "core/worker.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QSaveFile>
#include <qcoro/qcorofuture.h>

#include <algorithm>
#include <cstring>

namespace confab::secrets {

struct FileSecretStore::Writer
{
    QString path;
    QString passphrase;
    crypto::PassphraseStrength strength = crypto::PassphraseStrength::Moderate;
    QMutex mutex;
    quint64 written = 0; ///< the newest generation on disk
};

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("confab::secrets", text);
}

Error damaged(const QString &detail)
{
    return Error(ErrorKind::Crypto, tr("The secrets file is damaged."), detail);
}

void putBigEndian(unsigned char *p, quint64 value, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<unsigned char>(value & 0xff);
        value >>= 8;
    }
}

quint64 getBigEndian(const unsigned char *p, int bytes)
{
    quint64 value = 0;
    for (int i = 0; i < bytes; ++i)
        value = (value << 8) | p[i];
    return value;
}

} // namespace

FileSecretStore::~FileSecretStore() = default;

crypto::SecureBytes FileSecretStore::encode(const std::map<QString, crypto::SecureBytes> &entries)
{
    std::size_t size = 0;
    for (const auto &[name, value] : entries)
        size += 2 + static_cast<std::size_t>(name.toUtf8().size()) + 4 + value.size();
    crypto::SecureBytes out(size);
    unsigned char *p = out.data();
    for (const auto &[name, value] : entries) { // sorted by name: the same entries give the same bytes
        const QByteArray encodedName = name.toUtf8();
        putBigEndian(p, static_cast<quint64>(encodedName.size()), 2);
        p += 2;
        std::memcpy(p, encodedName.constData(), static_cast<std::size_t>(encodedName.size()));
        p += encodedName.size();
        putBigEndian(p, value.size(), 4);
        p += 4;
        if (!value.isEmpty())
            std::memcpy(p, value.data(), value.size());
        p += value.size();
    }
    return out;
}

Result<std::map<QString, crypto::SecureBytes>> FileSecretStore::decode(const crypto::SecureBytes &plaintext)
{
    std::map<QString, crypto::SecureBytes> entries;
    const unsigned char *p = plaintext.data();
    std::size_t left = plaintext.size();
    while (left > 0) {
        if (left < 2)
            return damaged(QStringLiteral("an entry name is cut short"));
        const auto nameSize = static_cast<std::size_t>(getBigEndian(p, 2));
        if (left < 2 + nameSize + 4 || nameSize == 0)
            return damaged(QStringLiteral("an entry is cut short"));
        const QString name = QString::fromUtf8(reinterpret_cast<const char *>(p + 2), static_cast<qsizetype>(nameSize));
        const auto valueSize = static_cast<std::size_t>(getBigEndian(p + 2 + nameSize, 4));
        const std::size_t entrySize = 2 + nameSize + 4 + valueSize;
        if (left < entrySize)
            return damaged(QStringLiteral("the value of an entry is cut short"));
        entries.insert_or_assign(
            name, crypto::SecureBytes(QByteArrayView(reinterpret_cast<const char *>(p + 2 + nameSize + 4),
                                                     static_cast<qsizetype>(valueSize))));
        p += entrySize;
        left -= entrySize;
    }
    return entries;
}

QCoro::Task<Result<std::unique_ptr<FileSecretStore>>> FileSecretStore::open(QString path, QString passphrase,
                                                                            crypto::PassphraseStrength strength)
{
    std::unique_ptr<FileSecretStore> store(new FileSecretStore());
    auto writer = std::make_shared<Writer>();
    writer->path = path;
    writer->passphrase = passphrase;
    writer->strength = strength;
    store->m_writer = writer;

    using Opened = Result<std::optional<crypto::SecureBytes>>;
    const auto readAndOpen = [path, passphrase]() -> Opened {
        QFile file(path);
        if (!file.exists()) {
            if (auto ok = crypto::checkPassphrase(passphrase); !ok)
                return ok.error();
            return std::optional<crypto::SecureBytes>();
        }
        if (!file.open(QIODevice::ReadOnly))
            return Error(ErrorKind::Storage, tr("The secrets file cannot be read."),
                         QStringLiteral("%1: %2").arg(path, file.errorString()));
        const QByteArray box = file.readAll();
        auto plain = crypto::openWithPassphrase(box, passphrase);
        if (!plain)
            return plain.error();
        return std::optional<crypto::SecureBytes>(std::move(plain).value());
    };
    Opened opened = co_await onWorker(readAndOpen); // named: see tests/lint/coroutine_temporaries.py
    if (!opened)
        co_return opened.error();
    if (opened.value()) {
        auto entries = decode(*opened.value());
        if (!entries)
            co_return entries.error();
        store->m_entries = std::move(entries).value();
    }
    qCInfo(lcSecrets) << "secrets file opened with" << qsizetype(store->m_entries.size()) << "entries";
    co_return store;
}

QFuture<Result<std::optional<crypto::SecureBytes>>> FileSecretStore::read(const QString &name)
{
    const auto it = m_entries.find(name);
    std::optional<crypto::SecureBytes> value;
    if (it != m_entries.end())
        value = it->second;
    return QtFuture::makeReadyFuture(Result<std::optional<crypto::SecureBytes>>(std::move(value)));
}

QFuture<Result<void>> FileSecretStore::write(const QString &name, const crypto::SecureBytes &value)
{
    m_entries.insert_or_assign(name, value);
    return save();
}

QFuture<Result<void>> FileSecretStore::remove(const QString &name)
{
    if (m_entries.erase(name) == 0)
        return QtFuture::makeReadyFuture(Result<void>());
    return save();
}

QString FileSecretStore::description() const
{
    return tr("a file protected by your passphrase");
}

QFuture<Result<void>> FileSecretStore::save()
{
    const quint64 generation = ++m_generation;
    return onWorker([writer = m_writer, generation, plain = encode(m_entries)]() -> Result<void> {
        auto box = crypto::sealWithPassphrase(plain.view(), writer->passphrase, writer->strength);
        if (!box)
            return box.error();
        const QMutexLocker lock(&writer->mutex);
        if (writer->written > generation)
            return {}; // a newer snapshot is on disk already
        QSaveFile file(writer->path);
        if (!file.open(QIODevice::WriteOnly) ||
            !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
            file.write(box.value()) != box.value().size() || !file.commit()) {
            return Error(ErrorKind::Storage, tr("The secrets file could not be saved."),
                         QStringLiteral("%1: %2").arg(writer->path, file.errorString()));
        }
        writer->written = generation;
        return {};
    });
}

} // namespace confab::secrets
