#pragma once

#include "localserver/demo/demoimages.h"

#include <QHash>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace confab::localserver::demo {

/// One of the demo's people.
struct Persona
{
    const char *username;
    const char *name;
};

/// The person at the keyboard, and the peers.
inline constexpr Persona KeyboardPersona{"sam", "Sam Rivera"};
inline constexpr Persona PeerPersonas[] = {
    {"maya", "Maya Chen"},
    {"jonas", "Jonas Weber"},
    {"priya", "Priya Nair"},
    {"leo", "Leo Rossi"},
};

/// One step of scripted history.
struct ScriptLine
{
    enum class Kind { Scene, Text, Image, Reaction, Edit, Reply };
    Kind kind = Kind::Text;
    const char *speaker = nullptr; ///< username
    int gapMinutes = 0;            ///< after the previous line (Scene: unused)
    const char *text = nullptr;    ///< text, new text of an edit, or an image caption
    const char *label = nullptr;   ///< names this line for later reactions, edits and replies
    const char *target = nullptr;  ///< the label a reaction, edit or reply refers to
    const char *emoji = nullptr;   ///< a reaction's emoji
    PictureScene picture = PictureScene::LakeSunset;
    int daysAgo = 0; ///< Scene: the day, counted back from today
    int hour = 0;    ///< Scene: local time of day
    int minute = 0;
    int minutesAgo = -1; ///< Scene: when not negative, the scene starts this long before now
};

/// A scripted conversation: who is in it and what was said.
struct ConversationScript
{
    bool group = false;
    QString title;            ///< groups only
    QStringList participants; ///< usernames; for a group, the creator first
    std::vector<ScriptLine> lines;
};

/// The "Weekend trip" group: every peer and the person at the keyboard, created by the first peer.
[[nodiscard]] ConversationScript groupHistory();
/// What `peer` wrote to the person at the keyboard over the last days.
[[nodiscard]] ConversationScript directHistory(const QString &peer);
/// The 1:1 between two peers that runs even before anyone signs in.
[[nodiscard]] ConversationScript peerChatHistory();

/// When each line of `script` happened: the scenes' local times, one gap after another, strictly
/// increasing and ending no later than `latest` (the whole timeline moves back if it would).
[[nodiscard]] std::vector<qint64> timeline(const ConversationScript &script, qint64 nowMsec, qint64 latestMsec);

/// Varied, contextual-sounding canned answers for the live demo.
class ReplyWriter
{
public:
    explicit ReplyWriter(quint32 seed = 0);

    /// What `peer` answers to `incoming` (text, or empty for a picture).
    [[nodiscard]] QString reply(const QString &peer, const QString &incoming, bool group, bool picture);
    /// An emoji to react with before answering, sometimes.
    [[nodiscard]] std::optional<QString> reaction(const QString &incoming, bool picture);
    /// A short follow-up by another peer in a group, sometimes.
    [[nodiscard]] std::optional<QString> chimeIn(const QString &peer, const QString &incoming);
    /// A number in [low, high].
    [[nodiscard]] int between(int low, int high);

private:
    QString pick(const QString &peer, const QStringList &pool);

    QRandomGenerator m_random;
    QHash<QString, QStringList> m_recent; ///< per peer, the last answers given
};

} // namespace confab::localserver::demo
