#include "crypto/base64.h"

namespace confab::crypto::base64 {

QByteArray encodePadded(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64Encoding);
}

QByteArray encodeUnpadded(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals);
}

QByteArray encodeUrlUnpadded(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<QByteArray> decode(QByteArrayView text)
{
    // Validate the alphabet and the padding ourselves: Qt's decoder is lenient about some of it.
    const qsizetype length = text.size();
    qsizetype padding = 0;
    for (qsizetype i = 0; i < length; ++i) {
        const char c = text[i];
        const bool alphabet =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (c == '=') {
            ++padding;
        } else if (!alphabet || padding > 0) {
            return Error(ErrorKind::InvalidInput,
                         QStringLiteral("The data is not valid base64."),
                                        QStringLiteral("unexpected character at offset %1").arg(i));
        }
    }
    const qsizetype data = length - padding;
    if (padding > 2 || data % 4 == 1 || (padding > 0 && length % 4 != 0)) {
        return Error(ErrorKind::InvalidInput, QStringLiteral("The data is not valid base64."),
                                                             QStringLiteral("bad length or padding"));
    }
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return Error(ErrorKind::InvalidInput, QStringLiteral("The data is not valid base64."),
                                                             QStringLiteral("rejected by the decoder"));
    }
    return std::move(decoded.decoded);
}

} // namespace confab::crypto::base64
