#pragma once

// X's official Chat XDK test vectors (../shared/vectors/xchat-sdk-vectors.json), read once.

#include "crypto/base64.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

class Vectors
{
public:
    static const Vectors &get()
    {
        static const Vectors vectors;
        return vectors;
    }

    [[nodiscard]] bool isValid() const { return !m_json.isEmpty(); }
    [[nodiscard]] QString text(const char *name) const { return m_json.value(QLatin1String(name)).toString(); }
    /// A `*_b64` entry decoded.
    [[nodiscard]] QByteArray bytes(const char *name) const
    {
        auto decoded = confab::crypto::base64::decode(text(name).toLatin1());
        if (!decoded)
            qFatal("vector %s is not base64", name);
        return decoded.value();
    }

private:
    Vectors()
    {
        QFile file(QStringLiteral(CONFAB_VECTORS_FILE));
        if (!file.open(QIODevice::ReadOnly)) {
            qWarning("cannot open the vectors at %s", CONFAB_VECTORS_FILE);
            return;
        }
        m_json = QJsonDocument::fromJson(file.readAll()).object();
    }
    QJsonObject m_json;
};
