#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QNetworkReply>
#include <QString>

namespace confab::net {

/// What an HTTP exchange ended with, as far as the error mapping needs it.
struct Outcome
{
    int status = 0; ///< 0: no HTTP answer arrived
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString networkErrorString;
    QByteArray contentType; ///< the media type, lower case, without parameters
    QByteArray body;
    bool timedOut = false; ///< no progress within the request's timeout
    QString what;          ///< "GET /2/chat/conversations": for the detail, never with a query or token
};

/// True for connection-level failures (refused, closed, aborted, timed out, TLS, proxy), false for
/// the codes QNetworkReply uses to name HTTP error statuses.
[[nodiscard]] bool isConnectionError(QNetworkReply::NetworkError error);

/// The typed Error an HTTP exchange that failed means. RFC 7807 problem details
/// (`application/problem+json`: type, title, detail) and X's `{"errors":[{"code","message"}]}`
/// are read for the detail and the problem type; the message is a sentence for a person that
/// says what happened and what to do, chosen by the kind (and status), never the server's text.
/// A 2xx cut short by a dropped connection is a Network error (the server may have acted).
[[nodiscard]] Error errorFor(const Outcome &outcome);

/// The server's own one-line reason in a problem or an X error list (empty when there is none).
[[nodiscard]] QString serverReason(const QByteArray &body);

/// The media type of a Content-Type header: lower case, without parameters.
[[nodiscard]] QByteArray mediaType(const QByteArray &contentType);

} // namespace confab::net
