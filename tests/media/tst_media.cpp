// Received attachments without a network: the decoder's safety rules (real type from the
// content, a declared size checked before any pixel is decoded, SVG refused), decryption of X's
// media format from a file (truncated and tampered ciphertext refused), and the ciphertext
// cache's limit.

#include "crypto/mediastream.h"
#include "crypto/securebytes.h"
#include "media/mediacache.h"
#include "media/mediadecoder.h"
#include "media/mediafiles.h"
#include "media/medialoader.h"
#include "store/sealer.h"
#include "store/store.h"
#include "storewait.h"

#include <QBuffer>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace confab;
using namespace confab::media;

namespace {

QByteArray png(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(QColor(30, 120, 200));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

quint32 crc32(QByteArrayView data)
{
    quint32 crc = 0xffffffffU;
    for (const char c : data) {
        crc ^= static_cast<quint8>(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
    }
    return ~crc;
}

void putBigEndian(QByteArray &bytes, qsizetype at, quint32 value)
{
    for (int i = 0; i < 4; ++i)
        bytes[at + i] = static_cast<char>((value >> (24 - 8 * i)) & 0xffU);
}

/// A real PNG whose header claims `width` x `height` (a decompression bomb's opening).
QByteArray pngClaiming(quint32 width, quint32 height)
{
    QByteArray bytes = png(4, 4);
    // 8-byte signature, then the IHDR chunk: length (4), "IHDR" (4), width, height, ..., CRC.
    putBigEndian(bytes, 16, width);
    putBigEndian(bytes, 20, height);
    putBigEndian(bytes, 29, crc32(QByteArrayView(bytes).sliced(12, 17)));
    return bytes;
}

QString encryptToFile(const QTemporaryDir &dir, const QString &name, const QByteArray &plain,
                      const crypto::SecureBytes &key)
{
    QBuffer in;
    in.setData(plain);
    in.open(QIODevice::ReadOnly);
    QFile out(dir.filePath(name));
    if (!out.open(QIODevice::WriteOnly) || !crypto::encryptMedia(in, out, key))
        return {};
    return out.fileName();
}

} // namespace

class TestMedia : public QObject
{
    Q_OBJECT

private slots:
    void decodesAndScalesAPicture();
    void refusesADecompressionBombBeforeDecoding();
    void trustsTheContentNotTheClaim();
    void decryptsAFileAndRefusesDamage();
    void theCacheStaysUnderItsLimit();
    void aLargePictureDecryptsOffTheGuiThread();
    void fileNamesAreMadeSafe();
    void filesToSendAreDescribedAndRefused();
    void aPastedPictureIsStagedEncrypted();
};

void TestMedia::decodesAndScalesAPicture()
{
    const auto picture = decodePicture(png(640, 480), QSize(320, 320));
    QVERIFY2(picture.ok(), qPrintable(picture.ok() ? QString() : picture.error().toString()));
    QCOMPARE(picture.value().fullSize, QSize(640, 480));
    QCOMPARE(picture.value().image.size(), QSize(320, 240));
    QCOMPARE(picture.value().mimeType, QStringLiteral("image/png"));
    // No size asked: full size; a size larger than the picture: never upscaled.
    QCOMPARE(decodePicture(png(64, 48), QSize()).value().image.size(), QSize(64, 48));
    QCOMPARE(decodePicture(png(64, 48), QSize(1000, 1000)).value().image.size(), QSize(64, 48));
}

void TestMedia::refusesADecompressionBombBeforeDecoding()
{
    const QByteArray bomb = pngClaiming(60000, 60000); // 3.6 gigapixels, ~14 GB decoded
    QCOMPARE(bomb.size(), png(4, 4).size());
    const auto refused = decodePicture(bomb, QSize(320, 320));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(refused.error().message().contains(QStringLiteral("60000 × 60000")),
                                                qPrintable(refused.error().message()));
    // A tighter limit refuses smaller pictures the same way.
    Limits strict;
    strict.maxPixels = 100 * 100;
    QVERIFY(!decodePicture(png(200, 200), QSize(), strict).ok());
    QVERIFY(decodePicture(png(100, 100), QSize(), strict).ok());
}

void TestMedia::trustsTheContentNotTheClaim()
{
    QCOMPARE(detectType(png(8, 8)), QStringLiteral("image/png"));
    // Text that a sender calls a picture, an SVG (it can reference and compute), a damaged PNG.
    const auto text = decodePicture(QByteArrayLiteral("definitely not a picture, just words\n"), QSize());
    QVERIFY(!text.ok());
    QVERIFY(text.error().message().contains(QStringLiteral("not a picture")));
    const QByteArray svg = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
                           "height=\"10\"><rect width=\"10\" height=\"10\"/></svg>";
    QCOMPARE(detectType(svg), QStringLiteral("image/svg+xml"));
    QVERIFY(!decodePicture(svg, QSize()).ok());
    QByteArray damaged = png(64, 64);
    damaged.truncate(damaged.size() / 2);
    const auto broken = decodePicture(damaged, QSize());
    QVERIFY(!broken.ok() || broken.value().image.isNull() == false); // cut data: refused or partial, never a crash
}

void TestMedia::decryptsAFileAndRefusesDamage()
{
    QTemporaryDir dir;
    const crypto::SecureBytes key = crypto::SecureBytes::random(32);
    const QByteArray plain = png(300, 200);
    const QString path = encryptToFile(dir, QStringLiteral("ok.enc"), plain, key);
    QVERIFY(!path.isEmpty());
    const auto opened = decryptFile(path, key);
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().toString()));
    QCOMPARE(opened.value(), plain);

    // Truncated (a download cut short) and tampered (one byte changed) are refused.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray cipher = file.readAll();
    file.close();
    auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return f.fileName();
    };
    const auto truncated = decryptFile(write(QStringLiteral("cut.enc"), cipher.left(cipher.size() - 500)), key);
    QVERIFY(!truncated.ok());
    QCOMPARE(truncated.error().kind(), ErrorKind::Crypto);
    QVERIFY(truncated.error().message().contains(QStringLiteral("could not be decrypted")));
    QByteArray tampered = cipher;
    tampered[tampered.size() / 2] = static_cast<char>(tampered.at(tampered.size() / 2) ^ 0x01);
    QCOMPARE(decryptFile(write(QStringLiteral("bad.enc"), tampered), key).error().kind(), ErrorKind::Crypto);
    // The wrong key, and a file over the size limit.
    QCOMPARE(decryptFile(path, crypto::SecureBytes::random(32)).error().kind(), ErrorKind::Crypto);
    Limits small;
    small.maxCiphertextBytes = 100;
    QCOMPARE(decryptFile(path, key, small).error().kind(), ErrorKind::InvalidInput);
}

void TestMedia::theCacheStaysUnderItsLimit()
{
    QTemporaryDir dir;
    MediaCache cache(dir.filePath(QStringLiteral("media")), 1000);
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("media"))).isDir());
    QStringList keys;
    for (int i = 0; i < 3; ++i) {
        const QString key = MediaCache::keyFor(7, QStringLiteral("media%1").arg(i));
        QVERIFY(!cache.take(key));
        QFile part(cache.partPathFor(key));
        QVERIFY(part.open(QIODevice::WriteOnly));
        part.write(QByteArray(400, 'x'));
        part.close();
        QTest::qWait(20); // distinct modification times
        QVERIFY(cache.commit(key).ok());
        QVERIFY(cache.take(key));
        keys << key;
    }
    // 1,200 bytes over a 1,000-byte limit: the least recently used went.
    QVERIFY(cache.sizeBytes() <= 1000);
    QVERIFY(!cache.take(keys.at(0)));
    QVERIFY(cache.take(keys.at(1)) && cache.take(keys.at(2)));
    QCOMPARE(MediaCache::keyFor(7, QStringLiteral("a")), MediaCache::keyFor(7, QStringLiteral("a")));
    QVERIFY(MediaCache::keyFor(7, QStringLiteral("a")) != MediaCache::keyFor(8, QStringLiteral("a")));
    // A part file a crash left behind is cleared at the next start.
    QFile stale(cache.partPathFor(QStringLiteral("stale")));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    MediaCache again(dir.filePath(QStringLiteral("media")), 1000);
    QVERIFY(!QFile::exists(cache.partPathFor(QStringLiteral("stale"))));
    // ... and finds what the last session kept.
    QVERIFY(again.contains(keys.at(1)) && again.contains(keys.at(2)) && !again.contains(keys.at(0)));
    QCOMPARE(again.sizeBytes(), 800);
}

void TestMedia::aLargePictureDecryptsOffTheGuiThread()
{
    // A 12-megapixel photo of noise (~36 MB: noise does not compress), already in the media
    // cache as a download leaves it, attached to a message of a real store. While the loader
    // decrypts and decodes it, the GUI thread's event loop keeps turning.
    QTemporaryDir dir;
    store::Store store;
    store::StoreOptions options;
    options.path = dir.filePath(QStringLiteral("media.db"));
    options.housekeepingIntervalMs = 0;
    store::FixedSealingKey sealing(crypto::SecureBytes::random(store::SealingKeySize));
    QVERIFY(test::settle(store.open(options, sealing)).ok());
    auto account = test::settle(store.upsertAccount(store::AccountKind::XChat, QStringLiteral("me")));
    QVERIFY(account.ok());
    store::ConversationInput conversationIn;
    conversationIn.accountId = account.value().id;
    conversationIn.remoteId = QStringLiteral("c1");
    auto conversation = test::settle(store.upsertConversation(conversationIn));
    QVERIFY(conversation.ok());

    QImage noise(4000, 3000, QImage::Format_RGB888);
    for (int y = 0; y < noise.height(); ++y) {
        auto *line = reinterpret_cast<quint32 *>(noise.scanLine(y));
        QRandomGenerator::global()->fillRange(line, noise.bytesPerLine() / 4);
    }
    QByteArray photo;
    {
        QBuffer buffer(&photo);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, "png");
        writer.setCompression(0);
        QVERIFY(writer.write(noise));
    }
    QVERIFY2(photo.size() > 30 * 1024 * 1024, qPrintable(QString::number(photo.size())));
    const crypto::SecureBytes key = crypto::SecureBytes::random(32);
    auto cache = std::make_shared<MediaCache>(dir.filePath(QStringLiteral("media")));
    const QString cacheKey = MediaCache::keyFor(conversation.value().id, QStringLiteral("bigphoto"));
    {
        QBuffer in(&photo);
        in.open(QIODevice::ReadOnly);
        QFile out(cache->partPathFor(cacheKey));
        QVERIFY(out.open(QIODevice::WriteOnly));
        QVERIFY(crypto::encryptMedia(in, out, key).ok());
    }
    QVERIFY(cache->commit(cacheKey).ok());

    store::IncomingMessage message;
    message.remoteId = QStringLiteral("m1");
    message.sequence = 1;
    message.senderId = QStringLiteral("peer");
    message.createdMs = QDateTime::currentMSecsSinceEpoch();
    message.kind = store::MessageKind::Media;
    store::Attachment attachment;
    attachment.mediaId = QStringLiteral("bigphoto");
    attachment.mediaKey = QByteArray(reinterpret_cast<const char *>(key.data()), static_cast<qsizetype>(key.size()));
    attachment.width = 4000;
    attachment.height = 3000;
    message.attachments = {attachment};
    QVERIFY(test::settle(store.insertMessages(conversation.value().id, {message})).ok());
    auto stored = test::settle(store.newestMessages(conversation.value().id, 1));
    QVERIFY(stored.ok() && stored.value().size() == 1);

    int fetches = 0;
    MediaLoader loader(
        store, cache,
        [&fetches](qint64, QString, QIODevice *, std::function<void(qint64, qint64)>) -> QCoro::Task<Result<void>> {
            ++fetches; // it is cached: never asked
            co_return Error(ErrorKind::Network, QStringLiteral("no network in this test"));
        });
    // Count the GUI thread's turns while the picture is made, and the longest wait between two.
    int turns = 0;
    qint64 longestGapMs = 0;
    QElapsedTimer sinceLast;
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        ++turns;
        longestGapMs = std::max(longestGapMs, sinceLast.restart());
    });
    sinceLast.start();
    ticker.start();
    QElapsedTimer took;
    took.start();
    QFuture<Result<Picture>> loading = loader.picture(stored.value().constFirst().id, 0, QSize(320, 320));
    QVERIFY(QTest::qWaitFor([&] { return loading.isFinished(); }, 120'000));
    ticker.stop();
    const Result<Picture> picture = loading.result();
    QVERIFY2(picture.ok(), qPrintable(picture.ok() ? QString() : picture.error().toString()));
    QCOMPARE(picture.value().fullSize, QSize(4000, 3000));
    QCOMPARE(picture.value().image.size(), QSize(320, 240));
    QCOMPARE(fetches, 0);
    // Structural, not a timing target (that is scripts/bench's): the loop went on turning.
    QVERIFY2(turns > 10, qPrintable(QStringLiteral("%1 turns in %2 ms").arg(turns).arg(took.elapsed())));
    qInfo("decrypting and decoding %lld MB took %lld ms; the GUI thread turned %d times, longest gap %lld ms",
          static_cast<long long>(photo.size() / (1024 * 1024)), static_cast<long long>(took.elapsed()), turns,
          static_cast<long long>(longestGapMs));
}

void TestMedia::fileNamesAreMadeSafe()
{
    using media::safeFileName;
    // No way out of the folder, nothing hidden, nothing a shell or Windows treats specially.
    QCOMPARE(safeFileName(QStringLiteral("../../.bashrc")), QStringLiteral("bashrc"));
    QCOMPARE(safeFileName(QStringLiteral("C:\\Windows\\evil.txt")), QStringLiteral("evil.txt"));
    QCOMPARE(safeFileName(QStringLiteral("/etc/passwd")), QStringLiteral("passwd"));
    QCOMPARE(safeFileName(QStringLiteral("...")), QStringLiteral("file"));
    QCOMPARE(safeFileName(QString()), QStringLiteral("file"));
    QCOMPARE(safeFileName(QStringLiteral("a<b>c:d|e?.txt")), QStringLiteral("a_b_c_d_e_.txt"));
    QCOMPARE(safeFileName(QStringLiteral("report. . .")), QStringLiteral("report"));
    QCOMPARE(safeFileName(QStringLiteral("CON.txt")), QStringLiteral("_CON.txt"));
    QCOMPARE(safeFileName(QStringLiteral("line\nbreak\t.pdf")), QStringLiteral("linebreak.pdf"));
    // A right-to-left override shows "photo\u202Egpj.exe" as "photoexe.jpg": it goes.
    QCOMPARE(safeFileName(QStringLiteral("photo\u202Egpj.exe")), QStringLiteral("photogpj.exe"));
    // The real type decides the suffix: a picture named like a launcher is saved as a picture.
    QCOMPARE(safeFileName(QStringLiteral("run.desktop"), QStringLiteral("image/png")),
                          QStringLiteral("run.desktop.png"));
    QCOMPARE(safeFileName(QStringLiteral("holiday.JPG"), QStringLiteral("image/jpeg")), QStringLiteral("holiday.JPG"));
    QCOMPARE(safeFileName(QStringLiteral("notes"), QStringLiteral("application/octet-stream")),
                          QStringLiteral("notes"));
    const QString longName = QString(300, QLatin1Char('x')) + QStringLiteral(".pdf");
    QCOMPARE(safeFileName(longName).size(), 120);
    QVERIFY(safeFileName(longName).endsWith(QStringLiteral(".pdf")));
}

void TestMedia::filesToSendAreDescribedAndRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A picture: its type from the content (whatever its name), its size from the header.
    QImage image(640, 480, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    const QString disguised = dir.filePath(QStringLiteral("holiday.txt"));
    QVERIFY(image.save(disguised, "PNG"));
    const auto picture = media::describeFile(disguised);
    QVERIFY2(picture.ok(), qPrintable(picture.ok() ? QString() : picture.error().toString()));
    QCOMPARE(picture.value().mimeType, QStringLiteral("image/png"));
    QCOMPARE(picture.value().width, 640);
    QCOMPARE(picture.value().height, 480);
    QCOMPARE(picture.value().fileName, QStringLiteral("holiday.txt"));
    QCOMPARE(picture.value().sizeBytes, QFileInfo(disguised).size());
    QCOMPARE(picture.value().extra.value(QLatin1String("localPath")).toString(),
             QFileInfo(disguised).absoluteFilePath());

    // Refused with a sentence that names the file: a folder, nothing there, empty, too large.
    QCOMPARE(media::describeFile(dir.path()).error().kind(), ErrorKind::InvalidInput);
    QCOMPARE(media::describeFile(dir.filePath(QStringLiteral("gone.bin"))).error().kind(), ErrorKind::NotFound);
    QFile empty(dir.filePath(QStringLiteral("empty.bin")));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    QVERIFY(media::describeFile(empty.fileName()).error().message().contains(QStringLiteral("empty.bin")));
    QFile huge(dir.filePath(QStringLiteral("huge.iso")));
    QVERIFY(huge.open(QIODevice::WriteOnly));
    QVERIFY(huge.resize(media::MaxFileBytes + 1)); // sparse: nothing is written
    huge.close();
    const auto tooLarge = media::describeFile(huge.fileName());
    QVERIFY(!tooLarge.ok());
    QVERIFY(tooLarge.error().message().contains(QStringLiteral("too large")));
}

void TestMedia::aPastedPictureIsStagedEncrypted()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QImage image(300, 200, QImage::Format_ARGB32);
    image.fill(QColor(200, 40, 90));
    const QString folder = dir.filePath(QStringLiteral("outgoing"));
    const auto staged = media::stagePicture(image, folder, QStringLiteral("Pasted picture"));
    QVERIFY2(staged.ok(), qPrintable(staged.ok() ? QString() : staged.error().toString()));
    const store::Attachment &a = staged.value();
    QCOMPARE(a.fileName, QStringLiteral("Pasted picture.png"));
    QCOMPARE(a.mimeType, QStringLiteral("image/png"));
    QCOMPARE(QSize(a.width, a.height), QSize(300, 200));
    const QString path = a.extra.value(QLatin1String("localPath")).toString();
    const QByteArray key = QByteArray::fromBase64(a.extra.value(QLatin1String("localKey")).toString().toLatin1());
    QCOMPARE(key.size(), 32);
    QVERIFY(path.startsWith(folder));
    // On disk: ciphertext only, in a folder for this user alone.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray onDisk = file.readAll();
    QCOMPARE(media::detectType(onDisk), QStringLiteral("application/octet-stream"));
    QVERIFY(!onDisk.contains("PNG"));
    QCOMPARE(QFileInfo(folder).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());
    // Read back: the PNG, whole.
    const auto plain = media::readLocalFile(path, key);
    QVERIFY(plain.ok());
    QCOMPARE(plain.value().size(), a.sizeBytes);
    QCOMPARE(media::detectType(plain.value()), QStringLiteral("image/png"));
    QImage back;
    QVERIFY(back.loadFromData(plain.value(), "PNG"));
    QCOMPARE(back.pixelColor(10, 10), QColor(200, 40, 90));
    // The wrong key is refused, not shown as garbage.
    const auto wrong = media::readLocalFile(path, QByteArray(32, 'k'));
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().kind(), ErrorKind::Crypto);

    // A private copy (what a drag out or "open with" hands over): named safely, for this user.
    const auto copy = media::writePrivateCopy(plain.value(), dir.filePath(QStringLiteral("private")),
                                                                          QStringLiteral("../sneaky.desktop"));
    QVERIFY(copy.ok());
    QCOMPARE(QFileInfo(copy.value()).fileName(), QStringLiteral("sneaky.desktop.png"));
    QCOMPARE(QFileInfo(copy.value()).permissions() & (QFileDevice::ExeOwner | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QVERIFY(copy.value().startsWith(dir.filePath(QStringLiteral("private/"))));
}

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_media.moc"
