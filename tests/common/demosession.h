#pragma once

// The app's session as the end-to-end tests (and confab_bench_notify) run it: an ephemeral
// profile in a temporary folder, signed in as the demo's "sam" on a confab-localserver at
// `server`.

#include "app/appsession.h"
#include "store/store.h"
#include "wait.h"

#include <QDir>
#include <QTemporaryDir>
#include <QUrl>

namespace confab::test {

enum class Polling { Fast, AsShipped };

/// A session config in `dir` (its folders made), signing in as sam at `server`. Fast polling
/// (250 ms) keeps tests short; AsShipped measures what a person gets.
inline AppSession::Config demoSessionConfig(const QTemporaryDir &dir, const QUrl &server, const QString &profile,
                                            Polling polling = Polling::Fast)
{
    AppSession::Config config;
    config.appId = QStringLiteral("im.confab.ConfabTest");
    config.profile = profile;
    config.defaultProfile = false;
    config.dataDir = dir.filePath(QStringLiteral("data"));
    config.cacheDir = dir.filePath(QStringLiteral("cache"));
    config.settingsFile = dir.filePath(QStringLiteral("confab.conf"));
    config.server = server;
    config.signInAs = QStringLiteral("sam");
    config.ephemeral = true;
    if (polling == Polling::Fast) {
        config.xchat.activePollMs = 250;
        config.xchat.idlePollMs = 250;
        config.xchat.maxPollMs = 1000;
    }
    QDir().mkpath(config.dataDir);
    QDir().mkpath(config.cacheDir);
    return config;
}

/// The 1:1 with the person whose name is in its title (an empty conversation if none).
inline store::Conversation directConversationWith(store::Store &store, const QString &name)
{
    const auto all = take(store.conversations());
    if (all) {
        for (const store::Conversation &c : all.value()) {
            if (c.kind == store::ConversationKind::Direct && c.title.contains(name))
                return c;
        }
    }
    return {};
}

} // namespace confab::test
