#pragma once

#include "core/result.h"

#include <QUrl>

class QNetworkAccessManager;

namespace confab::net {

/// This thread's QNetworkAccessManager: one per thread, created on first use, deleted when the
/// thread ends. It follows the system's proxy settings, keeps connections alive, uses HTTP/2
/// where the server offers it (ALPN over TLS), and never follows redirects by itself.
[[nodiscard]] QNetworkAccessManager *networkAccessManager();

/// True for hosts on this machine: `localhost`, 127.0.0.0/8 and ::1.
[[nodiscard]] bool isLoopback(const QUrl &url);

/// Whether Confab may talk to `url`: https anywhere, plain http only on loopback (the local
/// server). Anything else is an InvalidInput error that says why.
[[nodiscard]] Result<void> checkTransport(const QUrl &url);

} // namespace confab::net
