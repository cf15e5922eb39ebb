#pragma once

// A confab-localserver started in-process, and accounts that talk to it over real HTTP with
// Confab's own client code: IdentityKeys for registration, OutgoingActions for every signed
// request, SigningKeyDirectory + EventVerifier for whatever comes back.

#include "apiclient.h"
#include "core/result.h"
#include "crypto/identitykeys.h"
#include "crypto/securebytes.h"
#include "localserver/localserver.h"
#include "protocols/xchat/conversationkeyring.h"
#include "protocols/xchat/eventverifier.h"
#include "protocols/xchat/outgoing.h"
#include "protocols/xchat/signingkeydirectory.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>
#include <vector>
#include <wire/xchat_types.h>

namespace confab::localserver::test {

namespace wire = confab::xchat::wire;

/// Every scope a chat client asks for (spec §9).
[[nodiscard]] QStringList allScopes();

/// --dev, a free port, everything in memory.
[[nodiscard]] ServerOptions devOptions();

/// One account on the server: its token, its device keys, and its receiving state.
struct ChatUser
{
    ChatUser(const UserInfo &info, ApiClient client, crypto::IdentityKeys deviceKeys);

    QString id;
    QString username;
    QString name;
    ApiClient api; ///< sends this user's token
    crypto::IdentityKeys keys;
    QString keyVersion;                                  ///< once registered
    std::optional<xchat::OutgoingActions> out;           ///< once registered
    xchat::SigningKeyDirectory directory;                ///< the keys this user fetched (binding verified)
    std::map<QString, xchat::ConversationKeyRing> rings; ///< by canonical conversation id

    [[nodiscard]] const QString &token() const { return api.token(); }
    [[nodiscard]] xchat::LocalIdentity identity() const;
};

/// A conversation as its creator knows it.
struct Conversation
{
    QString id;     ///< canonical: min:max or g…
    QString pathId; ///< min-max or g…
    QString keyVersion;
    crypto::SecureBytes key;
    QString keySequenceId;
};

/// One page of `GET …/events`, decoded and run through the viewer's EventVerifier.
struct EventsPage
{
    ApiResponse response;
    QJsonArray data;
    QJsonObject meta;
    QList<wire::MessageEvent> decoded; ///< every data[].encoded_event, in page order
    xchat::EventVerifier::Batch batch;

    /// Sequence ids of `decoded`, in page order.
    [[nodiscard]] QStringList sequenceIds() const;
    /// Texts of the verified text messages, in page order.
    [[nodiscard]] QStringList texts() const;
};

/// A message sent with `POST …/messages`.
struct SentMessage
{
    xchat::EncryptedMessage message; ///< what was sent (for resends)
    ApiResponse response;
    wire::MessageEvent event; ///< data.encoded_message_event, decoded
};

class Harness
{
public:
    explicit Harness(ServerOptions options = devOptions());
    ~Harness();

    Result<void> start();
    [[nodiscard]] LocalServer &server() { return *m_server; }
    [[nodiscard]] const ServerOptions &options() const { return m_options; }
    /// An unauthenticated client.
    [[nodiscard]] ApiClient api() const;

    /// Creates a user with a token for `scopes`; with `withKeys`, registers device keys too.
    Result<ChatUser *> addUser(const QString &username, const QStringList &scopes = allScopes(), bool withKeys = true);
    /// `POST /2/users/{id}/public_keys` with fresh or the user's keys (generate_version).
    Result<void> registerKeys(ChatUser &user);
    /// `GET /2/users/public_keys?ids=…` as `viewer`: every record enters viewer's directory.
    Result<void> learnKeys(ChatUser &viewer, const QList<ChatUser *> &users);
    /// The newest binding-verified identity key of each user, from viewer's directory.
    Result<QList<xchat::Participant>> participants(const ChatUser &viewer, const QList<ChatUser *> &users) const;

    /// Starts a 1:1 the way a client does: `POST …/{recipient id}/keys`.
    Result<Conversation> startDirect(ChatUser &from, ChatUser &to);
    /// `group/initialize`, then `POST /2/chat/conversations/group` (creator is the admin).
    Result<Conversation> createGroup(ChatUser &creator, const QList<ChatUser *> &others, const QString &title);

    /// Encrypts and signs a text message with the conversation's key.
    Result<xchat::EncryptedMessage> encryptText(const ChatUser &from, const Conversation &c, const QString &text) const;
    /// `POST …/messages`; fails unless the answer is 201 with a decodable event.
    Result<SentMessage> sendText(ChatUser &from, const Conversation &c, const QString &text);
    ApiResponse postMessage(const ChatUser &from, const QString &pathId, const QJsonObject &body) const;

    /// One page of events as `viewer`. `pathId` defaults to the canonical id's path form.
    Result<EventsPage> events(ChatUser &viewer, const QString &canonicalId, const QUrlQuery &query = {},
                              const QString &pathId = {});

private:
    ServerOptions m_options;
    std::unique_ptr<LocalServer> m_server;
    std::vector<std::unique_ptr<ChatUser>> m_users;
};

/// Decodes a padded or unpadded base64 Thrift MessageEvent (or fails the Result).
Result<wire::MessageEvent> decodeEvent(const QString &base64);

} // namespace confab::localserver::test

/// QVERIFY that a Result holds a value; prints its error otherwise. Evaluates `expression` once.
#define CONFAB_VERIFY_OK(expression)                                                                                   \
    do {                                                                                                               \
        const auto &confabResult_ = (expression);                                                                      \
        QVERIFY2(confabResult_.ok(), qPrintable(confabResult_.ok() ? QString() : confabResult_.error().toString()));   \
    } while (false)

/// The response has the status; prints the response otherwise. Evaluates `expression` once.
#define CONFAB_EXPECT_STATUS(expression, expected)                                                                     \
    do {                                                                                                               \
        const confab::localserver::test::ApiResponse &confabResponse_ = (expression);                                  \
        QVERIFY2(confabResponse_.status == (expected),                                                                 \
                 qPrintable(QStringLiteral("expected HTTP %1, got ").arg(expected) + confabResponse_.describe()));     \
    } while (false)

/// The response is an RFC 7807 problem (application/problem+json) with the status and type suffix
/// (e.g. "invalid-request"), and carries no data. Evaluates `expression` once.
#define CONFAB_EXPECT_PROBLEM(expression, expected, problemTypeSuffix)                                                 \
    do {                                                                                                               \
        const confab::localserver::test::ApiResponse &confabProblem_ = (expression);                                   \
        CONFAB_EXPECT_STATUS(confabProblem_, expected);                                                                \
        QCOMPARE(confabProblem_.contentType(), QByteArray("application/problem+json"));                                \
        QCOMPARE(confabProblem_.problemType(), QStringLiteral(problemTypeSuffix));                                     \
        QCOMPARE(confabProblem_.json().value(QLatin1String("status")).toInt(), (expected));                            \
        QVERIFY(!confabProblem_.json().contains(QLatin1String("data")));                                               \
    } while (false)
