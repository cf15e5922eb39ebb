#include "crashconfig.h"

#include "crypto/base64.h"

namespace confab::store::test {

namespace {

constexpr auto MessagePrefix = "crash-test message ";

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(crypto::base64::encodePadded(bytes));
}

} // namespace

QJsonObject CrashChildConfig::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("base_url"), baseUrl.toString());
    o.insert(QStringLiteral("user_id"), userId);
    o.insert(QStringLiteral("token"), token);
    o.insert(QStringLiteral("identity_backup"), base64(identityBackup));
    o.insert(QStringLiteral("public_key_version"), publicKeyVersion);
    o.insert(QStringLiteral("conversation_id"), conversationId);
    o.insert(QStringLiteral("path_id"), pathId);
    o.insert(QStringLiteral("conversation_key"), base64(conversationKey));
    o.insert(QStringLiteral("conversation_key_version"), conversationKeyVersion);
    o.insert(QStringLiteral("store_path"), storePath);
    o.insert(QStringLiteral("sealing_key"), QString::fromLatin1(sealingKey.toHex()));
    o.insert(QStringLiteral("total"), total);
    o.insert(QStringLiteral("enqueue_interval_ms"), enqueueIntervalMs);
    o.insert(QStringLiteral("housekeeping_interval_ms"), housekeepingIntervalMs);
    return o;
}

Result<CrashChildConfig> CrashChildConfig::fromJson(const QJsonObject &o)
{
    auto text = [&o](const char *field) { return o.value(QLatin1String(field)).toString(); };
    auto bytes = [&text](const char *field) {
        return crypto::base64::decode(text(field).toLatin1()).valueOr(QByteArray());
    };
    CrashChildConfig c;
    c.baseUrl = QUrl(text("base_url"));
    c.userId = text("user_id");
    c.token = text("token");
    c.identityBackup = bytes("identity_backup");
    c.publicKeyVersion = text("public_key_version");
    c.conversationId = text("conversation_id");
    c.pathId = text("path_id");
    c.conversationKey = bytes("conversation_key");
    c.conversationKeyVersion = text("conversation_key_version");
    c.storePath = text("store_path");
    c.sealingKey = QByteArray::fromHex(text("sealing_key").toLatin1());
    c.total = o.value(QLatin1String("total")).toInt();
    c.enqueueIntervalMs = o.value(QLatin1String("enqueue_interval_ms")).toInt();
    c.housekeepingIntervalMs = o.value(QLatin1String("housekeeping_interval_ms")).toInt();
    QStringList missing;
    if (!c.baseUrl.isValid() || c.baseUrl.isEmpty())
        missing << QStringLiteral("base_url");
    if (c.userId.isEmpty() || c.token.isEmpty() || c.publicKeyVersion.isEmpty())
        missing << QStringLiteral("user_id/token/public_key_version");
    if (c.identityBackup.size() != 64)
        missing << QStringLiteral("identity_backup (64 bytes)");
    if (c.conversationId.isEmpty() || c.pathId.isEmpty() || c.conversationKeyVersion.isEmpty())
        missing << QStringLiteral("conversation_id/path_id/conversation_key_version");
    if (c.conversationKey.size() != 32)
        missing << QStringLiteral("conversation_key (32 bytes)");
    if (c.storePath.isEmpty())
        missing << QStringLiteral("store_path");
    if (c.sealingKey.size() != 32)
        missing << QStringLiteral("sealing_key (32 bytes, hex)");
    if (c.total <= 0)
        missing << QStringLiteral("total");
    if (!missing.isEmpty())
        return Error(ErrorKind::InvalidInput, QStringLiteral("The crash child's configuration is incomplete."),
                                                             missing.join(QStringLiteral(", ")));
    return c;
}

QString crashMessageText(int index)
{
    return QLatin1String(MessagePrefix) + QString::number(index);
}

int crashMessageIndex(const QString &text)
{
    if (!text.startsWith(QLatin1String(MessagePrefix)))
        return -1;
    bool ok = false;
    const int index = text.mid(qsizetype(qstrlen(MessagePrefix))).toInt(&ok);
    return ok && index >= 0 && crashMessageText(index) == text ? index : -1;
}

} // namespace confab::store::test
