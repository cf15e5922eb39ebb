#include "protocols/xchat/signingkeydirectory.h"

namespace confab::xchat {

namespace {
bool isDecimal(const QString &s)
{
    if (s.isEmpty() || s.size() > 40)
        return false;
    for (QChar c : s) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

QString stripLeadingZeros(const QString &s)
{
    qsizetype i = 0;
    while (i + 1 < s.size() && s[i] == QLatin1Char('0'))
        ++i;
    return s.mid(i);
}

QString keyOf(const QString &userId, const QString &version)
{
    return userId + QLatin1Char('/') + version;
}
} // namespace

std::optional<int> compareVersions(const QString &a, const QString &b)
{
    if (!isDecimal(a) || !isDecimal(b))
        return std::nullopt;
    const QString x = stripLeadingZeros(a);
    const QString y = stripLeadingZeros(b);
    if (x.size() != y.size())
        return x.size() < y.size() ? -1 : 1;
    const int c = QString::compare(x, y);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Result<void> SigningKeyDirectory::addRecord(const PublicKeyRecord &record)
{
    if (record.userId.isEmpty() || !compareVersions(record.version, record.version)) {
        return Error(ErrorKind::Protocol,
                     QStringLiteral("A published key record is incomplete."),
                                    QStringLiteral("user '%1' version '%2'").arg(record.userId, record.version));
    }
    auto identity = crypto::P256PublicKey::fromBytes(record.identityPublicKey);
    auto signing = crypto::P256PublicKey::fromBytes(record.signingPublicKey);
    if (!identity || !signing) {
        return Error(ErrorKind::Crypto,
                     QStringLiteral("A contact's published key is invalid."),
                                    QStringLiteral("user %1 version %2").arg(record.userId, record.version));
    }
    if (!signing.value().verify(record.identityPublicKey, record.identityKeySignature)) {
        return Error(ErrorKind::Crypto,
                     QStringLiteral("A contact's published keys do not belong together; they are not trusted."),
                                    QStringLiteral("identity key binding of user %1 version %2 did not verify") .arg(
                                        record.userId, record.version));
    }
    if (!record.signingKeySignature.isEmpty() &&
        !identity.value().verify(record.signingPublicKey, record.signingKeySignature)) {
        return Error(ErrorKind::Crypto,
                     QStringLiteral("A contact's published keys do not belong together; they are not trusted."),
                                    QStringLiteral("signing key binding of user %1 version %2 did not verify") .arg(
                                        record.userId, record.version));
    }
    m_entries.insert(keyOf(record.userId, record.version),
                     Entry{std::move(identity).value(), std::move(signing).value()});
    return {};
}

const SigningKeyDirectory::Entry *SigningKeyDirectory::find(const QString &userId, const QString &version) const
{
    const auto it = m_entries.constFind(keyOf(userId, version));
    return it == m_entries.cend() ? nullptr : &it.value();
}

std::optional<QString> SigningKeyDirectory::newestVersion(const QString &userId) const
{
    std::optional<QString> newest;
    const QString prefix = userId + QLatin1Char('/');
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (!it.key().startsWith(prefix))
            continue;
        const QString version = it.key().mid(prefix.size());
        if (!newest || compareVersions(version, *newest).value_or(0) > 0)
            newest = version;
    }
    return newest;
}

} // namespace confab::xchat
