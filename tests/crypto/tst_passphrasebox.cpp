// Passphrase boxes (Argon2id + XChaCha20-Poly1305) and the armored key backup on top of them:
// round trips, the layout, tampering, truncation, crafted headers, passphrase rules, and import of
// whatever a person might paste.

#include "crypto/identitykeys.h"
#include "crypto/keybackup.h"
#include "crypto/passphrasebox.h"
#include "crypto/securebytes.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace confab;
using namespace confab::crypto;

Q_DECLARE_METATYPE(confab::ErrorKind)
Q_DECLARE_METATYPE(confab::crypto::PassphraseStrength)

namespace {

const QString Passphrase = QStringLiteral("correct horse battery staple");
const QByteArray WrongPassphraseMessage = "The passphrase is wrong or the file is damaged.";

constexpr qsizetype OpsOffset = 6;
constexpr qsizetype MemOffset = 10;
constexpr qsizetype Overhead = PassphraseBoxHeaderSize + PassphraseBoxTagSize;

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return bytes;
}

quint32 readU32(const QByteArray &box, qsizetype offset)
{
    return qFromBigEndian<quint32>(box.constData() + offset);
}

void writeU32(QByteArray &box, qsizetype offset, quint32 value)
{
    qToBigEndian<quint32>(value, box.data() + offset);
}

QByteArray seal(QByteArrayView plaintext, const QString &passphrase = Passphrase,
                PassphraseStrength strength = PassphraseStrength::Interactive)
{
    auto box = sealWithPassphrase(plaintext, passphrase, strength);
    if (!box)
        qFatal("%s", qPrintable(box.error().toString()));
    return box.value();
}

SecureBytes newBlob()
{
    auto keys = IdentityKeys::generate();
    if (!keys)
        qFatal("%s", qPrintable(keys.error().toString()));
    return keys.value().backupBlob();
}

/// The key backup plaintext layout, built by hand to test what exportKeyBackup never writes.
QByteArray backupPlaintext(quint8 version, QByteArrayView userId, QByteArrayView keyVersion, QByteArrayView blob)
{
    QByteArray out("CFKB");
    out.append(static_cast<char>(version));
    char field[8];
    qToBigEndian<qint64>(1'700'000'000'000, field);
    out.append(field, 8);
    for (const QByteArrayView part : {userId, keyVersion, blob}) {
        qToBigEndian<quint16>(static_cast<quint16>(part.size()), field);
        out.append(field, 2).append(part);
    }
    return out;
}

QByteArray armorByHand(QByteArrayView box)
{
    return QByteArray(KeyBackupBeginLine) + '\n' + box.toByteArray().toBase64() + '\n' + KeyBackupEndLine + '\n';
}

} // namespace

class TestPassphraseBox : public QObject
{
    Q_OBJECT

    KeyBackupContents m_contents;
    QByteArray m_backupText; // m_contents exported at Interactive strength under Passphrase

private slots:
    void initTestCase()
    {
        m_contents.userId = QStringLiteral("1346889436626259968");
        m_contents.keyVersion = QStringLiteral("1714000000000");
        m_contents.createdMs = 1'714'000'123'456;
        m_contents.backupBlob = newBlob();
        auto text = exportKeyBackup(m_contents, Passphrase, PassphraseStrength::Interactive);
        QVERIFY2(text.ok(), text.ok() ? "" : qPrintable(text.error().toString()));
        m_backupText = text.value();
    }

    // --- passphrase rules -------------------------------------------------------------------

    void checkPassphrase_data()
    {
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("nine characters") << QStringLiteral("abcdefgh1") << false;
        QTest::newRow("ten characters") << QStringLiteral("abcdefgh12") << true;
        QTest::newRow("white space only") << QString(20, QLatin1Char(' ')) << false;
        QTest::newRow("surrounding white space does not count") << QStringLiteral("  \tabcdefgh1 \n ") << false;
        QTest::newRow("inner white space counts") << QStringLiteral("ab cd ef gh") << true;
        QTest::newRow("one character repeated") << QString(16, QLatin1Char('a')) << false;
        QTest::newRow("one emoji repeated") << QStringLiteral("😀😀😀😀😀😀😀😀😀😀😀😀") << false;
        // Five emoji are ten UTF-16 units but five characters.
        QTest::newRow("five emoji") << QStringLiteral("😀😁😂🤣😃") << false;
        QTest::newRow("ten emoji") << QStringLiteral("😀😁😂🤣😃😄😅😆😉😊") << true;
        // e + combining acute, five times, is one character each once composed: 5 + 4 = 9.
        QTest::newRow("decomposed accents count once") << QStringLiteral("e\u0301e\u0301e\u0301e\u0301e\u0301abcd")
                                                                         << false;
        QTest::newRow("accented, ten composed") << QStringLiteral("e\u0301e\u0301e\u0301e\u0301e\u0301abcde") << true;
    }

    void checkPassphrase()
    {
        QFETCH(QString, passphrase);
        QFETCH(bool, accepted);
        const auto checked = confab::crypto::checkPassphrase(passphrase);
        QCOMPARE(checked.ok(), accepted);
        if (!accepted) {
            QCOMPARE(checked.error().kind(), ErrorKind::InvalidInput);
            QVERIFY(checked.error().message().startsWith(QStringLiteral("The passphrase is ")));
            if (!passphrase.trimmed().isEmpty()) {
                QVERIFY(!checked.error().message().contains(passphrase.trimmed()));
                QVERIFY(!checked.error().detail().contains(passphrase.trimmed()));
            }
        }
    }

    void weakPassphrasesAreRefusedWhenSealing()
    {
        for (const QString &weak : {QStringLiteral("short"), QString(12, QLatin1Char('x'))}) {
            const auto box = sealWithPassphrase("secret", weak, PassphraseStrength::Interactive);
            QVERIFY(!box.ok());
            QCOMPARE(box.error().kind(), ErrorKind::InvalidInput);
        }
    }

    // --- round trips and layout -------------------------------------------------------------

    void roundTripForEachStrength_data()
    {
        QTest::addColumn<PassphraseStrength>("strength");
        QTest::addColumn<quint32>("opslimit");
        QTest::addColumn<quint32>("memlimitKiB");
        QTest::newRow("Interactive") << PassphraseStrength::Interactive << 2u << 64u * 1024u;
        QTest::newRow("Moderate") << PassphraseStrength::Moderate << 3u << 256u * 1024u;
        // Sensitive (4 passes, 1 GiB) is left out: a GiB per run is too much for a CI machine
        // that runs tests in parallel; its costs are the upper bound the crafted-header test checks.
    }

    void roundTripForEachStrength()
    {
        QFETCH(PassphraseStrength, strength);
        QFETCH(quint32, opslimit);
        QFETCH(quint32, memlimitKiB);
        const QByteArray plaintext = randomBytes(100);

        QElapsedTimer timer;
        timer.start();
        const QByteArray box = seal(plaintext, Passphrase, strength);
        const qint64 sealMs = timer.restart();
        const auto opened = openWithPassphrase(box, Passphrase);
        const qint64 openMs = timer.elapsed();
        qInfo("%s: sealed in %lld ms, opened in %lld ms", QTest::currentDataTag(), sealMs, openMs);

        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
        QCOMPARE(opened.value().view(), QByteArrayView(plaintext));
        QCOMPARE(box.size(), Overhead + plaintext.size());
        QCOMPARE(box.first(4), QByteArray("CFPB"));
        QCOMPARE(static_cast<quint8>(box[4]), PassphraseBoxVersion);
        QCOMPARE(static_cast<quint8>(box[5]), PassphraseBoxAlgArgon2id13);
        QCOMPARE(readU32(box, OpsOffset), opslimit);
        QCOMPARE(readU32(box, MemOffset), memlimitKiB);
        // No plaintext in the box.
        QVERIFY(!box.contains(plaintext.first(16)));
    }

    void everySealIsFreshAndPlaintextsOfAnySizeRoundTrip()
    {
        const QByteArray first = seal("same");
        const QByteArray second = seal("same");
        QVERIFY(first != second);
        QVERIFY(first.sliced(14, 16) != second.sliced(14, 16)); // salt
        QVERIFY(first.sliced(30, 24) != second.sliced(30, 24)); // nonce
        QCOMPARE(openWithPassphrase(first, Passphrase).value().view(), QByteArrayView("same"));
        QCOMPARE(openWithPassphrase(second, Passphrase).value().view(), QByteArrayView("same"));

        const QByteArray empty = seal({});
        QCOMPARE(empty.size(), Overhead);
        const auto openedEmpty = openWithPassphrase(empty, Passphrase);
        QVERIFY(openedEmpty.ok());
        QVERIFY(openedEmpty.value().isEmpty());

        const QByteArray large = randomBytes(256 * 1024);
        const auto openedLarge = openWithPassphrase(seal(large), Passphrase);
        QVERIFY(openedLarge.ok());
        QCOMPARE(openedLarge.value().view(), QByteArrayView(large));
    }

    void wrongPassphraseIsRefused()
    {
        const QByteArray box = seal("secret");
        for (const QString &wrong :
             {QStringLiteral("correct horse battery stapler"),
                             QStringLiteral("Correct horse battery staple"),
                                            // The passphrase is used as given: white space is part of it.
                                            QString(Passphrase + QLatin1Char(' ')), QString()}) {
            const auto opened = openWithPassphrase(box, wrong);
            QVERIFY(!opened.ok());
            QCOMPARE(opened.error().kind(), ErrorKind::Crypto);
            QCOMPARE(opened.error().message(), QString::fromUtf8(WrongPassphraseMessage));
        }
    }

    void composedAndDecomposedPassphrasesAreTheSame()
    {
        const QString composed = QStringLiteral("Cr\u00e8me br\u00fbl\u00e9e \u00e0 Z\u00fcrich");
        const QString decomposed = composed.normalized(QString::NormalizationForm_D);
        QVERIFY(composed != decomposed);
        QVERIFY(decomposed.size() > composed.size());

        const auto fromDecomposed = openWithPassphrase(seal("crème", decomposed), composed);
        QVERIFY2(fromDecomposed.ok(), fromDecomposed.ok() ? "" : qPrintable(fromDecomposed.error().toString()));
        QCOMPARE(fromDecomposed.value().view(), QByteArrayView("crème"));
        const auto fromComposed = openWithPassphrase(seal("brûlée", composed), decomposed);
        QVERIFY(fromComposed.ok());
        QCOMPARE(fromComposed.value().view(), QByteArrayView("brûlée"));
    }

    // --- tampering, truncation, crafted headers ---------------------------------------------

    void everyChangedByteIsRefused()
    {
        const QByteArray box = seal("abc");
        QCOMPARE(box.size(), Overhead + 3);
        for (qsizetype i = 0; i < box.size(); ++i) {
            QByteArray changed = box;
            changed[i] = static_cast<char>(changed[i] ^ 0xff);
            const auto opened = openWithPassphrase(changed, Passphrase);
            QVERIFY2(!opened.ok(), qPrintable(QStringLiteral("byte %1 changed and still opened").arg(i)));
            const ErrorKind kind = opened.error().kind();
            QVERIFY2(kind == ErrorKind::Crypto || kind == ErrorKind::InvalidInput,
                     qPrintable(QStringLiteral("byte %1: %2").arg(i).arg(opened.error().toString())));
            if (i < OpsOffset) // magic, version, algorithm: not a box this Confab reads
                QCOMPARE(kind, ErrorKind::InvalidInput);
            if (i >= 14) // salt, nonce, ciphertext, tag
                QCOMPARE(kind, ErrorKind::Crypto);
        }
    }

    void headerCostsAreAuthenticated()
    {
        // Interactive costs rewritten to Moderate ones: within bounds, so a key is derived, but it
        // is the wrong key and the header is additional data anyway.
        QByteArray box = seal("abc");
        writeU32(box, OpsOffset, 3);
        writeU32(box, MemOffset, 256 * 1024);
        const auto opened = openWithPassphrase(box, Passphrase);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().kind(), ErrorKind::Crypto);
    }

    void everyTruncationIsRefused()
    {
        const QByteArray box = seal("abcd");
        for (qsizetype size = 0; size < box.size(); ++size) {
            const auto opened = openWithPassphrase(box.first(size), Passphrase);
            QVERIFY2(!opened.ok(), qPrintable(QStringLiteral("opened at %1 bytes").arg(size)));
            // Too short for header and tag: not a box; longer: the tag no longer verifies.
            QCOMPARE(opened.error().kind(), size < Overhead ? ErrorKind::InvalidInput : ErrorKind::Crypto);
        }
        const auto extended = openWithPassphrase(QByteArray(box + '\0'), Passphrase);
        QVERIFY(!extended.ok());
        QCOMPARE(extended.error().kind(), ErrorKind::Crypto);
    }

    void craftedHeadersAreRefusedBeforeDeriving_data()
    {
        QTest::addColumn<quint32>("opslimit");
        QTest::addColumn<quint32>("memlimitKiB");
        const quint32 ops = 2;
        const quint32 mem = 64 * 1024;
        QTest::newRow("memlimit 4 GiB") << ops << 4u * 1024u * 1024u;
        QTest::newRow("memlimit 4 TiB") << ops << 0xffff'ffffu;
        QTest::newRow("memlimit 1 GiB + 1 KiB") << ops << 1024u * 1024u + 1u;
        QTest::newRow("memlimit 8 KiB") << ops << 8u;
        QTest::newRow("memlimit 0") << ops << 0u;
        QTest::newRow("opslimit huge") << 0xffff'ffffu << mem;
        QTest::newRow("opslimit 5") << 5u << mem;
        QTest::newRow("opslimit 1") << 1u << mem;
        QTest::newRow("opslimit 0") << 0u << mem;
        QTest::newRow("both huge") << 0xffff'ffffu << 0xffff'ffffu;
    }

    void craftedHeadersAreRefusedBeforeDeriving()
    {
        QFETCH(quint32, opslimit);
        QFETCH(quint32, memlimitKiB);
        QByteArray box = seal("abc");
        writeU32(box, OpsOffset, opslimit);
        writeU32(box, MemOffset, memlimitKiB);
        QElapsedTimer timer;
        timer.start();
        const auto opened = openWithPassphrase(box, Passphrase);
        const qint64 elapsedMs = timer.elapsed();
        QVERIFY(!opened.ok());
        // InvalidInput, not Crypto: refused on the header alone. One Interactive derivation takes
        // about 90 ms and these would take seconds or exhaust memory.
        QCOMPARE(opened.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(elapsedMs < 1000, qPrintable(QStringLiteral("took %1 ms").arg(elapsedMs)));
    }

    void foreignAndNewerBoxesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("box");
        QTest::addColumn<QString>("message");
        const QString notABox = QStringLiteral("This is not a Confab passphrase-protected file.");
        const QString newer =
            QStringLiteral("This file was made by a newer version of Confab. Update Confab to open it.");
        const QByteArray good = seal("abc");
        QByteArray wrongMagic = good;
        wrongMagic[3] = 'X';
        QByteArray version0 = good;
        version0[4] = 0;
        QByteArray version2 = good;
        version2[4] = 2;
        QByteArray algorithm1 = good;
        algorithm1[5] = 1;
        QTest::newRow("empty") << QByteArray() << notABox;
        QTest::newRow("magic only") << QByteArray("CFPB") << notABox;
        QTest::newRow("text") << QByteArray("This is a letter, not a box at all.") << notABox;
        QTest::newRow("random bytes") << randomBytes(200) << notABox;
        QTest::newRow("wrong magic") << wrongMagic << notABox;
        QTest::newRow("version 0") << version0 << notABox;
        QTest::newRow("version 2") << version2 << newer;
        QTest::newRow("version 2, short") << version2.first(5) << newer;
        QTest::newRow("algorithm 1") << algorithm1 << newer;
        QTest::newRow("header only") << good.first(PassphraseBoxHeaderSize)
                                     << QStringLiteral("This Confab passphrase-protected file is incomplete.");
    }

    void foreignAndNewerBoxesAreRefused()
    {
        QFETCH(QByteArray, box);
        QFETCH(QString, message);
        const auto opened = openWithPassphrase(box, Passphrase);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().kind(), ErrorKind::InvalidInput);
        QCOMPARE(opened.error().message(), message);
    }

    // --- key backups ------------------------------------------------------------------------

    void keyBackupRoundTrip()
    {
        const QByteArray &text = m_backupText;
        QVERIFY(text.startsWith(QByteArray(QByteArray(KeyBackupBeginLine) + '\n')));
        QVERIFY(text.endsWith(QByteArray(QByteArray(KeyBackupEndLine) + '\n')));
        const QList<QByteArray> lines = text.trimmed().split('\n');
        QVERIFY(lines.size() >= 4);
        for (qsizetype i = 1; i + 1 < lines.size(); ++i) {
            const bool last = i + 2 == lines.size();
            QVERIFY2(last ? lines[i].size() <= 64 && !lines[i].isEmpty() : lines[i].size() == 64, lines[i].constData());
        }

        const auto imported = importKeyBackup(text, Passphrase);
        QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(imported.error().toString()));
        QCOMPARE(imported.value().userId, m_contents.userId);
        QCOMPARE(imported.value().keyVersion, m_contents.keyVersion);
        QCOMPARE(imported.value().createdMs, m_contents.createdMs);
        QVERIFY(imported.value().backupBlob == m_contents.backupBlob);
        const auto keys = IdentityKeys::fromBackupBlob(imported.value().backupBlob);
        QVERIFY(keys.ok());
        QCOMPARE(keys.value().backupBlob().view(), m_contents.backupBlob.view());
    }

    void keyBackupRoundTripAtTheDefaultStrength()
    {
        KeyBackupContents contents;
        contents.userId = QStringLiteral("ünïcödé-user");
        contents.keyVersion = QStringLiteral("v2");
        contents.backupBlob = newBlob();
        const auto text = exportKeyBackup(contents, Passphrase); // Moderate
        QVERIFY(text.ok());
        const auto imported = importKeyBackup(text.value(), Passphrase);
        QVERIFY(imported.ok());
        QCOMPARE(imported.value().userId, contents.userId);
        QCOMPARE(imported.value().keyVersion, contents.keyVersion);
        QCOMPARE(imported.value().createdMs, qint64{0});
        QVERIFY(imported.value().backupBlob == contents.backupBlob);
    }

    void keyBackupToleratesWhatPeopleDoToText_data()
    {
        QTest::addColumn<QByteArray>("text");
        QByteArray crlf = m_backupText;
        crlf.replace("\n", "\r\n");
        QTest::newRow("CRLF") << crlf;
        QTest::newRow("surrounding white space") << QByteArray("\r\n \t\n" + crlf + "   \n\n");
        QTest::newRow("a note around it") << QByteArray("My Confab keys, printed 2024-05-01. Keep safe!\n\n" +
                                                        m_backupText + "\n-- \nsent from a phone\n");
        QByteArray unwrapped = m_backupText;
        const qsizetype bodyAt = unwrapped.indexOf('\n') + 1;
        const qsizetype endAt = unwrapped.indexOf(KeyBackupEndLine);
        QByteArray body = unwrapped.mid(bodyAt, endAt - bodyAt);
        body.replace("\n", "");
        QTest::newRow("unwrapped") << QByteArray(QByteArray(KeyBackupBeginLine) + body + KeyBackupEndLine);
        QByteArray indented = "    " + m_backupText;
        indented.replace("\n", "\n    ");
        indented.insert(indented.indexOf('\n') + 20, " \t ");
        QTest::newRow("indented, a tab and spaces in the body") << indented;
    }

    void keyBackupToleratesWhatPeopleDoToText()
    {
        QFETCH(QByteArray, text);
        const auto imported = importKeyBackup(text, Passphrase);
        QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(imported.error().toString()));
        QCOMPARE(imported.value().userId, m_contents.userId);
        QVERIFY(imported.value().backupBlob == m_contents.backupBlob);
    }

    void keyBackupRefusesGarbage_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<ErrorKind>("kind");
        QTest::addColumn<QString>("message");
        const QString notABackup = QStringLiteral("This is not a Confab key backup.");
        const QString damaged = QStringLiteral("This key backup is damaged: part of it was changed or lost.");
        const QString incomplete = QStringLiteral("This key backup is incomplete: its last line, "
                                                  "-----END CONFAB KEY BACKUP-----, is missing.");
        const QString wrong = QString::fromUtf8(WrongPassphraseMessage);
        const QByteArray begin = QByteArray(KeyBackupBeginLine) + '\n';
        const QByteArray end = QByteArray(KeyBackupEndLine) + '\n';

        QTest::newRow("empty") << QByteArray() << ErrorKind::InvalidInput << notABackup;
        QTest::newRow("prose") << QByteArray("Dear diary, today I lost my keys.") << ErrorKind::InvalidInput
                               << notABackup;
        QTest::newRow("binary") << randomBytes(500) << ErrorKind::InvalidInput << notABackup;
        QTest::newRow("a bare box in base64") << seal("abc").toBase64() << ErrorKind::InvalidInput << notABackup;
        QTest::newRow("begin line only") << begin << ErrorKind::InvalidInput << incomplete;
        QTest::newRow("end line missing")
            << m_backupText.first(m_backupText.indexOf(KeyBackupEndLine)) << ErrorKind::InvalidInput << incomplete;
        QTest::newRow("empty body") << QByteArray(begin + end) << ErrorKind::InvalidInput << damaged;
        QTest::newRow("not base64") << QByteArray(begin + "This is *not* base64!\n" + end) << ErrorKind::InvalidInput
                                    << damaged;
        QTest::newRow("base64 of garbage")
            << QByteArray(begin + randomBytes(90).toBase64() + '\n' + end) << ErrorKind::InvalidInput << damaged;
        QTest::newRow("base64 of a short box")
            << QByteArray(begin + seal("abc").first(40).toBase64() + '\n' + end) << ErrorKind::InvalidInput << damaged;

        // The box is 54 + 115 + 16 = 185 bytes, 248 base64 characters: three lines of 64 and one
        // of 56. Without the last line it still decodes, to a truncated box.
        QByteArray lastLineLost = m_backupText;
        const qsizetype lastLineEnd = lastLineLost.indexOf(KeyBackupEndLine);
        const qsizetype lastLineStart = lastLineLost.lastIndexOf('\n', lastLineEnd - 2) + 1;
        lastLineLost.remove(lastLineStart, lastLineEnd - lastLineStart);
        QTest::newRow("last line lost") << lastLineLost << ErrorKind::Crypto << wrong;

        // One base64 character changed for another: still base64, no longer the sealed box.
        QByteArray changed = m_backupText;
        const qsizetype at = changed.indexOf('\n') + 1 + 40; // character 40 encodes byte 30: the nonce
        changed[at] = changed[at] == 'A' ? 'B' : 'A';
        QTest::newRow("one character changed") << changed << ErrorKind::Crypto << wrong;
    }

    void keyBackupRefusesGarbage()
    {
        QFETCH(QByteArray, text);
        QFETCH(ErrorKind, kind);
        QFETCH(QString, message);
        const auto imported = importKeyBackup(text, Passphrase);
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error().kind(), kind);
        QCOMPARE(imported.error().message(), message);
    }

    void keyBackupWrongPassphrase()
    {
        const auto imported = importKeyBackup(m_backupText, QStringLiteral("correct horse battery stable"));
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error().kind(), ErrorKind::Crypto);
        QCOMPARE(imported.error().message(), QString::fromUtf8(WrongPassphraseMessage));
    }

    void keyBackupRefusesSealedContentsThatAreNotABackup_data()
    {
        QTest::addColumn<QByteArray>("plaintext");
        QTest::addColumn<QString>("message");
        const QByteArray blob = newBlob().toByteArray();
        const QString notABackup = QStringLiteral("This is not a Confab key backup.");
        const QString badKeys = QStringLiteral("This key backup does not hold a complete, valid set of keys.");
        QTest::newRow("other contents") << QByteArray("a passphrase box, but not a key backup") << notABackup;
        QTest::newRow("newer contents version")
            << backupPlaintext(2, "42", "1", blob)
            << QStringLiteral("This key backup was made by a newer version of Confab. Update Confab to read it.");
        QTest::newRow("blob of 63 bytes") << backupPlaintext(1, "42", "1", blob.first(63)) << badKeys;
        QTest::newRow("blob of 65 bytes") << backupPlaintext(1, "42", "1", QByteArray(blob + 'x')) << badKeys;
        QTest::newRow("blob of zeros") << backupPlaintext(1, "42", "1", QByteArray(64, '\0')) << badKeys;
        QTest::newRow("no user id") << backupPlaintext(1, "", "1", blob) << notABackup;
        QTest::newRow("trailing bytes") << QByteArray(backupPlaintext(1, "42", "1", blob) + "!") << notABackup;
        QTest::newRow("cut short") << backupPlaintext(1, "42", "1", blob).chopped(1) << notABackup;
    }

    void keyBackupRefusesSealedContentsThatAreNotABackup()
    {
        QFETCH(QByteArray, plaintext);
        QFETCH(QString, message);
        const auto imported = importKeyBackup(armorByHand(seal(plaintext)), Passphrase);
        wipe(plaintext);
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error().kind(), ErrorKind::InvalidInput);
        QCOMPARE(imported.error().message(), message);
    }

    void keyBackupExportRefusesBadContents_data()
    {
        QTest::addColumn<QString>("userId");
        QTest::addColumn<QString>("keyVersion");
        QTest::addColumn<QByteArray>("blob");
        QTest::addColumn<QString>("passphrase");
        const QByteArray blob = newBlob().toByteArray();
        const QString id = QStringLiteral("42");
        const QString v = QStringLiteral("1");
        QTest::newRow("blob of 63 bytes") << id << v << blob.first(63) << Passphrase;
        QTest::newRow("blob of 65 bytes") << id << v << QByteArray(blob + 'x') << Passphrase;
        QTest::newRow("no blob") << id << v << QByteArray() << Passphrase;
        QTest::newRow("blob of zeros") << id << v << QByteArray(64, '\0') << Passphrase;
        QTest::newRow("blob out of range") << id << v << QByteArray(64, '\xff') << Passphrase;
        QTest::newRow("no user id") << QString() << v << blob << Passphrase;
        QTest::newRow("user id too long") << QString(1025, QLatin1Char('1')) << v << blob << Passphrase;
        QTest::newRow("no key version") << id << QString() << blob << Passphrase;
        QTest::newRow("weak passphrase") << id << v << blob << QStringLiteral("password");
    }

    void keyBackupExportRefusesBadContents()
    {
        QFETCH(QString, userId);
        QFETCH(QString, keyVersion);
        QFETCH(QByteArray, blob);
        QFETCH(QString, passphrase);
        KeyBackupContents contents;
        contents.userId = userId;
        contents.keyVersion = keyVersion;
        contents.backupBlob = SecureBytes(blob);
        wipe(blob);
        const auto text = exportKeyBackup(contents, passphrase, PassphraseStrength::Interactive);
        QVERIFY(!text.ok());
        QCOMPARE(text.error().kind(), ErrorKind::InvalidInput);
        QVERIFY(!text.error().message().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPassphraseBox)
#include "tst_passphrasebox.moc"
