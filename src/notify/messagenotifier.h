#pragma once

#include "notify/desktopnotifications.h"
#include "store/types.h"

#include <QHash>
#include <QImage>
#include <QObject>

#include <functional>
#include <map>
#include <memory>

namespace confab::store {
class Store;
}

namespace confab::notify {

/// Turns new incoming messages into desktop notifications, one per conversation (a new message
/// replaces the conversation's notification instead of stacking another).
///
/// A message raises one when it is someone else's, new (sent in the last ten minutes: a sync
/// that fetches last week's history stays quiet), still unread when its conversation has been
/// read from the store, and the conversation is neither muted nor open in the active window;
/// and not while notifications are off or "do not disturb" is on. A conversation read meanwhile
/// (here or on another device) takes its notification away. The notification offers "Reply"
/// (a text field where the server has inline reply; otherwise it opens the conversation) and
/// "Mark as read"; clicking it opens the conversation. What the person does comes out as
/// signals, which the app connects to the window and the conversation's account.
class MessageNotifier : public QObject
{
    Q_OBJECT
public:
    /// A cached picture for an avatar URL, or a null image (never waits).
    using AvatarLookup = std::function<QImage(const QString &url)>;

    MessageNotifier(store::Store &store, DesktopNotifications &desktop, QObject *parent = nullptr);
    ~MessageNotifier() override;

    void setEnabled(bool enabled);
    void setDoNotDisturb(bool on);
    /// Off: "New message" instead of the text (for screens others can see).
    void setShowText(bool show);
    /// What the person is looking at: the open conversation (0: none) and whether the window is
    /// active. Its notification goes away when it is both.
    void setFocus(qint64 conversationId, bool windowActive);
    void setAvatarLookup(AvatarLookup lookup) { m_avatars = std::move(lookup); }

    /// How long after it was sent a message still raises a notification.
    static constexpr qint64 RecentMs = 10 * 60 * 1000;

signals:
    void openRequested(qint64 conversationId);
    void replyRequested(qint64 conversationId, const QString &text);
    void markReadRequested(qint64 conversationId);
    /// A notification went to the server (for tests and the benchmark): its id, 0 if refused.
    void notified(qint64 conversationId, uint id);

private:
    struct Shown
    {
        uint id = 0; ///< the server's, 0 until the first Notify is answered
        /// The messages shown, in the conversation's order: a later message's store reads can
        /// finish first, so they are put in place, not appended.
        std::map<store::MessageKey, QString> lines;
        Notification notification; ///< what was (or is to be) sent last
        quint64 serial = 0;        ///< tells this notification from a later one of the conversation
        bool inFlight = false;     ///< a Notify is on its way
        bool dirty = false;        ///< changed while it was: send again with the server's id
    };

    void inserted(qint64 conversationId, const QList<store::Message> &messages);
    void conversationChanged(const store::Conversation &conversation);
    void present(qint64 conversationId, const QList<store::Message> &fresh);
    void show(const store::Conversation &conversation, const QList<store::Member> &members,
              const QList<store::Message> &fresh);
    void send(qint64 conversationId);
    void takeAway(qint64 conversationId);
    void actionInvoked(uint id, const QString &key);
    void replied(uint id, const QString &text);
    void closed(uint id);
    [[nodiscard]] bool quiet() const { return !m_enabled || m_doNotDisturb; }
    [[nodiscard]] QString lineFor(const store::Message &message) const;

    store::Store &m_store;
    DesktopNotifications &m_desktop;
    AvatarLookup m_avatars;
    std::map<qint64, Shown> m_shown; ///< conversation -> its notification
    QHash<uint, qint64> m_byId;      ///< notification id -> conversation
    /// conversation -> how often it was read or its notification taken away: a notification
    /// put together across a read is dropped.
    std::map<qint64, quint64> m_reads;
    quint64 m_serials = 0;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    bool m_enabled = true;
    bool m_doNotDisturb = false;
    bool m_showText = true;
    qint64 m_focused = 0;
    bool m_windowActive = false;
};

} // namespace confab::notify
