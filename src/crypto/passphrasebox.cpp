#include "crypto/passphrasebox.h"

#include "crypto/sodium.h"

#include <QtEndian>

#include <cstring>
#include <sodium.h>

namespace confab::crypto {

namespace {

constexpr char Magic[4] = {'C', 'F', 'P', 'B'};
constexpr qsizetype MagicSize = 4;
constexpr qsizetype VersionOffset = 4;
constexpr qsizetype AlgOffset = 5;
constexpr qsizetype OpsOffset = 6;
constexpr qsizetype MemOffset = 10;
constexpr qsizetype SaltOffset = 14;
constexpr qsizetype SaltSize = 16;
constexpr qsizetype NonceOffset = 30;
constexpr qsizetype NonceSize = 24;
constexpr std::size_t KeySize = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

static_assert(NonceOffset + NonceSize == PassphraseBoxHeaderSize);
static_assert(SaltSize == crypto_pwhash_SALTBYTES);
static_assert(NonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(PassphraseBoxTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(KeySize == 32);
static_assert(PassphraseBoxAlgArgon2id13 == crypto_pwhash_ALG_ARGON2ID13);

/// Argon2id costs as the header stores them.
struct Costs
{
    quint32 opslimit = 0;
    quint32 memlimitKiB = 0;
};

constexpr Costs costsFor(PassphraseStrength strength)
{
    switch (strength) {
    case PassphraseStrength::Interactive:
        return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024};
    case PassphraseStrength::Moderate: return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE / 1024};
    case PassphraseStrength::Sensitive:
        return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE / 1024};
    }
    return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE / 1024};
}

// What an opened header may ask for: nothing below the cheapest preset, nothing above the dearest.
constexpr Costs MinimumCosts = costsFor(PassphraseStrength::Interactive);
constexpr Costs MaximumCosts = costsFor(PassphraseStrength::Sensitive);
static_assert(MaximumCosts.memlimitKiB == 1024u * 1024u, "at most 1 GiB");

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

/// Zeroes a transient QString that this code owns alone. A string still sharing its data with
/// someone else's (the caller's passphrase, a literal) is left alone: writing would either detach
/// (copying the secret once more) or change what is not ours.
void wipeString(QString &text)
{
    if (!text.isEmpty() && text.isDetached())
        sodium_memzero(text.data(), static_cast<std::size_t>(text.size()) * sizeof(QChar));
    text.clear();
}

/// The passphrase as the key derivation sees it: NFC, then UTF-8, in protected memory.
SecureBytes passphraseBytes(const QString &passphrase)
{
    QString normalized = passphrase.normalized(QString::NormalizationForm_C);
    QByteArray utf8 = normalized.toUtf8();
    wipeString(normalized);
    SecureBytes result{QByteArrayView(utf8)};
    wipe(utf8);
    return result;
}

Result<SecureBytes> deriveKey(const QString &passphrase, const unsigned char *salt, Costs costs)
{
    const SecureBytes secret = passphraseBytes(passphrase);
    SecureBytes key(KeySize);
    if (crypto_pwhash(key.data(), KeySize, reinterpret_cast<const char *>(secret.data()), secret.size(), salt,
                      costs.opslimit, static_cast<std::size_t>(costs.memlimitKiB) * 1024u,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Error(
            ErrorKind::Crypto,
            QStringLiteral("There is not enough memory to work with the passphrase. Close some programs "
                                    "and try again."),
                QStringLiteral("crypto_pwhash failed (opslimit %1, memlimit %2 KiB)") .arg(costs.opslimit).arg(costs.memlimitKiB));
    }
    return key;
}

Error notABox(const QString &detail)
{
    return Error(ErrorKind::InvalidInput, QStringLiteral("This is not a Confab passphrase-protected file."), detail);
}

Error newerFormat(const QString &detail)
{
    return Error(ErrorKind::InvalidInput,
                 QStringLiteral("This file was made by a newer version of Confab. Update Confab to open it."), detail);
}

} // namespace

Result<void> checkPassphrase(const QString &passphrase)
{
    QString normalized = passphrase.normalized(QString::NormalizationForm_C);
    const QStringView counted = QStringView(normalized).trimmed();
    qsizetype codePoints = 0;
    bool oneRepeated = true;
    char32_t first = 0;
    for (qsizetype i = 0; i < counted.size();) {
        char32_t point = counted[i].unicode();
        if (counted[i].isHighSurrogate() && i + 1 < counted.size() && counted[i + 1].isLowSurrogate()) {
            point = QChar::surrogateToUcs4(counted[i], counted[i + 1]);
            i += 2;
        } else {
            ++i;
        }
        if (codePoints == 0)
            first = point;
        else if (point != first)
            oneRepeated = false;
        ++codePoints;
    }
    wipeString(normalized);

    if (codePoints < PassphraseMinimumLength) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("The passphrase is too short: use at least %1 characters, for example a few "
                                    "unrelated words.")
                                        .arg(PassphraseMinimumLength),
                                    QStringLiteral("%1 code points without surrounding white space").arg(codePoints));
    }
    if (oneRepeated) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("The passphrase is one character repeated: use different characters, for "
                                    "example a few unrelated words."),
                                    QStringLiteral("a single code point repeated %1 times").arg(codePoints));
    }
    return {};
}

Result<QByteArray> sealWithPassphrase(QByteArrayView plaintext, const QString &passphrase, PassphraseStrength strength)
{
    ensureSodium();
    if (auto ok = checkPassphrase(passphrase); !ok)
        return ok.error();
    const Costs costs = costsFor(strength);

    QByteArray box(PassphraseBoxHeaderSize + plaintext.size() + PassphraseBoxTagSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(box.data());
    std::memcpy(out, Magic, MagicSize);
    out[VersionOffset] = PassphraseBoxVersion;
    out[AlgOffset] = PassphraseBoxAlgArgon2id13;
    qToBigEndian<quint32>(costs.opslimit, out + OpsOffset);
    qToBigEndian<quint32>(costs.memlimitKiB, out + MemOffset);
    randombytes_buf(out + SaltOffset, SaltSize);
    randombytes_buf(out + NonceOffset, NonceSize);

    auto key = deriveKey(passphrase, out + SaltOffset, costs);
    if (!key)
        return key.error();
    // Writes ciphertext || tag after the header; the whole header is the additional data.
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + PassphraseBoxHeaderSize, nullptr, bytes(plaintext),
                                               static_cast<unsigned long long>(plaintext.size()), out,
                                               PassphraseBoxHeaderSize, nullptr, out + NonceOffset, key.value().data());
    return box;
}

Result<SecureBytes> openWithPassphrase(QByteArrayView box, const QString &passphrase)
{
    ensureSodium();
    // Everything here is checked before deriving: a crafted header costs nothing to refuse.
    if (box.size() < MagicSize || std::memcmp(box.data(), Magic, MagicSize) != 0)
        return notABox(QStringLiteral("no CFPB magic"));
    if (box.size() <= VersionOffset)
        return notABox(QStringLiteral("truncated before the version"));
    const auto version = static_cast<quint8>(box[VersionOffset]);
    if (version > PassphraseBoxVersion)
        return newerFormat(QStringLiteral("format version %1").arg(uint{version}));
    if (version != PassphraseBoxVersion)
        return notABox(QStringLiteral("format version %1").arg(uint{version}));
    if (box.size() < PassphraseBoxHeaderSize + PassphraseBoxTagSize) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("This Confab passphrase-protected file is incomplete."),
                                    QStringLiteral("%1 bytes is shorter than the header and tag").arg(box.size()));
    }
    const auto alg = static_cast<quint8>(box[AlgOffset]);
    if (alg != PassphraseBoxAlgArgon2id13)
        return newerFormat(QStringLiteral("algorithm %1").arg(uint{alg}));

    const unsigned char *in = bytes(box);
    const Costs costs{qFromBigEndian<quint32>(in + OpsOffset), qFromBigEndian<quint32>(in + MemOffset)};
    if (costs.opslimit < MinimumCosts.opslimit || costs.opslimit > MaximumCosts.opslimit ||
        costs.memlimitKiB < MinimumCosts.memlimitKiB || costs.memlimitKiB > MaximumCosts.memlimitKiB) {
        return Error(ErrorKind::InvalidInput,
                     QStringLiteral("This file is damaged or was not made by Confab."),
                                    QStringLiteral("Argon2id costs out of bounds: opslimit %1, memlimit %2 KiB")
                                                       .arg(costs.opslimit)
                                                       .arg(costs.memlimitKiB));
    }

    auto key = deriveKey(passphrase, in + SaltOffset, costs);
    if (!key)
        return key.error();
    const qsizetype sealedSize = box.size() - PassphraseBoxHeaderSize;
    SecureBytes plaintext(static_cast<std::size_t>(sealedSize - PassphraseBoxTagSize));
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.data(), nullptr, nullptr, in + PassphraseBoxHeaderSize,
                                                   static_cast<unsigned long long>(sealedSize), in,
                                                   PassphraseBoxHeaderSize, in + NonceOffset,
                                                   key.value().data()) != 0) {
        return Error(ErrorKind::Crypto, QStringLiteral("The passphrase is wrong or the file is damaged."),
                                                       QStringLiteral("XChaCha20-Poly1305 authentication failed"));
    }
    return plaintext;
}

} // namespace confab::crypto
