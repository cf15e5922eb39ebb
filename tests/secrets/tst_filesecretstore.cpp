// The passphrase-file opt-in: entries survive a reopen with the passphrase, nothing readable is on
// disk, a wrong passphrase or a damaged file is refused without touching the file, the file is
// private to its owner, and quick successive changes end with the newest state on disk.

#include "secrets/filesecretstore.h"
#include "secrets/switchablesecretstore.h"
#include "wait.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using confab::crypto::PassphraseStrength;
using confab::crypto::SecureBytes;
using confab::secrets::FileSecretStore;
using confab::test::take;
using confab::test::waitTask;

namespace {

const QString Passphrase = QStringLiteral("a long and unusual passphrase");

Result<std::unique_ptr<FileSecretStore>> open(const QString &path, const QString &passphrase)
{
    return waitTask(FileSecretStore::open(path, passphrase, PassphraseStrength::Interactive));
}

QByteArray contentsOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class FileSecretStoreTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripThroughTheFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("round.sealed"));
        auto store = open(path, Passphrase);
        QVERIFY(store.ok());
        QVERIFY(!QFile::exists(path)); // created on the first write
        QVERIFY(
            take(store.value()->write(QStringLiteral("account/a/tokens"), SecureBytes(QByteArrayView("tok-SECRET-1"))))
                     .ok());
        QVERIFY(take(store.value()->write(QStringLiteral("store/sealing-key"), SecureBytes::random(32))).ok());
        QVERIFY(
            take(store.value()->write(QStringLiteral("account/a/tokens"), SecureBytes(QByteArrayView("tok-SECRET-2"))))
                     .ok());
        QVERIFY(QFile::exists(path));
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                             QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        const QByteArray onDisk = contentsOf(path);
        QVERIFY(onDisk.startsWith("CFPB"));
        QVERIFY(!onDisk.contains("tok-SECRET"));
        QVERIFY(!onDisk.contains("account/a/tokens"));

        auto again = open(path, Passphrase);
        QVERIFY2(again.ok(), qPrintable(again.ok() ? QString() : again.error().toString()));
        auto read = take(again.value()->read(QStringLiteral("account/a/tokens")));
        QVERIFY(read.ok() && read.value().has_value());
        QVERIFY(*read.value() == SecureBytes(QByteArrayView("tok-SECRET-2")));
        QVERIFY(take(again.value()->remove(QStringLiteral("account/a/tokens"))).ok());
        auto third = open(path, Passphrase);
        QVERIFY(third.ok());
        QVERIFY(!take(third.value()->read(QStringLiteral("account/a/tokens"))).value().has_value());
        QVERIFY(take(third.value()->read(QStringLiteral("store/sealing-key"))).value().has_value());
    }

    void refusals()
    {
        // A new file needs a passphrase that passes the rules.
        auto weak = open(m_dir.filePath(QStringLiteral("weak.sealed")), QStringLiteral("short"));
        QVERIFY(!weak.ok());
        QCOMPARE(weak.error().kind(), ErrorKind::InvalidInput);

        const QString path = m_dir.filePath(QStringLiteral("refuse.sealed"));
        auto store = open(path, Passphrase);
        QVERIFY(store.ok());
        QVERIFY(take(store.value()->write(QStringLiteral("x"), SecureBytes(QByteArrayView("value")))).ok());
        const QByteArray before = contentsOf(path);

        auto wrong = open(path, QStringLiteral("another long passphrase"));
        QVERIFY(!wrong.ok());
        QCOMPARE(wrong.error().kind(), ErrorKind::Crypto);
        QCOMPARE(contentsOf(path), before); // untouched

        QByteArray damaged = before;
        damaged[damaged.size() - 3] = char(damaged.at(damaged.size() - 3) ^ 0x20);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(damaged);
        }
        auto broken = open(path, Passphrase);
        QVERIFY(!broken.ok());
        QCOMPARE(broken.error().kind(), ErrorKind::Crypto);
        QCOMPARE(contentsOf(path), damaged);

        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a secrets file");
        }
        auto foreign = open(path, Passphrase);
        QVERIFY(!foreign.ok());
        QCOMPARE(foreign.error().kind(), ErrorKind::InvalidInput);
    }

    void optingInCarriesTheSessionOver()
    {
        // A session that ran on memory (no keychain) moves into the file the person opted in to:
        // every entry goes along, changes made during the move too, and the file has them all.
        auto memory = std::make_unique<secrets::MemorySecretStore>();
        secrets::SwitchableSecretStore secrets(std::move(memory));
        QVERIFY(!secrets.persistent());
        for (int i = 0; i < 5; ++i)
            QVERIFY(take(
                secrets.write(QStringLiteral("e%1").arg(i), SecureBytes(QByteArrayView(QByteArray::number(i))))).ok());
        const QString path = m_dir.filePath(QStringLiteral("optin.sealed"));
        auto file = open(path, Passphrase);
        QVERIFY(file.ok());
        QCoro::Task<Result<void>> moving = secrets.moveTo(std::move(file.value()));
        // While the copy runs (each file write takes a worker round trip): a rotation and a removal.
        QVERIFY(take(secrets.write(QStringLiteral("e4"), SecureBytes(QByteArrayView("rotated")))).ok());
        QVERIFY(take(secrets.remove(QStringLiteral("e3"))).ok());
        QVERIFY(waitTask(std::move(moving)).ok());
        QVERIFY(secrets.persistent());
        QVERIFY(secrets.description() != secrets::MemorySecretStore().description());
        // Moving again is refused: the store in use is no longer the session's memory.
        auto second = open(m_dir.filePath(QStringLiteral("optin2.sealed")), Passphrase);
        QVERIFY(second.ok());
        QVERIFY(!waitTask(secrets.moveTo(std::move(second.value()))).ok());

        auto reopened = open(path, Passphrase);
        QVERIFY(reopened.ok());
        for (int i = 0; i < 3; ++i) {
            auto read = take(reopened.value()->read(QStringLiteral("e%1").arg(i)));
            QVERIFY(read.ok() && read.value().has_value());
            QVERIFY(*read.value() == SecureBytes(QByteArrayView(QByteArray::number(i))));
        }
        QVERIFY(!take(reopened.value()->read(QStringLiteral("e3"))).value().has_value());
        auto rotated = take(reopened.value()->read(QStringLiteral("e4")));
        QVERIFY(rotated.ok() && rotated.value().has_value());
        QVERIFY(*rotated.value() == SecureBytes(QByteArrayView("rotated")));
    }

    void theNewestChangeWins()
    {
        const QString path = m_dir.filePath(QStringLiteral("race.sealed"));
        auto store = open(path, Passphrase);
        QVERIFY(store.ok());
        QList<QFuture<Result<void>>> writes;
        for (int i = 0; i < 8; ++i)
            writes << store.value()->write(QStringLiteral("n"), SecureBytes(QByteArrayView(QByteArray::number(i))));
        for (auto &w : writes)
            QVERIFY(take(w).ok());
        auto reopened = open(path, Passphrase);
        QVERIFY(reopened.ok());
        auto read = take(reopened.value()->read(QStringLiteral("n")));
        QVERIFY(read.ok() && read.value().has_value());
        QVERIFY(*read.value() == SecureBytes(QByteArrayView("7")));
    }

    void encodingRoundTrips()
    {
        std::map<QString, SecureBytes> entries;
        entries.emplace(QStringLiteral("ä/name"), SecureBytes(QByteArrayView("v1")));
        entries.emplace(QStringLiteral("empty"), SecureBytes());
        auto back = FileSecretStore::decode(FileSecretStore::encode(entries));
        QVERIFY(back.ok());
        QCOMPARE(back.value().size(), entries.size());
        QVERIFY(back.value().at(QStringLiteral("ä/name")) == SecureBytes(QByteArrayView("v1")));
        // Cut short anywhere: refused, or (at an entry boundary) fewer entries; never a crash.
        // (The box's authentication is what stops a cut file; this is the parser's own safety.)
        const SecureBytes plain = FileSecretStore::encode(entries);
        for (std::size_t n = 1; n < plain.size(); ++n) {
            auto cut = FileSecretStore::decode(SecureBytes(plain.view().first(qsizetype(n))));
            QVERIFY2(!cut.ok() || cut.value().size() < entries.size(), qPrintable(QString::number(n)));
        }
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(FileSecretStoreTest)
#include "tst_filesecretstore.moc"
