#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <wire/xchat_types.h>

namespace confab::xchat {

namespace detail {
/// Reads one Thrift struct with TBinaryProtocol from `bytes`; `read` is the struct's read().
Result<void> readThrift(QByteArrayView bytes, const char *what,
                        const std::function<uint32_t(apache::thrift::protocol::TProtocol *)> &read);
QByteArray writeThrift(const std::function<uint32_t(apache::thrift::protocol::TProtocol *)> &write);
} // namespace detail

/// Decodes a Thrift struct (TBinaryProtocol). Unknown fields and union members are skipped, not
/// errors; truncated or malformed input, and input with bytes left over, are Protocol errors.
/// Container sizes are checked against the input length, so hostile input cannot make it
/// allocate more than it is given.
template<typename T>
[[nodiscard]] Result<T> decodeThrift(QByteArrayView bytes, const char *what)
{
    T value;
    auto ok = detail::readThrift(bytes, what, [&](apache::thrift::protocol::TProtocol *p) { return value.read(p); });
    if (!ok)
        return ok.error();
    return value;
}

/// Encodes a Thrift struct with TBinaryProtocol, strict write.
template<typename T>
[[nodiscard]] QByteArray encodeThrift(const T &value)
{
    return detail::writeThrift([&](apache::thrift::protocol::TProtocol *p) { return value.write(p); });
}

/// A Thrift string field as a QString.
[[nodiscard]] inline QString fromWire(const std::string &s)
{
    return QString::fromStdString(s);
}

/// Decodes a base64 (padded or not) MessageEvent: `encoded_event`, `conversation_key_events`.
[[nodiscard]] Result<wire::MessageEvent> decodeEventBase64(QByteArrayView base64);

} // namespace confab::xchat
