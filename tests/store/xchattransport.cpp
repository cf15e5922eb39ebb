#include "xchattransport.h"

#include "chatharness.h"
#include "protocols/xchat/outgoing.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QTimer>

#include <utility>

namespace confab::store::test {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

/// The one-line reason a problem (RFC 7807), an X error list or a plain body gives.
QString serverReason(const QJsonObject &o)
{
    for (const char *field : {"detail", "title", "message"}) {
        const QString text = o.value(QLatin1String(field)).toString();
        if (!text.isEmpty())
            return text;
    }
    const QJsonArray errors = o.value(QLatin1String("errors")).toArray();
    if (!errors.isEmpty())
        return errors.first().toObject().value(QLatin1String("message")).toString();
    return {};
}

/// What a refused send means for the person; empty: the kind's default sentence.
QString personMessage(int status)
{
    switch (status) {
    case 400:
    case 422: return QStringLiteral("The server did not accept this message.");
    case 403: return QStringLiteral("You can no longer send messages in this conversation.");
    case 404:
    case 410: return QStringLiteral("This conversation no longer exists on the server.");
    case 409: return QStringLiteral("The server refused this message because its id is already taken.");
    case 413: return QStringLiteral("This message is too large to send.");
    default: return {};
    }
}

Error failed(const QString &detail)
{
    return Error(ErrorKind::Protocol, QStringLiteral("The server's answer could not be understood."), detail);
}

} // namespace

bool isTransportError(QNetworkReply::NetworkError error)
{
    // 1-99 are connection errors, 101-199 proxy errors; from 201 on QNetworkReply names HTTP
    // statuses, which the status code says better.
    return error != QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied;
}

Error sendError(int status, QNetworkReply::NetworkError networkError, const QString &errorString,
                const QByteArray &body, bool timedOut)
{
    if (timedOut)
        return Error(ErrorKind::Timeout, {}, QStringLiteral("no complete answer in time"));
    if (status == 0) {
        if (networkError == QNetworkReply::TimeoutError)
            return Error(ErrorKind::Timeout, {}, errorString);
        return Error(ErrorKind::Network, {}, errorString.isEmpty() ? QStringLiteral("no answer") : errorString);
    }
    if (status >= 200 && status < 300) {
        // Accepted, but the answer was cut short: the server may have the message; a resend
        // with the same id is answered with the stored event.
        return Error(ErrorKind::Network, {}, QStringLiteral("HTTP %1 cut short: %2").arg(status).arg(errorString));
    }
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    QString detail = QStringLiteral("HTTP %1").arg(status);
    if (const QString reason = serverReason(o); !reason.isEmpty())
        detail += QStringLiteral(": ") + reason;
    if (isTransportError(networkError))
        detail += QStringLiteral(" (cut short: %1)").arg(errorString);
    Error error = Error::fromHttpStatus(status, personMessage(status), detail);
    if (const QString type = o.value(QLatin1String("type")).toString(); !type.isEmpty())
        error.withProblemType(type);
    return error;
}

XChatTransport::XChatTransport(QUrl baseUrl, QString token, QObject *parent)
    : QObject(parent)
    , m_base(std::move(baseUrl))
    , m_token(std::move(token))
{
    m_nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

XChatTransport::~XChatTransport()
{
    const QHash<QNetworkReply *, Pending> pending = std::exchange(m_pending, {});
    for (auto it = pending.cbegin(); it != pending.cend(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
        it.value().promise->addResult(Result<SendReceipt>(
            Error(ErrorKind::Network, {}, QStringLiteral("the transport closed before the server answered"))));
        it.value().promise->finish();
    }
}

QFuture<Result<SendReceipt>> XChatTransport::send(const OutboxItem &item)
{
    auto promise = std::make_shared<QPromise<Result<SendReceipt>>>();
    QFuture<Result<SendReceipt>> future = promise->future();
    promise->start();

    QJsonParseError parse{};
    const QJsonDocument body = QJsonDocument::fromJson(item.payload, &parse);
    if (parse.error != QJsonParseError::NoError || !body.isObject() ||
        body.object().value(QLatin1String("message_id")).toString() != item.message.remoteId) {
        // Not something a retry can fix: the entry was written wrong.
        promise->addResult(Result<SendReceipt>(Error(
            ErrorKind::InvalidInput, QStringLiteral("This message could not be prepared for sending."),
                                                    QStringLiteral("the outbox payload is not this message's body"))));
        promise->finish();
        return future;
    }

    Pending pending;
    pending.promise = promise;
    pending.remoteId = item.message.remoteId;
    pending.path =
        QStringLiteral("/2/chat/conversations/%1/messages").arg(xchat::conversationPathId(item.conversationRemoteId));
    pending.startedMs = nowMs();

    QUrl url = m_base;
    url.setPath(pending.path);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());

    ++m_attempts;
    QNetworkReply *reply = m_nam.post(request, item.payload);
    m_pending.insert(reply, std::move(pending));
    connect(reply, &QNetworkReply::finished, this, [this, reply] { finished(reply); });
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, reply] {
        if (auto it = m_pending.find(reply); it != m_pending.end()) {
            it->timedOut = true;
            reply->abort();
        }
    });
    timer->start(m_timeoutMs);
    return future;
}

void XChatTransport::finished(QNetworkReply *reply)
{
    auto it = m_pending.find(reply);
    if (it == m_pending.end())
        return;
    const Pending pending = it.value();
    m_pending.erase(it);
    reply->deleteLater();
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    Result<SendReceipt> result = interpret(reply, pending, body);
    if (m_observer) {
        Exchange exchange;
        exchange.method = "POST";
        exchange.path = pending.path;
        exchange.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        exchange.error = reply->error();
        if (exchange.error != QNetworkReply::NoError)
            exchange.errorString = reply->errorString();
        exchange.cutShort = isTransportError(exchange.error);
        exchange.contentType = mediaType(reply->header(QNetworkRequest::ContentTypeHeader).toByteArray());
        exchange.body = body;
        m_observer(exchange);
    }
    pending.promise->addResult(std::move(result));
    pending.promise->finish();
}

Result<SendReceipt> XChatTransport::interpret(QNetworkReply *reply, const Pending &pending, const QByteArray &body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status < 200 || status >= 300 || isTransportError(reply->error()) || pending.timedOut)
        return sendError(status, reply->error(), reply->errorString(), body, pending.timedOut);

    const QString encoded = QJsonDocument::fromJson(body)
                                .object()
                                .value(QLatin1String("data"))
                                .toObject()
                                .value(QLatin1String("encoded_message_event"))
                                .toString();
    if (encoded.isEmpty())
        return failed(QStringLiteral("HTTP %1 without data.encoded_message_event").arg(status));
    auto event = localserver::test::decodeEvent(encoded);
    if (!event)
        return failed(event.error().toString());
    const QString messageId = QString::fromStdString(event.value().message_id);
    if (messageId != pending.remoteId)
        return failed(QStringLiteral("the event is message %1, not %2").arg(messageId, pending.remoteId));
    bool sequenceOk = false;
    bool createdOk = false;
    const qint64 sequence = QString::fromStdString(event.value().sequence_id).toLongLong(&sequenceOk);
    const qint64 created = QString::fromStdString(event.value().created_at_msec).toLongLong(&createdOk);
    if (!sequenceOk || sequence <= 0)
        return failed(QStringLiteral("the event has no usable sequence id"));
    // The server dates an event when it first stores it, on this machine's clock: an event older
    // than this attempt is one an earlier attempt delivered.
    const bool replay = createdOk && created < pending.startedMs;
    ++m_accepted;
    if (replay)
        ++m_replayed;
    emit accepted(pending.remoteId, sequence, replay);
    SendReceipt receipt;
    receipt.sequence = sequence;
    receipt.createdMs = createdOk ? created : 0;
    return receipt;
}

} // namespace confab::store::test
