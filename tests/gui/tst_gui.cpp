// The whole app as a person uses it, in-process under the offscreen platform: the same
// composition main() builds (session, Chat controller, Main.qml), signed in as the demo's "sam" on
// a confab-localserver with its live demo peers. It opens a conversation by clicking it, types a
// message and presses Enter, waits for the peer's answer in the timeline, switches to the dark
// theme through Settings, and saves screenshots of each step into the build tree
// (tests/gui/screenshots/*.png) for people to look at.

#include "app/composition.h"
#include "app/mediacontroller.h"
#include "localserverprocess.h"
#include "store/store.h"

#include <QDir>
#include <QDropEvent>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QQmlExtensionPlugin>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(Confab_AppPlugin)
Q_IMPORT_QML_PLUGIN(ConfabPlugin)

using namespace confab;

namespace {

constexpr int Timeout = 60'000;

QString screenshotDir()
{
    const QString dir = QStringLiteral(CONFAB_BUILD_DIR "/tests/gui/screenshots");
    QDir().mkpath(dir);
    return dir;
}

} // namespace

class GuiTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void conversationListAfterSignIn();
    void openAConversationAndChat();
    void picturesInTheTimeline();
    void sendingAPicture();
    void darkThemeThroughSettings();
    void twoAccountsOneList();

private:
    /// An item by objectName, through the visual tree (view delegates and popups included).
    QQuickItem *item(const char *objectName) const
    {
        return find(m_app->window()->contentItem(), QLatin1String(objectName));
    }
    static QQuickItem *find(QQuickItem *root, QLatin1String name)
    {
        if (!root)
            return nullptr;
        if (root->objectName() == name)
            return root;
        const QList<QQuickItem *> children = root->childItems();
        for (QQuickItem *child : children) {
            if (QQuickItem *found = find(child, name))
                return found;
        }
        return nullptr;
    }
    /// The first visible item with this objectName (delegates repeat names).
    QQuickItem *visibleItem(const char *objectName) const
    {
        return findVisible(m_app->window()->contentItem(), QLatin1String(objectName));
    }
    static QQuickItem *findVisible(QQuickItem *root, QLatin1String name)
    {
        if (!root || !root->isVisible())
            return nullptr;
        if (root->objectName() == name)
            return root;
        const QList<QQuickItem *> children = root->childItems();
        for (QQuickItem *child : children) {
            if (QQuickItem *found = findVisible(child, name))
                return found;
        }
        return nullptr;
    }
    /// The delegate of `row` in a ListView.
    static QQuickItem *rowItem(QQuickItem *list, int row)
    {
        QQuickItem *result = nullptr;
        QMetaObject::invokeMethod(list, "itemAtIndex", Q_RETURN_ARG(QQuickItem *, result), Q_ARG(int, row));
        return result;
    }
    /// The conversation list's row with this title (null when it is not there or not created).
    QQuickItem *rowTitled(const QString &title) const
    {
        QQuickItem *list = item("conversationList");
        for (int row = 0; list && row < list->property("count").toInt(); ++row) {
            QQuickItem *delegate = rowItem(list, row);
            if (delegate && delegate->property("title").toString() == title)
                return delegate;
        }
        return nullptr;
    }
    void click(QQuickItem *target)
    {
        const QPointF centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
        QTest::mouseClick(m_app->window(), Qt::LeftButton, {}, centre.toPoint());
    }
    /// Types `text` into the focused item, one key at a time.
    void type(const QString &text)
    {
        for (const QChar ch : text) {
            const Qt::Key key = ch == QLatin1Char(' ') ? Qt::Key_Space : Qt::Key_unknown;
            QTest::sendKeyEvent(QTest::Click, m_app->window(), key, QString(ch), Qt::NoModifier);
        }
    }
    bool save(const QString &name)
    {
        QImage image = m_app->window()->grabWindow();
        return !image.isNull() && image.save(screenshotDir() + QLatin1Char('/') + name);
    }

    QTemporaryDir m_home;
    confab::test::LocalServerProcess m_server;
    QUrl m_serverUrl;
    std::unique_ptr<Composition> m_app;
};

void GuiTest::initTestCase()
{
    qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_CACHE_HOME", m_home.filePath(QStringLiteral("cache")).toUtf8());
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);

    // --dev: the upload test slows the server down (/_local/faults).
    const QUrl server =
        m_server.start({QStringLiteral("--demo"), QStringLiteral("--auto-approve"), QStringLiteral("--dev")});
    m_serverUrl = server;
    QVERIFY2(!server.isEmpty(), m_server.log().constData());

    auto profile = Profile::resolve(QStringLiteral("gui"));
    QVERIFY(profile.ok());
    QVERIFY(profile.value().ensureDirectories().ok());
    LaunchOptions options;
    options.profile = QStringLiteral("gui");
    options.server = server;
    options.signInAs = QStringLiteral("sam");
    options.ephemeral = true;
    m_app = std::make_unique<Composition>(profile.value(), options);
    QVERIFY(m_app->load());
    QVERIFY(QTest::qWaitForWindowExposed(m_app->window()));
}

void GuiTest::cleanupTestCase()
{
    m_app.reset();
}

void GuiTest::conversationListAfterSignIn()
{
    // Signed in through the OAuth flow; the demo history arrives: a group and four 1:1s.
    QTRY_VERIFY_WITH_TIMEOUT(m_app->session().isSettled() && m_app->session().accountCount() == 1, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(m_server.log().contains("demo: seeded"), Timeout);
    QQuickItem *list = item("conversationList");
    QVERIFY(list);
    QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), 5, Timeout);
    // Every row has a title and a last message. (Rows are looked up afresh each time: delegates
    // are reused as rows move.)
    auto complete = [&] {
        for (int row = 0; row < 5; ++row) {
            QQuickItem *delegate = rowItem(list, row);
            if (!delegate || delegate->property("title").toString().isEmpty() ||
                delegate->property("lastMessagePreview").toString().isEmpty())
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(complete(), Timeout);
    QVERIFY(save(QStringLiteral("main-light.png")));
}

void GuiTest::openAConversationAndChat()
{
    QQuickItem *list = item("conversationList");
    auto mayaRow = [&]() -> QQuickItem * {
        for (int row = 0; row < list->property("count").toInt(); ++row) {
            QQuickItem *delegate = rowItem(list, row);
            if (delegate && delegate->property("title").toString() == QLatin1String("Maya Chen"))
                return delegate;
        }
        return nullptr;
    };
    QVERIFY(mayaRow());
    const qint64 conversationId = mayaRow()->property("conversationId").toLongLong();
    click(mayaRow());
    QTRY_COMPARE(m_app->chat().focusedConversation(), conversationId);

    QQuickItem *timeline = nullptr;
    QTRY_VERIFY((timeline = item("timeline")) != nullptr && timeline->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(timeline->property("count").toInt() > 5, Timeout);
    QQuickItem *title = item("conversationTitle");
    QVERIFY(title);
    QCOMPARE(title->property("text").toString(), QStringLiteral("Maya Chen"));
    // Opening it reads it.
    QTRY_COMPARE_WITH_TIMEOUT(mayaRow()->property("unreadCount").toInt(), 0, Timeout);

    // Type and press Enter, as a person would; Shift+Enter makes a second line.
    QQuickItem *field = item("composerField");
    QVERIFY(field);
    field->forceActiveFocus();
    QTRY_VERIFY(field->hasActiveFocus());
    QSignalSpy inserted(m_app->session().store(), &store::Store::messagesInserted);
    type(QStringLiteral("Shall we take the early train?"));
    QTest::keyClick(m_app->window(), Qt::Key_Return, Qt::ShiftModifier);
    type(QStringLiteral("It leaves at 8."));
    QCOMPARE(field->property("text").toString(), QStringLiteral("Shall we take the early train?\nIt leaves at 8."));
    QTest::keyClick(m_app->window(), Qt::Key_Return);
    QCOMPARE(field->property("text").toString(), QString());

    // Ours shows at once; Maya answers (her typing shows first in the header).
    auto fromMaya = [&](bool outgoing) {
        for (const QList<QVariant> &args : std::as_const(inserted)) {
            if (args.at(0).toLongLong() != conversationId)
                continue;
            for (const store::Message &m : args.at(1).value<QList<store::Message>>()) {
                if (m.outgoing == outgoing && m.kind == store::MessageKind::Text)
                    return true;
            }
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(fromMaya(true), Timeout);
    QVERIFY(save(QStringLiteral("conversation-sending.png")));
    QTRY_VERIFY_WITH_TIMEOUT(fromMaya(false), Timeout);
    // The answer is the newest row of the timeline, from Maya.
    auto newestIsTheirs = [&] {
        QQuickItem *newest = rowItem(timeline, 0);
        return newest && !newest->property("outgoing").toBool();
    };
    QTRY_VERIFY_WITH_TIMEOUT(newestIsTheirs(), Timeout);
    // Read as it arrives, since it is on screen.
    QTRY_COMPARE_WITH_TIMEOUT(mayaRow()->property("unreadCount").toInt(), 0, Timeout);
    QTest::qWait(300); // let the delivery tick settle before the picture
    QVERIFY(save(QStringLiteral("conversation-light.png")));
}

void GuiTest::picturesInTheTimeline()
{
    // The group's photos: decrypted and scaled off the GUI thread (image://media), shown in the
    // timeline at their aspect ratio.
    QQuickItem *list = item("conversationList");
    QQuickItem *group = nullptr;
    for (int row = 0; row < list->property("count").toInt() && !group; ++row) {
        QQuickItem *delegate = rowItem(list, row);
        if (delegate && delegate->property("title").toString() == QLatin1String("Weekend trip"))
            group = delegate;
    }
    QVERIFY(group);
    click(group);
    QQuickItem *timeline = nullptr;
    QTRY_VERIFY((timeline = item("timeline")) != nullptr && timeline->property("count").toInt() > 20);
    auto *messages = qobject_cast<QAbstractItemModel *>(m_app->chat().messages());
    QVERIFY(messages);
    const int attachmentsRole = messages->roleNames().key("attachments");
    int pictureRow = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int row = 0; row < messages->rowCount(); ++row) {
                if (!messages->index(row, 0).data(attachmentsRole).toList().isEmpty()) {
                    pictureRow = row;
                    return true;
                }
            }
            return false;
        }(),
        Timeout);
    QMetaObject::invokeMethod(timeline, "positionViewAtIndex", Q_ARG(int, pictureRow), Q_ARG(int, 1 /* Center */));
    QQuickItem *picture = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((picture = item("attachmentPicture")) != nullptr &&
                                 picture->property("status").toInt() == 1 /* Image.Ready */,
                             Timeout);
    QVERIFY(picture->isVisible());
    QVERIFY(picture->width() > 100 && picture->height() > 50);
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("timeline-pictures.png")));

    // A click opens the viewer on it, over the whole window: the full picture, where it is in
    // the conversation's attachments, and the next one with →.
    click(picture);
    QQuickItem *full = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((full = item("viewerPicture")) != nullptr && full->isVisible() &&
                                 full->property("status").toInt() == 1 /* Image.Ready */,
                             Timeout);
    QQuickItem *position = item("viewerPosition");
    QVERIFY(position);
    QTRY_VERIFY(position->property("text").toString().contains(QStringLiteral(" of ")));
    QVERIFY(full->width() > picture->width());
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("viewer.png")));
    const QString before = position->property("text").toString();
    QQuickItem *next = item("viewerNext");
    QQuickItem *previous = item("viewerPrevious");
    QVERIFY(next && previous);
    QTest::keyClick(m_app->window(), next->isVisible() ? Qt::Key_Right : Qt::Key_Left);
    QTRY_VERIFY(position->property("text").toString() != before);
    QTest::keyClick(m_app->window(), Qt::Key_Escape);
    QTRY_VERIFY(!item("viewerPicture") || !item("viewerPicture")->isVisible());
}

void GuiTest::sendingAPicture()
{
    // A large picture chosen to send: shown in the draft above the field, sent with a caption,
    // and going up with a bar (the server is slowed down so that there is something to see).
    QImage noise(2400, 1600, QImage::Format_RGB32);
    QRandomGenerator rng(7);
    for (int y = 0; y < noise.height(); ++y) {
        auto *line = reinterpret_cast<quint32 *>(noise.scanLine(y));
        for (int x = 0; x < noise.width(); ++x)
            line[x] = 0xff000000u | (rng.generate() & 0x3f3f3fu) | (static_cast<quint32>(x * 255 / 2400) << 16) |
                      static_cast<quint32>(y * 255 / 1600);
    }
    const QString path = m_home.filePath(QStringLiteral("ridge.bmp"));
    QVERIFY(noise.save(path, "BMP"));
    // Dragged in from a file manager: the conversation offers to take it while the drag is over
    // it, and the drop adds it to the draft.
    QMimeData dragged;
    dragged.setUrls({QUrl::fromLocalFile(path)});
    QQuickItem *timeline = item("timeline");
    QVERIFY(timeline);
    const QPoint over = timeline->mapToScene(QPointF(timeline->width() / 2, timeline->height() / 2)).toPoint();
    QDragEnterEvent enter(over, Qt::CopyAction, &dragged, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_app->window(), &enter);
    QDragMoveEvent move(over + QPoint(5, 5), Qt::CopyAction, &dragged, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_app->window(), &move);
    QTRY_VERIFY(visibleItem("dropOverlay"));
    QVERIFY(save(QStringLiteral("drop-files.png")));
    QDropEvent drop(over + QPoint(5, 5), Qt::CopyAction, &dragged, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_app->window(), &drop);
    QVERIFY(drop.isAccepted());
    QTRY_VERIFY(!visibleItem("dropOverlay"));
    QQuickItem *tray = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (tray = item("draftTray")) != nullptr && tray->isVisible() && m_app->media().draft().size() == 1, Timeout);
    QQuickItem *field = item("composerField");
    QVERIFY(field);
    field->forceActiveFocus();
    type(QStringLiteral("From the ridge"));
    QTest::qWait(500);
    QVERIFY(save(QStringLiteral("composer-draft.png")));

    // A look at another conversation and back: the caption and the picture are still there, and
    // meanwhile the list says what waits in the group.
    QQuickItem *group = rowTitled(QStringLiteral("Weekend trip"));
    QQuickItem *maya = rowTitled(QStringLiteral("Maya Chen"));
    QVERIFY(group && maya);
    click(maya);
    QTRY_COMPARE(m_app->chat().focusedConversation(), maya->property("conversationId").toLongLong());
    QTRY_VERIFY(!item("draftTray")->isVisible());
    QCOMPARE(field->property("text").toString(), QString());
    QTRY_COMPARE(group->property("draft").toString(), QStringLiteral("From the ridge"));
    QQuickItem *draftLabel = find(group, QLatin1String("draftLabel"));
    QVERIFY(draftLabel && draftLabel->isVisible());
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("conversation-list-draft.png")));
    click(group);
    QTRY_COMPARE(m_app->chat().focusedConversation(), group->property("conversationId").toLongLong());
    QTRY_VERIFY(item("draftTray")->isVisible());
    QCOMPARE(m_app->media().draft().size(), 1);
    QCOMPARE(field->property("text").toString(), QStringLiteral("From the ridge"));
    QVERIFY(!draftLabel->isVisible()); // the open conversation's draft is in its field
    field->forceActiveFocus();

    QNetworkAccessManager nam;
    auto faults = [&](const QJsonObject &fault) {
        QNetworkRequest request(QUrl(m_serverUrl.toString() + QStringLiteral("/_local/faults")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply =
            fault.isEmpty() ? nam.deleteResource(request) : nam.post(request, QJsonDocument(fault).toJson());
        QSignalSpy done(reply, &QNetworkReply::finished);
        const bool finished = done.wait(10'000);
        reply->deleteLater();
        return finished && reply->error() == QNetworkReply::NoError;
    };
    QVERIFY(faults(
        QJsonObject{{QStringLiteral("route"), QStringLiteral("media.upload")}, {QStringLiteral("latency_ms"), 400}}));
    QQuickItem *send = item("sendButton");
    QVERIFY(send && send->isEnabled());
    click(send);
    QTRY_VERIFY(m_app->media().draft().isEmpty());
    QQuickItem *bar = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (bar = visibleItem("uploadProgress")) != nullptr && bar->property("value").toDouble() > 0.15, Timeout);
    QVERIFY(visibleItem("cancelUpload"));
    QVERIFY(save(QStringLiteral("upload-in-progress.png")));
    QVERIFY(faults(QJsonObject()));
    // Up and sent: the bar goes, the picture stays.
    QTRY_VERIFY_WITH_TIMEOUT(!visibleItem("uploadOverlay"), Timeout);
}

void GuiTest::darkThemeThroughSettings()
{
    // Ctrl+, opens Settings; the Appearance tab's "Dark" switches the whole window.
    const QColor before = m_app->window()->color();
    QTest::keyClick(m_app->window(), Qt::Key_Comma, Qt::ControlModifier);
    QQuickItem *dark = nullptr;
    QTRY_VERIFY((dark = m_app->window()->contentItem()->window()->findChild<QQuickItem *>(
                            QStringLiteral("themeDark"))) != nullptr);
    QQuickItem *accounts = item("accountList");
    QVERIFY(accounts);
    QTRY_COMPARE(accounts->property("count").toInt(), 1);
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("dialog-settings-accounts.png")));

    // Signing out asks first, and warns that sam's keys were never backed up.
    QQuickItem *signOut = item("signOutButton");
    QVERIFY(signOut);
    click(signOut);
    QQuickItem *warning = nullptr;
    QTRY_VERIFY((warning = item("keysWarning")) != nullptr && warning->isVisible());
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("dialog-sign-out.png")));
    QTest::keyClick(m_app->window(), Qt::Key_Escape); // changed their mind
    auto shown = [this](const char *name) {
        QQuickItem *found = item(name);
        return found && found->isVisible();
    };
    QTRY_VERIFY(!shown("keysWarning")); // a closed popup leaves the scene
    QCOMPARE(m_app->session().accountCount(), 1);

    // The Notifications tab: its switches are the app's preferences.
    QObject *settings = m_app->window()->findChild<QObject *>(QStringLiteral("settingsDialog"));
    QVERIFY(settings);
    settings->setProperty("currentPage", 2);
    QQuickItem *doNotDisturb = nullptr;
    QTRY_VERIFY((doNotDisturb = item("doNotDisturb")) != nullptr && doNotDisturb->isVisible());
    QVERIFY(!m_app->notifications().doNotDisturb());
    QMetaObject::invokeMethod(doNotDisturb, "toggle");
    QMetaObject::invokeMethod(doNotDisturb, "toggled");
    QTRY_VERIFY(m_app->notifications().doNotDisturb());
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("dialog-settings-notifications.png")));
    QMetaObject::invokeMethod(doNotDisturb, "toggle");
    QMetaObject::invokeMethod(doNotDisturb, "toggled");
    QTRY_VERIFY(!m_app->notifications().doNotDisturb());
    settings->setProperty("currentPage", 1);

    // The window's title carries the unread count.
    const int unread = m_app->session().unreadTotal();
    QCOMPARE(m_app->window()->title().startsWith(QStringLiteral("(%1) ").arg(unread)), unread > 0);

    QMetaObject::invokeMethod(dark, "toggle");
    QMetaObject::invokeMethod(dark, "toggled");
    QTRY_VERIFY(m_app->window()->color() != before);
    QTest::keyClick(m_app->window(), Qt::Key_Escape); // Esc closes the dialog
    QTRY_VERIFY(!shown("themeDark"));
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("conversation-dark.png")));
}

void GuiTest::twoAccountsOneList()
{
    // A second account (the demo's Leo, on a new device) joins the same list, each row marked with
    // its account; the filter shows one account's conversations.
    QQuickItem *list = item("conversationList");
    const int before = list->property("count").toInt();
    m_app->session().signIn(QString(), QStringLiteral("leo"));
    QTRY_COMPARE_WITH_TIMEOUT(m_app->session().accountCount(), 2, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(list->property("count").toInt() > before, Timeout);
    QQuickItem *filter = item("accountFilter");
    QVERIFY(filter);
    QTRY_VERIFY(filter->isVisible());
    auto badges = [&] {
        QSet<QString> seen;
        for (int row = 0; row < list->property("count").toInt(); ++row) {
            if (QQuickItem *delegate = rowItem(list, row))
                seen.insert(delegate->property("accountBadge").toString());
        }
        return seen;
    };
    QTRY_COMPARE_WITH_TIMEOUT(badges(), (QSet<QString>{QStringLiteral("@sam"), QStringLiteral("@leo")}), Timeout);
    QTest::qWait(300);
    QVERIFY(save(QStringLiteral("two-accounts-dark.png")));

    // Only Leo's: choose him in the filter (the choices: all, then each account).
    QTRY_COMPARE(filter->property("count").toInt(), 3);
    int leoIndex = -1;
    for (int i = 1; i < 3; ++i) {
        QString text;
        QMetaObject::invokeMethod(filter, "textAt", Q_RETURN_ARG(QString, text), Q_ARG(int, i));
        if (text.contains(QLatin1String("@leo")))
            leoIndex = i;
    }
    QVERIFY(leoIndex > 0);
    filter->setProperty("currentIndex", leoIndex);
    QMetaObject::invokeMethod(filter, "activated", Q_ARG(int, leoIndex));
    QTRY_COMPARE(badges(), QSet<QString>{QStringLiteral("@leo")});
}

QTEST_MAIN(GuiTest)
#include "tst_gui.moc"
