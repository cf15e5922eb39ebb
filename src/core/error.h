#pragma once

#include <QDebug>
#include <QMetaType>
#include <QString>

namespace confab {

/// What went wrong, independent of the layer that noticed it. The kind decides how the UI
/// reacts (retry later, ask the user to sign in again, show "could not decrypt", ...).
enum class ErrorKind {
    Network,      ///< DNS, connection refused or dropped, TLS failure: worth retrying later.
    Timeout,      ///< The peer did not answer in time: worth retrying later.
    Cancelled,    ///< The user or the app cancelled the operation; not shown as a failure.
    RateLimited,  ///< HTTP 429 or an exhausted x-rate-limit budget: retry after the reset.
    Unauthorized, ///< HTTP 401: the credentials are missing, expired or revoked.
    Forbidden,    ///< HTTP 403: signed in, but not allowed to do this.
    NotFound,     ///< HTTP 404 / resource-not-found.
    Conflict,     ///< HTTP 409 or a duplicate that the server refused.
    InvalidInput, ///< HTTP 400/422, or input the app itself rejected before sending.
    Protocol,     ///< The peer answered with something malformed (bad JSON, wrong shape).
    Server,       ///< HTTP 5xx: the service failed; worth retrying later.
    Crypto,       ///< A signature did not verify, a ciphertext did not decrypt, a key is bad.
    Storage,      ///< The local database or file system failed.
    Keychain,     ///< The OS keychain is missing, locked or refused the request.
    Internal,     ///< A bug in Confab: an invariant did not hold.
};

/// Readable name of a kind, for logs and tests ("RateLimited").
[[nodiscard]] QString errorKindName(ErrorKind kind);

/// A typed failure that carries everything a person and a developer need.
///
/// `message` is the one sentence shown to a person: what happened and, where there is one, what to
/// do about it. `detail` is for logs and the "details" disclosure and must never contain secrets
/// (tokens, keys, message bodies). `httpStatus` is 0 when no HTTP exchange was involved;
/// `problemType` is the RFC 7807 `type` URI when the server sent one.
class Error
{
public:
    Error() = default;
    Error(ErrorKind kind, QString message, QString detail = {});

    [[nodiscard]] static Error fromHttpStatus(int status, QString message = {}, QString detail = {});

    [[nodiscard]] ErrorKind kind() const { return m_kind; }
    [[nodiscard]] int httpStatus() const { return m_httpStatus; }
    [[nodiscard]] const QString &problemType() const { return m_problemType; }
    [[nodiscard]] const QString &message() const { return m_message; }
    [[nodiscard]] const QString &detail() const { return m_detail; }

    Error &withHttpStatus(int status);
    Error &withProblemType(QString type);
    Error &withDetail(QString detail);

    /// True when trying the same thing again later may succeed without any change by the user.
    [[nodiscard]] bool isTransient() const;

    /// One line for logs: "RateLimited (HTTP 429, https://…/problems/…): message — detail".
    [[nodiscard]] QString toString() const;

    friend bool operator==(const Error &, const Error &) = default;

private:
    ErrorKind m_kind = ErrorKind::Internal;
    int m_httpStatus = 0;
    QString m_problemType;
    QString m_message;
    QString m_detail;
};

QDebug operator<<(QDebug debug, const Error &error);

} // namespace confab

Q_DECLARE_METATYPE(confab::Error)
