#include "protocols/xchat/jsonwire.h"

#include "crypto/base64.h"
#include "protocols/xchat/thriftcodec.h"

#include <QJsonArray>
#include <QJsonValue>

#include <utility>

namespace confab::xchat {

namespace {

Error invalid(const QString &field, const QString &why)
{
    return Error(ErrorKind::InvalidInput, QStringLiteral("A signature in the request is malformed."),
                                                         QStringLiteral("%1: %2").arg(field, why));
}

bool allDigits(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

/// `^[A-Za-z0-9+/=_-]+$`: base64 in either alphabet, padded or not.
bool base64Alphabet(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'+' ||
                        u == u'/' || u == u'=' || u == u'_' || u == u'-';
        if (!ok)
            return false;
    }
    return true;
}

/// A required string member.
Result<QString> requiredString(const QJsonObject &json, const QString &prefix, const char *name)
{
    const QString field = prefix + QLatin1String(name);
    const QJsonValue value = json.value(QLatin1String(name));
    if (value.isUndefined() || value.isNull())
        return invalid(field, QStringLiteral("missing"));
    if (!value.isString())
        return invalid(field, QStringLiteral("not a string"));
    return value.toString();
}

/// An optional string member: nullopt when absent, an error when present with another type.
Result<std::optional<QString>> optionalString(const QJsonObject &json, const QString &prefix, const char *name)
{
    const QJsonValue value = json.value(QLatin1String(name));
    if (value.isUndefined() || value.isNull())
        return std::optional<QString>();
    if (!value.isString())
        return invalid(prefix + QLatin1String(name), QStringLiteral("not a string"));
    return std::optional<QString>(value.toString());
}

} // namespace

QJsonObject signatureToJson(const wire::MessageEventSignature &signature)
{
    QJsonObject json;
    const auto &set = signature.__isset;
    if (set.signature)
        json.insert(QStringLiteral("signature"), fromWire(signature.signature));
    if (set.public_key_version)
        json.insert(QStringLiteral("public_key_version"), fromWire(signature.public_key_version));
    if (set.signature_version)
        json.insert(QStringLiteral("signature_version"), fromWire(signature.signature_version));
    if (set.signing_public_key)
        json.insert(QStringLiteral("signing_public_key"), fromWire(signature.signing_public_key));
    if (set.message_signing_key_info_list) {
        QJsonArray list;
        for (const wire::MessageSigningKeyInfo &info : signature.message_signing_key_info_list) {
            QJsonObject entry;
            if (info.__isset.member_id)
                entry.insert(QStringLiteral("member_id"), fromWire(info.member_id));
            if (info.__isset.public_key_version)
                entry.insert(QStringLiteral("public_key_version"), fromWire(info.public_key_version));
            if (info.__isset.signing_public_key)
                entry.insert(QStringLiteral("signing_public_key"), fromWire(info.signing_public_key));
            list.append(entry);
        }
        json.insert(QStringLiteral("message_signing_key_info_list"), list);
    }
    return json;
}

Result<wire::MessageEventSignature> signatureFromJson(const QJsonObject &json)
{
    const QString prefix = QStringLiteral("message_event_signature.");
    wire::MessageEventSignature out;

    auto signature = requiredString(json, prefix, "signature");
    if (!signature)
        return signature.error();
    if (!base64Alphabet(signature.value()))
        return invalid(prefix + QLatin1String("signature"), QStringLiteral("does not match ^[A-Za-z0-9+/=_-]+$"));
    out.__set_signature(signature.value().toStdString());

    using SignatureSetter = void (wire::MessageEventSignature::*)(const std::string &);
    const std::pair<const char *, SignatureSetter> versions[] = {
        {"public_key_version", &wire::MessageEventSignature::__set_public_key_version},
        {"signature_version", &wire::MessageEventSignature::__set_signature_version},
    };
    for (const auto &[name, set] : versions) {
        auto value = requiredString(json, prefix, name);
        if (!value)
            return value.error();
        if (!allDigits(value.value()))
            return invalid(prefix + QLatin1String(name), QStringLiteral("does not match ^[0-9]+$"));
        (out.*set)(value.value().toStdString());
    }

    auto signingKey = optionalString(json, prefix, "signing_public_key");
    if (!signingKey)
        return signingKey.error();
    if (signingKey.value())
        out.__set_signing_public_key(signingKey.value()->toStdString());

    const QJsonValue list = json.value(QLatin1String("message_signing_key_info_list"));
    if (!list.isUndefined() && !list.isNull()) {
        if (!list.isArray())
            return invalid(prefix + QLatin1String("message_signing_key_info_list"), QStringLiteral("not an array"));
        using InfoSetter = void (wire::MessageSigningKeyInfo::*)(const std::string &);
        const std::pair<const char *, InfoSetter> infoFields[] = {
            {"member_id", &wire::MessageSigningKeyInfo::__set_member_id},
            {"public_key_version", &wire::MessageSigningKeyInfo::__set_public_key_version},
            {"signing_public_key", &wire::MessageSigningKeyInfo::__set_signing_public_key},
        };
        std::vector<wire::MessageSigningKeyInfo> infos;
        const QJsonArray array = list.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString itemPrefix = prefix + QStringLiteral("message_signing_key_info_list[%1].").arg(i);
            if (!array[i].isObject())
                return invalid(itemPrefix.chopped(1), QStringLiteral("not an object"));
            const QJsonObject item = array[i].toObject();
            wire::MessageSigningKeyInfo info;
            for (const auto &[name, set] : infoFields) {
                auto value = optionalString(item, itemPrefix, name);
                if (!value)
                    return value.error();
                if (value.value())
                    (info.*set)(value.value()->toStdString());
            }
            infos.push_back(std::move(info));
        }
        out.__set_message_signing_key_info_list(std::move(infos));
    }
    return out;
}

QJsonObject actionSignatureToJson(const QString &messageId, const QByteArray &encodedDetail,
                                  const wire::MessageEventSignature &signature)
{
    return QJsonObject{
        {QStringLiteral("message_id"), messageId},
         {QStringLiteral("encoded_message_event_detail"), QString::fromLatin1(encodedDetail)},
          {QStringLiteral("message_event_signature"), signatureToJson(signature)},
         };
}

Result<ActionSignature> actionSignatureFromJson(const QJsonObject &json)
{
    const QString prefix;
    ActionSignature out;

    auto messageId = requiredString(json, prefix, "message_id");
    if (!messageId)
        return messageId.error();
    if (messageId.value().isEmpty())
        return invalid(QStringLiteral("message_id"), QStringLiteral("empty"));
    out.messageId = messageId.value();

    auto detail = requiredString(json, prefix, "encoded_message_event_detail");
    if (!detail)
        return detail.error();
    if (!base64Alphabet(detail.value())) {
        return invalid(QStringLiteral("encoded_message_event_detail"),
                                      QStringLiteral("does not match ^[A-Za-z0-9+/=_-]+$"));
    }
    out.encodedDetail = detail.value().toLatin1();
    auto bytes = crypto::base64::decode(out.encodedDetail);
    if (!bytes)
        return invalid(QStringLiteral("encoded_message_event_detail"), QStringLiteral("not standard base64"));
    auto decoded = decodeThrift<wire::MessageEventDetail>(bytes.value(), "message event detail");
    if (!decoded)
        return invalid(QStringLiteral("encoded_message_event_detail"), decoded.error().detail());
    out.detail = std::move(decoded).value();

    const QJsonValue signature = json.value(QLatin1String("message_event_signature"));
    if (!signature.isObject())
        return invalid(QStringLiteral("message_event_signature"), QStringLiteral("missing or not an object"));
    auto parsed = signatureFromJson(signature.toObject());
    if (!parsed)
        return parsed.error();
    out.signature = std::move(parsed).value();
    return out;
}

} // namespace confab::xchat
