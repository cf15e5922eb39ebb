#include "localserver/demo/demoimages.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QRadialGradient>
#include <QRandomGenerator>

#include <cmath>

namespace confab::localserver::demo {

namespace {

/// A mountain ridge across the picture: `base` is its foot, `height` its tallest peak.
QPainterPath ridge(QSizeF size, double base, double height, QRandomGenerator &random, int peaks)
{
    QPainterPath path;
    path.moveTo(0, size.height());
    path.lineTo(0, base - height * 0.3);
    const double step = size.width() / peaks;
    for (int i = 0; i < peaks; ++i) {
        const double x = step * (i + 0.5);
        const double peak = base - height * (0.55 + 0.45 * random.generateDouble());
        const double valley = base - height * (0.15 + 0.25 * random.generateDouble());
        path.lineTo(x, peak);
        path.lineTo(x + step / 2, valley);
    }
    path.lineTo(size.width(), base - height * 0.2);
    path.lineTo(size.width(), size.height());
    path.closeSubpath();
    return path;
}

void sky(QPainter &p, QSizeF size, const QColor &top, const QColor &bottom, double horizon)
{
    QLinearGradient gradient(0, 0, 0, horizon);
    gradient.setColorAt(0, top);
    gradient.setColorAt(1, bottom);
    p.fillRect(QRectF(0, 0, size.width(), horizon + 1), gradient);
}

void sun(QPainter &p, QPointF centre, double radius, const QColor &core, const QColor &glow)
{
    QRadialGradient halo(centre, radius * 3);
    QColor outer = glow;
    outer.setAlpha(0);
    halo.setColorAt(0, glow);
    halo.setColorAt(1, outer);
    p.setPen(Qt::NoPen);
    p.setBrush(halo);
    p.drawEllipse(centre, radius * 3, radius * 3);
    p.setBrush(core);
    p.drawEllipse(centre, radius, radius);
}

void clouds(QPainter &p, QSizeF size, QRandomGenerator &random, const QColor &colour, int count)
{
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    for (int i = 0; i < count; ++i) {
        const double x = random.bounded(size.width());
        const double y = size.height() * (0.08 + 0.22 * random.generateDouble());
        const double w = size.width() * (0.08 + 0.1 * random.generateDouble());
        for (int puff = 0; puff < 5; ++puff)
            p.drawEllipse(QPointF(x + puff * w * 0.22, y + std::sin(puff * 1.7) * w * 0.06), w * 0.22, w * 0.13);
    }
}

void pine(QPainter &p, QPointF foot, double height, const QColor &colour)
{
    QPainterPath tree;
    const double w = height * 0.38;
    for (int tier = 0; tier < 3; ++tier) {
        const double top = foot.y() - height * (1.0 - tier * 0.22);
        const double bottom = foot.y() - height * (0.35 - tier * 0.12);
        const double half = w * (0.55 + tier * 0.22);
        tree.moveTo(foot.x(), top);
        tree.lineTo(foot.x() + half, bottom);
        tree.lineTo(foot.x() - half, bottom);
        tree.closeSubpath();
    }
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawPath(tree);
    p.fillRect(QRectF(foot.x() - w * 0.06, foot.y() - height * 0.14, w * 0.12, height * 0.14), QColor(70, 48, 36));
}

void lakeSunset(QPainter &p, QSizeF size, QRandomGenerator &random)
{
    const double horizon = size.height() * 0.58;
    sky(p, size, QColor(44, 62, 120), QColor(250, 160, 110), horizon);
    sun(p, QPointF(size.width() * 0.62, horizon - size.height() * 0.06), size.height() * 0.06, QColor(255, 226, 160),
        QColor(255, 170, 100, 150));
    clouds(p, size, random, QColor(255, 200, 190, 120), 4);
    p.setBrush(QColor(72, 60, 110));
    p.drawPath(ridge(size, horizon, size.height() * 0.2, random, 5));
    // The lake, with the sun's reflection.
    QLinearGradient water(0, horizon, 0, size.height());
    water.setColorAt(0, QColor(230, 140, 110));
    water.setColorAt(1, QColor(40, 52, 100));
    p.fillRect(QRectF(0, horizon, size.width(), size.height() - horizon), water);
    p.setBrush(QColor(255, 220, 170, 120));
    for (int i = 0; i < 9; ++i) {
        const double y = horizon + 8 + i * (size.height() - horizon) / 10;
        const double w = size.width() * (0.12 - i * 0.009);
        p.drawRoundedRect(QRectF(size.width() * 0.62 - w / 2, y, w, 4), 2, 2);
    }
    for (int i = 0; i < 7; ++i)
        pine(p, QPointF(size.width() * (0.02 + 0.05 * i), horizon + 6), size.height() * (0.16 + 0.05 * (i % 3)),
             QColor(24, 30, 48));
}

void mountainMorning(QPainter &p, QSizeF size, QRandomGenerator &random)
{
    const double horizon = size.height() * 0.7;
    sky(p, size, QColor(120, 180, 235), QColor(220, 236, 248), horizon);
    sun(p, QPointF(size.width() * 0.22, size.height() * 0.2), size.height() * 0.05, QColor(255, 250, 225),
        QColor(255, 245, 200, 140));
    clouds(p, size, random, QColor(255, 255, 255, 200), 5);
    p.setBrush(QColor(132, 150, 184));
    p.drawPath(ridge(size, horizon, size.height() * 0.48, random, 3));
    // Snow caps over the far range.
    p.setBrush(QColor(250, 250, 255, 160));
    p.drawPath(ridge(size, horizon - size.height() * 0.3, size.height() * 0.16, random, 3)
                   .intersected(ridge(size, horizon, size.height() * 0.48, random, 3)));
    p.setBrush(QColor(86, 128, 96));
    p.drawPath(ridge(size, size.height() * 0.86, size.height() * 0.22, random, 6));
    QLinearGradient meadow(0, size.height() * 0.8, 0, size.height());
    meadow.setColorAt(0, QColor(120, 170, 90));
    meadow.setColorAt(1, QColor(70, 120, 60));
    p.fillRect(QRectF(0, size.height() * 0.84, size.width(), size.height() * 0.16), meadow);
    for (int i = 0; i < 9; ++i)
        pine(p, QPointF(size.width() * (0.55 + 0.05 * i), size.height() * 0.9), size.height() * (0.14 + 0.04 * (i % 3)),
             QColor(40, 84, 56));
}

void campfire(QPainter &p, QSizeF size, QRandomGenerator &random)
{
    sky(p, size, QColor(10, 14, 36), QColor(36, 40, 80), size.height());
    p.setPen(Qt::NoPen);
    for (int i = 0; i < 140; ++i) {
        const int alpha = 120 + int(random.bounded(135));
        p.setBrush(QColor(255, 255, 240, alpha));
        const double r = 0.6 + random.generateDouble() * 1.4;
        p.drawEllipse(QPointF(random.bounded(size.width()), random.bounded(size.height() * 0.6)), r, r);
    }
    p.setBrush(QColor(245, 245, 230));
    p.drawEllipse(QPointF(size.width() * 0.8, size.height() * 0.16), size.height() * 0.05, size.height() * 0.05);
    p.setBrush(QColor(10, 14, 36));
    p.drawEllipse(QPointF(size.width() * 0.82, size.height() * 0.15), size.height() * 0.045, size.height() * 0.045);
    for (int i = 0; i < 12; ++i)
        pine(p, QPointF(size.width() * (i / 11.0), size.height() * 0.72), size.height() * (0.22 + 0.08 * (i % 3)),
             QColor(8, 12, 20));
    p.fillRect(QRectF(0, size.height() * 0.72, size.width(), size.height() * 0.28), QColor(20, 18, 22));
    // The fire and its light on the ground.
    const QPointF fire(size.width() * 0.5, size.height() * 0.84);
    QRadialGradient light(fire, size.height() * 0.45);
    light.setColorAt(0, QColor(255, 150, 60, 150));
    light.setColorAt(1, QColor(255, 120, 40, 0));
    p.setBrush(light);
    p.drawEllipse(fire, size.height() * 0.45, size.height() * 0.3);
    for (int i = 0; i < 3; ++i) {
        const double s = size.height() * (0.14 - i * 0.035);
        QPainterPath flame;
        flame.moveTo(fire.x() - s * 0.5, fire.y());
        flame.cubicTo(fire.x() - s * 0.6, fire.y() - s * 0.9, fire.x() - s * 0.1, fire.y() - s * 1.1, fire.x(),
                      fire.y() - s * 1.6);
        flame.cubicTo(fire.x() + s * 0.2, fire.y() - s * 1.0, fire.x() + s * 0.6, fire.y() - s * 0.8,
                      fire.x() + s * 0.5, fire.y());
        flame.closeSubpath();
        p.setBrush(QColor::fromHsv(20 + i * 15, 220, 255, 230));
        p.drawPath(flame);
    }
    p.setBrush(QColor(90, 60, 40));
    p.save();
    p.translate(fire);
    for (const double angle : {-18.0, 18.0}) {
        p.save();
        p.rotate(angle);
        p.drawRoundedRect(QRectF(-size.height() * 0.12, -6, size.height() * 0.24, 12), 5, 5);
        p.restore();
    }
    p.restore();
}

void forestTrail(QPainter &p, QSizeF size, QRandomGenerator &random)
{
    sky(p, size, QColor(170, 210, 200), QColor(230, 240, 220), size.height() * 0.5);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(130, 170, 140));
    p.drawPath(ridge(size, size.height() * 0.55, size.height() * 0.15, random, 7));
    QLinearGradient ground(0, size.height() * 0.5, 0, size.height());
    ground.setColorAt(0, QColor(110, 150, 90));
    ground.setColorAt(1, QColor(60, 100, 50));
    p.fillRect(QRectF(0, size.height() * 0.55, size.width(), size.height() * 0.45), ground);
    // The trail narrowing into the woods.
    QPainterPath trail;
    trail.moveTo(size.width() * 0.3, size.height());
    trail.cubicTo(size.width() * 0.45, size.height() * 0.8, size.width() * 0.42, size.height() * 0.66,
                  size.width() * 0.5, size.height() * 0.56);
    trail.lineTo(size.width() * 0.53, size.height() * 0.56);
    trail.cubicTo(size.width() * 0.5, size.height() * 0.68, size.width() * 0.62, size.height() * 0.82,
                  size.width() * 0.72, size.height());
    trail.closeSubpath();
    p.setBrush(QColor(196, 170, 120));
    p.drawPath(trail);
    for (int row = 0; row < 3; ++row) {
        for (int i = 0; i < 8; ++i) {
            const double x = random.bounded(size.width());
            if (x > size.width() * 0.35 && x < size.width() * 0.68)
                continue; // keep the trail clear
            const double y = size.height() * (0.6 + row * 0.13);
            pine(p, QPointF(x, y), size.height() * (0.18 + row * 0.1),
                 QColor::fromHsv(140 + int(random.bounded(20)), 120 + row * 30, 110 - row * 20));
        }
    }
}

} // namespace

QImage paintPicture(PictureScene scene, QSize size, quint32 seed)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QRandomGenerator random(seed);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const QSizeF s(size);
    switch (scene) {
    case PictureScene::LakeSunset: lakeSunset(p, s, random); break;
    case PictureScene::MountainMorning: mountainMorning(p, s, random); break;
    case PictureScene::Campfire: campfire(p, s, random); break;
    case PictureScene::ForestTrail: forestTrail(p, s, random); break;
    }
    p.end();
    return image;
}

} // namespace confab::localserver::demo
