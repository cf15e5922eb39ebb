#include "core/logging.h"

Q_LOGGING_CATEGORY(lcApp, "confab.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "confab.ui", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNet, "confab.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrypto, "confab.crypto", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "confab.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecrets, "confab.secrets", QtInfoMsg)
Q_LOGGING_CATEGORY(lcXChat, "confab.xchat", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMedia, "confab.media", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNotify, "confab.notify", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLocalServer, "confab.localserver", QtInfoMsg)
