#pragma once

#include "localserver/http.h"
#include "localserver/localserver.h"

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QTimer>
#include <QVariant>

#include <deque>
#include <functional>
#include <optional>
#include <vector>
#include <wire/xchat_types.h>

namespace confab::localserver {

namespace wire = confab::xchat::wire;

/// Who is calling: a user (OAuth 2.0 user context), an app (app-only Bearer) or nobody.
struct Principal
{
    enum class Kind { None, User, App };
    Kind kind = Kind::None;
    QString userId;
    QString clientId;
    QSet<QString> scopes;
    bool demoPeer = false;
};

/// A handler's failure, rendered as RFC 7807 problem details (or OAuth/X error JSON).
struct Problem
{
    int status = 400;
    QString type; ///< suffix of https://api.x.com/2/problems/, e.g. "invalid-request"
    QString title;
    QString detail;
    QJsonObject extra; ///< parameter, value, resource_type, resource_id, ...
};

/// The state and HTTP front end of confab-localserver. One thread; SQLite holds everything that
/// must survive a restart, memory holds what expires (typing, rate-limit windows, streams).
class Service : public QAbstractHttpServer
{
    Q_OBJECT
public:
    explicit Service(ServerOptions options, QObject *parent = nullptr);
    ~Service() override;

    Result<quint16> start();
    [[nodiscard]] QUrl baseUrl() const { return m_baseUrl; }

    Result<UserInfo> createUser(const QString &username, const QString &name, bool demoPeer);
    Result<UserInfo> userByUsername(const QString &username) const;
    std::optional<UserInfo> userById(const QString &id) const;
    QList<UserInfo> users() const;
    Result<QString> issueUserToken(const QString &userId, const QStringList &scopes, const QString &clientId,
                                   QString *refreshToken = nullptr, const QString &family = {});
    Result<void> registerClient(const QString &clientId, const QString &secret);
    Result<QString> issueAppToken(const QString &clientId);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // --- routing -----------------------------------------------------------------------
    enum class AuthMode { None, User, App, UserOrApp };
    struct Context
    {
        HttpRequest &request;
        Principal principal;
        QTcpSocket *socket = nullptr;
        bool streaming = false; ///< the handler took the socket over
    };
    using Handler = std::function<HttpResponse(Context &)>;
    struct Route
    {
        QByteArray method;
        QString pattern;
        QRegularExpression regex;
        QStringList names;
        QString group; ///< rate-limit group and fault-injection name
        AuthMode auth = AuthMode::None;
        QStringList scopes;
        Handler handler;
        bool dev = false;
    };
    void addRoute(const char *method, const QString &pattern, const QString &group, AuthMode auth, QStringList scopes,
                  Handler handler, bool dev = false);
    void registerChatRoutes();
    void registerMediaRoutes();
    void registerUserRoutes();
    void registerOAuthRoutes();
    void registerActivityRoutes();
    void registerLocalRoutes();
    void dispatch(HttpRequest request, QTcpSocket *socket);
    void send(QTcpSocket *socket, HttpResponse response, const QString &group, bool keepAlive);

    // --- responses ---------------------------------------------------------------------
    static HttpResponse problem(const Problem &p);
    static Problem invalid(const QString &detail, const QString &parameter = {}, const QString &value = {});
    static Problem notFound(const QString &resourceType, const QString &id, const QString &detail = {});
    static Problem forbidden(const QString &resourceType, const QString &id, const QString &detail);
    static HttpResponse oauthError(const QString &error, const QString &description, int status = 400);

    // --- auth, limits, faults --------------------------------------------------------------
    std::optional<Principal> authenticate(const HttpRequest &request) const;
    struct Window
    {
        int limit = 0;
        int used = 0;
        qint64 resetSecs = 0;
    };
    struct Limit
    {
        int requests = 0;
        int windowSecs = 900;
    };
    Limit limitFor(const QString &group) const;
    Window *consume(const QString &group, const QString &who, bool *exceeded);
    struct Fault
    {
        QString route; ///< route group or "*"
        int latencyMs = 0;
        int errorStatus = 0;
        double errorRate = 0;
        double dropRate = 0;
        double truncateRate = 0;
        int burst429 = 0;
    };

    // --- chat state ----------------------------------------------------------------------
    struct Conversation
    {
        QString id; ///< canonical: "min:max" or "g…"
        bool group = false;
        qint64 createdAt = 0;
        qint64 updatedAt = 0;
        QString groupName;
        QString groupAvatarUrl;
        QString groupDescription;
        qint64 ttlMsec = 0;
        QString token;
        qint64 lastSeq = 0;
    };
    struct Member
    {
        QString userId;
        bool admin = false;
        qint64 joinedSeq = 0;
        qint64 readSeq = 0;
        bool muted = false;
    };
    /// Resolves a path id (bare recipient, A-B, g…) for the caller: the canonical conversation,
    /// or a problem (400 bad pattern, 404 unknown, 403 not a member).
    Result<QString> canonicalId(const QString &pathId, const QString &me, Problem *problem) const;
    std::optional<Conversation> conversation(const QString &id) const;
    QList<Member> members(const QString &conversationId) const;
    std::optional<Member> member(const QString &conversationId, const QString &userId) const;
    bool requireMember(const QString &conversationId, const QString &userId, Problem *problem) const;
    qint64 nextSnowflake();
    qint64 nowMsec() const;
    qint64 eventTime(const Context &c, const QString &conversationId, Problem *problem) const;
    /// Stores an event (fills sequence, previous sequence, token, time), fans it out, returns it.
    wire::MessageEvent appendEvent(const QString &conversationId, wire::MessageEvent event, qint64 createdAt,
                                   const QString &kind, const QString &visibleTo = {});
    /// Stores bytes as a message event of `senderId` without decoding them (/_local/events); its
    /// sequence id, or 0.
    qint64 appendRawEvent(const QString &conversationId, const QString &senderId, const QByteArray &bytes);
    void touchInboxes(const QString &conversationId, qint64 seq);
    /// The ChatMessageEvent JSON of an event; `encoded` is its stored Thrift form when at hand.
    QJsonObject eventJson(const wire::MessageEvent &event, const QString &previousMessageId,
                          const QByteArray &encoded = {}) const;
    QJsonObject conversationJson(const Conversation &conv, const QSet<QString> &fields,
                                 const QSet<QString> &expansions) const;
    Result<QJsonArray> usersJson(const QStringList &ids, const QSet<QString> &fields) const;
    Result<QSet<QString>> listParameter(const HttpRequest &r, const QString &name, const QStringList &allowed,
                                        Problem *problem) const;
    std::optional<int> maxResults(const HttpRequest &r, int fallback, int max, Problem *problem) const;

    // signatures and keys
    struct ActionSignature
    {
        QString messageId;
        wire::MessageEventDetail detail;
        wire::MessageEventSignature signature;
    };
    Result<std::vector<ActionSignature>> parseActionSignatures(const QJsonValue &value, Problem *problem) const;
    Result<wire::MessageEventSignature> parseSignatureJson(const QJsonObject &o, Problem *problem) const;
    /// The event an action signature describes, from `sender` in `conversationId`, with the
    /// signer's SPKI added to the signature when the client left it out.
    wire::MessageEvent eventFromAction(const ActionSignature &action, const QString &sender,
                                       const QString &conversationId) const;
    bool verifySigned(const wire::MessageEvent &event, Problem *problem) const;
    bool checkParticipantKeys(const QJsonValue &keys, const QStringList &members, const QString &keyVersion,
                              const wire::ConversationKeyChangeEvent &signedChange, Problem *problem) const;
    QString signingKeyFor(const QString &userId, const QString &version) const; ///< b64 SPKI or empty
    /// The sequence id of an event of `kind` the client already sent with `messageId` (resends).
    std::optional<qint64> storedSequence(const QString &conversationId, const QString &messageId,
                                         const QString &kind) const;
    bool hasKeyVersion(const QString &conversationId, const QString &version) const;

    // activity
    struct Subscription
    {
        QString id;
        QString clientId;
        QString userId;
        QString eventType;
        QString tag;
        QString createdAt;
        QString updatedAt;
    };
    struct Activity
    {
        qint64 atMsec = 0;
        QString userId;
        QString eventType;
        QJsonObject payload;
    };
    struct StreamClient
    {
        QString clientId;
        std::shared_ptr<ChunkedStream> stream;
    };
    void publishActivity(const QString &userId, const QString &eventType, const QJsonObject &payload);
    QList<Subscription> subscriptions(const QString &clientId) const;
    void deliver(StreamClient &client, const Activity &activity);

    ServerOptions m_options;
    QUrl m_baseUrl;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::vector<Route> m_routes;
    QHash<QString, Limit> m_limits;
    QHash<QString, Window> m_windows; ///< "group|who"
    QList<Fault> m_faults;
    QHash<QString, int> m_faultsInjected; ///< how often each kind of fault struck (GET /_local/faults)
    qint64 m_lastSnowflake = 0;
    QHash<QString, qint64> m_inboxVersion; ///< user id -> latest sequence touching their inbox
    QString m_instanceTag;                 ///< part of ETags, so a restarted server never matches
    struct Typing
    {
        wire::MessageEvent event;
        qint64 expiresAt = 0;
    };
    QHash<QString, std::vector<Typing>> m_typing; ///< conversation -> live typing events
    std::deque<Activity> m_recentActivity;        ///< for backfill_minutes (≤ 5 min)
    std::vector<StreamClient> m_streams;
    QHash<QString, QString> m_consentRequests; ///< request id -> serialized authorize query
    QTimer *m_heartbeat = nullptr;
};

} // namespace confab::localserver
