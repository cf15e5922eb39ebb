#pragma once

#include "core/result.h"
#include "store/types.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>
#include <QVariantList>

#include <map>
#include <memory>

class QQuickItem;

namespace confab::media {
class MediaCache;
class MediaLoader;
class MediaImageProvider;
} // namespace confab::media

namespace confab {

class AppSession;
class ChatController;

/// Attachments for the window (QML: the `Media` singleton).
///
/// - Received ones: a MediaLoader for the session's store, whose downloads go through the
///   conversation's account, with its ciphertext cache in the profile's cache folder (`media/`;
///   a throwaway `session-media/` when the session keeps nothing), and `image://media/…`.
/// - Sending: a draft per conversation (files picked, dropped or pasted, shown before they are
///   sent, each described on the pool: safe name, real type, size, dimensions; a pasted picture
///   is staged encrypted in the profile's `outgoing/`), sent with the composer's text as the
///   caption. `draft` is the focused conversation's; the others wait until it is theirs again.
/// - The viewer's list (a conversation's attachments), save as, copy, open with the system's
///   application and drag out: each a decrypted copy made on demand in a private temporary
///   folder (0700, removed at quit; a dragged copy a minute after the drop).
class MediaController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Media)
    QML_SINGLETON
    /// The files about to be sent to the focused conversation: {name, size, mimeType, picture,
    /// source}.
    Q_PROPERTY(QVariantList draft READ draft NOTIFY draftChanged)
    /// Files are being looked at before they join the focused conversation's draft.
    Q_PROPERTY(bool preparing READ preparing NOTIFY draftChanged)
    /// The viewer's attachments (the open conversation's, oldest first): {messageId, ordinal,
    /// name, mimeType, picture, size, source, senderId, createdMs}.
    Q_PROPERTY(QVariantList viewerItems READ viewerItems NOTIFY viewerItemsChanged)
    /// Where the attachment the viewer was opened on is in viewerItems (-1 while loading).
    Q_PROPERTY(int viewerStart READ viewerStart NOTIFY viewerItemsChanged)

public:
    MediaController(AppSession &session, ChatController &chat, QObject *parent = nullptr);
    ~MediaController() override;

    static void setInstance(MediaController *instance);
    static MediaController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /// The session's loader, or null before the store is open.
    [[nodiscard]] media::MediaLoader *loader() const { return m_loader.get(); }
    /// A provider for the QML engine (which owns it).
    [[nodiscard]] media::MediaImageProvider *makeImageProvider();

    [[nodiscard]] QVariantList draft() const;
    [[nodiscard]] bool preparing() const;
    [[nodiscard]] QVariantList viewerItems() const { return m_viewerItems; }
    [[nodiscard]] int viewerStart() const { return m_viewerStart; }

    /// Adds files (local file URLs) to the focused conversation's draft, each checked on the pool.
    Q_INVOKABLE void addFiles(const QList<QUrl> &urls);
    /// Takes what the clipboard holds into the focused conversation's draft: a picture, or copied
    /// files. False when it holds neither (the composer then pastes text).
    Q_INVOKABLE bool paste();
    Q_INVOKABLE void removeFromDraft(int index);
    Q_INVOKABLE void clearDraft();
    /// Sends a conversation's draft with `caption`; the draft empties.
    Q_INVOKABLE void sendDraft(qint64 conversationId, const QString &caption);

    /// Fills viewerItems with the conversation's attachments, starting at this one.
    Q_INVOKABLE void openViewer(qint64 conversationId, qint64 messageId, int ordinal);
    /// Saves a decrypted copy where the person chose (a file URL).
    Q_INVOKABLE void saveAs(qint64 messageId, int ordinal, const QUrl &target);
    /// The picture (or the file, as a URL of a private copy) to the clipboard.
    Q_INVOKABLE void copy(qint64 messageId, int ordinal);
    /// Opens a private copy with the application the system chooses.
    Q_INVOKABLE void openExternally(qint64 messageId, int ordinal);
    /// Drags a private copy out of `source` (to the desktop or a file manager).
    Q_INVOKABLE void startDrag(qint64 messageId, int ordinal, QQuickItem *source);

    /// A decrypted copy of an attachment in the private temporary folder: its path.
    [[nodiscard]] QFuture<Result<QString>> exportCopy(qint64 messageId, int ordinal);
    /// Removes a copy made by exportCopy (and its folder).
    void removeCopy(const QString &path);
    /// The private temporary folder the copies go to.
    [[nodiscard]] QString privateFolder() const { return m_private.path(); }
    /// How long a dragged copy stays after the drop (the target may still be reading it).
    void setDragCopyLifetimeMs(int ms) { m_dragCopyLifetimeMs = ms; }
    /// The focused conversation's draft as it will be sent.
    [[nodiscard]] QList<store::Attachment> draftAttachments() const;
    /// The names of the files waiting in a conversation's draft.
    [[nodiscard]] QStringList draftFileNames(qint64 conversationId) const;

Q_SIGNALS:
    void draftChanged();
    void viewerItemsChanged();
    /// Something the person asked for did not work: one sentence.
    void problem(const QString &message);
    /// A copy was saved where the person chose.
    void saved(const QString &path);
    /// A drag out ended: the copy at `path` was offered (and is removed a little later).
    void dragFinished(const QString &path, bool dropped);

private:
    struct DraftItem
    {
        store::Attachment attachment;
        QString token; ///< MediaLoader::registerLocal, for the preview
    };
    void storeReady();
    void showStates();
    void addToDraft(qint64 conversationId, const Result<store::Attachment> &described);
    /// Forgets a conversation's draft; its staged (pasted) files are deleted.
    void dropDraft(qint64 conversationId);
    void draftEdited(qint64 conversationId);
    [[nodiscard]] QString throwawayDirectory() const;
    [[nodiscard]] QString stagingDirectory() const;

    AppSession &m_session;
    ChatController &m_chat;
    std::shared_ptr<media::MediaCache> m_cache;
    std::unique_ptr<media::MediaLoader> m_loader;
    std::map<qint64, QList<DraftItem>> m_drafts; ///< conversation -> files
    std::map<qint64, int> m_preparing;           ///< conversation -> files being described
    QVariantList m_viewerItems;
    int m_viewerStart = -1;
    int m_viewerRequest = 0;
    QTemporaryDir m_private;
    int m_dragCopyLifetimeMs = 60 * 1000;
};

} // namespace confab
