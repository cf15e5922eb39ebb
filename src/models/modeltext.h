#pragma once

// The texts the models derive from the store's data: search folding, initials, links found in a
// message, and the date, time and typing strings the views show. Pure functions (GUI thread or not).

#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace confab::models {

/// A link in a message's text, in UTF-16 units of the text (what QML's string functions count).
struct TextLink
{
    int start = 0;
    int length = 0;
    QString url; ///< what to open (a scheme added when the text has none)

    friend bool operator==(const TextLink &, const TextLink &) = default;
};

namespace modeltext {

/// `text` as HTML that shows exactly the text and nothing a sender could smuggle in: every
/// character escaped, line breaks kept, and only `links` turned into anchors (their URLs escaped
/// too, and only http(s) or mailto). For Text.StyledText; links out of range are left as text.
[[nodiscard]] QString linkedHtml(const QString &text, const QList<TextLink> &links);

/// A time of day as a messenger shows it: the locale's short format (12- or 24-hour) without
/// seconds, even where the locale's short format has them (the C locale does).
[[nodiscard]] QString clockText(const QTime &time);

/// `text` folded for matching: compatibility-decomposed, accents and other combining marks dropped,
/// case-folded. "Éléonore" and "eleonore" fold alike.
[[nodiscard]] QString foldForSearch(const QString &text);

/// Up to two initials of a name for an avatar placeholder ("Ana Lima" -> "AL", "#rust" -> "R").
[[nodiscard]] QString initialsOf(const QString &name);

/// The http(s) links in `text`, found by their scheme, trailing punctuation left out.
[[nodiscard]] QList<TextLink> findLinks(const QString &text);

/// The links of a message: the "url" entities the store keeps (`{start, end, kind}`, indices in
/// Unicode code points as X counts them, end exclusive), and the http(s) links found in the text
/// that none of them covers. Sorted by start.
[[nodiscard]] QList<TextLink> linksOf(const QString &text, const QJsonArray &entities);

/// A day separator's text: "Today", "Yesterday", else the locale's long date.
[[nodiscard]] QString dayText(const QDate &day, const QDate &today);

/// The conversation list's time of last activity: the time today, "Yesterday", the weekday within
/// a week, else the locale's short date. Empty for an invalid time.
[[nodiscard]] QString activityText(const QDateTime &when, const QDateTime &now);

/// "Ana is typing…", "Ana and Ben are typing…", "Ana and 2 others are typing…"; empty for nobody.
[[nodiscard]] QString typingText(const QStringList &names);

} // namespace modeltext

} // namespace confab::models
