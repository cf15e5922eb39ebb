#include "notify/messagenotifier.h"

#include "core/logging.h"
#include "notify/desktopnotifications.h"
#include "store/store.h"

#include <QDateTime>

namespace confab::notify {

namespace {

constexpr int LinesShown = 3; ///< the newest messages a notification lists

const store::Member *memberOf(const QList<store::Member> &members, const QString &userId)
{
    for (const store::Member &m : members) {
        if (m.userId == userId)
            return &m;
    }
    return nullptr;
}

QString nameOf(const QList<store::Member> &members, const QString &userId)
{
    if (const store::Member *m = memberOf(members, userId)) {
        if (!m->displayName.isEmpty())
            return m->displayName;
        if (!m->username.isEmpty())
            return QLatin1Char('@') + m->username;
    }
    return MessageNotifier::tr("Someone");
}

} // namespace

MessageNotifier::MessageNotifier(store::Store &store, DesktopNotifications &desktop, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_desktop(desktop)
{
    connect(&m_store, &store::Store::messagesInserted, this,
            [this](qint64 id, const QList<store::Message> &messages) { inserted(id, messages); });
    connect(&m_store, &store::Store::conversationChanged, this, &MessageNotifier::conversationChanged);
    connect(&m_store, &store::Store::conversationRemoved, this, &MessageNotifier::takeAway);
    connect(&m_desktop, &DesktopNotifications::actionInvoked, this, &MessageNotifier::actionInvoked);
    connect(&m_desktop, &DesktopNotifications::replied, this, &MessageNotifier::replied);
    connect(&m_desktop, &DesktopNotifications::closed, this, [this](uint id, uint) { closed(id); });
}

MessageNotifier::~MessageNotifier()
{
    *m_alive = false;
}

void MessageNotifier::setEnabled(bool enabled)
{
    m_enabled = enabled;
}

void MessageNotifier::setDoNotDisturb(bool on)
{
    m_doNotDisturb = on;
}

void MessageNotifier::setShowText(bool show)
{
    m_showText = show;
}

void MessageNotifier::setFocus(qint64 conversationId, bool windowActive)
{
    m_focused = conversationId;
    m_windowActive = windowActive;
    if (conversationId != 0 && windowActive)
        takeAway(conversationId);
}

// ---- new messages ----------------------------------------------------------------------------

void MessageNotifier::inserted(qint64 conversationId, const QList<store::Message> &messages)
{
    if (quiet() || (conversationId == m_focused && m_windowActive))
        return;
    const qint64 since = QDateTime::currentMSecsSinceEpoch() - RecentMs;
    QList<store::Message> fresh;
    for (const store::Message &m : messages) {
        if (m.outgoing || m.deleted || m.key.pending || m.createdMs < since)
            continue;
        if (m.kind != store::MessageKind::Text && m.kind != store::MessageKind::Media)
            continue;
        fresh.append(m);
    }
    if (!fresh.isEmpty())
        present(conversationId, fresh);
}

void MessageNotifier::present(qint64 conversationId, const QList<store::Message> &fresh)
{
    // Read the conversation after the messages went in: it says whether they are still unread
    // (read on another device in the same sync) and whether it is muted.
    const std::shared_ptr<bool> alive = m_alive;
    const quint64 reads = m_reads[conversationId];
    m_store.conversation(conversationId)
        .then(this, [this, alive, conversationId, fresh, reads](Result<store::Conversation> conversation) {
            if (!*alive || !conversation || m_reads[conversationId] != reads)
                return;
            const store::Conversation &c = conversation.value();
            if (c.muted || c.unreadCount == 0 || quiet() || (conversationId == m_focused && m_windowActive))
                return;
            m_store.members(conversationId)
                .then(this, [this, alive, c, fresh, reads](Result<QList<store::Member>> members) {
                    // Read (here or elsewhere) while this was being put together: nothing to say.
                    if (!*alive || m_reads[c.id] != reads)
                        return;
                    show(c, members ? members.value() : QList<store::Member>(), fresh);
                });
        });
}

QString MessageNotifier::lineFor(const store::Message &m) const
{
    if (!m_showText)
        return tr("New message");
    // What the first attachment is: a detected MIME type, or the sender's word for it ("image").
    QString type;
    if (!m.attachments.isEmpty()) {
        const store::Attachment &a = m.attachments.constFirst();
        type = a.mimeType.isEmpty() ? a.extra.value(QLatin1String("claimedType")).toString() : a.mimeType;
    }
    const bool picture = type.startsWith(QLatin1String("image")) || type == QLatin1String("gif");
    if (!m.text.isEmpty())
        return (picture ? QStringLiteral("📷 ") : QString()) + m.text.simplified();
    if (m.attachments.isEmpty())
        return tr("New message");
    if (picture)
        return tr("Photo");
    if (type.startsWith(QLatin1String("video")))
        return tr("Video");
    if (type.startsWith(QLatin1String("audio")))
        return tr("Voice message");
    return tr("File");
}

void MessageNotifier::show(const store::Conversation &c, const QList<store::Member> &members,
                           const QList<store::Message> &fresh)
{
    if (quiet() || (c.id == m_focused && m_windowActive))
        return;
    const bool group = c.kind == store::ConversationKind::Group;
    const store::Message &newest = fresh.constLast();
    Shown &shown = m_shown[c.id];
    for (const store::Message &m : fresh) {
        const QString line = lineFor(m);
        shown.lines[m.key] = group ? tr("%1: %2").arg(nameOf(members, m.senderId), line) : line;
    }
    const qsizetype hidden = std::max<qsizetype>(0, static_cast<qsizetype>(shown.lines.size()) - LinesShown);
    QStringList lines;
    for (auto it = std::next(shown.lines.begin(), hidden); it != shown.lines.end(); ++it)
        lines.append(it->second);
    if (hidden > 0)
        lines.prepend(hidden == 1 ? tr("1 earlier message")
                                  : tr("%n earlier messages", nullptr, static_cast<int>(hidden)));

    Notification n;
    n.summary = group ? (c.title.isEmpty() ? tr("Group") : c.title)
                      : (c.title.isEmpty() ? nameOf(members, newest.senderId) : c.title);
    n.body = lines.join(QLatin1Char('\n'));
    n.category = QStringLiteral("im.received");
    n.actions = {{QStringLiteral("default"), tr("Open")}, {QStringLiteral("reply"), tr("Reply")},
                                                           {QStringLiteral("mark-read"), tr("Mark as read")}};
    n.inlineReply = true;
    n.replyPlaceholder = tr("Reply to %1").arg(n.summary);
    if (shown.serial == 0)
        shown.serial = ++m_serials;
    shown.notification = std::move(n);
    if (shown.inFlight) {
        shown.dirty = true; // sent with the server's id once it answers, not as a second one
        return;
    }
    send(c.id);
}

void MessageNotifier::send(qint64 conversationId)
{
    Shown &shown = m_shown[conversationId];
    shown.notification.replaces = shown.id;
    shown.inFlight = true;
    shown.dirty = false;
    const quint64 serial = shown.serial;
    const std::shared_ptr<bool> alive = m_alive;
    m_desktop.show(shown.notification, [this, alive, conversationId, serial](uint id) {
        if (!*alive)
            return;
        auto it = m_shown.find(conversationId);
        if (it == m_shown.end() || it->second.serial != serial) {
            m_desktop.close(id); // taken away while the server was showing it
            Q_EMIT notified(conversationId, id);
            return;
        }
        Shown &now = it->second;
        now.inFlight = false;
        if (id != 0) {
            if (now.id != id)
                m_byId.remove(now.id);
            now.id = id;
            m_byId.insert(id, conversationId);
        }
        Q_EMIT notified(conversationId, id);
        if (now.dirty)
            send(conversationId); // more came while it was on its way
    });
}

// ---- taking them away ------------------------------------------------------------------------

void MessageNotifier::conversationChanged(const store::Conversation &conversation)
{
    if (conversation.unreadCount == 0 || conversation.muted)
        takeAway(conversation.id);
}

void MessageNotifier::takeAway(qint64 conversationId)
{
    ++m_reads[conversationId];
    auto it = m_shown.find(conversationId);
    if (it == m_shown.end())
        return;
    const uint id = it->second.id;
    m_shown.erase(it); // a Notify still on its way sees the entry gone and closes what it gets
    if (id != 0) {
        m_byId.remove(id);
        m_desktop.close(id);
    }
}

void MessageNotifier::closed(uint id)
{
    // Dismissed or expired: the next message starts a fresh notification.
    const auto it = m_byId.find(id);
    if (it == m_byId.end())
        return;
    const qint64 conversationId = it.value();
    m_byId.erase(it);
    if (auto shown = m_shown.find(conversationId); shown != m_shown.end() && shown->second.id == id)
        m_shown.erase(shown);
}

// ---- what the person did ---------------------------------------------------------------------

void MessageNotifier::actionInvoked(uint id, const QString &key)
{
    const qint64 conversationId = m_byId.value(id, 0);
    if (conversationId == 0)
        return;
    if (key == QLatin1String("mark-read")) {
        takeAway(conversationId);
        Q_EMIT markReadRequested(conversationId);
    } else if (key == QLatin1String("default") || key == QLatin1String("reply")) {
        // Without inline reply, "Reply" opens the conversation with the composer ready.
        takeAway(conversationId);
        Q_EMIT openRequested(conversationId);
    }
}

void MessageNotifier::replied(uint id, const QString &text)
{
    const qint64 conversationId = m_byId.value(id, 0);
    if (conversationId == 0 || text.trimmed().isEmpty())
        return;
    takeAway(conversationId);
    Q_EMIT replyRequested(conversationId, text.trimmed());
}

} // namespace confab::notify
