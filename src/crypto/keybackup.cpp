#include "crypto/keybackup.h"

#include "crypto/base64.h"
#include "crypto/identitykeys.h"

#include <QtEndian>

#include <cstring>

namespace confab::crypto {

namespace {

constexpr char Magic[4] = {'C', 'F', 'K', 'B'};
constexpr qsizetype MagicSize = 4;
constexpr quint8 Version = 1;
constexpr qsizetype MaxTextBytes = 1024;
constexpr qsizetype ArmorColumns = 64;

Error invalid(const QString &message, const QString &detail)
{
    return Error(ErrorKind::InvalidInput, message, detail);
}

Error notABackup(const QString &detail)
{
    return invalid(QStringLiteral("This is not a Confab key backup."), detail);
}

Error damaged(const QString &detail)
{
    return invalid(QStringLiteral("This key backup is damaged: part of it was changed or lost."), detail);
}

/// The blob must be two valid private keys: a backup that could not restore them is worse than none.
Result<void> checkBlob(const SecureBytes &blob, const QString &message)
{
    if (blob.size() != static_cast<std::size_t>(BackupBlobSize))
        return invalid(message,
                       QStringLiteral("the key blob is %1 bytes, expected %2").arg(blob.size()).arg(BackupBlobSize));
    if (auto keys = IdentityKeys::fromBackupBlob(blob); !keys)
        return invalid(message, keys.error().detail());
    return {};
}

/// Reads the plaintext structure field by field; every read is bounds-checked.
class Reader
{
public:
    explicit Reader(QByteArrayView bytes) : m_bytes(bytes) {}

    [[nodiscard]] bool atEnd() const { return m_pos == m_bytes.size(); }
    [[nodiscard]] bool take(qsizetype size, QByteArrayView &out)
    {
        if (size < 0 || m_bytes.size() - m_pos < size)
            return false;
        out = m_bytes.sliced(m_pos, size);
        m_pos += size;
        return true;
    }
    template<typename T>
    [[nodiscard]] bool takeBigEndian(T &out)
    {
        QByteArrayView field;
        if (!take(static_cast<qsizetype>(sizeof(T)), field))
            return false;
        out = qFromBigEndian<T>(field.data());
        return true;
    }
    /// A u16 length, then that many bytes.
    [[nodiscard]] bool takeSized(QByteArrayView &out)
    {
        quint16 size = 0;
        return takeBigEndian(size) && take(qsizetype{size}, out);
    }

private:
    QByteArrayView m_bytes;
    qsizetype m_pos = 0;
};

/// Appends to a SecureBytes of exactly the final size.
class Writer
{
public:
    explicit Writer(SecureBytes &out) : m_out(out) {}
    void put(QByteArrayView bytes)
    {
        Q_ASSERT(m_pos + static_cast<std::size_t>(bytes.size()) <= m_out.size());
        if (!bytes.isEmpty())
            std::memcpy(m_out.data() + m_pos, bytes.data(), static_cast<std::size_t>(bytes.size()));
        m_pos += static_cast<std::size_t>(bytes.size());
    }
    template<typename T>
    void putBigEndian(T value)
    {
        char field[sizeof(T)];
        qToBigEndian<T>(value, field);
        put(QByteArrayView(field, static_cast<qsizetype>(sizeof(T))));
    }
    void putSized(QByteArrayView bytes)
    {
        putBigEndian(static_cast<quint16>(bytes.size()));
        put(bytes);
    }
    [[nodiscard]] bool full() const { return m_pos == m_out.size(); }

private:
    SecureBytes &m_out;
    std::size_t m_pos = 0;
};

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/// The box inside the armor.
Result<QByteArray> unarmor(QByteArrayView text)
{
    const QByteArrayView begin(KeyBackupBeginLine);
    const QByteArrayView end(KeyBackupEndLine);
    const qsizetype beginAt = text.indexOf(begin);
    if (beginAt < 0)
        return notABackup(QStringLiteral("no BEGIN line"));
    const qsizetype bodyAt = beginAt + begin.size();
    const qsizetype endAt = text.sliced(bodyAt).indexOf(end);
    if (endAt < 0) {
        return invalid(QStringLiteral("This key backup is incomplete: its last line, %1, is missing.") .arg(QLatin1StringView(KeyBackupEndLine)),
            QStringLiteral("no END line"));
    }
    const QByteArrayView body = text.sliced(bodyAt, endAt);
    QByteArray compact;
    compact.reserve(body.size());
    for (const char c : body) {
        if (!isSpace(c))
            compact.append(c);
    }
    if (compact.isEmpty())
        return damaged(QStringLiteral("nothing between the armor lines"));
    auto box = base64::decode(compact);
    if (!box)
        return damaged(box.error().detail());
    return std::move(box).value();
}

QByteArray armor(QByteArrayView box)
{
    const QByteArray encoded = base64::encodePadded(box);
    QByteArray text;
    text.reserve(encoded.size() + encoded.size() / ArmorColumns + 80);
    text.append(KeyBackupBeginLine).append('\n');
    for (qsizetype at = 0; at < encoded.size(); at += ArmorColumns)
        text.append(QByteArrayView(encoded).sliced(at, qMin(ArmorColumns, encoded.size() - at))).append('\n');
    text.append(KeyBackupEndLine).append('\n');
    return text;
}

} // namespace

Result<QByteArray> exportKeyBackup(const KeyBackupContents &contents, const QString &passphrase,
                                   PassphraseStrength strength)
{
    const QByteArray userId = contents.userId.toUtf8();
    const QByteArray keyVersion = contents.keyVersion.toUtf8();
    if (userId.isEmpty() || userId.size() > MaxTextBytes) {
        return invalid(QStringLiteral("The key backup needs the id of the account the keys belong to."),
            QStringLiteral("user id of %1 UTF-8 bytes, expected 1 to %2").arg(userId.size()).arg(MaxTextBytes));
    }
    if (keyVersion.isEmpty() || keyVersion.size() > MaxTextBytes) {
        return invalid(QStringLiteral("The key backup needs the version of the keys."),
            QStringLiteral("key version of %1 UTF-8 bytes, expected 1 to %2") .arg(keyVersion.size()).arg(MaxTextBytes));
    }
    if (auto ok = checkBlob(
            contents.backupBlob, QStringLiteral("These keys are not valid, so they cannot be backed up.")); !ok)
        return ok.error();
    // Check the passphrase before building anything: it is the likeliest refusal.
    if (auto ok = checkPassphrase(passphrase); !ok)
        return ok.error();

    const qsizetype size = MagicSize + 1 + 8 + 2 + userId.size() + 2 + keyVersion.size() + 2 + BackupBlobSize;
    SecureBytes plaintext(static_cast<std::size_t>(size));
    Writer writer(plaintext);
    writer.put(QByteArrayView(Magic, MagicSize));
    writer.putBigEndian<quint8>(Version);
    writer.putBigEndian<qint64>(contents.createdMs);
    writer.putSized(userId);
    writer.putSized(keyVersion);
    writer.putSized(contents.backupBlob.view());
    Q_ASSERT(writer.full());

    auto box = sealWithPassphrase(plaintext.view(), passphrase, strength);
    if (!box)
        return box.error();
    return armor(box.value());
}

Result<KeyBackupContents> importKeyBackup(QByteArrayView text, const QString &passphrase)
{
    auto box = unarmor(text);
    if (!box)
        return box.error();
    auto opened = openWithPassphrase(box.value(), passphrase);
    if (!opened) {
        if (opened.error().kind() == ErrorKind::InvalidInput)
            return damaged(opened.error().detail()); // the armor was fine, so its contents were damaged
        return opened.error();
    }

    // Authenticated from here on: a failure means a different structure, not damage.
    const SecureBytes &plaintext = opened.value();
    Reader reader(plaintext.view());
    QByteArrayView magic;
    quint8 version = 0;
    if (!reader.take(MagicSize, magic) || magic != QByteArrayView(Magic, MagicSize))
        return notABackup(QStringLiteral("the sealed contents have no CFKB magic"));
    if (!reader.takeBigEndian(version) || version != Version) {
        return invalid(
            QStringLiteral("This key backup was made by a newer version of Confab. Update Confab to read it."),
                           QStringLiteral("contents version %1").arg(uint{version}));
    }
    KeyBackupContents contents;
    QByteArrayView userId;
    QByteArrayView keyVersion;
    QByteArrayView blob;
    if (!reader.takeBigEndian(contents.createdMs) || !reader.takeSized(userId) || !reader.takeSized(keyVersion) ||
        !reader.takeSized(blob) || !reader.atEnd()) {
        return notABackup(QStringLiteral("the sealed contents do not have the key backup layout"));
    }
    if (userId.isEmpty() || keyVersion.isEmpty())
        return notABackup(QStringLiteral("the sealed contents have no user id or key version"));
    contents.userId = QString::fromUtf8(userId);
    contents.keyVersion = QString::fromUtf8(keyVersion);
    contents.backupBlob = SecureBytes(blob);
    if (auto ok = checkBlob(
            contents.backupBlob, QStringLiteral("This key backup does not hold a complete, valid set of keys.")); !ok)
        return ok.error();
    return contents;
}

} // namespace confab::crypto
