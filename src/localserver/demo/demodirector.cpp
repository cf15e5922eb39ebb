#include "localserver/demo/demodirector.h"

#include "core/logging.h"
#include "localserver/demo/activitystream.h"
#include "localserver/demo/apiclient.h"
#include "localserver/demo/demoimages.h"
#include "localserver/demo/demopeer.h"
#include "protocols/xchat/outgoing.h"
#include "protocols/xchat/thriftcodec.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>
#include <map>

namespace confab::localserver::demo {

namespace {

const QString DemoClientId = QStringLiteral("confab-demo");

QStringList userScopes()
{
    return {
        QStringLiteral("dm.read"),    QStringLiteral("dm.write"),    QStringLiteral("users.read"),
                                                                                    QStringLiteral("tweet.read"), QStringLiteral("media.write"), QStringLiteral("offline.access")};
}

bool cancelled(const Error &error)
{
    return error.kind() == ErrorKind::Cancelled;
}

QString textOf(const xchat::VerifiedEvent &event)
{
    const auto &c = event.contents.contents;
    return c.__isset.message ? xchat::fromWire(c.message.message_text) : QString();
}

bool hasPicture(const xchat::VerifiedEvent &event)
{
    const auto &c = event.contents.contents;
    return c.__isset.message && !c.message.attachments.empty();
}

} // namespace

DemoDirector::DemoDirector(LocalServer &server, QObject *parent) : DemoDirector(server, Options(), parent) {}

DemoDirector::DemoDirector(LocalServer &server, Options options, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_options(options)
    , m_timers(new ApiClient(server.baseUrl(), QString(), this))
    , m_writer(options.seed)
{}

DemoDirector::~DemoDirector()
{
    // Cancel in order, while everything is still whole: first the director's own waits, then
    // each peer's requests. Every coroutine resumes with Cancelled and returns.
    m_stopping = true;
    if (m_stream)
        m_stream->stop();
    m_timers->shutDown();
    const QList<DemoPeer *> peers = m_peers;
    m_peers.clear();
    qDeleteAll(peers);
}

QList<DemoPeer *> DemoDirector::peers() const
{
    return m_peers;
}

DemoPeer *DemoDirector::peer(const QString &username) const
{
    for (DemoPeer *p : m_peers) {
        if (p->username() == username)
            return p;
    }
    return nullptr;
}

DemoPeer *DemoDirector::peerById(const QString &userId) const
{
    for (DemoPeer *p : m_peers) {
        if (p->userId() == userId)
            return p;
    }
    return nullptr;
}

bool DemoDirector::isStreaming() const
{
    return m_stream && m_stream->isConnected();
}

void DemoDirector::fail(const Error &error)
{
    if (cancelled(error) || m_stopping)
        return;
    qCWarning(lcLocalServer) << "demo:" << error.toString();
    Q_EMIT failed(error);
}

void DemoDirector::start()
{
    if (m_started)
        return;
    m_started = true;
    if (auto created = createUsers(); !created) {
        fail(created.error());
        return;
    }
    run();
}

Result<void> DemoDirector::createUsers()
{
    auto ensure = [this](const Persona &persona, bool demoPeer) -> Result<UserInfo> {
        const QString username = QString::fromLatin1(persona.username);
        if (auto existing = m_server.userByUsername(username))
            return existing;
        return m_server.createUser(username, QString::fromUtf8(persona.name), demoPeer);
    };
    // The peers' client: their tokens are issued to it, and its app token reads the activity
    // stream. Registering again (a kept database) may fail harmlessly.
    const QString secret = QString::number(QRandomGenerator::system()->generate64(), 36);
    if (auto registered = m_server.registerClient(DemoClientId, secret); !registered)
        qCInfo(lcLocalServer) << "demo: client registration:" << registered.error().toString();

    auto keyboard = ensure(KeyboardPersona, false);
    if (!keyboard)
        return keyboard.error();
    m_keyboard = keyboard.value();
    for (const Persona &persona : PeerPersonas) {
        auto user = ensure(persona, true);
        if (!user)
            return user.error();
        auto token = m_server.issueAccessToken(user.value().id, userScopes(), DemoClientId);
        if (!token)
            return token.error();
        m_tokens.insert(user.value().id, token.value());
        m_peerUsers.append(user.value());
    }
    if (m_options.useStream) {
        if (auto app = m_server.issueAppToken(DemoClientId))
            m_appToken = app.value();
        else
            qCWarning(lcLocalServer) << "demo: no app token, the peers will poll:" << app.error().toString();
    }
    return {};
}

QCoro::Task<> DemoDirector::run()
{
    auto ready = co_await preparePeers();
    if (!ready) {
        fail(ready.error());
        co_return;
    }
    if (m_stopping)
        co_return;
    Q_EMIT peersReady();

    if (m_options.peerChat) {
        DemoPeer *maya = m_peers.value(0);
        DemoPeer *jonas = m_peers.value(1);
        auto synced = co_await maya->sync();
        if (!synced) {
            fail(synced.error());
            co_return;
        }
        const QString id = xchat::directConversationId(maya->userId(), jonas->userId());
        if (!maya->conversation(id)) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            auto played = co_await play(peerChatHistory(), now - 30 * 1000);
            if (!played) {
                fail(played.error());
                co_return;
            }
            qCInfo(lcLocalServer) << "demo: maya and jonas are chatting (" << played.value() << "messages )";
        }
    }

    auto joined = co_await waitForKeyboardUser();
    if (!joined) {
        fail(joined.error());
        co_return;
    }
    auto opened = co_await openKeyboardConversations();
    if (!opened) {
        fail(opened.error());
        co_return;
    }
}

QCoro::Task<Result<void>> DemoDirector::preparePeers()
{
    for (const UserInfo &user : std::as_const(m_peerUsers)) {
        auto *p = new DemoPeer(user.id, user.username, user.name, m_server.baseUrl(), m_tokens.value(user.id));
        m_peers.append(p);
        connect(p, &DemoPeer::eventReceived, this,
                [this, p](const QString &conversationId, const xchat::VerifiedEvent &event) {
                    onPeerEvent(p, conversationId, event);
                });
    }
    // Keys first (over HTTP, like any client), then subscriptions for the stream.
    const QList<DemoPeer *> peers = m_peers;
    for (DemoPeer *p : peers) {
        auto registered = co_await p->registerKeys();
        if (!registered)
            co_return registered.error();
    }
    bool subscribed = !m_appToken.isEmpty();
    for (DemoPeer *p : peers) {
        if (!subscribed)
            break;
        auto done = co_await p->subscribe();
        if (!done) {
            if (cancelled(done.error()))
                co_return done.error();
            qCWarning(lcLocalServer) << "demo: no activity subscription, the peers will poll:"
                                     << done.error().toString();
            subscribed = false;
        }
    }
    if (subscribed) {
        m_stream = new ActivityStream(m_server.baseUrl(), m_appToken, this);
        connect(m_stream, &ActivityStream::activity, this,
                [this](const QString &userId, const QString &, const QJsonObject &payload) {
                    if (DemoPeer *p = peerById(userId))
                        p->handleActivity(payload);
                });
        connect(m_stream, &ActivityStream::connected, this, [this] {
            for (DemoPeer *p : std::as_const(m_peers)) {
                p->setPolling(0);
                p->requestSync(); // whatever happened while the stream was down
            }
        });
        connect(m_stream, &ActivityStream::disconnected, this, [this] {
            if (m_stream->failures() >= 2) {
                for (DemoPeer *p : std::as_const(m_peers))
                    p->setPolling(m_options.fallbackPollMsecs);
            }
        });
        m_stream->start();
    } else {
        for (DemoPeer *p : peers)
            p->setPolling(m_options.fallbackPollMsecs);
    }
    co_return Result<void>();
}

QCoro::Task<Result<void>> DemoDirector::waitForKeyboardUser()
{
    DemoPeer *watcher = m_peers.value(0);
    bool announced = false;
    for (;;) {
        auto found = co_await watcher->hasPublishedKey(m_keyboard.id);
        if (!found && cancelled(found.error()))
            co_return found.error();
        if (found && found.value())
            break;
        if (!announced) {
            qCInfo(lcLocalServer) << "demo: waiting for" << m_keyboard.username
                                  << "to sign in with Confab (their keys are made at the first sign-in)";
            announced = true;
        }
        if (!co_await m_timers->delay(m_options.keyPollMsecs))
            co_return Error(ErrorKind::Cancelled, QStringLiteral("The demo stopped."));
    }
    qCInfo(lcLocalServer) << "demo:" << m_keyboard.username << "has keys; opening conversations";
    co_return Result<void>();
}

QCoro::Task<Result<void>> DemoDirector::openKeyboardConversations()
{
    const QList<DemoPeer *> peers = m_peers;
    for (DemoPeer *p : peers) {
        const QStringList keyboard{m_keyboard.id};
        auto fetched = co_await p->fetchKeys(keyboard);
        if (!fetched)
            co_return fetched.error();
        auto synced = co_await p->sync();
        if (!synced)
            co_return synced.error();
    }
    DemoPeer *maya = peers.value(0);
    const QString mayaWithKeyboard = xchat::directConversationId(maya->userId(), m_keyboard.id);
    const bool seededBefore = maya->conversation(mayaWithKeyboard) != nullptr;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    if (seededBefore) {
        // A kept database: the conversations exist, but these peers' keys are new.
        for (DemoPeer *p : peers) {
            for (const QString &id : p->conversationIds()) {
                const PeerConversation *conv = p->conversation(id);
                if (!conv || !conv->memberIds.contains(m_keyboard.id))
                    continue;
                if (conv->group && m_groupId.isEmpty())
                    m_groupId = id;
                if (conv->group && conv->keys.currentKey())
                    continue;
                auto ensured = co_await p->ensureSendKey(id);
                if (!ensured)
                    co_return ensured.error();
            }
        }
    } else if (m_options.seedHistory) {
        auto group = co_await play(groupHistory(), now - 2 * 60 * 1000);
        if (!group)
            co_return group.error();
        m_seeded += group.value();
        for (DemoPeer *p : peers) {
            auto direct = co_await play(directHistory(p->username()), now - 60 * 1000);
            if (!direct)
                co_return direct.error();
            m_seeded += direct.value();
        }
        qCInfo(lcLocalServer) << "demo: seeded" << m_seeded << "messages of history";
    } else {
        for (DemoPeer *p : peers) {
            auto started = co_await p->startDirect(m_keyboard.id);
            if (!started)
                co_return started.error();
        }
        QStringList members;
        for (DemoPeer *p : peers)
            members << p->userId();
        members << m_keyboard.id;
        auto group = co_await maya->createGroup(members, groupHistory().title);
        if (!group)
            co_return group.error();
        m_groupId = group.value();
    }
    if (m_stopping)
        co_return Error(ErrorKind::Cancelled, QStringLiteral("The demo stopped."));
    Q_EMIT keyboardUserReady();
    if (!seededBefore && m_options.seedHistory)
        Q_EMIT historySeeded(m_seeded);
    co_return Result<void>();
}

QCoro::Task<Result<int>> DemoDirector::play(ConversationScript script, qint64 latestMsec)
{
    const std::vector<qint64> times = timeline(script, QDateTime::currentMSecsSinceEpoch(), latestMsec);
    auto userIdOf = [this](const QString &username) -> QString {
        if (username == m_keyboard.username)
            return m_keyboard.id;
        if (DemoPeer *p = peer(username))
            return p->userId();
        return {};
    };
    DemoPeer *creator = peer(script.participants.value(0));
    if (!creator)
        co_return Error(ErrorKind::Internal, QStringLiteral("A demo script names an unknown peer."));
    qint64 firstLine = latestMsec;
    for (std::size_t i = 0; i < script.lines.size(); ++i) {
        if (script.lines[i].kind != ScriptLine::Kind::Scene) {
            firstLine = times[i];
            break;
        }
    }
    const qint64 openedAt = firstLine - 3 * 60 * 1000;

    QString conversationId;
    if (script.group) {
        QStringList members;
        for (const QString &username : std::as_const(script.participants))
            members << userIdOf(username);
        auto created = co_await creator->createGroup(members, script.title, openedAt);
        if (!created)
            co_return created.error();
        conversationId = created.value();
        m_groupId = conversationId;
    } else {
        auto started = co_await creator->startDirect(userIdOf(script.participants.value(1)), openedAt);
        if (!started)
            co_return started.error();
        conversationId = started.value();
    }

    std::map<QString, PeerMessage> labelled;
    int sent = 0;
    quint32 pictureSeed = 7;
    for (std::size_t i = 0; i < script.lines.size(); ++i) {
        const ScriptLine &line = script.lines[i];
        if (line.kind == ScriptLine::Kind::Scene)
            continue;
        DemoPeer *speaker = peer(QString::fromLatin1(line.speaker));
        if (!speaker)
            co_return Error(ErrorKind::Internal, QStringLiteral("A demo script names an unknown peer."));
        // The speaker reads the conversation first (the creator's key change, everything said).
        const PeerConversation *known = speaker->conversation(conversationId);
        if (!known || !known->keys.currentKey()) {
            auto caught = co_await speaker->catchUp(conversationId);
            if (!caught)
                co_return caught.error();
        }
        const qint64 at = times[i];
        const QString text = QString::fromUtf8(line.text ? line.text : "");
        const auto target = line.target ? labelled.find(QString::fromLatin1(line.target)) : labelled.end();
        if (line.target && target == labelled.end())
            co_return Error(ErrorKind::Internal, QStringLiteral("A demo script refers to an unknown line."));

        Result<PeerMessage> result = Error(ErrorKind::Internal, QStringLiteral("Unknown script step."));
        switch (line.kind) {
        case ScriptLine::Kind::Text: result = co_await speaker->sendText(conversationId, text, at); break;
        case ScriptLine::Kind::Image: {
            ++pictureSeed;
            const QImage image = paintPicture(line.picture, QSize(960, 640), pictureSeed);
            const QString filename = QStringLiteral("IMG_%1.png").arg(4100 + pictureSeed);
            result = co_await speaker->sendImage(conversationId, image, filename, text, at);
            break;
        }
        case ScriptLine::Kind::Reaction:
            result = co_await speaker->send(
                conversationId, xchat::reactionContent(target->second.sequenceId, QString::fromUtf8(line.emoji)), at);
            break;
        case ScriptLine::Kind::Edit:
            result = co_await speaker->send(conversationId, xchat::editContent(target->second.sequenceId, text), at);
            break;
        case ScriptLine::Kind::Reply: {
            auto holder = xchat::replyContent(text, target->second.event, target->second.contents.contents.message);
            if (!holder)
                co_return holder.error();
            result = co_await speaker->send(conversationId, std::move(holder).value(), at);
            break;
        }
        case ScriptLine::Kind::Scene: break;
        }
        if (!result)
            co_return result.error();
        ++sent;
        if (line.label)
            labelled.insert_or_assign(QString::fromLatin1(line.label), std::move(result).value());
    }
    co_return sent;
}

// ---- live -------------------------------------------------------------------------------------

void DemoDirector::onPeerEvent(DemoPeer *peer, const QString &conversationId, const xchat::VerifiedEvent &event)
{
    if (m_stopping || event.senderId != m_keyboard.id || event.type != xchat::EventType::Message ||
        event.contentType != xchat::ContentType::Text || !event.verified)
        return;
    if (m_handled.contains(event.messageId))
        return; // every group member hears it: answer once
    m_handled.insert(event.messageId);
    DemoPeer *responder = chooseResponder(peer, conversationId, textOf(event));
    respond(responder, conversationId, event);
}

DemoPeer *DemoDirector::chooseResponder(DemoPeer *receiver, const QString &conversationId, const QString &text)
{
    const PeerConversation *conv = receiver->conversation(conversationId);
    if (!conv || !conv->group)
        return receiver;
    QList<DemoPeer *> candidates;
    for (DemoPeer *p : std::as_const(m_peers)) {
        if (conv->memberIds.contains(p->userId()))
            candidates << p;
    }
    if (candidates.isEmpty())
        return receiver;
    // Someone named answers; otherwise someone who did not answer last time.
    const QString lower = text.toLower();
    for (DemoPeer *p : std::as_const(candidates)) {
        if (lower.contains(p->username()) || lower.contains(p->displayName().section(QLatin1Char(' '), 0, 0).toLower()))
            return p;
    }
    const QString last = m_lastResponder.value(conversationId);
    if (candidates.size() > 1) {
        candidates.erase(
            std::remove_if(candidates.begin(), candidates.end(), [&last](DemoPeer *p) { return p->userId() == last; }),
            candidates.end());
    }
    return candidates.at(m_writer.between(0, int(candidates.size()) - 1));
}

QCoro::Task<> DemoDirector::respond(DemoPeer *responder, QString conversationId, xchat::VerifiedEvent event)
{
    if (m_busy.contains(conversationId)) {
        // Already typing in this conversation: answer the newest message when done.
        m_pending.insert(conversationId, {responder, std::move(event)});
        co_return;
    }
    m_busy.insert(conversationId);
    for (;;) {
        auto answered = co_await answer(responder, conversationId, event);
        if (m_stopping)
            co_return;
        if (!answered)
            fail(answered.error());
        const auto next = m_pending.find(conversationId);
        if (next == m_pending.end())
            break;
        responder = next->responder;
        event = std::move(next->event);
        m_pending.erase(next);
    }
    m_busy.remove(conversationId);
}

QCoro::Task<Result<void>> DemoDirector::answer(DemoPeer *responder, QString conversationId, xchat::VerifiedEvent event)
{
    const QString text = textOf(event);
    const bool picture = hasPicture(event);
    const PeerConversation *conv = responder->conversation(conversationId);
    const bool group = conv && conv->group;
    m_lastResponder.insert(conversationId, responder->userId());

    // Read it, maybe react, then type for a moment and answer.
    if (!co_await m_timers->delay(m_writer.between(300, 900)))
        co_return Error(ErrorKind::Cancelled, QStringLiteral("The demo stopped."));
    if (!responder->conversation(conversationId) || !responder->message(conversationId, event.sequenceId)) {
        auto caught = co_await responder->catchUp(conversationId);
        if (!caught)
            co_return caught.error();
    }
    auto read = co_await responder->markRead(conversationId, event.sequenceId);
    if (!read)
        co_return read.error();
    auto keyed = co_await responder->ensureSendKey(conversationId);
    if (!keyed)
        co_return keyed.error();
    if (const auto emoji = m_writer.reaction(text, picture)) {
        auto reacted = co_await responder->send(conversationId, xchat::reactionContent(event.sequenceId, *emoji));
        if (!reacted)
            co_return reacted.error();
    }
    auto typing = co_await responder->sendTyping(conversationId);
    if (!typing)
        co_return typing.error();
    if (!co_await m_timers->delay(m_writer.between(m_options.minReplyDelayMsecs, m_options.maxReplyDelayMsecs)))
        co_return Error(ErrorKind::Cancelled, QStringLiteral("The demo stopped."));

    const QString reply = m_writer.reply(responder->username(), text, group, picture && text.isEmpty());
    Result<PeerMessage> sent = Error(ErrorKind::Internal, QStringLiteral("Nothing was sent."));
    if (text.contains(QLatin1Char('?')) && m_writer.between(0, 2) == 0) {
        auto quoted = xchat::replyContent(reply, event);
        if (!quoted)
            co_return quoted.error();
        sent = co_await responder->send(conversationId, std::move(quoted).value());
    } else {
        sent = co_await responder->sendText(conversationId, reply);
    }
    if (!sent)
        co_return sent.error();
    Q_EMIT answered(conversationId, responder->userId());

    // In a group, another peer sometimes chimes in.
    if (!group)
        co_return Result<void>();
    QList<DemoPeer *> others;
    for (DemoPeer *p : std::as_const(m_peers)) {
        if (p != responder && conv->memberIds.contains(p->userId()))
            others << p;
    }
    if (others.isEmpty())
        co_return Result<void>();
    DemoPeer *other = others.at(m_writer.between(0, int(others.size()) - 1));
    const auto chime = m_writer.chimeIn(other->username(), text);
    if (!chime)
        co_return Result<void>();
    if (!co_await m_timers->delay(m_writer.between(1500, 4000)))
        co_return Error(ErrorKind::Cancelled, QStringLiteral("The demo stopped."));
    const PeerConversation *otherConv = other->conversation(conversationId);
    if (!otherConv || !otherConv->keys.currentKey()) {
        auto caught = co_await other->catchUp(conversationId);
        if (!caught)
            co_return caught.error();
    }
    auto otherTyping = co_await other->sendTyping(conversationId);
    if (!otherTyping)
        co_return otherTyping.error();
    if (!co_await m_timers->delay(m_writer.between(800, 1500)))
        co_return Error(ErrorKind::Cancelled, QStringLiteral("The demo stopped."));
    auto chimed = co_await other->sendText(conversationId, *chime);
    if (!chimed)
        co_return chimed.error();
    co_return Result<void>();
}

} // namespace confab::localserver::demo
