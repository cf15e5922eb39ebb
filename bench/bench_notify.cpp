// Time from a demo peer's send to Confab's desktop notification, over loopback (scripts/bench).
// Reports, never asserts.
//
// A real AppSession (ephemeral, the default X Chat configuration: how the app learns of new
// messages is part of what is measured) signs in as the demo's "sam" on a confab-localserver
// child process with its live demo peers, with the app's NotificationsController and a stand-in
// org.freedesktop.Notifications on the session bus (run it inside dbus-run-session). Each round
// sam writes to one of the peers; the peer answers (after its scripted pause); the figures are
// from the server's time of the peer's message (its created_at, the same clock on loopback) to
// the message in the store (the engine's part) and to the Notify call arriving at the
// notification service (all of it), with the window active and then inactive (the engine polls
// less often then).
//
//   confab_bench_notify --rounds 12 [--report FILE]

#include "accounts/accountmanager.h"
#include "app/appsession.h"
#include "app/chatcontroller.h"
#include "app/notificationscontroller.h"
#include "demosession.h"
#include "fakenotificationserver.h"
#include "localserverprocess.h"
#include "store/store.h"
#include "wait.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>

using namespace confab;
using confab::test::take;

namespace {

[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "confab_bench_notify: %s\n", what);
    std::exit(1);
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<qsizetype>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values.at(std::min(index, values.size() - 1));
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption(
        {QStringLiteral("rounds"), QStringLiteral("Answers to time."), QStringLiteral("n"), QStringLiteral("12")});
    parser.addOption({QStringLiteral("report"), QStringLiteral("JSON report file."), QStringLiteral("file")});
    parser.process(app);
    const int rounds = std::max(1, parser.value(QStringLiteral("rounds")).toInt());

    FakeNotificationServer notifications({QStringLiteral("actions"), QStringLiteral("body")});
    if (!notifications.start())
        die("could not take org.freedesktop.Notifications (run inside dbus-run-session)");
    test::LocalServerProcess server;
    const QUrl url = server.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve")});
    if (url.isEmpty())
        die("confab-localserver did not start");

    QTemporaryDir dir;
    // As shipped: how often the engine polls is part of what is measured.
    const AppSession::Config config =
        test::demoSessionConfig(dir, url, QStringLiteral("bench-notify"), test::Polling::AsShipped);
    AppSession session(config);
    ChatController chat(session);
    NotificationsController controller(session, chat, config.settingsFile);
    session.start();
    if (!QTest::qWaitFor([&] { return session.isSettled() && session.accountCount() == 1; }, 60'000))
        die("sam did not sign in");
    if (!QTest::qWaitFor([&] { return server.log().contains("demo: seeded"); }, 60'000))
        die("the demo was not seeded");

    QList<store::Conversation> peers;
    (void)QTest::qWaitFor(
        [&] {
            peers.clear();
            const auto all = take(session.store()->conversations());
            if (all) {
                for (const store::Conversation &c : all.value()) {
                    if (c.kind == store::ConversationKind::Direct)
                        peers.append(c);
                }
            }
            return peers.size() >= 4;
        },
        60'000);
    if (peers.isEmpty())
        die("no demo conversations");
    QTest::qWait(1000);
    notifications.notified.clear();

    // Every incoming message as the store reports it, with when it got there.
    struct Arrival
    {
        qint64 conversationId = 0;
        qint64 createdMs = 0;
        qint64 storedMs = 0;
    };
    QList<Arrival> arrivals;
    QObject::connect(session.store(), &store::Store::messagesInserted,
                     [&arrivals](qint64 conversationId, const QList<store::Message> &messages) {
                         for (const store::Message &m : messages) {
                             if (!m.outgoing)
                                 arrivals.append({conversationId, m.createdMs, QDateTime::currentMSecsSinceEpoch()});
                         }
                     });
    // One pass: `count` answers with the window active or not (the engine polls every 3 s while
    // the window is active and every 30 s while it is not: X offers users no push channel).
    auto pass = [&](const char *label, bool windowActive, int count) {
        session.setWindowActive(windowActive);
        QList<double> toStore;
        QList<double> toNotify;
        for (int round = 0; round < count; ++round) {
            const store::Conversation &peer = peers.at(round % peers.size());
            const qsizetype before = notifications.notified.size();
            const qsizetype arrivedBefore = arrivals.size();
            chat.send(peer.id, QStringLiteral("Round %1: what do you think?").arg(round + 1));
            if (!QTest::qWaitFor(
                    [&] {
                        for (qsizetype i = arrivedBefore; i < arrivals.size(); ++i) {
                            if (arrivals.at(i).conversationId == peer.id)
                                return notifications.notified.size() > before;
                        }
                        return false;
                    },
                    90'000)) {
                std::fprintf(stderr, "confab_bench_notify: %s round %d: no answer or no notification\n", label,
                             round + 1);
                continue;
            }
            // The Notify has reached the service: its side of the bus is the fake's own connection
            // in this process, so the moment it is seen here is when the service got it.
            const qint64 notifyMs = QDateTime::currentMSecsSinceEpoch();
            Arrival answer;
            for (qsizetype i = arrivedBefore; i < arrivals.size(); ++i) {
                if (arrivals.at(i).conversationId == peer.id) {
                    answer = arrivals.at(i);
                    break;
                }
            }
            toStore.append(static_cast<double>(answer.storedMs - answer.createdMs));
            toNotify.append(static_cast<double>(notifyMs - answer.createdMs));
            std::printf("%s round %2d  %-14s stored after %5lld ms, notified after %5lld ms\n", label, round + 1,
                        qPrintable(peer.title.left(14)), static_cast<long long>(answer.storedMs - answer.createdMs),
                        static_cast<long long>(notifyMs - answer.createdMs));
            std::fflush(stdout);
            chat.markRead(peer.id); // the next round starts from a quiet conversation
            QTest::qWait(300);
        }
        std::printf("window %s: a peer's send -> the notification over loopback, %lld answers: p50 %.0f ms, p90 %.0f "
                    "ms, max %.0f ms; into the store p50 %.0f ms (the rest is Confab's notifier and D-Bus)\n",
                    label, static_cast<long long>(toNotify.size()), percentile(toNotify, 0.5),
                    percentile(toNotify, 0.9), percentile(toNotify, 1.0), percentile(toStore, 0.5));
        std::fflush(stdout);
        return QJsonObject{{QStringLiteral("answers"), toNotify.size()},
                            {QStringLiteral("to_store_p50_ms"), percentile(toStore, 0.5)},
                             {QStringLiteral("to_notification_p50_ms"), percentile(toNotify, 0.5)},
                              {QStringLiteral("to_notification_p90_ms"), percentile(toNotify, 0.9)},
                               {QStringLiteral("to_notification_max_ms"), percentile(toNotify, 1.0)}};
    };
    const QJsonObject active = pass("active", true, rounds);
    const QJsonObject inactive = pass("inactive", false, std::max(2, rounds / 3));
    const QJsonObject report{{QStringLiteral("window_active"), active}, {QStringLiteral("window_inactive"), inactive}};
    if (parser.isSet(QStringLiteral("report"))) {
        QFile out(parser.value(QStringLiteral("report")));
        if (out.open(QIODevice::WriteOnly))
            out.write(QJsonDocument(report).toJson());
    }
    return active.value(QStringLiteral("answers")).toInt() > 0 ? 0 : 1;
}
