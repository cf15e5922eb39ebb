#include "localserver/demo/demoscript.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>

namespace confab::localserver::demo {

namespace {

using Kind = ScriptLine::Kind;

ScriptLine scene(int daysAgo, int hour, int minute)
{
    ScriptLine l;
    l.kind = Kind::Scene;
    l.daysAgo = daysAgo;
    l.hour = hour;
    l.minute = minute;
    return l;
}

ScriptLine sceneMinutesAgo(int minutesAgo)
{
    ScriptLine l;
    l.kind = Kind::Scene;
    l.minutesAgo = minutesAgo;
    return l;
}

ScriptLine say(const char *who, int gap, const char *text, const char *label = nullptr)
{
    ScriptLine l;
    l.speaker = who;
    l.gapMinutes = gap;
    l.text = text;
    l.label = label;
    return l;
}

ScriptLine picture(const char *who, int gap, PictureScene scene, const char *caption, const char *label = nullptr)
{
    ScriptLine l;
    l.kind = Kind::Image;
    l.speaker = who;
    l.gapMinutes = gap;
    l.picture = scene;
    l.text = caption;
    l.label = label;
    return l;
}

ScriptLine react(const char *who, int gap, const char *target, const char *emoji)
{
    ScriptLine l;
    l.kind = Kind::Reaction;
    l.speaker = who;
    l.gapMinutes = gap;
    l.target = target;
    l.emoji = emoji;
    return l;
}

ScriptLine edit(const char *who, int gap, const char *target, const char *text)
{
    ScriptLine l;
    l.kind = Kind::Edit;
    l.speaker = who;
    l.gapMinutes = gap;
    l.target = target;
    l.text = text;
    return l;
}

ScriptLine reply(const char *who, int gap, const char *target, const char *text, const char *label = nullptr)
{
    ScriptLine l;
    l.kind = Kind::Reply;
    l.speaker = who;
    l.gapMinutes = gap;
    l.target = target;
    l.text = text;
    l.label = label;
    return l;
}

} // namespace

ConversationScript groupHistory()
{
    ConversationScript s;
    s.group = true;
    s.title = QStringLiteral("Weekend trip");
    s.participants = {QStringLiteral("maya"), QStringLiteral("jonas"), QStringLiteral("priya"), QStringLiteral("leo"), QStringLiteral("sam")};
    s.lines = {
        scene(6, 19, 12),
        say("maya", 0, "Okay, I'm calling it: we need a weekend out of the city 🏕️", "callIt"),
        say("leo", 3, "Finally someone said it"),
        react("leo", 0, "callIt", "🙌"),
        say("jonas", 2, "I'm in if it's not another five-hour drive"),
        say("priya", 4, "Lake Verde? Two hours away, and the cabins there have a sauna"),
        say("maya", 1, "Ooh. Sauna is a strong argument"),
        say("leo", 1, "Sauna + lake = I'm packing already"),
        say("jonas", 6, "Which weekend though? I'm away on the 14th"),
        say("maya", 2, "This one coming up? Saturday to Sunday"),
        say("priya", 3, "Works for me"),
        say("leo", 1, "Same"),
        say("maya", 2, "Sam said yes too when I asked him earlier, so that's five of us"),
        say("jonas", 4, "Alright. Five people, one and a half cars"),
        scene(6, 21, 30),
        say("priya", 0, "Just checked: the lake is still warm enough to swim this time of year"),
        say("leo", 2, "Define warm"),
        say("priya", 1, "18 degrees"),
        say("leo", 1, "That's not warm, that's a challenge"),
        say("maya", 3, "Sauna first, lake after. Scandinavian style"),
        say("jonas", 2, "I'll bring a thermometer to settle the arguments"),
        say("leo", 1, "Of course you will"),
        say("maya", 4, "Priya, do you want to look at cabins? You found the last place too"),
        say("priya", 2, "On it tomorrow at lunch"),
        say("maya", 1, "🙏"),

        scene(5, 12, 40),
        say("priya", 0, "Found two cabins at Lake Verde. One sleeps four, the bigger one sleeps six and has the sauna"),
        say("priya", 1, "The big one is a bit more, but split five ways it's fine"),
        say("maya", 2, "Big one. Obviously."),
        say("jonas", 1, "Agreed"),
        say("leo", 9, "Does the big one have a grill?"),
        say("priya", 3, "Grill, canoe, firewood included"),
        say("leo", 1, "Sold"),
        scene(5, 20, 5),
        say("priya", 0, "Booked! Saturday 3pm check-in, Sunday noon check-out 🎉", "booked"),
        react("maya", 1, "booked", "🎉"),
        react("jonas", 1, "booked", "👍"),
        react("leo", 2, "booked", "❤️"),
        say("maya", 0, "You're the best"),
        say("jonas", 5, "I'll send everyone the cost split after the weekend"),
        scene(5, 22, 10),
        say("leo", 0, "Important question: board games or cards?"),
        say("jonas", 2, "Cards. Board games take an hour to explain"),
        say("maya", 1, "Board games! I'm bringing Codenames"),
        say("priya", 3, "Codenames is fine, it's quick"),
        say("leo", 1, "Team Leo and Priya, we'll destroy you all"),
        say("jonas", 2, "Bold words from someone who lost at Uno to my niece"),
        say("leo", 1, "She was cheating"),
        say("jonas", 1, "She is seven", "seven"),
        react("maya", 1, "seven", "😂"),

        scene(4, 18, 30),
        say("jonas", 0, "Car plan: I can take four in mine. Leo, can you drive too?"),
        say("leo", 14, "Yep, the old Fiat is ready for adventure"),
        say("jonas", 1, "The old Fiat is ready for a museum"),
        say("leo", 1, "Rude. Accurate, but rude"),
        say("priya", 5, "Food plan! Saturday dinner: burgers on the grill. Sunday breakfast: pancakes"),
        say("maya", 1, "Veggie burgers for me please"),
        say("jonas", 2, "I'll do the shopping on Friday evening, send me your wishes"),
        say("leo", 1, "Marshmallows"),
        say("priya", 1, "Marshmallows are not a meal, Leo"),
        say("leo", 1, "Not with that attitude"),
        say("jonas", 2, "Added: marshmallows (one bag)"),
        say("leo", 1, "Two bags"),
        say("jonas", 1, "One bag"),
        say("maya", 1, "Compromise: one big bag"),
        say("maya", 3, "I'll ride with Leo, someone has to choose the music"),
        say("priya", 2, "I'm with Jonas then, I'll bring the snacks"),
        say("maya", 8,
            "Packing list, add what's missing:\n- sleeping bags\n- headlamps\n- swimsuits (sauna!)\n- board games",
            "packing"),
        say("leo", 2, "- speaker"),
        say("priya", 1, "- camera, obviously"),
        say("jonas", 3, "- rain jackets. The forecast says 30% on Sunday"),
        say("maya", 2, "Who brings the coffee and the moka pot?", "coffee"),
        reply("priya", 1, "coffee", "Me! ☕ I'll bring the good beans too"),
        say("maya", 1, "Perfect"),
        say("leo", 20, "Leaving at 8:30 on Saturday?", "leaving"),
        edit("leo", 2, "leaving", "Leaving at 9:30 on Saturday? 8:30 is a crime"),
        say("jonas", 1, "9:30 works. I'll pick up Priya first"),
        say("maya", 1, "See you all Saturday!"),

        scene(3, 9, 41),
        say("leo", 0, "Running ten minutes late, the Fiat needed convincing"),
        say("maya", 1, "Shocking"),
        say("jonas", 7, "We're on the road. Priya already opened the snacks"),
        say("priya", 1, "Quality control 🍪"),
        scene(3, 13, 5),
        say("jonas", 0, "Arrived! The cabin is even nicer than in the photos"),
        say("maya", 3, "We're 15 minutes away, stuck behind a tractor 🚜"),
        say("leo", 1, "Enjoying the scenery at 20 km/h"),
        scene(3, 15, 20),
        say("priya", 0, "Canoe is ready. Who's coming out on the lake?"),
        say("maya", 1, "Me!"),
        say("leo", 2, "I'll guard the grill"),
        say("jonas", 1, "Guard = nap in the hammock"),
        say("leo", 1, "Tactical rest"),
        scene(3, 17, 40),
        say("maya", 0, "We made it to the island in the middle of the lake!"),
        say("priya", 2, "Saw a heron up close, it didn't care about us at all"),
        say("jonas", 3, "Meanwhile the hammock is excellent"),
        say("leo", 2, "Burgers status: seasoned. Fire status: Jonas asleep"),
        say("jonas", 1, "Resting my eyes"),
        say("maya", 2, "Coming back now, save us some chips"),
        scene(3, 19, 48),
        picture("priya", 0, PictureScene::LakeSunset, "The lake tonight 🌅", "sunset"),
        react("maya", 1, "sunset", "😍"),
        react("jonas", 1, "sunset", "🔥"),
        say("maya", 0, "Priya this is unreal"),
        say("jonas", 1, "Frame it"),
        react("leo", 1, "sunset", "😍"),
        say("leo", 2, "Grill is hot, burgers in ten!"),
        scene(3, 22, 30),
        picture("leo", 0, PictureScene::Campfire, "Campfire crew 🔥", "fire"),
        react("priya", 1, "fire", "❤️"),
        say("maya", 1, "Best night in ages"),
        say("jonas", 6, "Sauna is at 80 degrees, last call"),
        say("priya", 1, "On my way"),

        scene(2, 7, 55),
        picture("priya", 0, PictureScene::MountainMorning, "Got up early for this. Worth it.", "morning"),
        react("maya", 20, "morning", "😍"),
        say("maya", 0, "Jealous, I was still asleep"),
        react("jonas", 1, "morning", "👏"),
        say("jonas", 2, "Coffee's on. Priya, where are the good beans?"),
        say("priya", 1, "Blue bag next to the door"),
        say("leo", 12, "Is there any breakfast left or did Jonas eat it all"),
        say("jonas", 1, "There are eggs. Cook them yourself"),
        scene(2, 9, 20),
        say("maya", 0, "Pancake count so far: 14"),
        say("leo", 1, "Jonas had six of them"),
        say("jonas", 1, "Growth phase", "growth"),
        react("leo", 1, "growth", "😂"),
        say("priya", 2, "The moka pot is a hero"),
        say("maya", 5, "Last swim before we leave? 🏊"),
        say("leo", 1, "After that sauna yesterday I'm unfreezable"),
        say("jonas", 1, "I'll hold the towels"),
        scene(2, 11, 30),
        say("maya", 0, "Checked out, cabin is clean. Thanks for organising, Priya!"),
        say("priya", 2, "Thank YOU all, that was so much fun"),
        say("leo", 1, "Same time next month?"),
        say("jonas", 3, "Only if Leo drives slower behind tractors"),
        scene(2, 15, 10),
        say("jonas", 0, "Home safe 🏠"),
        say("leo", 4, "Same. The Fiat survived"),
        say("maya", 2, "Home too. Already missing the lake"),
        scene(2, 21, 0),
        say("priya", 0, "Going through my photos, there are 400 of them 😅"),
        say("maya", 1, "Share them all"),
        say("priya", 1, "I'll pick the best 30"),
        say("leo", 2, "Include the one where Jonas fell asleep with a burger in his hand"),
        say("jonas", 1, "I will pay you not to"),
        say("priya", 1, "Noted. It's in the album"),

        scene(1, 9, 10),
        say("jonas", 0, "Cost split: cabin 425, food 96, fuel 58. That's 115.80 each"),
        say("jonas", 1, "Payment links in a minute"),
        say("leo", 9, "Sent!"),
        say("maya", 3, "Paid 👍"),
        say("priya", 15, "Done, thanks Jonas"),
        scene(1, 12, 30),
        picture("priya", 0, PictureScene::ForestTrail, "One more from the hike on Saturday", "trail"),
        react("maya", 2, "trail", "😍"),
        say("leo", 1, "Where was that? I don't remember that trail"),
        say("priya", 2, "You were guarding the grill"),
        say("leo", 1, "Ah. Worth it"),
        scene(1, 17, 0),
        say("leo", 0, "Back at work and already daydreaming about the lake"),
        say("maya", 2, "Same. My desk has no sauna"),
        say("jonas", 1, "Mine neither, I checked"),
        say("priya", 6, "Album is up! The link expires in 7 days", "album"),
        edit("priya", 1, "album", "Album is up! The link doesn't expire, take your time"),
        react("maya", 2, "album", "❤️"),
        say("maya", 0, "Priya these are amazing"),
        scene(1, 20, 40),
        say("maya", 0, "So… next trip? I was thinking mountains in October"),
        say("jonas", 4, "October is good for me"),
        say("priya", 6, "Mountains and autumn colours, I'm in"),
        say("leo", 2, "As long as there's a sauna"),
        say("maya", 1, "Noted: sauna is non-negotiable"),

        scene(0, 8, 20),
        say("maya", 0, "Good morning! I made a shared album with all the trip photos, link in a bit"),
        say("priya", 5, "Yay"),
        say("jonas", 30, "Sam, you're coming to the October one, right?"),
        say("leo", 2, "He has to. We need someone to beat Jonas at cards"),
        scene(0, 10, 0),
        say("maya", 0, "Priya, can I use the sunset photo as my phone background?"),
        say("priya", 2, "Of course!"),
        say("leo", 5, "Jonas, do I still owe you 115.80?"),
        say("jonas", 1, "You paid yesterday, Leo"),
        say("leo", 1, "Oh good, past me is responsible"),
    };
    return s;
}

ConversationScript directHistory(const QString &peer)
{
    ConversationScript s;
    s.participants = {peer, QStringLiteral("sam")};
    if (peer == QLatin1String("maya")) {
        s.lines = {
            scene(6, 18, 2),
            say("maya", 0, "Hey Sam! Planning a weekend at the lake with everyone, you in?"),
            say("maya", 40, "I'll add you to the group in a sec"),
            scene(4, 21, 15),
            say("maya", 0, "Packing list is in the group, shout if you need a sleeping bag, I have two"),
            scene(3, 10, 20),
            say("maya", 0, "We're on our way! Hope the work thing goes okay, we'll miss you"),
            scene(1, 19, 30),
            picture("maya", 0, PictureScene::LakeSunset, "This one's for you. Next time you're coming!"),
            scene(0, 8, 45),
            say("maya", 0, "Also, lunch this week? I'm free Thursday"),
            say("maya", 1, "There's a new ramen place near your office"),
        };
    } else if (peer == QLatin1String("jonas")) {
        s.lines = {
            scene(5, 9, 30),
            say("jonas", 0, "Morning! Do you still have my tent from June? No rush"),
            say("jonas", 3, "Actually, slight rush: I need it Friday 😅"),
            scene(4, 17, 0),
            say("jonas", 0, "Got it from your neighbour, thanks!"),
            scene(1, 9, 20),
            say("jonas", 0, "Sent the cost split in the group. You're off the hook for this one, obviously"),
            scene(0, 9, 5),
            say("jonas", 0, "Did you see the October plan? Say yes"),
            say("jonas", 2, "Also: you still have my bike pump. This one I need back too 😄"),
        };
    } else if (peer == QLatin1String("priya")) {
        s.lines = {
            scene(5, 20, 30),
            say("priya", 0, "I booked the cabin! Too bad you can't make it this time"),
            scene(2, 8, 10),
            say("priya", 0, "Sunrise at the lake this morning. I'll send you the good ones later"),
            scene(1, 12, 35),
            picture("priya", 0, PictureScene::ForestTrail, "Here's the trail I told you about"),
            say("priya", 2, "Perfect for a Sunday walk"),
            scene(0, 7, 50),
            say("priya", 0, "Trying a new curry recipe tonight if you want to come by 🍛"),
            say("priya", 1, "It's the spicy one, you've been warned"),
        };
    } else { // leo
        s.participants = {QStringLiteral("leo"), QStringLiteral("sam")};
        s.lines = {
            scene(6, 21, 40),
            say("leo", 0, "Did you watch the match??"),
            say("leo", 1, "That last-minute goal 😱"),
            scene(4, 22, 5),
            say("leo", 0, "Making the road trip playlist. Any requests?"),
            say("leo", 5, "No, ABBA is not an option. OK fine, one ABBA"),
            scene(2, 16, 0),
            say("leo", 0, "Back from the lake. The Fiat made it, against all odds"),
            scene(0, 10, 15),
            say("leo", 0, "Gig on Friday at the Blue Room, want a ticket?"),
            say("leo", 3, "They play the song from the road trip playlist"),
        };
    }
    return s;
}

ConversationScript peerChatHistory()
{
    ConversationScript s;
    s.participants = {QStringLiteral("maya"), QStringLiteral("jonas")};
    s.lines = {
        sceneMinutesAgo(95),
        say("maya", 0, "Psst. Priya's birthday is in two weeks"),
        say("jonas", 2, "I know. I have a plan"),
        say("maya", 1, "You have a plan? You?"),
        say("jonas", 1, "I'm offended. But yes: a photo book of all our trips"),
        say("maya", 2, "Jonas, that's actually lovely 🥹"),
        say("jonas", 1, "I need the photos from everyone's phones though"),
        say("maya", 3, "I'll collect them, she shares everything in the group anyway"),
        say("jonas", 1, "Don't tell her"),
        say("maya", 1, "My lips are sealed 🤐"),
        sceneMinutesAgo(40),
        say("maya", 0, "Found a print shop that does lay-flat books, 48 pages"),
        say("jonas", 4, "How much?"),
        say("maya", 1, "About 60. We split it four ways with Sam and Leo"),
        say("jonas", 2, "Deal. Can you ask Leo? He never answers me"),
        say("maya", 1, "Because you call the Fiat a museum"),
        say("jonas", 1, "It IS a museum"),
        sceneMinutesAgo(12),
        say("maya", 0, "Leo's in. He wants a page just for the Fiat", "fiat"),
        react("jonas", 1, "fiat", "😂"),
        say("jonas", 0, "Of course he does"),
        say("maya", 2, "Sending you the draft tonight"),
    };
    return s;
}

std::vector<qint64> timeline(const ConversationScript &script, qint64 nowMsec, qint64 latestMsec)
{
    constexpr qint64 Minute = 60 * 1000;
    std::vector<qint64> out;
    out.reserve(script.lines.size());
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMsec);
    qint64 clock = nowMsec;
    qint64 last = 0;
    for (const ScriptLine &line : script.lines) {
        if (line.kind == ScriptLine::Kind::Scene) {
            if (line.minutesAgo >= 0) {
                clock = nowMsec - line.minutesAgo * Minute;
            } else {
                const QDate day = now.date().addDays(-line.daysAgo);
                clock = QDateTime(day, QTime(line.hour, line.minute)).toMSecsSinceEpoch();
            }
        } else {
            clock += line.gapMinutes * Minute;
        }
        // Strictly increasing, a few seconds apart even for "0 minutes later".
        clock = std::max(clock, last + 7000);
        last = clock;
        out.push_back(clock);
    }
    if (!out.empty() && out.back() > latestMsec) {
        const qint64 shift = out.back() - latestMsec;
        for (qint64 &t : out)
            t -= shift;
    }
    return out;
}

// ---- live answers -------------------------------------------------------------------------------

ReplyWriter::ReplyWriter(quint32 seed) : m_random(seed ? seed : quint32(QDateTime::currentMSecsSinceEpoch())) {}

int ReplyWriter::between(int low, int high)
{
    return low >= high ? low : low + int(m_random.bounded(high - low + 1));
}

QString ReplyWriter::pick(const QString &peer, const QStringList &pool)
{
    QStringList &recent = m_recent[peer];
    QStringList fresh;
    for (const QString &candidate : pool) {
        if (!recent.contains(candidate))
            fresh << candidate;
    }
    const QStringList &from = fresh.isEmpty() ? pool : fresh;
    const QString chosen = from.at(qsizetype(m_random.bounded(quint32(from.size()))));
    recent << chosen;
    while (recent.size() > 8)
        recent.removeFirst();
    return chosen;
}

std::optional<QString> ReplyWriter::reaction(const QString &incoming, bool picture)
{
    const QString t = incoming.toLower();
    if (picture)
        return m_random.bounded(2) ? QStringLiteral("😍") : QStringLiteral("🔥");
    if (t.contains(QLatin1String("thank")))
        return QStringLiteral("❤️");
    if (t.contains(QLatin1String("haha")) || t.contains(QLatin1String("lol")) || t.contains(QStringLiteral("😂")))
        return QStringLiteral("😂");
    if (m_random.bounded(6) == 0)
        return QStringLiteral("👍");
    return std::nullopt;
}

std::optional<QString> ReplyWriter::chimeIn(const QString &peer, const QString &incoming)
{
    if (m_random.bounded(10) >= 3)
        return std::nullopt;
    const QString t = incoming.toLower();
    if (t.contains(QLatin1Char('?')))
        return pick(peer, {QStringLiteral("Seconded"), QStringLiteral("Good question actually"),
                                                                      QStringLiteral("Same question here 🙋"),
                                                                                     QStringLiteral("+1")});
    return pick(
        peer, {QStringLiteral("Haha yes"),
                              QStringLiteral("Agreed 👍"),
                                             QStringLiteral("This ^"), QStringLiteral("Totally"), QStringLiteral("😄")});
}

QString ReplyWriter::reply(const QString &peer, const QString &incoming, bool group, bool picture)
{
    const QString t = incoming.toLower();
    auto has = [&t](const char *pattern) {
        return t.contains(
            QRegularExpression(QString::fromUtf8(pattern), QRegularExpression::UseUnicodePropertiesOption));
    };
    if (picture) {
        return pick(
            peer,
            {QStringLiteral("Wow, where was this?"),
                            QStringLiteral("Love this one!"),
                                           QStringLiteral("Great shot 📸"),
                                                          QStringLiteral("That light though"),
                                                                         QStringLiteral("Okay now I want to go back")});
    }
    if (has("\\b(hi|hello|hey|hiya|morning|evening|yo)\\b")) {
        return pick(
            peer, {QStringLiteral("Hey Sam! 👋"),
                                  QStringLiteral("Hi! Good to hear from you"),
                                                 QStringLiteral("Hey hey, how's it going?"),
                                                                QStringLiteral("Oh hi! Was just thinking of you"), group
                                                                               ? QStringLiteral("Sam's here! 🎉")
                                                                               : QStringLiteral("Hey! What's up?")});
    }
    if (has("thank")) {
        return pick(peer, {QStringLiteral("Anytime!"), QStringLiteral("Of course 😊"),
                                                                      QStringLiteral("No problem at all"),
                                                                                     QStringLiteral("Happy to help")});
    }
    if (has("\\b(sorry|my bad|apolog)")) {
        return pick(peer, {QStringLiteral("No worries at all"), QStringLiteral("All good, really"),
                                                                               QStringLiteral("Don't worry about it")});
    }
    if (has("\\b(bye|good night|goodnight|see you|later|ciao)\\b")) {
        return pick(
            peer, {QStringLiteral("See you! 👋"), QStringLiteral("Talk soon"), QStringLiteral("Night night 🌙"),
                                                                                             QStringLiteral("Later!")});
    }
    if (has("\\b(trip|lake|cabin|hike|hiking|mountain|october|sauna|weekend|camp)")) {
        return pick(peer,
                    {QStringLiteral("Yes! The October trip is going to be great"),
                        QStringLiteral("I'm still thinking about that sauna"),
                            QStringLiteral("Let's do mountains this time, Maya has a place in mind"),
                                           QStringLiteral("Count me in, as long as Leo isn't driving behind tractors"),
                                                          QStringLiteral("I can check the cabins tonight")});
    }
    if (has("\\b(photo|picture|pic|album|camera)")) {
        return pick(peer, {QStringLiteral("Priya has the best ones, ask her for the album"),
                                          QStringLiteral("I'll send you mine tonight"),
                                                         QStringLiteral("The sunset one is my favourite")});
    }
    if (has("\\b(lunch|dinner|coffee|breakfast|food|eat|pizza|curry|drinks?|beer)\\b")) {
        return pick(peer,
                    {QStringLiteral("I'm always up for food"),
                        QStringLiteral("Yes! Where?"),
                            QStringLiteral("Thursday works for me"),
                                           QStringLiteral("Only if there's dessert"),
                                                          QStringLiteral("Ooh, I know a good place near the station")});
    }
    if (has("\\b(when|what time|tomorrow|tonight|today|friday|saturday|sunday)\\b")) {
        return pick(
            peer, {QStringLiteral("Tomorrow evening could work"),
                                  QStringLiteral("Let me check my calendar"),
                                                 QStringLiteral("I'm free after six"),
                                                                QStringLiteral("Saturday is better for me"),
                                                                               QStringLiteral("Any time after lunch")});
    }
    if (has("\\b(ok|okay|sure|great|cool|nice|perfect|sounds good|awesome|yes|yep)\\b")) {
        return pick(peer, {QStringLiteral("👍"), QStringLiteral("Great!"),
                                                   QStringLiteral("Perfect"),
                                                                  QStringLiteral("Nice 😄"),
                                                                                 QStringLiteral("Sounds like a plan")});
    }
    if (t.contains(QLatin1Char('?'))) {
        return pick(peer,
                    {QStringLiteral("Good question, let me think"),
                                    QStringLiteral("I think so, yes!"),
                                                   QStringLiteral("Hmm, not sure, I'll find out"),
                                                                  QStringLiteral("Probably! Why do you ask?"),
                                                                                 QStringLiteral("Honestly no idea 😅")});
    }
    QStringList pool{
        QStringLiteral("Ha, totally"), QStringLiteral("Tell me more!"),  QStringLiteral("Oh nice"),
                                                                                        QStringLiteral("Right?"),      QStringLiteral("That's so true"), QStringLiteral("Love that")};
    if (peer == QLatin1String("leo"))
        pool << QStringLiteral("Classic 😂") << QStringLiteral("Say no more");
    else if (peer == QLatin1String("jonas"))
        pool << QStringLiteral("Fair enough") << QStringLiteral("Noted");
    else if (peer == QLatin1String("priya"))
        pool << QStringLiteral("Aww") << QStringLiteral("That's lovely");
    else if (peer == QLatin1String("maya"))
        pool << QStringLiteral("Yes!! 🙌") << QStringLiteral("Adding that to the plan");
    return pick(peer, pool);
}

} // namespace confab::localserver::demo
