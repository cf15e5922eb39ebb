#include "models/modeltext.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>

namespace confab::models::modeltext {

namespace {

bool isMark(QChar c)
{
    const QChar::Category category = c.category();
    return category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining ||
           category == QChar::Mark_Enclosing;
}

/// The UTF-16 offset of code point `index` in `text`, or -1 past its end.
qsizetype utf16Offset(const QString &text, qint64 index)
{
    if (index < 0)
        return -1;
    qsizetype offset = 0;
    for (qint64 cp = 0; cp < index; ++cp) {
        if (offset >= text.size())
            return -1;
        offset += (text.at(offset).isHighSurrogate() && offset + 1 < text.size()) ? 2 : 1;
    }
    return offset <= text.size() ? offset : -1;
}

QString withScheme(const QString &link)
{
    static const QRegularExpression scheme(QStringLiteral("^[a-zA-Z][a-zA-Z0-9+.-]*:"));
    if (scheme.match(link).hasMatch())
        return link;
    return QStringLiteral("https://") + link;
}

} // namespace

QString foldForSearch(const QString &text)
{
    const QString decomposed = text.normalized(QString::NormalizationForm_KD);
    QString out;
    out.reserve(decomposed.size());
    for (QChar c : decomposed) {
        if (!isMark(c))
            out.append(c);
    }
    return out.toCaseFolded();
}

QString initialsOf(const QString &name)
{
    // The first letter or digit of each word (skipping '#', '@', quotes, ...), whole when it is
    // outside the BMP; then the first word's and the last word's.
    QStringList initials;
    const QStringList words = name.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (const QString &word : words) {
        const QList<uint> codePoints = word.toUcs4();
        for (uint cp : codePoints) {
            if (QChar::isLetterOrNumber(cp)) {
                const auto c = static_cast<char32_t>(cp);
                initials << QString::fromUcs4(&c, 1).toUpper();
                break;
            }
        }
    }
    if (initials.isEmpty())
        return {};
    if (initials.size() == 1)
        return initials.constFirst();
    return initials.constFirst() + initials.constLast();
}

QList<TextLink> findLinks(const QString &text)
{
    static const QRegularExpression link(QStringLiteral("\\bhttps?://[^\\s<>\"]+"),
                                                        QRegularExpression::CaseInsensitiveOption);
    QList<TextLink> out;
    auto it = link.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        QString url = m.captured(0);
        // Punctuation that ends a sentence is not part of the link; a closing bracket only when
        // the link does not open one.
        while (!url.isEmpty()) {
            const QChar last = url.back();
            if (QStringLiteral(".,;:!?'").contains(last)) {
                url.chop(1);
            } else if (last == u')' && url.count(u'(') < url.count(u')')) {
                url.chop(1);
            } else if (last == u']' && url.count(u'[') < url.count(u']')) {
                url.chop(1);
            } else {
                break;
            }
        }
        if (url.size() <= url.indexOf(QLatin1String("://")) + 3)
            continue; // only a scheme
        out.append(TextLink{static_cast<int>(m.capturedStart(0)), static_cast<int>(url.size()), url});
    }
    return out;
}

QList<TextLink> linksOf(const QString &text, const QJsonArray &entities)
{
    QList<TextLink> out;
    for (const QJsonValue &v : entities) {
        const QJsonObject e = v.toObject();
        if (e.value(QLatin1String("kind")).toString() != QLatin1String("url"))
            continue;
        const qsizetype start = utf16Offset(text, e.value(QLatin1String("start")).toInteger(-1));
        const qsizetype end = utf16Offset(text, e.value(QLatin1String("end")).toInteger(-1));
        if (start < 0 || end <= start)
            continue; // indices that do not fit this text (an edit without entities, say)
        const QString linkText = text.mid(start, end - start);
        if (linkText.trimmed() != linkText || linkText.contains(u' '))
            continue;
        out.append(TextLink{static_cast<int>(start), static_cast<int>(end - start), withScheme(linkText)});
    }
    for (const TextLink &found : findLinks(text)) {
        const bool covered = std::any_of(out.cbegin(), out.cend(), [&found](const TextLink &l) {
            return found.start < l.start + l.length && l.start < found.start + found.length;
        });
        if (!covered)
            out.append(found);
    }
    std::sort(out.begin(), out.end(), [](const TextLink &a, const TextLink &b) { return a.start < b.start; });
    return out;
}

QString dayText(const QDate &day, const QDate &today)
{
    if (!day.isValid())
        return {};
    if (day == today)
        return QCoreApplication::translate("confab::models::modeltext", "Today");
    if (day == today.addDays(-1))
        return QCoreApplication::translate("confab::models::modeltext", "Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

QString activityText(const QDateTime &when, const QDateTime &now)
{
    if (!when.isValid())
        return {};
    const QDate day = when.date();
    const QDate today = now.date();
    if (day == today)
        return clockText(when.time());
    if (day == today.addDays(-1))
        return QCoreApplication::translate("confab::models::modeltext", "Yesterday");
    if (day < today && day > today.addDays(-7))
        return QLocale().dayName(day.dayOfWeek(), QLocale::ShortFormat);
    return QLocale().toString(day, QLocale::ShortFormat);
}

QString typingText(const QStringList &names)
{
    switch (names.size()) {
    case 0: return {};
    case 1: return QCoreApplication::translate("confab::models::modeltext", "%1 is typing…").arg(names.at(0));
    case 2:
        return QCoreApplication::translate("confab::models::modeltext", "%1 and %2 are typing…")
            .arg(names.at(0), names.at(1));
    default: break;
    }
    return QCoreApplication::translate("confab::models::modeltext", "%1 and %n others are typing…", nullptr,
                                       static_cast<int>(names.size() - 1))
        .arg(names.at(0));
}

QString linkedHtml(const QString &text, const QList<TextLink> &links)
{
    auto escape = [](QStringView part) {
        QString out = part.toString().toHtmlEscaped();
        out.replace(QLatin1Char('\n'), QLatin1String("<br>"));
        return out;
    };
    QList<TextLink> sorted = links;
    std::sort(sorted.begin(), sorted.end(), [](const TextLink &a, const TextLink &b) { return a.start < b.start; });
    QString html;
    html.reserve(text.size() + text.size() / 4);
    int at = 0;
    for (const TextLink &link : std::as_const(sorted)) {
        const bool safeScheme = link.url.startsWith(QLatin1String("https://"), Qt::CaseInsensitive) ||
                                link.url.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
                                link.url.startsWith(QLatin1String("mailto:"), Qt::CaseInsensitive);
        if (link.start < at || link.length <= 0 || link.start + link.length > text.size() || !safeScheme)
            continue;
        html += escape(QStringView(text).mid(at, link.start - at));
        html += QLatin1String("<a href=\"") + link.url.toHtmlEscaped() + QLatin1String("\">") +
                escape(QStringView(text).mid(link.start, link.length)) + QLatin1String("</a>");
        at = link.start + link.length;
    }
    html += escape(QStringView(text).mid(at));
    return html;
}

QString clockText(const QTime &time)
{
    static const QRegularExpression seconds(QStringLiteral("[:.]ss?"));
    QString format = QLocale().timeFormat(QLocale::ShortFormat);
    format.remove(seconds);
    return QLocale().toString(time, format);
}

} // namespace confab::models::modeltext
