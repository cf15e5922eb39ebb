// The models on a real store (a sealed SQLite file in a temporary folder), each watched by a
// QAbstractItemModelTester, fed only through the store's API the way the engines feed it:
//
// - conversationList / conversationFilter: the list in activity order, inserts, moves on activity,
//   previews, typing, trust warnings, badges, removal; the text (accent- and case-insensitive) and
//   account filters.
// - timeline: day separators, groups, every message role (links, reply, attachments, reactions,
//   verification, failures, key changes, system rows).
// - timelineChanges: a new message is one inserted row (no reset), group flags follow, a pending
//   message moves to its sequence when sent, read markers, edits and reactions as dataChanged,
//   removals take empty days' separators along, member names follow membersChanged.
// - paging: three pages from the store through fetchMore, then the history source when the store
//   runs out (one call in flight), its messages arriving through the store at the bottom.
// - historySourceFails: the source's error is shown and it is not asked again until reload().
// - pruned: housekeeping drops old history: the rows go, no reset.
// - members: sorted by name, renamed, joined and left incrementally.
// - accounts: a real AccountManager against confab-localserver with a session-only secret store:
//   restored accounts (signed out, sign-in lost), a real sign-in going Online, a key backup noted,
//   removal and sign-out.
// - modelText: link finding, search folding, initials, typing and time texts.

#include "accounts/accountmanager.h"
#include "accounts/accountregistry.h"
#include "chatharness.h"
#include "crypto/securebytes.h"
#include "models/accountsmodel.h"
#include "models/conversationfiltermodel.h"
#include "models/conversationlistmodel.h"
#include "models/memberlistmodel.h"
#include "models/messagelistmodel.h"
#include "models/modeltext.h"
#include "secrets/memorysecretstore.h"
#include "signinbrowser.h"
#include "store/outboxdispatcher.h"
#include "store/sealer.h"
#include "store/store.h"
#include "storewait.h"
#include "wait.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QPromise>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <limits>
#include <memory>

using namespace confab;
using namespace confab::models;
using namespace confab::store;
using confab::test::errorText;
using confab::test::settle;
using confab::test::waitTask;

namespace {

constexpr int Timeout = 10000;

#define VERIFY_OK(expression)                                                                                          \
    do {                                                                                                               \
        const auto &verifyOk_ = (expression);                                                                          \
        QVERIFY2(verifyOk_.ok(), qPrintable(verifyOk_.ok() ? QString() : verifyOk_.error().toString()));               \
    } while (false)

/// A local time on a fixed day (day 0: Sunday 10 March 2024), in ms since the epoch.
qint64 at(int day, int hour, int minute)
{
    return QDateTime(QDate(2024, 3, 10).addDays(day), QTime(hour, minute)).toMSecsSinceEpoch();
}

QDate dayOf(int day)
{
    return QDate(2024, 3, 10).addDays(day);
}

IncomingMessage incoming(const QString &remoteId, qint64 sequence, const QString &sender, const QString &text,
                         qint64 createdMs, MessageKind kind = MessageKind::Text)
{
    IncomingMessage m;
    m.remoteId = remoteId;
    m.sequence = sequence;
    m.senderId = sender;
    m.outgoing = sender == QLatin1String("me");
    m.createdMs = createdMs;
    m.kind = kind;
    m.text = text;
    return m;
}

Member member(const QString &id, const QString &name, const QString &username = {}, bool admin = false)
{
    Member m;
    m.userId = id;
    m.displayName = name;
    m.username = username;
    m.avatarUrl = QStringLiteral("https://pbs.example/%1.jpg").arg(id);
    m.admin = admin;
    return m;
}

QVariant roleAt(const QAbstractItemModel &model, int row, int role)
{
    return model.index(row, 0).data(role);
}

/// Each row of a timeline: "#<date text>" for a separator, else the text (or "[kind]").
QStringList timelineOf(const MessageListModel &model)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r) {
        const auto kind = static_cast<MessageListModel::RowKind>(roleAt(model, r, MessageListModel::KindRole).toInt());
        if (kind == MessageListModel::RowKind::DaySeparator)
            out << QLatin1Char('#') + roleAt(model, r, MessageListModel::DateTextRole).toString();
        else
            out << roleAt(model, r, MessageListModel::TextRole).toString();
    }
    return out;
}

QString separator(int day)
{
    return QLatin1Char('#') + modeltext::dayText(dayOf(day), QDate::currentDate());
}

int messageRows(const MessageListModel &model)
{
    int n = 0;
    for (int r = 0; r < model.rowCount(); ++r) {
        if (roleAt(model, r, MessageListModel::KindRole).toInt() !=
            static_cast<int>(MessageListModel::RowKind::DaySeparator))
            ++n;
    }
    return n;
}

/// Scrolls a timeline up until `done`: fetchMore() whenever the model can (as a view at its top
/// does), with the event loop running.
bool scrollUntil(MessageListModel &model, const std::function<bool()> &done)
{
    return QTest::qWaitFor(
        [&] {
            if (!done() && model.canFetchMore({}))
                model.fetchMore({});
            return done();
        },
        Timeout);
}

/// The person's browser: follows the authorize page (auto-approved) back to Confab.
secrets::OAuthSignIn::UrlOpener browserOpener()
{
    return [](const QUrl &url) {
        QTimer::singleShot(0, [url] {
            secrets::test::SignInBrowser browser;
            const secrets::test::BrowserPage page = browser.get(url);
            if (page.status == 302)
                browser.get(page.location());
        });
        return true;
    };
}

} // namespace

class ModelsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void conversationList();
    void conversationListInTwoSteps();
    void conversationFilter();
    void timeline();
    void timelineChanges();
    void paging();
    void historySourceFails();
    void modelsGoneBeforeTheStoreAnswers();
    void pruned();
    void members();
    void accounts();
    void modelText();

private:
    Result<OpenReport> openStore(Store &store, const QString &name, int maxMessages = 0)
    {
        StoreOptions options;
        options.path = m_dir->filePath(name);
        options.housekeepingIntervalMs = 0;
        options.housekeeping.maxMessagesPerConversation = maxMessages;
        FixedSealingKey keys(m_key);
        return settle(store.open(options, keys));
    }
    Result<Conversation> addConversation(qint64 accountId, const QString &remoteId, const QString &title,
                                         qint64 activityMs, ConversationKind kind = ConversationKind::Direct)
    {
        ConversationInput in;
        in.accountId = accountId;
        in.remoteId = remoteId;
        in.kind = kind;
        in.title = title;
        in.lastActivityMs = activityMs;
        return settle(m_store->upsertConversation(in));
    }
    /// The conversation of the timeline tests, with members and eight messages over two days.
    void buildTimeline(Conversation &out);

    crypto::SecureBytes m_key = crypto::SecureBytes::random(SealingKeySize);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
};

void ModelsTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<Store>();
    VERIFY_OK(openStore(*m_store, QStringLiteral("models.db")));
}

void ModelsTest::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

// ---- the conversation list -------------------------------------------------------------------

void ModelsTest::conversationList()
{
    AWAIT(work, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me-work")));
    AWAIT(home, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me-home")));
    AWAIT(oldest, addConversation(work.id, QStringLiteral("c1"), QStringLiteral("Ana Lima"), at(0, 9, 0)));
    AWAIT(middle, addConversation(home.id, QStringLiteral("c2"), QStringLiteral("Book club"), at(0, 10, 0),
                                                                                ConversationKind::Group));
    AWAIT(newest, addConversation(work.id, QStringLiteral("c3"), QStringLiteral("Ben Okafor"), at(0, 11, 0)));

    ConversationListModel model(*m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, Timeout);
    QVERIFY(!model.loading());
    QCOMPARE(roleAt(model, 0, ConversationListModel::ConversationIdRole).toLongLong(), newest.id);
    QCOMPARE(roleAt(model, 1, ConversationListModel::ConversationIdRole).toLongLong(), middle.id);
    QCOMPARE(roleAt(model, 2, ConversationListModel::ConversationIdRole).toLongLong(), oldest.id);
    QCOMPARE(roleAt(model, 1, ConversationListModel::TitleRole).toString(), QStringLiteral("Book club"));
    QCOMPARE(roleAt(model, 1, ConversationListModel::KindRole).toString(), QStringLiteral("group"));
    QCOMPARE(roleAt(model, 1, ConversationListModel::AccountIdRole).toLongLong(), home.id);
    QCOMPARE(roleAt(model, 0, ConversationListModel::InitialsRole).toString(), QStringLiteral("BO"));
    QCOMPARE(roleAt(model, 0, ConversationListModel::LastActivityRole).toDateTime().toMSecsSinceEpoch(), at(0, 11, 0));
    QVERIFY(!roleAt(model, 0, ConversationListModel::LastActivityTextRole).toString().isEmpty());
    QCOMPARE(roleAt(model, 0, ConversationListModel::UnreadCountRole).toInt(), 0);
    QCOMPARE(roleAt(model, 0, ConversationListModel::LastMessagePreviewRole).toString(), QString());

    // Badges come from the app's lookup.
    QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setBadgeLookup([&work](qint64 accountId) {
        return accountId == work.id                ? AccountBadge{QStringLiteral("W"), QStringLiteral("1")}
                                                   : AccountBadge{QStringLiteral("H"), QStringLiteral("2")};
    });
    QCOMPARE(dataChanged.count(), 1);
    QCOMPARE(roleAt(model, 0, ConversationListModel::AccountBadgeRole).toString(), QStringLiteral("W"));
    QCOMPARE(roleAt(model, 1, ConversationListModel::AccountColorRole).toString(), QStringLiteral("2"));

    // A new conversation with the newest activity: one row inserted at the top.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    AWAIT(fresh, addConversation(home.id, QStringLiteral("c4"), QStringLiteral("Cy"), at(0, 12, 0)));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 0);
    QCOMPARE(roleAt(model, 0, ConversationListModel::ConversationIdRole).toLongLong(), fresh.id);

    // A message in the oldest conversation moves it to the top, with its preview and unread count.
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    AWAIT_OK(m_store->insertMessages(
        oldest.id,
        {incoming(QStringLiteral("m1"), 1, QStringLiteral("ana"), QStringLiteral("Lunch\ntomorrow?"), at(0, 13, 0))}));
    QCOMPARE(moved.count(), 1);
    QCOMPARE(moved.at(0).at(1).toInt(), 3); // from the bottom
    QCOMPARE(moved.at(0).at(4).toInt(), 0); // to the top
    QCOMPARE(roleAt(model, 0, ConversationListModel::ConversationIdRole).toLongLong(), oldest.id);
    QCOMPARE(roleAt(model, 0, ConversationListModel::LastMessagePreviewRole).toString(),
             QStringLiteral("Lunch tomorrow?"));
    QCOMPARE(roleAt(model, 0, ConversationListModel::UnreadCountRole).toInt(), 1);
    QCOMPARE(roleAt(model, 0, ConversationListModel::LastActivityRole).toDateTime().toMSecsSinceEpoch(), at(0, 13, 0));
    QCOMPARE(roleAt(model, 1, ConversationListModel::ConversationIdRole).toLongLong(), fresh.id);

    // A change that keeps the order is a dataChanged in place.
    moved.clear();
    dataChanged.clear();
    ConversationInput rename;
    rename.accountId = home.id;
    rename.remoteId = QStringLiteral("c2");
    rename.kind = ConversationKind::Group;
    rename.title = QStringLiteral("Book club (Tuesdays)");
    AWAIT_OK(m_store->upsertConversation(rename));
    QCOMPARE(moved.count(), 0);
    QCOMPARE(dataChanged.count(), 1);
    QCOMPARE(model.rowOf(middle.id), 3);
    QCOMPARE(roleAt(model, 3, ConversationListModel::TitleRole).toString(), QStringLiteral("Book club (Tuesdays)"));

    // The person's own message is previewed as theirs.
    AWAIT_OK(m_store->insertMessages(
        middle.id, {incoming(QStringLiteral("m2"), 2, QStringLiteral("me"), QStringLiteral("See you"), at(0, 14, 0))}));
    QCOMPARE(model.rowOf(middle.id), 0);
    QCOMPARE(roleAt(model, 0, ConversationListModel::LastMessagePreviewRole).toString(),
             QStringLiteral("You: See you"));

    // Typing, from the engines through the app.
    dataChanged.clear();
    model.setTyping(newest.id, {QStringLiteral("Ben")});
    QCOMPARE(dataChanged.count(), 1);
    const int benRow = model.rowOf(newest.id);
    QCOMPARE(dataChanged.at(0).at(0).value<QModelIndex>().row(), benRow);
    QCOMPARE(roleAt(model, benRow, ConversationListModel::TypingRole).toString(), QStringLiteral("Ben is typing…"));
    model.setTyping(newest.id, {QStringLiteral("Ben"), QStringLiteral("Ana")});
    QCOMPARE(roleAt(model, benRow, ConversationListModel::TypingRole).toString(),
             QStringLiteral("Ben and Ana are typing…"));
    model.setTyping(newest.id, {});
    QCOMPARE(roleAt(model, benRow, ConversationListModel::TypingRole).toString(), QString());

    // Trust warnings: a key change as the newest entry (the store), or the engine's signal.
    QVERIFY(!roleAt(model, benRow, ConversationListModel::TrustWarningRole).toBool());
    model.setTrustWarning(newest.id, true);
    QVERIFY(roleAt(model, model.rowOf(newest.id), ConversationListModel::TrustWarningRole).toBool());
    model.setTrustWarning(newest.id, false);
    QVERIFY(!roleAt(model, model.rowOf(newest.id), ConversationListModel::TrustWarningRole).toBool());
    IncomingMessage keyChange =
        incoming(QStringLiteral("keychange:ana:2"), 3,
                                QStringLiteral("ana"), QStringLiteral("The encryption key of this contact changed."),
                                                                      at(0, 15, 0), MessageKind::KeyChange);
    AWAIT_OK(m_store->insertMessages(oldest.id, {keyChange}));
    QCOMPARE(model.rowOf(oldest.id), 0);
    QVERIFY(roleAt(model, 0, ConversationListModel::TrustWarningRole).toBool());

    // Removal.
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    const int freshRow = model.rowOf(fresh.id);
    AWAIT_OK(m_store->removeConversation(fresh.id));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), freshRow);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(fresh.id), -1);
    QCOMPARE(reset.count(), 0);
}

void ModelsTest::conversationListInTwoSteps()
{
    // More conversations than the first screenful: the model shows the newest first, then the
    // rest below them by inserting rows (no reset), and a change between the two steps lands once.
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    constexpr int Count = 130;
    QList<qint64> ids; // oldest first
    for (int i = 0; i < Count; ++i) {
        AWAIT(c, addConversation(account.id, QStringLiteral("c%1").arg(i), QStringLiteral("Person %1").arg(i),
                                                                                          at(0, 0, 0) + i * 60'000));
        ids.append(c.id);
    }
    // The store answers in order. Reads queued ahead keep it busy for a moment, so that the
    // model's first read is normally still waiting when the model attaches its continuation: an
    // answer that is ready by then is applied at once, inside the constructor, where no spy sees it.
    for (int i = 0; i < 40; ++i)
        (void)m_store->conversations();
    ConversationListModel model(*m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    // Each insertion as (first, last), counting what the constructor already showed as one.
    QList<std::pair<int, int>> inserted;
    if (model.rowCount() > 0)
        inserted.append({0, model.rowCount() - 1});
    connect(&model, &QAbstractItemModel::rowsInserted, &model, [&inserted](const QModelIndex &, int first, int last) {
        inserted.append({first, last});
    });
    // Queued behind the first read, before the model asks for the rest: the oldest conversation
    // becomes the newest.
    ConversationInput bump;
    bump.accountId = account.id;
    bump.remoteId = QStringLiteral("c0");
    bump.lastActivityMs = at(1, 0, 0);
    (void)m_store->upsertConversation(bump);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), Count, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!model.loading(), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(roleAt(model, 0, ConversationListModel::ConversationIdRole).toLongLong(), ids.first(),
                              Timeout);
    QCOMPARE(reset.count(), 0);
    // First a screenful, then the rest below it and the bumped conversation above it (in either
    // order, depending on whether the store's answer overtook the bump's signal): every row is
    // inserted once, nothing reset.
    QString steps;
    int insertedRows = 0;
    for (const auto &[first, last] : inserted) {
        steps += QStringLiteral(" %1-%2").arg(first).arg(last);
        insertedRows += last - first + 1;
    }
    QCOMPARE(insertedRows, Count);
    QCOMPARE(inserted.at(0).first, 0);
    const int firstRows = inserted.at(0).second - inserted.at(0).first + 1;
    if (firstRows == Count) {
        qInfo("both reads were answered inside the constructor (a busy machine): steps not observable");
    } else {
        QVERIFY2(inserted.count() >= 2, qPrintable(steps));
        QVERIFY2(firstRows > 10 && firstRows < Count / 2, qPrintable(steps));
    }
    QCOMPARE(roleAt(model, 0, ConversationListModel::ConversationIdRole).toLongLong(), ids.first());
    for (int row = 1; row < Count; ++row)
        QCOMPARE(roleAt(model, row, ConversationListModel::ConversationIdRole).toLongLong(), ids.at(Count - row));
}

void ModelsTest::conversationFilter()
{
    AWAIT(work, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me-work")));
    AWAIT(home, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me-home")));
    AWAIT(cafe, addConversation(work.id, QStringLiteral("c1"), QStringLiteral("Café Crème"), at(0, 9, 0)));
    AWAIT(eleonore, addConversation(home.id, QStringLiteral("c2"), QStringLiteral("ÉLÉONORE"), at(0, 10, 0)));
    AWAIT(plans, addConversation(home.id, QStringLiteral("c3"), QStringLiteral("Plans"), at(0, 11, 0)));
    AWAIT_OK(m_store->insertMessages(
        plans.id, {incoming(QStringLiteral("m1"), 1, QStringLiteral("ana"), QStringLiteral("Dinner at the Crêperie?"), at(0, 12, 0))}));

    ConversationListModel source(*m_store);
    QAbstractItemModelTester sourceTester(&source, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ConversationFilterModel filter;
    filter.setSourceModel(&source);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(filter.rowCount(), 3, Timeout);

    auto ids = [&filter] {
        QList<qint64> out;
        for (int r = 0; r < filter.rowCount(); ++r)
            out << roleAt(filter, r, ConversationListModel::ConversationIdRole).toLongLong();
        return out;
    };
    // Case- and accent-insensitive, on the title and the preview.
    filter.setFilterText(QStringLiteral("cafe creme"));
    QCOMPARE(ids(), (QList<qint64>{cafe.id}));
    filter.setFilterText(QStringLiteral("eleonore"));
    QCOMPARE(ids(), (QList<qint64>{eleonore.id}));
    filter.setFilterText(QStringLiteral("CREPERIE"));
    QCOMPARE(ids(), (QList<qint64>{plans.id}));
    filter.setFilterText(QStringLiteral("cr"));
    QCOMPARE(ids(), (QList<qint64>{plans.id, cafe.id})); // in the list's order
    filter.setFilterText(QStringLiteral("nothing like it"));
    QCOMPARE(ids(), QList<qint64>{});

    // By account, and both at once.
    filter.setFilterText(QString());
    filter.setAccountId(home.id);
    QCOMPARE(ids(), (QList<qint64>{plans.id, eleonore.id}));
    filter.setFilterText(QStringLiteral("plans"));
    QCOMPARE(ids(), (QList<qint64>{plans.id}));

    // A change in the source that starts to match shows up; moves keep the order.
    filter.setFilterText(QStringLiteral("picnic"));
    QCOMPARE(ids(), QList<qint64>{});
    AWAIT_OK(m_store->insertMessages(
        eleonore.id,
        {incoming(QStringLiteral("m2"), 2, QStringLiteral("el"), QStringLiteral("Picnic on Sunday"), at(0, 13, 0))}));
    QCOMPARE(ids(), (QList<qint64>{eleonore.id}));
    filter.setAccountId(0);
    filter.setFilterText(QString());
    QCOMPARE(ids(), (QList<qint64>{eleonore.id, plans.id, cafe.id}));
}

// ---- the timeline ----------------------------------------------------------------------------

void ModelsTest::buildTimeline(Conversation &out)
{
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(conversation, addConversation(account.id, QStringLiteral("g1"), QStringLiteral("Friends"), at(0, 8, 0),
                                                                                         ConversationKind::Group));
    AWAIT_OK(m_store->setMembers(
        conversation.id, {member(QStringLiteral("ana"), QStringLiteral("Ana Lima"), QStringLiteral("ana")),
                                                member(QStringLiteral("ben"), QString(), QStringLiteral("benok"), true),
                                                       member(QStringLiteral("me"), QStringLiteral("Me"))}));

    IncomingMessage failure = incoming(
        QStringLiteral("failure:9"), 9,
                       QStringLiteral("ben"), QStringLiteral("This message could not be verified and was not shown."),
                                                             at(0, 8, 0), MessageKind::Failure);
    failure.extra.insert(QStringLiteral("failure"),
                                        QJsonObject{{QStringLiteral("source"), QStringLiteral("verification")},
                                                     {QStringLiteral("kind"), QStringLiteral("crypto")}});
    IncomingMessage hello =
        incoming(QStringLiteral("m10"), 10, QStringLiteral("ana"), QStringLiteral("hello"), at(0, 9, 0));
    hello.extra.insert(QStringLiteral("verified"), true);
    IncomingMessage there =
        incoming(QStringLiteral("m11"), 11, QStringLiteral("ana"), QStringLiteral("are you there?"), at(0, 9, 2));
    IncomingMessage picture = incoming(
        QStringLiteral("m12"), 12, QStringLiteral("ben"), QStringLiteral("yes"), at(0, 9, 3), MessageKind::Media);
    Attachment image;
    image.mediaId = QStringLiteral("media-1");
    image.fileName = QStringLiteral("cat.jpg");
    image.sizeBytes = 1234;
    image.width = 640;
    image.height = 480;
    image.mediaKey = QByteArray(32, 'k');
    image.extra.insert(QStringLiteral("claimedType"), QStringLiteral("image"));
    picture.attachments << image;
    IncomingMessage newDay =
        incoming(QStringLiteral("m13"), 13, QStringLiteral("ana"), QStringLiteral("new day"), at(1, 10, 0));
    IncomingMessage link = incoming(QStringLiteral("m14"), 14,
        QStringLiteral("ana"), QStringLiteral("look https://example.com/path?q=1. and www.confab.im"), at(1, 10, 1));
    // The service's url entity for the second link (X counts code points; the text is ASCII here).
    link.extra.insert(QStringLiteral("entities"),
        QJsonArray{QJsonObject{{QStringLiteral("start"), 39}, {QStringLiteral("end"), 52},
                                                               {QStringLiteral("kind"), QStringLiteral("url")}}});
    IncomingMessage later =
        incoming(QStringLiteral("m15"), 15, QStringLiteral("ana"), QStringLiteral("later"), at(1, 10, 20));
    later.extra.insert(QStringLiteral("reply"),
                                      QJsonObject{{QStringLiteral("messageId"), QStringLiteral("m12")},
                                                   {QStringLiteral("senderId"), QStringLiteral("ben")},
                                                    {QStringLiteral("senderName"), QStringLiteral("Benjamin")},
                                                     {QStringLiteral("text"), QStringLiteral("yes")},
                                                      {QStringLiteral("validation"), QStringLiteral("valid")}});
    IncomingMessage system = incoming(QStringLiteral("group:16"), 16,
        QStringLiteral("ben"), QStringLiteral("changed the group name"), at(1, 10, 21), MessageKind::System);
    IncomingMessage keyChange =
        incoming(QStringLiteral("keychange:ana:2"), 17,
                                QStringLiteral("ana"), QStringLiteral("The encryption key of this contact changed."),
                                                                      at(1, 10, 22), MessageKind::KeyChange);
    AWAIT_OK(m_store->insertMessages(conversation.id,
                                     {failure, hello, there, picture, newDay, link, later, system, keyChange}));
    out = conversation;
}

void ModelsTest::timeline()
{
    Conversation conversation;
    buildTimeline(conversation);
    if (QTest::currentTestFailed())
        return;

    MessageListModel model(*m_store, conversation.id);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(!model.loading(), Timeout);
    // Newest first; a separator above (after) the oldest message of each day.
    QCOMPARE(
        timelineOf(model),
        (QStringList{QStringLiteral("The encryption key of this contact changed."),
            QStringLiteral("changed the group name"),
                QStringLiteral("later"),
                    QStringLiteral("look https://example.com/path?q=1. and www.confab.im"),
                        QStringLiteral("new day"), separator(1),
                            QStringLiteral("yes"), QStringLiteral("are you there?"),
                                                       QStringLiteral("hello"),
                                                           QStringLiteral("This message could not be verified and was not shown."),
                                                               separator(0)}));
    QVERIFY(!model.canFetchMore({})); // everything is loaded and there is no history source
    QVERIFY(!model.atBeginning());    // ... but the service may have more

    using RK = MessageListModel::RowKind;
    auto kind = [&model](int row) { return static_cast<RK>(roleAt(model, row, MessageListModel::KindRole).toInt()); };
    QCOMPARE(kind(0), RK::KeyChange);
    QCOMPARE(kind(1), RK::System);
    QCOMPARE(kind(2), RK::Message);
    QCOMPARE(kind(5), RK::DaySeparator);
    QCOMPARE(kind(9), RK::Failure);
    QCOMPARE(roleAt(model, 5, MessageListModel::TimeRole).toDateTime(), dayOf(1).startOfDay());

    // Groups: one sender within five minutes, broken by other kinds, senders and days.
    auto flags = [&model](int row) {
        return QPair<bool, bool>(roleAt(model, row, MessageListModel::FirstInGroupRole).toBool(),
                                 roleAt(model, row, MessageListModel::LastInGroupRole).toBool());
    };
    QCOMPARE(flags(2), qMakePair(true, true));  // later: 19 minutes after the link
    QCOMPARE(flags(3), qMakePair(false, true)); // link
    QCOMPARE(flags(4), qMakePair(true, false)); // new day
    QCOMPARE(flags(6), qMakePair(true, true));  // yes (Ben)
    QCOMPARE(flags(7), qMakePair(false, true)); // are you there?
    QCOMPARE(flags(8), qMakePair(true, false)); // hello
    QCOMPARE(flags(9), qMakePair(true, true));  // the failure row

    // Senders from the members: name, else @username.
    QCOMPARE(roleAt(model, 8, MessageListModel::SenderNameRole).toString(), QStringLiteral("Ana Lima"));
    QCOMPARE(roleAt(model, 6, MessageListModel::SenderNameRole).toString(), QStringLiteral("@benok"));
    QCOMPARE(roleAt(model, 6, MessageListModel::SenderAvatarRole).toString(),
             QStringLiteral("https://pbs.example/ben.jpg"));
    QCOMPARE(roleAt(model, 8, MessageListModel::SenderIdRole).toString(), QStringLiteral("ana"));
    QCOMPARE(roleAt(model, 8, MessageListModel::RemoteIdRole).toString(), QStringLiteral("m10"));
    QVERIFY(roleAt(model, 8, MessageListModel::MessageIdRole).toLongLong() > 0);
    QCOMPARE(roleAt(model, 8, MessageListModel::OutgoingRole).toBool(), false);
    QCOMPARE(roleAt(model, 8, MessageListModel::TimeRole).toDateTime().toMSecsSinceEpoch(), at(0, 9, 0));
    QVERIFY(!roleAt(model, 8, MessageListModel::TimeTextRole).toString().isEmpty());
    QCOMPARE(roleAt(model, 8, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Delivery::None));

    // Verification.
    QCOMPARE(roleAt(model, 8, MessageListModel::VerificationRole).toInt(),
             int(MessageListModel::Verification::Verified));
    QCOMPARE(roleAt(model, 7, MessageListModel::VerificationRole).toInt(),
             int(MessageListModel::Verification::NotVerified));
    QCOMPARE(roleAt(model, 9, MessageListModel::VerificationRole).toInt(), int(MessageListModel::Verification::Failed));
    QCOMPARE(roleAt(model, 9, MessageListModel::VerificationReasonRole).toString(),
             QStringLiteral("This message could not be verified and was not shown."));

    // Links: the service's entity and the one found in the text, without the full stop.
    const QVariantList links = roleAt(model, 3, MessageListModel::EntitiesRole).toList();
    QCOMPARE(links.size(), 2);
    QCOMPARE(links.at(0).toMap().value(QStringLiteral("start")).toInt(), 5);
    QCOMPARE(links.at(0).toMap().value(QStringLiteral("length")).toInt(), 28);
    QCOMPARE(links.at(0).toMap().value(QStringLiteral("url")).toString(),
                                       QStringLiteral("https://example.com/path?q=1"));
    QCOMPARE(links.at(1).toMap().value(QStringLiteral("start")).toInt(), 39);
    QCOMPARE(links.at(1).toMap().value(QStringLiteral("length")).toInt(), 13);
    QCOMPARE(links.at(1).toMap().value(QStringLiteral("url")).toString(), QStringLiteral("https://www.confab.im"));
    QCOMPARE(roleAt(model, 2, MessageListModel::EntitiesRole).toList().size(), 0);

    // A reply: its sender named from the members, validated.
    QCOMPARE(roleAt(model, 2, MessageListModel::ReplyToIdRole).toString(), QStringLiteral("m12"));
    QCOMPARE(roleAt(model, 2, MessageListModel::ReplyTextRole).toString(), QStringLiteral("yes"));
    QCOMPARE(roleAt(model, 2, MessageListModel::ReplySenderRole).toString(), QStringLiteral("@benok"));
    QCOMPARE(roleAt(model, 2, MessageListModel::ReplyValidRole).toBool(), true);
    QCOMPARE(model.rowOfRemoteId(QStringLiteral("m12")), 6);
    QCOMPARE(roleAt(model, 3, MessageListModel::ReplyToIdRole).toString(), QString());
    QCOMPARE(roleAt(model, 3, MessageListModel::ReplyValidRole).toBool(), false);

    // Attachments (the media key never leaves the store's records).
    const QVariantList attachments = roleAt(model, 6, MessageListModel::AttachmentsRole).toList();
    QCOMPARE(attachments.size(), 1);
    const QVariantMap cat = attachments.at(0).toMap();
    QCOMPARE(cat.value(QStringLiteral("name")).toString(), QStringLiteral("cat.jpg"));
    QCOMPARE(cat.value(QStringLiteral("type")).toString(), QStringLiteral("image"));
    QCOMPARE(cat.value(QStringLiteral("size")).toLongLong(), 1234);
    QCOMPARE(cat.value(QStringLiteral("width")).toInt(), 640);
    QCOMPARE(cat.value(QStringLiteral("height")).toInt(), 480);
    QVERIFY(cat.contains(QStringLiteral("downloadState")));
    for (const QVariant &value : cat)
        QVERIFY(value.toByteArray() != QByteArray(32, 'k'));

    QCOMPARE(roleAt(model, 8, MessageListModel::EditedRole).toBool(), false);
    QCOMPARE(roleAt(model, 8, MessageListModel::ReactionsRole).toList().size(), 0);
    QCOMPARE(roleAt(model, 5, MessageListModel::MessageIdRole).toLongLong(), 0);

    const QHash<int, QByteArray> names = model.roleNames();
    for (const char *name : {"messageId",   "remoteId",  "kind",         "senderId",     "senderName",  "senderAvatar",
                             "outgoing",    "text",      "entities",     "time",         "timeText",    "dateText",
                             "edited",      "reactions", "replyToId",    "replyText",    "replySender", "replyValid",
                             "attachments", "delivery",  "verification", "firstInGroup", "lastInGroup"})
        QVERIFY2(names.values().contains(QByteArray(name)), name);

    // A reply quoting this account's own message names its sender "You".
    IncomingMessage quotingMe =
        incoming(QStringLiteral("m18"), 18, QStringLiteral("ana"), QStringLiteral("agreed"), at(1, 10, 30));
    quotingMe.extra.insert(QStringLiteral("reply"),
                                          QJsonObject{{QStringLiteral("messageId"), QStringLiteral("m1")},
                                                       {QStringLiteral("senderId"), QStringLiteral("me")},
                                                        {QStringLiteral("senderName"), QStringLiteral("Me")},
                                                         {QStringLiteral("text"), QStringLiteral("plan?")},
                                                          {QStringLiteral("validation"), QStringLiteral("valid")}});
    AWAIT_OK(m_store->insertMessages(conversation.id, {quotingMe}));
    QTRY_COMPARE(roleAt(model, 0, MessageListModel::TextRole).toString(), QStringLiteral("agreed"));
    QCOMPARE(roleAt(model, 0, MessageListModel::ReplySenderRole).toString(), QStringLiteral("You"));
}

void ModelsTest::timelineChanges()
{
    Conversation conversation;
    buildTimeline(conversation);
    if (QTest::currentTestFailed())
        return;
    MessageListModel model(*m_store, conversation.id);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(!model.loading(), Timeout);
    QCOMPARE(model.rowCount(), 11);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // A new message: one row at the top.
    AWAIT_OK(m_store->insertMessages(
        conversation.id,
        {incoming(QStringLiteral("m18"), 18, QStringLiteral("ana"), QStringLiteral("newest"), at(1, 10, 23))}));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(roleAt(model, 0, MessageListModel::TextRole).toString(), QStringLiteral("newest"));
    QCOMPARE(roleAt(model, 0, MessageListModel::LastInGroupRole).toBool(), true);

    // Another one from Ana a minute later joins her group: the one before is no longer its end.
    inserted.clear();
    dataChanged.clear();
    AWAIT_OK(m_store->insertMessages(
        conversation.id,
        {incoming(QStringLiteral("m19"), 19, QStringLiteral("ana"), QStringLiteral("newer still"), at(1, 10, 24))}));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(roleAt(model, 0, MessageListModel::FirstInGroupRole).toBool(), false);
    QCOMPARE(roleAt(model, 0, MessageListModel::LastInGroupRole).toBool(), true);
    QCOMPARE(roleAt(model, 1, MessageListModel::FirstInGroupRole).toBool(), true);
    QCOMPARE(roleAt(model, 1, MessageListModel::LastInGroupRole).toBool(), false);
    bool sawFlags = false;
    for (const QList<QVariant> &args : std::as_const(dataChanged)) {
        if (args.at(0).value<QModelIndex>().row() == 1 &&
            args.at(2).value<QList<int>>().contains(MessageListModel::LastInGroupRole))
            sawFlags = true;
    }
    QVERIFY(sawFlags);

    // The person writes: pending, at the top. Then a message from Ana arrives, which sorts below
    // the pending one until the server gives ours its place.
    Message mine;
    {
        OutgoingMessage out;
        out.remoteId = QStringLiteral("own-1");
        out.senderId = QStringLiteral("me");
        out.createdMs = at(1, 10, 25);
        out.text = QStringLiteral("mine");
        out.payload = QByteArray("payload");
        AWAIT(queued, m_store->enqueue(conversation.id, out));
        mine = queued;
    }
    QCOMPARE(roleAt(model, 0, MessageListModel::TextRole).toString(), QStringLiteral("mine"));
    QCOMPARE(roleAt(model, 0, MessageListModel::OutgoingRole).toBool(), true);
    QCOMPARE(roleAt(model, 0, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Delivery::Pending));
    AWAIT_OK(m_store->insertMessages(
        conversation.id,
        {incoming(QStringLiteral("m30"), 30, QStringLiteral("ana"), QStringLiteral("after"), at(1, 10, 26))}));
    QCOMPARE(roleAt(model, 0, MessageListModel::TextRole).toString(), QStringLiteral("mine"));
    QCOMPARE(roleAt(model, 1, MessageListModel::TextRole).toString(), QStringLiteral("after"));

    // Sent: the server put it before Ana's message. One move, no insert or remove.
    inserted.clear();
    removed.clear();
    moved.clear();
    AWAIT_OK(m_store->markSent(mine.id, SendReceipt{25, 0}));
    QCOMPARE(moved.count(), 1);
    QCOMPARE(moved.at(0).at(1).toInt(), 0);
    QCOMPARE(moved.at(0).at(2).toInt(), 0);
    QCOMPARE(moved.at(0).at(4).toInt(), 2); // Qt's destination: before the old row 2, i.e. now row 1
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(roleAt(model, 0, MessageListModel::TextRole).toString(), QStringLiteral("after"));
    QCOMPARE(roleAt(model, 1, MessageListModel::TextRole).toString(), QStringLiteral("mine"));
    QCOMPARE(roleAt(model, 1, MessageListModel::MessageIdRole).toLongLong(), mine.id);
    QCOMPARE(roleAt(model, 1, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Delivery::Sent));

    // Ana reads up to it: Read (the members are read again on membersChanged).
    AWAIT_OK(m_store->setMemberReadMarker(conversation.id, QStringLiteral("ana"), 25));
    QTRY_COMPARE_WITH_TIMEOUT(roleAt(model, 1, MessageListModel::DeliveryRole).toInt(),
                              int(MessageListModel::Delivery::Read), Timeout);

    // An edit and reactions: dataChanged on their rows only.
    const int laterRow = model.rowOfRemoteId(QStringLiteral("m15"));
    dataChanged.clear();
    AWAIT_OK(m_store->modifyMessage(conversation.id, QStringLiteral("m15"), [](Message &m) {
                                        m.text = QStringLiteral("later, edited");
                                        m.editedMs = at(1, 11, 0);
                                        return true;
                                    }));
    QVERIFY(dataChanged.count() >= 1);
    QCOMPARE(dataChanged.at(0).at(0).value<QModelIndex>().row(), laterRow);
    QCOMPARE(roleAt(model, laterRow, MessageListModel::TextRole).toString(), QStringLiteral("later, edited"));
    QCOMPARE(roleAt(model, laterRow, MessageListModel::EditedRole).toBool(), true);

    const int linkRow = model.rowOfRemoteId(QStringLiteral("m14"));
    dataChanged.clear();
    AWAIT_OK(m_store->modifyMessage(
        conversation.id, QStringLiteral("m14"), [](Message &m) {
            m.extra.insert(QStringLiteral("reactions"),
                QJsonObject{{QStringLiteral("🎉"), QJsonArray{QStringLiteral("ben")}},
                             {QStringLiteral("👍"), QJsonArray{QStringLiteral("ana"), QStringLiteral("me")}}});
            return true;
        }));
    QVERIFY(dataChanged.count() >= 1);
    QCOMPARE(dataChanged.at(0).at(0).value<QModelIndex>().row(), linkRow);
    const QVariantList reactions = roleAt(model, linkRow, MessageListModel::ReactionsRole).toList();
    QCOMPARE(reactions.size(), 2);
    QCOMPARE(reactions.at(0).toMap().value(QStringLiteral("emoji")).toString(), QStringLiteral("👍"));
    QCOMPARE(reactions.at(0).toMap().value(QStringLiteral("count")).toInt(), 2);
    QCOMPARE(reactions.at(0).toMap().value(QStringLiteral("mine")).toBool(), true);
    QCOMPARE(reactions.at(1).toMap().value(QStringLiteral("emoji")).toString(), QStringLiteral("🎉"));
    QCOMPARE(reactions.at(1).toMap().value(QStringLiteral("mine")).toBool(), false);

    // Members renamed: the names follow.
    AWAIT_OK(m_store->setMembers(
        conversation.id,
        {member(QStringLiteral("ana"), QStringLiteral("Ana L."), QStringLiteral("ana")),
                               member(QStringLiteral("ben"), QStringLiteral("Ben"), QStringLiteral("benok"), true),
                                                     member(QStringLiteral("me"), QStringLiteral("Me"))}));
    QTRY_COMPARE_WITH_TIMEOUT(roleAt(model, 0, MessageListModel::SenderNameRole).toString(), QStringLiteral("Ana L."),
                                                                                                            Timeout);
    const int yesRow = model.rowOfRemoteId(QStringLiteral("m12"));
    QCOMPARE(roleAt(model, yesRow, MessageListModel::SenderNameRole).toString(), QStringLiteral("Ben"));

    // Removals: a message goes; then a whole day, and its separator with it.
    removed.clear();
    AWAIT_OK(m_store->removeMessages(conversation.id, {QStringLiteral("m12")}));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), yesRow);
    QCOMPARE(model.rowOfRemoteId(QStringLiteral("m12")), -1);
    // "are you there?" now ends Ana's group of the first day.
    const int thereRow = model.rowOfRemoteId(QStringLiteral("m11"));
    QCOMPARE(roleAt(model, thereRow, MessageListModel::LastInGroupRole).toBool(), true);
    AWAIT_OK(m_store->removeMessages(conversation.id,
                                     {QStringLiteral("m10"), QStringLiteral("m11"), QStringLiteral("failure:9")}));
    QStringList rows = timelineOf(model);
    QCOMPARE(rows.last(), separator(1));
    QCOMPARE(rows.count(separator(0)), 0);
    QCOMPARE(rows.size(), 10);
    QCOMPARE(reset.count(), 0);
}

// ---- paging ----------------------------------------------------------------------------------

void ModelsTest::paging()
{
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(conversation, addConversation(account.id, QStringLiteral("long"), QStringLiteral("Long"), at(0, 8, 0)));
    // Sixty messages in the store (sequences 101..160, one a minute), more on the service.
    QList<IncomingMessage> stored;
    for (int i = 0; i < 60; ++i) {
        const QString sender = i % 2 ? QStringLiteral("ana") : QStringLiteral("ben");
        stored << incoming(QStringLiteral("s%1").arg(101 + i), 101 + i, sender,
                                          QStringLiteral("message %1").arg(101 + i), at(0, 9, 0) + i * 60000);
    }
    AWAIT_OK(m_store->insertMessages(conversation.id, stored));

    MessageListModel::Options options;
    options.pageSize = 20;
    MessageListModel model(*m_store, conversation.id, options);
    // The history source: the app's hook around the engine's loadOlder(). Here the test plays the
    // service: it answers when the test says so, through the store, as the engine does.
    int historyCalls = 0;
    std::shared_ptr<QPromise<Result<int>>> pendingHistory;
    model.setHistorySource([&historyCalls, &pendingHistory] {
        ++historyCalls;
        pendingHistory = std::make_shared<QPromise<Result<int>>>();
        pendingHistory->start();
        return pendingHistory->future();
    });
    // Each insert, with how many messages it brought (the first page may have been read already:
    // a store answer that is ready when the model asks is applied at once).
    QList<int> messagesPerInsert;
    if (model.rowCount() > 0)
        messagesPerInsert << messageRows(model);
    connect(&model, &QAbstractItemModel::rowsInserted, this,
            [&model, &messagesPerInsert](const QModelIndex &, int first, int last) {
                int n = 0;
                for (int r = first; r <= last; ++r)
                    n += roleAt(model, r, MessageListModel::KindRole).toInt() !=
                         static_cast<int>(MessageListModel::RowKind::DaySeparator);
                if (n > 0)
                    messagesPerInsert << n;
            });
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // The first page: the newest twenty, in one insert. (The model tester calls fetchMore() on
    // every change, like a view taller than what it has, so older pages may follow at once.)
    QTRY_VERIFY_WITH_TIMEOUT(!model.loading(), Timeout);
    QCOMPARE(messagesPerInsert.value(0), 20);
    QCOMPARE(roleAt(model, 0, MessageListModel::RemoteIdRole).toString(), QStringLiteral("s160"));

    // Scrolling up: the view asks whenever it can (the model tester asks too, on every change).
    QVERIFY(scrollUntil(model, [&] { return historyCalls > 0; }));
    QCOMPARE(messageRows(model), 60);
    QCOMPARE(messagesPerInsert, (QList<int>{20, 20, 20})); // three pages, one insert each
    QCOMPARE(historyCalls, 1);

    // One fetch in flight: while the service has not answered, nothing more is asked.
    QVERIFY(model.fetching());
    QVERIFY(!model.canFetchMore({}));
    model.fetchMore({});
    model.fetchMore({});
    QTest::qWait(50);
    QCOMPARE(historyCalls, 1);

    // The service's answer reaches the store (ten older messages, and the history is complete),
    // then the source's future finishes.
    QList<IncomingMessage> older;
    for (int i = 0; i < 10; ++i)
        older << incoming(QStringLiteral("s%1").arg(91 + i), 91 + i,
                                         QStringLiteral("ana"), QStringLiteral("message %1").arg(91 + i),
                                                                               at(0, 8, 0) + i * 60000);
    AWAIT_OK(m_store->insertMessages(conversation.id, older));
    ConversationInput complete;
    complete.accountId = account.id;
    complete.remoteId = QStringLiteral("long");
    complete.historyComplete = true;
    AWAIT_OK(m_store->upsertConversation(complete));
    pendingHistory->addResult(Result<int>(10));
    pendingHistory->finish();

    QTRY_VERIFY_WITH_TIMEOUT(!model.fetching(), Timeout);
    QCOMPARE(messageRows(model), 70);
    QVERIFY(model.atBeginning());
    QVERIFY(!model.canFetchMore({}));
    QCOMPARE(historyCalls, 1);
    // Every message once, newest first, one separator at the end (one day).
    qint64 previous = std::numeric_limits<qint64>::max();
    int separators = 0;
    for (int r = 0; r < model.rowCount(); ++r) {
        if (roleAt(model, r, MessageListModel::KindRole).toInt() ==
            static_cast<int>(MessageListModel::RowKind::DaySeparator)) {
            ++separators;
            QCOMPARE(r, model.rowCount() - 1);
            continue;
        }
        const qint64 sequence = roleAt(model, r, MessageListModel::RemoteIdRole).toString().mid(1).toLongLong();
        QVERIFY(sequence < previous);
        previous = sequence;
    }
    QCOMPARE(separators, 1);
    QCOMPARE(previous, 91);
    QCOMPARE(reset.count(), 0);
}

void ModelsTest::modelsGoneBeforeTheStoreAnswers()
{
    // Opening another conversation replaces the timeline and member models while their store reads
    // are on the way (and a history request too): the answers then find nobody, quietly. (Qt 6.4's
    // then(context) would assert in a debug build; the sanitizer build runs this.)
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(conversation, addConversation(account.id, QStringLiteral("c"), QStringLiteral("C"), at(0, 8, 0)));
    AWAIT_OK(m_store->insertMessages(
        conversation.id,
        {incoming(QStringLiteral("s1"), 1, QStringLiteral("ana"), QStringLiteral("only"), at(0, 9, 0))}));
    for (int i = 0; i < 20; ++i) {
        auto timeline = std::make_unique<MessageListModel>(*m_store, conversation.id);
        auto members = std::make_unique<MemberListModel>(*m_store, conversation.id);
        timeline.reset();
        members.reset();
    }
    // A history request still under way when its timeline goes, answered and cancelled.
    for (const bool answer : {true, false}) {
        auto pending = std::make_shared<QPromise<Result<int>>>();
        {
            MessageListModel timeline(*m_store, conversation.id);
            int asked = 0;
            timeline.setHistorySource([pending, &asked] {
                if (asked++ == 0)
                    pending->start();
                return pending->future();
            });
            QVERIFY(scrollUntil(timeline, [&asked] { return asked > 0; }));
            QVERIFY(timeline.fetching());
        }
        if (answer)
            pending->addResult(Result<int>(0));
        else
            pending->future().cancel();
        pending->finish();
    }
    // Everything queued has been answered: the store still works.
    AWAIT(after, m_store->conversation(conversation.id));
    QCOMPARE(after.id, conversation.id);
}

void ModelsTest::historySourceFails()
{
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(conversation, addConversation(account.id, QStringLiteral("c"), QStringLiteral("C"), at(0, 8, 0)));
    AWAIT_OK(m_store->insertMessages(
        conversation.id,
        {incoming(QStringLiteral("s1"), 1, QStringLiteral("ana"), QStringLiteral("only"), at(0, 9, 0))}));

    MessageListModel model(*m_store, conversation.id);
    int historyCalls = 0;
    model.setHistorySource([&historyCalls] {
        ++historyCalls;
        QPromise<Result<int>> failed;
        failed.start();
        failed.addResult(Result<int>(Error(ErrorKind::Network, QStringLiteral("X cannot be reached."))));
        failed.finish();
        return failed.future();
    });
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Scrolling to the top: the store has one message, then the source is asked, and fails.
    QVERIFY(scrollUntil(model, [&model] { return !model.loadError().isEmpty(); }));
    QCOMPARE(model.loadError(), QStringLiteral("X cannot be reached."));
    QCOMPARE(historyCalls, 1);
    QVERIFY(!model.fetching());
    // Not asked again and again: a view at the top would call fetchMore() in a loop.
    QVERIFY(!model.canFetchMore({}));
    model.fetchMore({});
    QTest::qWait(50);
    QCOMPARE(historyCalls, 1);
    QCOMPARE(messageRows(model), 1);

    // reload() tries again.
    model.reload();
    QVERIFY(scrollUntil(model, [&historyCalls] { return historyCalls == 2; }));
    QCOMPARE(messageRows(model), 1);
    QTRY_COMPARE_WITH_TIMEOUT(model.loadError(), QStringLiteral("X cannot be reached."), Timeout);
    QVERIFY(!model.canFetchMore({}));
}

void ModelsTest::pruned()
{
    // A store that keeps thirty messages per conversation.
    m_store = std::make_unique<Store>();
    VERIFY_OK(openStore(*m_store, QStringLiteral("pruned.db"), 30));
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(conversation, addConversation(account.id, QStringLiteral("c"), QStringLiteral("C"), at(0, 8, 0)));
    QList<IncomingMessage> stored;
    for (int i = 0; i < 50; ++i)
        stored << incoming(QStringLiteral("s%1").arg(i + 1), i + 1,
                                          QStringLiteral("ana"), QStringLiteral("message %1").arg(i + 1),
                                                                                at(0, 9, 0) + i * 60000);
    ConversationInput complete;
    complete.accountId = account.id;
    complete.remoteId = QStringLiteral("c");
    complete.historyComplete = true;
    AWAIT_OK(m_store->upsertConversation(complete));
    AWAIT_OK(m_store->insertMessages(conversation.id, stored));

    MessageListModel model(*m_store, conversation.id);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // A full first page: one more read finds nothing older, and the history is complete.
    QTRY_VERIFY_WITH_TIMEOUT(model.atBeginning(), Timeout);
    QCOMPARE(messageRows(model), 50);
    QVERIFY(!model.canFetchMore({}));

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    AWAIT(report, m_store->housekeep());
    QCOMPARE(report.prunedMessages, 20);
    QCOMPARE(messageRows(model), 30);
    QVERIFY(removed.count() >= 20);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(roleAt(model, 0, MessageListModel::RemoteIdRole).toString(), QStringLiteral("s50"));
    QCOMPARE(roleAt(model, model.rowCount() - 2, MessageListModel::RemoteIdRole).toString(), QStringLiteral("s21"));
    QCOMPARE(roleAt(model, model.rowCount() - 1, MessageListModel::KindRole).toInt(),
             int(MessageListModel::RowKind::DaySeparator));
    // The service has the rest again: no longer at the beginning.
    QTRY_VERIFY_WITH_TIMEOUT(!model.atBeginning(), Timeout);
}

// ---- members ---------------------------------------------------------------------------------

void ModelsTest::members()
{
    AWAIT(account, m_store->upsertAccount(AccountKind::XChat, QStringLiteral("me")));
    AWAIT(conversation,
          addConversation(account.id, QStringLiteral("g"), QStringLiteral("G"), at(0, 8, 0), ConversationKind::Group));
    AWAIT_OK(m_store->setMembers(
        conversation.id, {member(QStringLiteral("u2"), QStringLiteral("ben")),
                                 member(QStringLiteral("u1"), QStringLiteral("Ana"), QStringLiteral("ana"), true),
                                                       member(QStringLiteral("u3"), QString(), QStringLiteral("cy"))}));

    MemberListModel model(*m_store, conversation.id);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, Timeout);
    auto names = [&model] {
        QStringList out;
        for (int r = 0; r < model.rowCount(); ++r)
            out << roleAt(model, r, MemberListModel::NameRole).toString();
        return out;
    };
    QCOMPARE(names(), (QStringList{QStringLiteral("@cy"), QStringLiteral("Ana"), QStringLiteral("ben")}));
    QCOMPARE(roleAt(model, 1, MemberListModel::UserIdRole).toString(), QStringLiteral("u1"));
    QCOMPARE(roleAt(model, 1, MemberListModel::UsernameRole).toString(), QStringLiteral("ana"));
    QCOMPARE(roleAt(model, 1, MemberListModel::IsAdminRole).toBool(), true);
    QCOMPARE(roleAt(model, 2, MemberListModel::IsAdminRole).toBool(), false);
    QCOMPARE(roleAt(model, 1, MemberListModel::AvatarRole).toString(), QStringLiteral("https://pbs.example/u1.jpg"));
    QCOMPARE(roleAt(model, 1, MemberListModel::InitialsRole).toString(), QStringLiteral("A"));
    QVERIFY(!roleAt(model, 1, MemberListModel::KeyFingerprintRole).isValid()); // not in the store

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    // Cy leaves, Dan joins, Ana is renamed Zoe.
    AWAIT_OK(m_store->setMembers(
        conversation.id, {member(QStringLiteral("u2"), QStringLiteral("ben")),
                                 member(QStringLiteral("u1"), QStringLiteral("Zoe"), QStringLiteral("ana"), true),
                                                       member(QStringLiteral("u4"), QStringLiteral("Dan"))}));
    QTRY_COMPARE_WITH_TIMEOUT(
        names(), (QStringList{QStringLiteral("ben"), QStringLiteral("Dan"), QStringLiteral("Zoe")}), Timeout);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QVERIFY(moved.count() >= 1);
    QVERIFY(dataChanged.count() >= 1);
    QCOMPARE(reset.count(), 0);

    // A read marker is a dataChanged.
    dataChanged.clear();
    AWAIT_OK(m_store->setMemberReadMarker(conversation.id, QStringLiteral("u4"), 42));
    QTRY_COMPARE_WITH_TIMEOUT(roleAt(model, 1, MemberListModel::ReadMarkerRole).toLongLong(), 42, Timeout);
    QCOMPARE(dataChanged.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(reset.count(), 0);
}

// ---- accounts --------------------------------------------------------------------------------

void ModelsTest::accounts()
{
    using accounts::Account;
    using accounts::AccountManager;
    using accounts::AccountRecord;
    localserver::ServerOptions serverOptions = localserver::test::devOptions();
    serverOptions.autoApprove = true;
    localserver::test::Harness harness(serverOptions);
    VERIFY_OK(harness.start());
    const QUrl server = harness.server().baseUrl();
    auto user = harness.addUser(QStringLiteral("mira"), localserver::test::allScopes(), false);
    VERIFY_OK(user);

    // The profile's list already names two accounts: one signed out, one whose sign-in is gone
    // (this session's secret store is empty).
    const QString settings = m_dir->filePath(QStringLiteral("settings.ini"));
    AccountRecord gone;
    gone.kind = AccountKind::XChat;
    gone.server = server;
    gone.clientId = QStringLiteral("confab-desktop");
    gone.userId = QStringLiteral("9001");
    gone.username = QStringLiteral("old");
    gone.displayName = QStringLiteral("Old Account");
    gone.signedOut = true;
    gone.key = AccountRecord::makeKey(gone.kind, gone.userId, server);
    AccountRecord lost = gone;
    lost.userId = QStringLiteral("9002");
    lost.username = QStringLiteral("lost");
    lost.displayName = QStringLiteral("Lost Sign-in");
    lost.signedOut = false;
    lost.key = AccountRecord::makeKey(lost.kind, lost.userId, server);
    {
        accounts::AccountRegistry registry(settings);
        registry.upsert(gone);
        registry.upsert(lost);
    }

    secrets::MemorySecretStore secrets;
    store::OutboxDispatcher dispatcher(*m_store);
    AccountManager::Options options;
    options.settingsFile = settings;
    options.xchat.baseUrl = server;
    options.xchat.activePollMs = 200;
    options.xchat.idlePollMs = 500;
    options.xchat.maxPollMs = 1000;
    options.openUrl = browserOpener();
    AccountManager manager(secrets, *m_store, dispatcher, options);

    AccountsModel model(manager);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    QVERIFY(waitTask(manager.restore(), Timeout));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(roleAt(model, 0, AccountsModel::KeyRole).toString(), gone.key);
    QCOMPARE(roleAt(model, 0, AccountsModel::KindRole).toString(), QStringLiteral("xchat"));
    QCOMPARE(roleAt(model, 0, AccountsModel::DisplayNameRole).toString(), QStringLiteral("Old Account"));
    QCOMPARE(roleAt(model, 0, AccountsModel::UsernameRole).toString(), QStringLiteral("old"));
    QCOMPARE(roleAt(model, 0, AccountsModel::ServerRole).toString(), server.toDisplayString());
    QCOMPARE(roleAt(model, 0, AccountsModel::StateRole).toInt(), int(Account::State::SignedOut));
    QCOMPARE(roleAt(model, 0, AccountsModel::StateTextRole).toString(), QStringLiteral("Signed out"));
    QCOMPARE(roleAt(model, 0, AccountsModel::SignedOutRole).toBool(), true);
    QCOMPARE(roleAt(model, 0, AccountsModel::SignOutLosesKeysRole).toBool(), false);
    QCOMPARE(roleAt(model, 1, AccountsModel::KeyRole).toString(), lost.key);
    QCOMPARE(roleAt(model, 1, AccountsModel::StateRole).toInt(), int(Account::State::SignInRequired));
    QCOMPARE(roleAt(model, 1, AccountsModel::StateTextRole).toString(), QStringLiteral("Sign-in required"));
    QVERIFY2(roleAt(model, 1, AccountsModel::ProblemRole).toString().contains(QLatin1String("Sign in again")),
             qPrintable(roleAt(model, 1, AccountsModel::ProblemRole).toString()));
    QCOMPARE(roleAt(model, 1, AccountsModel::SignedOutRole).toBool(), false);

    // A real sign-in: a third row, which goes Online.
    inserted.clear();
    AccountManager::XChatSignIn request;
    request.server = server;
    request.clientId = QStringLiteral("confab-desktop");
    request.signIn.loginHint = user.value()->username;
    auto signedIn = waitTask(manager.signInXChat(request), 60000);
    VERIFY_OK(signedIn);
    Account *mira = signedIn.value();
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 2);
    QCOMPARE(model.rowOf(mira->key()), 2);
    QTRY_COMPARE_WITH_TIMEOUT(roleAt(model, 2, AccountsModel::StateRole).toInt(), int(Account::State::Online), 20000);
    QCOMPARE(roleAt(model, 2, AccountsModel::StateTextRole).toString(), QStringLiteral("Online"));
    QCOMPARE(roleAt(model, 2, AccountsModel::UsernameRole).toString(), user.value()->username);
    QCOMPARE(roleAt(model, 2, AccountsModel::DisplayNameRole).toString(), mira->record().displayName);
    QCOMPARE(roleAt(model, 2, AccountsModel::KeysBackedUpRole).toBool(), false);
    QCOMPARE(roleAt(model, 2, AccountsModel::SignOutLosesKeysRole).toBool(), true);
    QCOMPARE(roleAt(model, 2, AccountsModel::ProblemRole).toString(), QString());

    // The person saved a key backup: the row says so, and signing out no longer loses the keys.
    dataChanged.clear();
    mira->noteKeysBackedUp();
    QVERIFY(dataChanged.count() >= 1);
    QCOMPARE(dataChanged.at(0).at(0).value<QModelIndex>().row(), 2);
    QCOMPARE(roleAt(model, 2, AccountsModel::KeysBackedUpRole).toBool(), true);
    QCOMPARE(roleAt(model, 2, AccountsModel::SignOutLosesKeysRole).toBool(), false);

    // Removing the lost account takes its row.
    removed.clear();
    VERIFY_OK(waitTask(manager.remove(lost.key), Timeout));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(lost.key), -1);

    // Signing out keeps the account in the list, signed out.
    const QString miraKey = mira->key();
    VERIFY_OK(waitTask(manager.signOut(miraKey), Timeout));
    QCOMPARE(model.rowCount(), 2);
    const int row = model.rowOf(miraKey);
    QVERIFY(row >= 0);
    QCOMPARE(roleAt(model, row, AccountsModel::SignedOutRole).toBool(), true);
    QCOMPARE(roleAt(model, row, AccountsModel::StateTextRole).toString(), QStringLiteral("Signed out"));
    QCOMPARE(reset.count(), 0);
}

// ---- texts -----------------------------------------------------------------------------------

void ModelsTest::modelText()
{
    using modeltext::findLinks;
    using modeltext::foldForSearch;
    QCOMPARE(foldForSearch(QStringLiteral("Éléonore ÇA")), QStringLiteral("eleonore ca"));
    QCOMPARE(foldForSearch(QStringLiteral("ﬁne")), QStringLiteral("fine"));

    QCOMPARE(findLinks(QStringLiteral("see (https://en.wikipedia.org/wiki/Foo_(bar)), ok")),
                       (QList<TextLink>{{5, 39, QStringLiteral("https://en.wikipedia.org/wiki/Foo_(bar)")}}));
    QCOMPARE(findLinks(QStringLiteral("HTTP://A.B/c?d=1! and http:// alone")),
                       (QList<TextLink>{{0, 16, QStringLiteral("HTTP://A.B/c?d=1")}}));
    QCOMPARE(findLinks(QStringLiteral("no links, ftp://x.y or javascript:alert(1)")), QList<TextLink>{});

    // What the timeline shows: the sender's markup as text, only detected links as anchors.
    using modeltext::linkedHtml;
    const QString hostile = QStringLiteral("<b>hi</b> <img src=x onerror=1> & https://a.example/?q=<x>\"");
    const QString html = linkedHtml(hostile, findLinks(hostile));
    QVERIFY2(!html.contains(QLatin1String("<b>")) && !html.contains(QLatin1String("<img")), qPrintable(html));
    QVERIFY(html.startsWith(QLatin1String("&lt;b&gt;hi&lt;/b&gt; &lt;img src=x onerror=1&gt; &amp; <a href=\"")));
    QCOMPARE(html.count(QLatin1String("<a ")), 1);
    QVERIFY(!html.contains(QLatin1String("\"\"")));
    QCOMPARE(linkedHtml(QStringLiteral("two\nlines"), {}), QStringLiteral("two<br>lines"));

    // Times without seconds, whatever the locale's short format says.
    const QLocale before;
    QLocale::setDefault(QLocale::c());
    QCOMPARE(modeltext::clockText(QTime(18, 42, 7)), QStringLiteral("18:42"));
    QLocale::setDefault(QLocale(QLocale::German));
    QCOMPARE(modeltext::clockText(QTime(9, 5, 59)), QStringLiteral("09:05"));
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QVERIFY(modeltext::clockText(QTime(18, 42, 7)).startsWith(QLatin1String("6:42")));
    QLocale::setDefault(before);
    // A link with another scheme, or out of range, stays text.
    QCOMPARE(linkedHtml(QStringLiteral("javascript:alert(1)"), {{0, 19, QStringLiteral("javascript:alert(1)")}}),
                        QStringLiteral("javascript:alert(1)"));
    QCOMPARE(linkedHtml(QStringLiteral("short"), {{2, 40, QStringLiteral("https://x.y")}}), QStringLiteral("short"));
    // Entities count code points: after an emoji (two UTF-16 units) the offsets shift.
    const QString text = QStringLiteral("😀 go example.org now");
    const QJsonArray entities{QJsonObject{
        {QStringLiteral("start"), 5}, {QStringLiteral("end"), 16}, {QStringLiteral("kind"), QStringLiteral("url")}}};
    QCOMPARE(modeltext::linksOf(text, entities), (QList<TextLink>{{6, 11, QStringLiteral("https://example.org")}}));
    // Entities that do not fit the text are ignored.
    const QJsonArray wrong{QJsonObject{{QStringLiteral("start"), 50},
                                        {QStringLiteral("end"), 60}, {QStringLiteral("kind"), QStringLiteral("url")}}};
    QCOMPARE(modeltext::linksOf(text, wrong), QList<TextLink>{});

    QCOMPARE(modeltext::initialsOf(QStringLiteral("Ana Maria Lima")), QStringLiteral("AL"));
    QCOMPARE(modeltext::initialsOf(QStringLiteral("#rust")), QStringLiteral("R"));
    QCOMPARE(modeltext::initialsOf(QStringLiteral("  ")), QString());
    QCOMPARE(modeltext::typingText({QStringLiteral("Ana"), QStringLiteral("Ben"), QStringLiteral("Cy")}),
                                   QStringLiteral("Ana and 2 others are typing…"));

    const QDateTime now(QDate(2024, 3, 14), QTime(18, 0)); // a Thursday
    QCOMPARE(modeltext::activityText(QDateTime(QDate(2024, 3, 13), QTime(9, 0)), now), QStringLiteral("Yesterday"));
    QCOMPARE(modeltext::activityText(QDateTime(QDate(2024, 3, 11), QTime(9, 0)), now),
             QLocale().dayName(1, QLocale::ShortFormat));
    QCOMPARE(modeltext::activityText(QDateTime(QDate(2024, 3, 14), QTime(9, 5)), now),
             modeltext::clockText(QTime(9, 5)));
    QCOMPARE(modeltext::dayText(QDate(2024, 3, 14), QDate(2024, 3, 14)), QStringLiteral("Today"));
    QCOMPARE(modeltext::dayText(QDate(2024, 3, 13), QDate(2024, 3, 14)), QStringLiteral("Yesterday"));
}

QTEST_MAIN(ModelsTest)
#include "tst_models.moc"
