#pragma once

#include <QLoggingCategory>

// One logging category per area. Enable with QT_LOGGING_RULES="confab.net.debug=true".
// Never log a token, a private key, a passphrase or a message body in any of them.
Q_DECLARE_LOGGING_CATEGORY(lcApp)         // confab.app: start-up, command line, single instance
Q_DECLARE_LOGGING_CATEGORY(lcUi)          // confab.ui: QML engine, windows, theme
Q_DECLARE_LOGGING_CATEGORY(lcNet)         // confab.net: HTTP, retries, rate limits
Q_DECLARE_LOGGING_CATEGORY(lcCrypto)      // confab.crypto: key handling, verification results
Q_DECLARE_LOGGING_CATEGORY(lcStore)       // confab.store: database, migrations, outbox
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)     // confab.secrets: keychain, sign-in
Q_DECLARE_LOGGING_CATEGORY(lcXChat)       // confab.xchat: the X Chat account engine
Q_DECLARE_LOGGING_CATEGORY(lcMedia)       // confab.media: download, decrypt, upload
Q_DECLARE_LOGGING_CATEGORY(lcNotify)      // confab.notify: desktop notifications
Q_DECLARE_LOGGING_CATEGORY(lcLocalServer) // confab.localserver: the loopback service
