#pragma once

// Shared by the fuzz targets and the seed generator: X's test vectors
// (../shared/vectors/xchat-sdk-vectors.json), read once, and quiet logging.

#include "crypto/base64.h"
#include "crypto/p256.h"
#include "crypto/securebytes.h"

#include <QByteArray>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

#include <cstdio>
#include <cstdlib>

namespace confab::fuzz {

class Vectors
{
public:
    static const Vectors &get()
    {
        static const Vectors vectors;
        return vectors;
    }

    [[nodiscard]] QString text(const char *name) const
    {
        const QJsonValue value = m_json.value(QLatin1String(name));
        if (!value.isString()) {
            std::fprintf(stderr, "fuzz: vector %s is missing from %s\n", name, CONFAB_VECTORS_FILE);
            std::abort();
        }
        return value.toString();
    }
    /// A `*_b64` entry decoded.
    [[nodiscard]] QByteArray bytes(const char *name) const
    {
        auto decoded = crypto::base64::decode(text(name).toLatin1());
        if (!decoded) {
            std::fprintf(stderr, "fuzz: vector %s is not base64\n", name);
            std::abort();
        }
        return decoded.value();
    }
    [[nodiscard]] crypto::P256KeyPair keyPair(const char *name) const
    {
        auto pair = crypto::P256KeyPair::fromPrivateScalar(crypto::SecureBytes(bytes(name)));
        if (!pair) {
            std::fprintf(stderr, "fuzz: vector %s is not a P-256 private key\n", name);
            std::abort();
        }
        return pair.value();
    }

private:
    Vectors()
    {
        QFile file(QStringLiteral(CONFAB_VECTORS_FILE));
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "fuzz: cannot open the vectors at %s\n", CONFAB_VECTORS_FILE);
            std::abort();
        }
        m_json = QJsonDocument::fromJson(file.readAll()).object();
    }
    QJsonObject m_json;
};

/// Confab logs rejected input at info level; millions of rejections would drown libFuzzer's output.
inline void quietLogging()
{
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
}

inline QByteArrayView view(const uint8_t *data, size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

} // namespace confab::fuzz
