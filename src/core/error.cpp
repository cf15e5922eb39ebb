#include "core/error.h"

#include <QCoreApplication>

#include <utility>

namespace confab {

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Network: return QStringLiteral("Network");
    case ErrorKind::Timeout: return QStringLiteral("Timeout");
    case ErrorKind::Cancelled: return QStringLiteral("Cancelled");
    case ErrorKind::RateLimited: return QStringLiteral("RateLimited");
    case ErrorKind::Unauthorized: return QStringLiteral("Unauthorized");
    case ErrorKind::Forbidden: return QStringLiteral("Forbidden");
    case ErrorKind::NotFound: return QStringLiteral("NotFound");
    case ErrorKind::Conflict: return QStringLiteral("Conflict");
    case ErrorKind::InvalidInput: return QStringLiteral("InvalidInput");
    case ErrorKind::Protocol: return QStringLiteral("Protocol");
    case ErrorKind::Server: return QStringLiteral("Server");
    case ErrorKind::Crypto: return QStringLiteral("Crypto");
    case ErrorKind::Storage: return QStringLiteral("Storage");
    case ErrorKind::Keychain: return QStringLiteral("Keychain");
    case ErrorKind::Internal: return QStringLiteral("Internal");
    }
    return QStringLiteral("Unknown");
}

namespace {

ErrorKind kindForStatus(int status)
{
    switch (status) {
    case 400:
    case 413:
    case 422: return ErrorKind::InvalidInput;
    case 401: return ErrorKind::Unauthorized;
    case 403: return ErrorKind::Forbidden;
    case 404:
    case 410: return ErrorKind::NotFound;
    case 408: return ErrorKind::Timeout;
    case 409: return ErrorKind::Conflict;
    case 429: return ErrorKind::RateLimited;
    default: break;
    }
    if (status >= 500 && status <= 599)
        return ErrorKind::Server;
    return ErrorKind::Protocol; // 1xx/3xx/unknown 4xx reaching here means we did not expect it
}

QString defaultMessage(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Network:
        return QCoreApplication::translate("confab::Error",
                                           "Could not reach the server. Check your connection; Confab will retry.");
    case ErrorKind::Timeout:
        return QCoreApplication::translate("confab::Error", "The server took too long to answer. Confab will retry.");
    case ErrorKind::Cancelled: return QCoreApplication::translate("confab::Error", "Cancelled.");
    case ErrorKind::RateLimited:
        return QCoreApplication::translate("confab::Error",
                                           "The service is limiting requests. Confab will continue when it allows.");
    case ErrorKind::Unauthorized:
        return QCoreApplication::translate("confab::Error", "Your session has expired. Please sign in again.");
    case ErrorKind::Forbidden: return QCoreApplication::translate("confab::Error", "You are not allowed to do this.");
    case ErrorKind::NotFound: return QCoreApplication::translate("confab::Error", "It no longer exists on the server.");
    case ErrorKind::Conflict:
        return QCoreApplication::translate("confab::Error", "The server refused this because of a conflict.");
    case ErrorKind::InvalidInput:
        return QCoreApplication::translate("confab::Error", "The server did not accept this request.");
    case ErrorKind::Protocol:
        return QCoreApplication::translate("confab::Error", "The server sent an answer Confab could not understand.");
    case ErrorKind::Server:
        return QCoreApplication::translate("confab::Error", "The service had a problem. Confab will retry.");
    case ErrorKind::Crypto:
        return QCoreApplication::translate("confab::Error", "This could not be decrypted or verified.");
    case ErrorKind::Storage:
        return QCoreApplication::translate("confab::Error", "Confab could not read or write its local data.");
    case ErrorKind::Keychain:
        return QCoreApplication::translate("confab::Error", "The system keychain is not available.");
    case ErrorKind::Internal:
        return QCoreApplication::translate("confab::Error", "Something went wrong inside Confab.");
    }
    return {};
}

} // namespace

Error::Error(ErrorKind kind, QString message, QString detail)
    : m_kind(kind)
    , m_message(message.isEmpty() ? defaultMessage(kind) : std::move(message))
    , m_detail(std::move(detail))
{}

Error Error::fromHttpStatus(int status, QString message, QString detail)
{
    Error error(kindForStatus(status), std::move(message), std::move(detail));
    error.m_httpStatus = status;
    return error;
}

Error &Error::withHttpStatus(int status)
{
    m_httpStatus = status;
    return *this;
}

Error &Error::withProblemType(QString type)
{
    m_problemType = std::move(type);
    return *this;
}

Error &Error::withDetail(QString detail)
{
    m_detail = std::move(detail);
    return *this;
}

bool Error::isTransient() const
{
    switch (m_kind) {
    case ErrorKind::Network:
    case ErrorKind::Timeout:
    case ErrorKind::RateLimited:
    case ErrorKind::Server: return true;
    default: return false;
    }
}

QString Error::toString() const
{
    QString out = errorKindName(m_kind);
    QStringList context;
    if (m_httpStatus != 0)
        context << QStringLiteral("HTTP %1").arg(m_httpStatus);
    if (!m_problemType.isEmpty())
        context << m_problemType;
    if (!context.isEmpty())
        out += QLatin1String(" (") + context.join(QLatin1String(", ")) + QLatin1Char(')');
    out += QLatin1String(": ") + m_message;
    if (!m_detail.isEmpty())
        out += QStringLiteral(" \u2014 ") + m_detail;
    return out;
}

QDebug operator<<(QDebug debug, const Error &error)
{
    const QDebugStateSaver saver(debug);
    debug.noquote().nospace() << "confab::Error(" << error.toString() << ')';
    return debug;
}

} // namespace confab
