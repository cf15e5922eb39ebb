#pragma once

#include "core/error.h"
#include "localserver/demo/demoscript.h"
#include "localserver/localserver.h"
#include "protocols/xchat/eventverifier.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <qcoro/qcorotask.h>

#include <memory>

namespace confab::localserver::demo {

class ActivityStream;
class ApiClient;
class DemoPeer;
struct PeerMessage;

/// Runs `confab-localserver --demo` in the server's own process: creates the person at the
/// keyboard (`sam`) and the demo peers, gives the peers tokens and keys (over HTTP, like any
/// client), starts a 1:1 between two peers at once, and as soon as the keyboard user has
/// registered a key (the Confab app does that at its first sign-in) opens 1:1s and a group with
/// them, seeds days of history and then answers whatever they write: read marker, typing,
/// a short wait, an encrypted reply. News reach the peers through the activity stream; polling
/// takes over while the stream is unavailable.
class DemoDirector : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int keyPollMsecs = 2000;      ///< how often to look for the keyboard user's key
        int fallbackPollMsecs = 2000; ///< peers poll this often while the stream is down
        int minReplyDelayMsecs = 1000;
        int maxReplyDelayMsecs = 3000;
        bool seedHistory = true; ///< the days of scripted history (else just the conversations)
        bool peerChat = true;    ///< the 1:1 between two peers at start-up
        bool useStream = true;   ///< false: polling only
        quint32 seed = 0;        ///< for the canned answers; 0 = time based
    };

    explicit DemoDirector(LocalServer &server, QObject *parent = nullptr);
    DemoDirector(LocalServer &server, Options options, QObject *parent = nullptr);
    ~DemoDirector() override;

    /// Creates the users and starts the peers; everything else happens asynchronously. Failures
    /// are logged and reported through failed().
    void start();

    [[nodiscard]] const UserInfo &keyboardUser() const { return m_keyboard; }
    [[nodiscard]] QList<DemoPeer *> peers() const;
    [[nodiscard]] DemoPeer *peer(const QString &username) const;
    [[nodiscard]] bool isStreaming() const;
    /// Messages sent while seeding history.
    [[nodiscard]] int seededMessages() const { return m_seeded; }

Q_SIGNALS:
    /// The peers have keys and listen for news.
    void peersReady();
    /// The keyboard user has a key, and the peers' conversations with them exist.
    void keyboardUserReady();
    /// The scripted history is in place.
    void historySeeded(int messages);
    /// A peer answered the keyboard user in a conversation.
    void answered(const QString &conversationId, const QString &peerUserId);
    void failed(const confab::Error &error);

private:
    struct Pending
    {
        DemoPeer *responder = nullptr;
        xchat::VerifiedEvent event;
    };

    Result<void> createUsers();
    QCoro::Task<> run();
    QCoro::Task<Result<void>> preparePeers();
    QCoro::Task<Result<void>> waitForKeyboardUser();
    QCoro::Task<Result<void>> openKeyboardConversations();
    QCoro::Task<Result<int>> play(ConversationScript script, qint64 latestMsec);
    QCoro::Task<> respond(DemoPeer *responder, QString conversationId, xchat::VerifiedEvent event);
    QCoro::Task<Result<void>> answer(DemoPeer *responder, QString conversationId, xchat::VerifiedEvent event);
    void onPeerEvent(DemoPeer *peer, const QString &conversationId, const xchat::VerifiedEvent &event);
    DemoPeer *chooseResponder(DemoPeer *receiver, const QString &conversationId, const QString &text);
    DemoPeer *peerById(const QString &userId) const;
    void fail(const Error &error);

    LocalServer &m_server;
    Options m_options;
    UserInfo m_keyboard;
    QList<UserInfo> m_peerUsers;
    QHash<QString, QString> m_tokens; ///< peer user id -> access token
    QString m_appToken;
    QList<DemoPeer *> m_peers;
    ActivityStream *m_stream = nullptr;
    ApiClient *m_timers = nullptr; ///< only for delays: cancelled with the director
    ReplyWriter m_writer;
    QString m_groupId;
    QSet<QString> m_handled; ///< message ids already answered
    QSet<QString> m_busy;    ///< conversations with an answer in progress
    QHash<QString, Pending> m_pending;
    QHash<QString, QString> m_lastResponder; ///< conversation -> peer user id
    int m_seeded = 0;
    bool m_started = false;
    bool m_stopping = false;
};

} // namespace confab::localserver::demo
