#pragma once

#include <QByteArray>
#include <QString>

namespace confab::localserver {

/// A PNG avatar for a user: their initials on a colour derived from their id. Without a
/// QGuiApplication (no fonts) the initials are left out.
[[nodiscard]] QByteArray renderAvatarPng(const QString &userId, const QString &name, int size = 128);

} // namespace confab::localserver
