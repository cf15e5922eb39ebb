#pragma once

#include <QImage>
#include <QSize>

namespace confab::localserver::demo {

/// The pictures the demo peers share: painted landscapes, no text, no files.
enum class PictureScene { LakeSunset, MountainMorning, Campfire, ForestTrail };

/// Paints `scene` at `size`; `seed` varies the details (clouds, trees, stars) deterministically.
[[nodiscard]] QImage paintPicture(PictureScene scene, QSize size = QSize(960, 640), quint32 seed = 1);

} // namespace confab::localserver::demo
