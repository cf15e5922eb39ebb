// The keychain store against a real gnome-keyring on a private D-Bus session (with-keyring.sh),
// and against a session bus with no Secret Service at all (dbus-run-session alone).
//
// - roundTrip: write, read back byte for byte (binary, empty-free, 64 KiB), overwrite, remove.
// - missingEntries: a missing entry reads as none; removing it succeeds.
// - profilesAreIsolated: two service names hold different values under the same entry name.
// - noSecretService (mode "--no-keychain"): the probe and every operation fail with a Keychain
//   error that tells the person what to install or unlock, quickly, and nothing is stored.

#include "core/error.h"
#include "secrets/keychainsecretstore.h"
#include "wait.h"

#include <QElapsedTimer>
#include <QTest>

using namespace confab;
using confab::crypto::SecureBytes;
using confab::secrets::KeychainSecretStore;
using confab::test::take;

namespace {

SecureBytes bytesOf(const char *text)
{
    return SecureBytes(QByteArrayView(text));
}

} // namespace

class KeychainTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        auto probed = take(m_store.probe());
        QVERIFY2(probed.ok(), qPrintable(probed.ok() ? QString() : probed.error().toString()));
    }

    void roundTrip()
    {
        QByteArray binary(65536, '\0');
        for (qsizetype i = 0; i < binary.size(); ++i)
            binary[i] = char(i * 7 + 3);
        const SecureBytes value{QByteArrayView(binary)};
        auto written = take(m_store.write(QStringLiteral("blob"), value));
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().toString()));
        auto read = take(m_store.read(QStringLiteral("blob")));
        QVERIFY(read.ok());
        QVERIFY(read.value().has_value());
        QVERIFY(*read.value() == value);

        QVERIFY(take(m_store.write(QStringLiteral("blob"), bytesOf("replaced"))).ok());
        read = take(m_store.read(QStringLiteral("blob")));
        QVERIFY(read.ok() && read.value().has_value());
        QVERIFY(*read.value() == bytesOf("replaced"));

        QVERIFY(take(m_store.remove(QStringLiteral("blob"))).ok());
        read = take(m_store.read(QStringLiteral("blob")));
        QVERIFY(read.ok());
        QVERIFY(!read.value().has_value());
    }

    void missingEntries()
    {
        auto read = take(m_store.read(QStringLiteral("never-written")));
        QVERIFY(read.ok());
        QVERIFY(!read.value().has_value());
        QVERIFY(take(m_store.remove(QStringLiteral("never-written"))).ok());
    }

    void profilesAreIsolated()
    {
        const QString appId = QStringLiteral("im.confab.ConfabTest");
        KeychainSecretStore home(KeychainSecretStore::serviceNameFor(appId, QStringLiteral("default"), true));
        KeychainSecretStore work(KeychainSecretStore::serviceNameFor(appId, QStringLiteral("work"), false));
        QCOMPARE(home.service(), appId);
        QCOMPARE(work.service(), appId + QStringLiteral(".work"));
        QVERIFY(take(home.write(QStringLiteral("token"), bytesOf("home token"))).ok());
        QVERIFY(take(work.write(QStringLiteral("token"), bytesOf("work token"))).ok());
        auto a = take(home.read(QStringLiteral("token")));
        auto b = take(work.read(QStringLiteral("token")));
        QVERIFY(a.ok() && a.value().has_value() && b.ok() && b.value().has_value());
        QVERIFY(*a.value() == bytesOf("home token"));
        QVERIFY(*b.value() == bytesOf("work token"));
        QVERIFY(take(work.remove(QStringLiteral("token"))).ok());
        a = take(home.read(QStringLiteral("token")));
        QVERIFY(a.ok() && a.value().has_value()); // the other profile's entry is untouched
        QVERIFY(take(home.remove(QStringLiteral("token"))).ok());
    }

private:
    KeychainSecretStore m_store{QStringLiteral("im.confab.ConfabTest.keychain")};
};

class MissingKeychainTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noSecretService()
    {
        QElapsedTimer clock;
        clock.start();
        auto probed = take(m_store.probe());
        QVERIFY(!probed.ok());
        QCOMPARE(probed.error().kind(), ErrorKind::Keychain);
        // It says what is missing and how to fix it.
        QVERIFY2(probed.error().message().contains(QLatin1String("No keychain is available")) &&
                     probed.error().message().contains(QLatin1String("GNOME Keyring")),
                 qPrintable(probed.error().message()));
        qInfo() << "the message a person sees:" << probed.error().message();
        qInfo() << "the probe failed after" << clock.elapsed() << "ms";
        auto written = take(m_store.write(QStringLiteral("token"), bytesOf("hunter2-value")));
        QVERIFY(!written.ok());
        QCOMPARE(written.error().kind(), ErrorKind::Keychain);
        QVERIFY(!written.error().detail().contains(QLatin1String("hunter2")));
        qInfo() << "the detail for the log:" << written.error().detail();
        auto read = take(m_store.read(QStringLiteral("token")));
        QVERIFY(!read.ok());
        QCOMPARE(read.error().kind(), ErrorKind::Keychain);
    }

private:
    KeychainSecretStore m_store{QStringLiteral("im.confab.ConfabTest.keychain")};
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    if (args.removeAll(QStringLiteral("--no-keychain")) > 0) {
        MissingKeychainTest test;
        return QTest::qExec(&test, args);
    }
    KeychainTest test;
    return QTest::qExec(&test, args);
}

#include "tst_keychain.moc"
