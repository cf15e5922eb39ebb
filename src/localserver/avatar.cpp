#include "localserver/avatar.h"

#include <QBuffer>
#include <QColor>
#include <QCryptographicHash>
#include <QFont>
#include <QGuiApplication>
#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QStringList>

namespace confab::localserver {

QByteArray renderAvatarPng(const QString &userId, const QString &name, int size)
{
    const QByteArray hash = QCryptographicHash::hash(userId.toUtf8(), QCryptographicHash::Sha256);
    const int hue = (static_cast<unsigned char>(hash.at(0)) * 360) / 256;
    const QColor top = QColor::fromHsl(hue, 150, 120);
    const QColor bottom = QColor::fromHsl((hue + 40) % 360, 170, 90);

    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QLinearGradient gradient(0, 0, 0, size);
    gradient.setColorAt(0, top);
    gradient.setColorAt(1, bottom);
    painter.setPen(Qt::NoPen);
    painter.setBrush(gradient);
    painter.drawRect(0, 0, size, size);

    if (qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        QString initials;
        const QStringList words = name.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const QString &w : words) {
            if (initials.size() < 2)
                initials.append(w.at(0).toUpper());
        }
        QFont font;
        font.setPixelSize(size * 2 / 5);
        font.setWeight(QFont::DemiBold);
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(QRect(0, 0, size, size), Qt::AlignCenter, initials);
    } else {
        painter.setBrush(QColor(255, 255, 255, 90));
        painter.drawEllipse(QPointF(size / 2.0, size * 0.4), size * 0.18, size * 0.18);
        painter.drawEllipse(QPointF(size / 2.0, size * 0.95), size * 0.34, size * 0.3);
    }
    painter.end();

    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

} // namespace confab::localserver
