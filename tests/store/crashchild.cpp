// store_crash_child CONFIG.json: the process tst_store_outbox kills with SIGKILL at random moments.
//
// Opens the store, makes sure the account and the conversation are there, finds out how many of
// the `total` messages earlier (killed) runs already wrote, and goes on: writes message i to the
// outbox (encrypted and signed for X Chat; the outbox payload is the request body, the remote id
// its message_id) while an OutboxDispatcher sends what is due through XChatTransport. Exits 0
// once every message is written and nothing is left unsent.
//
// Progress goes to stdout, one line each, so the parent can follow (and time its kills):
//   opened before=<schema> schema=<schema> interrupted=<n> recreated=<0|1>
//   resume written=<n> unsent=<n>
//   enqueued <i>
//   sent <i>
//   replay <i>            (the server answered with the event an earlier attempt stored)
//   failed <i> <kind> retry=<0|1>
//   done
// Exit codes: 0 done, 2 usage or configuration, 3 the store failed, 4 the store's content is not
// what earlier runs wrote, 5 a message failed for good.

#include "crashconfig.h"
#include "crypto/identitykeys.h"
#include "crypto/securebytes.h"
#include "protocols/xchat/actionsigner.h"
#include "protocols/xchat/outgoing.h"
#include "store/outboxdispatcher.h"
#include "store/sealer.h"
#include "store/store.h"
#include "xchattransport.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonDocument>
#include <QTimer>

#include <cstdio>
#include <optional>

using namespace confab;
using namespace confab::store;
using confab::store::test::CrashChildConfig;

namespace {

void line(const QString &text)
{
    const QByteArray bytes = text.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

void complain(const QString &text)
{
    const QByteArray bytes = QByteArray("store_crash_child: ") + text.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stderr);
    std::fflush(stderr);
}

/// Waits for a store future with the event loop running (the setup steps only).
template<typename T>
T wait(QFuture<T> future)
{
    if (!future.isFinished()) {
        QFutureWatcher<T> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }
    return future.result();
}

OutgoingMessage outgoingMessage(const xchat::EncryptedMessage &encrypted, const QString &senderId, int index)
{
    OutgoingMessage m;
    m.remoteId = encrypted.messageId;
    m.senderId = senderId;
    m.kind = MessageKind::Text;
    m.text = test::crashMessageText(index);
    m.payload = QJsonDocument(encrypted.requestBody()).toJson(QJsonDocument::Compact);
    return m;
}

class CrashChild : public QObject
{
public:
    CrashChild(CrashChildConfig config, xchat::OutgoingActions out)
        : m_config(std::move(config))
        , m_out(std::move(out))
        , m_conversationKey(QByteArrayView(m_config.conversationKey))
        , m_transport(m_config.baseUrl, m_config.token)
    {}

    int run()
    {
        if (int failed = setUp(); failed != 0)
            return failed;
        m_dispatcher.emplace(m_store);
        connect(&*m_dispatcher, &OutboxDispatcher::messageSent, this, [this](qint64 messageId, qint64) {
            line(QStringLiteral("sent %1").arg(m_indexOf.value(messageId, -1)));
            checkDone();
        });
        connect(&*m_dispatcher, &OutboxDispatcher::attemptFailed, this,
                [this](qint64 messageId, const Error &error, bool willRetry) {
                    const int index = m_indexOf.value(messageId, -1);
                    line(QStringLiteral("failed %1 %2 retry=%3") .arg(index).arg(errorKindName(error.kind())).arg(willRetry ? 1 : 0));
                    if (!willRetry) {
                        complain(QStringLiteral("message %1 failed for good: %2").arg(index).arg(error.toString()));
                        QCoreApplication::exit(5);
                    }
                });
        connect(&*m_dispatcher, &OutboxDispatcher::idle, this, &CrashChild::checkDone);
        connect(&m_transport, &test::XChatTransport::accepted, this,
                [this](const QString &remoteId, qint64, bool replay) {
                    if (replay)
                        line(QStringLiteral("replay %1").arg(m_indexOfRemote.value(remoteId, -1)));
                });
        m_dispatcher->setTransport(m_accountId, &m_transport);
        m_enqueueTimer.setSingleShot(true);
        connect(&m_enqueueTimer, &QTimer::timeout, this, &CrashChild::enqueueNext);
        enqueueNext();
        const int code = QCoreApplication::exec();
        m_dispatcher.reset();
        return code;
    }

private:
    int setUp()
    {
        StoreOptions options;
        options.path = m_config.storePath;
        options.outbox.initialDelayMs = 50;
        options.outbox.maxDelayMs = 500;
        options.housekeepingIntervalMs = m_config.housekeepingIntervalMs;
        store::FixedSealingKey key{crypto::SecureBytes(QByteArrayView(m_config.sealingKey))};
        const Result<OpenReport> opened = wait(m_store.open(options, key));
        if (!opened) {
            complain(QStringLiteral("cannot open the store: %1").arg(opened.error().toString()));
            return 3;
        }
        const OpenReport &r = opened.value();
        line(QStringLiteral("opened before=%1 schema=%2 interrupted=%3 recreated=%4")
                                .arg(r.schemaVersionBefore)
                                .arg(r.schemaVersion)
                                .arg(r.interruptedSends)
                                .arg(r.recreated ? 1 : 0));
        if (r.recreated)
            complain(QStringLiteral("the store was recreated: %1").arg(r.reason));

        const Result<Account> account = wait(m_store.upsertAccount(AccountKind::XChat, m_config.userId));
        if (!account) {
            complain(QStringLiteral("cannot save the account: %1").arg(account.error().toString()));
            return 3;
        }
        m_accountId = account.value().id;
        ConversationInput input;
        input.accountId = m_accountId;
        input.remoteId = m_config.conversationId;
        input.kind = ConversationKind::Direct;
        const Result<Conversation> conversation = wait(m_store.upsertConversation(input));
        if (!conversation) {
            complain(QStringLiteral("cannot save the conversation: %1").arg(conversation.error().toString()));
            return 3;
        }
        m_conversationId = conversation.value().id;

        // What earlier runs wrote must be messages 0..n-1, each once, in the order written.
        const Result<QList<Message>> existing = wait(m_store.newestMessages(m_conversationId, m_config.total + 1));
        if (!existing) {
            complain(QStringLiteral("cannot read the messages: %1").arg(existing.error().toString()));
            return 3;
        }
        const QList<Message> &messages = existing.value();
        const auto written = static_cast<int>(messages.size());
        QList<bool> seen(written, false);
        int unsent = 0;
        for (const Message &m : messages) {
            const int index = test::crashMessageIndex(m.text);
            if (index < 0 || index >= written || seen.at(index) || !m.outgoing || m.remoteId.isEmpty()) {
                complain(QStringLiteral("unexpected message %1 (%2) among %3").arg(m.id).arg(m.text).arg(written));
                return 4;
            }
            seen[index] = true;
            m_indexOf.insert(m.id, index);
            m_indexOfRemote.insert(m.remoteId, index);
            if (m.delivery != DeliveryState::Sent)
                ++unsent;
        }
        m_next = written;
        line(QStringLiteral("resume written=%1 unsent=%2").arg(written).arg(unsent));
        return 0;
    }

    void enqueueNext()
    {
        if (m_next >= m_config.total) {
            m_allWritten = true;
            checkDone();
            return;
        }
        const int index = m_next;
        auto encrypted =
            m_out.encryptMessage(m_config.conversationId, m_conversationKey, m_config.conversationKeyVersion,
                                 xchat::textContent(test::crashMessageText(index)));
        if (!encrypted) {
            complain(QStringLiteral("cannot encrypt message %1: %2").arg(index).arg(encrypted.error().toString()));
            QCoreApplication::exit(3);
            return;
        }
        m_store.enqueue(m_conversationId, outgoingMessage(encrypted.value(), m_config.userId, index))
            .then(this, [this, index](const Result<Message> &saved) {
                if (!saved) {
                    complain(QStringLiteral("cannot write message %1: %2").arg(index).arg(saved.error().toString()));
                    QCoreApplication::exit(3);
                    return;
                }
                m_indexOf.insert(saved.value().id, index);
                m_indexOfRemote.insert(saved.value().remoteId, index);
                line(QStringLiteral("enqueued %1").arg(index));
                m_next = index + 1;
                m_enqueueTimer.start(m_config.enqueueIntervalMs);
            });
    }

    void checkDone()
    {
        if (!m_allWritten || m_checking)
            return;
        m_checking = true;
        m_store.unsent().then(this, [this](const Result<QList<Message>> &unsent) {
            m_checking = false;
            if (!unsent) {
                complain(QStringLiteral("cannot read the outbox: %1").arg(unsent.error().toString()));
                QCoreApplication::exit(3);
                return;
            }
            if (unsent.value().isEmpty()) {
                line(QStringLiteral("done"));
                QCoreApplication::exit(0);
            }
        });
    }

    CrashChildConfig m_config;
    xchat::OutgoingActions m_out;
    crypto::SecureBytes m_conversationKey;
    Store m_store;
    test::XChatTransport m_transport;
    std::optional<OutboxDispatcher> m_dispatcher;
    QTimer m_enqueueTimer;
    qint64 m_accountId = 0;
    qint64 m_conversationId = 0;
    QHash<qint64, int> m_indexOf;
    QHash<QString, int> m_indexOfRemote;
    int m_next = 0;
    bool m_allWritten = false;
    bool m_checking = false;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 2) {
        complain(QStringLiteral("usage: store_crash_child CONFIG.json"));
        return 2;
    }
    QFile file(args.at(1));
    if (!file.open(QIODevice::ReadOnly)) {
        complain(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
        return 2;
    }
    const Result<CrashChildConfig> config =
        CrashChildConfig::fromJson(QJsonDocument::fromJson(file.readAll()).object());
    if (!config) {
        complain(config.error().toString());
        return 2;
    }
    const Result<crypto::IdentityKeys> keys =
        crypto::IdentityKeys::fromBackupBlob(crypto::SecureBytes(QByteArrayView(config.value().identityBackup)));
    if (!keys) {
        complain(QStringLiteral("bad identity backup: %1").arg(keys.error().toString()));
        return 2;
    }
    xchat::OutgoingActions out(config.value().userId,
                               xchat::ActionSigner(keys.value().signing(), config.value().publicKeyVersion));
    CrashChild child(config.value(), std::move(out));
    return child.run();
}
