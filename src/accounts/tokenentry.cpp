#include "accounts/tokenentry.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace confab::accounts {

crypto::SecureBytes encodeTokens(const secrets::OAuthTokens &tokens)
{
    QJsonObject o;
    o.insert(QStringLiteral("v"), 1);
    o.insert(QStringLiteral("access"), tokens.accessToken);
    o.insert(QStringLiteral("refresh"), tokens.refreshToken);
    o.insert(QStringLiteral("expiresAt"), QString::number(tokens.expiresAtMs));
    o.insert(QStringLiteral("scope"), tokens.scope);
    o.insert(QStringLiteral("type"), tokens.tokenType);
    QByteArray json = QJsonDocument(o).toJson(QJsonDocument::Compact);
    crypto::SecureBytes out{QByteArrayView(json)};
    crypto::wipe(json);
    return out;
}

Result<secrets::OAuthTokens> decodeTokens(const crypto::SecureBytes &entry)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(entry.data()), static_cast<qsizetype>(entry.size())),
        &error);
    const QJsonObject o = doc.object();
    if (error.error != QJsonParseError::NoError || o.value(QLatin1String("v")).toInt() != 1 ||
        o.value(QLatin1String("access")).toString().isEmpty()) {
        return Error(ErrorKind::Keychain,
                     QStringLiteral("The saved sign-in in the keychain is damaged. Sign in again."),
                                    QStringLiteral("unreadable token entry"));
    }
    secrets::OAuthTokens tokens;
    tokens.accessToken = o.value(QLatin1String("access")).toString();
    tokens.refreshToken = o.value(QLatin1String("refresh")).toString();
    tokens.expiresAtMs = o.value(QLatin1String("expiresAt")).toString().toLongLong();
    tokens.scope = o.value(QLatin1String("scope")).toString();
    tokens.tokenType = o.value(QLatin1String("type")).toString(QStringLiteral("bearer"));
    return tokens;
}

} // namespace confab::accounts
