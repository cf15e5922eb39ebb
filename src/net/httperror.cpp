#include "net/httperror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace confab::net {

namespace {

QString personMessage(ErrorKind kind, int status)
{
    switch (kind) {
    case ErrorKind::Network: return QStringLiteral("The server could not be reached. Confab will try again.");
    case ErrorKind::Timeout: return QStringLiteral("The server did not answer in time. Confab will try again.");
    case ErrorKind::RateLimited:
        return QStringLiteral("The server asked Confab to slow down. It will try again shortly.");
    case ErrorKind::Unauthorized: return QStringLiteral("Your sign-in has expired. Please sign in again.");
    case ErrorKind::Forbidden: return QStringLiteral("Your account is not allowed to do this.");
    case ErrorKind::NotFound: return QStringLiteral("This no longer exists on the server.");
    case ErrorKind::Conflict:
        return QStringLiteral("The server refused this because it conflicts with something else.");
    case ErrorKind::InvalidInput:
        return status == 413 ? QStringLiteral("This is too large for the server.")
                             : QStringLiteral("The server did not accept this request.");
    case ErrorKind::Protocol: return QStringLiteral("The server's answer could not be understood.");
    case ErrorKind::Server: return QStringLiteral("The server had a problem. Confab will try again.");
    default: return QStringLiteral("Something went wrong while talking to the server.");
    }
}

} // namespace

bool isConnectionError(QNetworkReply::NetworkError error)
{
    // 1-99 are connection errors, 101-199 proxy errors; from 201 on QNetworkReply names HTTP
    // statuses, which the status code says better.
    return error != QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied;
}

QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

QString serverReason(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    if (o.isEmpty())
        return {};
    QString reason;
    for (const char *field : {"detail", "title", "message"}) {
        reason = o.value(QLatin1String(field)).toString();
        if (!reason.isEmpty())
            break;
    }
    if (reason.isEmpty()) {
        const QJsonObject first = o.value(QLatin1String("errors")).toArray().first().toObject();
        reason = first.value(QLatin1String("message")).toString();
        if (reason.isEmpty())
            reason = first.value(QLatin1String("detail")).toString();
        if (first.contains(QLatin1String("code")))
            reason = QStringLiteral("code %1: %2").arg(first.value(QLatin1String("code")).toInt()).arg(reason);
    }
    return reason.left(300);
}

Error errorFor(const Outcome &o)
{
    const QString what = o.what.isEmpty() ? QString() : o.what + QStringLiteral(": ");
    if (o.timedOut)
        return Error(ErrorKind::Timeout, personMessage(ErrorKind::Timeout, 0),
                     what + QStringLiteral("no progress in time"));
    if (o.networkError == QNetworkReply::OperationCanceledError)
        return Error(ErrorKind::Cancelled, QStringLiteral("Cancelled."), what + QStringLiteral("cancelled"));
    if (o.status == 0) {
        const ErrorKind kind = o.networkError == QNetworkReply::TimeoutError ? ErrorKind::Timeout : ErrorKind::Network;
        const bool tls = o.networkError == QNetworkReply::SslHandshakeFailedError;
        return Error(kind, tls ? QStringLiteral("A secure connection to the server could not be established.")
                                                : personMessage(kind, 0),
                                                what + (o.networkErrorString.isEmpty() ? QStringLiteral("no answer")
                                                                                       : o.networkErrorString));
    }
    if (o.status >= 200 && o.status < 400) {
        // An answer that started well but was cut short: the server may have acted on it.
        return Error(ErrorKind::Network, personMessage(ErrorKind::Network, 0),
                     what + QStringLiteral("HTTP %1 cut short: %2").arg(o.status).arg(o.networkErrorString))
                                .withHttpStatus(o.status);
    }
    QString detail = what + QStringLiteral("HTTP %1").arg(o.status);
    if (const QString reason = serverReason(o.body); !reason.isEmpty())
        detail += QStringLiteral(": ") + reason;
    if (isConnectionError(o.networkError))
        detail += QStringLiteral(" (cut short: %1)").arg(o.networkErrorString);
    Error error = Error::fromHttpStatus(o.status, {}, detail);
    error = Error(error.kind(), personMessage(error.kind(), o.status), detail).withHttpStatus(o.status);
    const QJsonObject json = QJsonDocument::fromJson(o.body).object();
    QString type = json.value(QLatin1String("type")).toString();
    if (type.isEmpty())
        type = json.value(QLatin1String("errors")).toArray().first().toObject().value(QLatin1String("type")).toString();
    if (!type.isEmpty())
        error.withProblemType(type);
    return error;
}

} // namespace confab::net
