#pragma once

// What tst_store_outbox tells store_crash_child, as a JSON file in the test's temporary folder
// (test material only: a throwaway server's token and throwaway keys).

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

namespace confab::store::test {

struct CrashChildConfig
{
    QUrl baseUrl;                   ///< confab-localserver
    QString userId;                 ///< the sender
    QString token;                  ///< the sender's bearer token
    QByteArray identityBackup;      ///< the sender's 64-byte identity backup blob
    QString publicKeyVersion;       ///< the version the sender's keys were registered as
    QString conversationId;         ///< canonical (min:max)
    QString pathId;                 ///< as URL paths want it (min-max)
    QByteArray conversationKey;     ///< 32 bytes
    QString conversationKeyVersion; ///< the key's version
    QString storePath;              ///< the store's database file
    QByteArray sealingKey;          ///< the store's 32-byte sealing key
    int total = 0;                  ///< messages to send in all
    int enqueueIntervalMs = 0;      ///< pause between two enqueued messages
    int housekeepingIntervalMs = 0; ///< the store's housekeeping (checkpoints) while sending; 0: never

    /// Binary fields as base64, except the sealing key (hex).
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<CrashChildConfig> fromJson(const QJsonObject &o);
};

/// The text of crash-test message `index`.
[[nodiscard]] QString crashMessageText(int index);
/// The index a crash-test message text stands for, or -1.
[[nodiscard]] int crashMessageIndex(const QString &text);

} // namespace confab::store::test
