#include "protocols/xchat/thriftcodec.h"

#include "crypto/base64.h"

#include <limits>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace confab::xchat {

namespace detail {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

namespace {
constexpr int MaxNesting = 32; // MessageEvent -> detail -> ... -> reply preview -> MessageEvent: well below
} // namespace

Result<void> readThrift(QByteArrayView bytes, const char *what,
                        const std::function<uint32_t(apache::thrift::protocol::TProtocol *)> &read)
{
    if (bytes.size() > std::numeric_limits<int>::max() / 2)
        return Error(ErrorKind::Protocol, QStringLiteral("The %1 is too large.").arg(QLatin1String(what)));
    try {
        auto config = std::make_shared<TConfiguration>(static_cast<int>(bytes.size()) + 1,
                                                       TConfiguration::DEFAULT_MAX_FRAME_SIZE, MaxNesting);
        // TMemoryBuffer only reads from an OBSERVE buffer; the const_cast never writes.
        auto buffer =
            std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t *>(const_cast<char *>(bytes.data())),
                                            static_cast<uint32_t>(bytes.size()), TMemoryBuffer::OBSERVE, config);
        TBinaryProtocol protocol(buffer);
        read(&protocol);
        if (buffer->available_read() != 0) {
            return Error(ErrorKind::Protocol,
                         QStringLiteral("The %1 is malformed.").arg(QLatin1String(what)),
                                        QStringLiteral("%1 bytes left after the struct").arg(buffer->available_read()));
        }
    } catch (const std::exception &e) {
        return Error(ErrorKind::Protocol, QStringLiteral("The %1 is malformed.").arg(QLatin1String(what)),
                                                         QString::fromUtf8(e.what()));
    }
    return {};
}

QByteArray writeThrift(const std::function<uint32_t(apache::thrift::protocol::TProtocol *)> &write)
{
    auto buffer = std::make_shared<TMemoryBuffer>();
    TBinaryProtocol protocol(buffer, 0, 0, /*strictRead*/ false, /*strictWrite*/ true);
    write(&protocol);
    uint8_t *data = nullptr;
    uint32_t size = 0;
    buffer->getBuffer(&data, &size);
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

} // namespace detail

Result<wire::MessageEvent> decodeEventBase64(QByteArrayView base64)
{
    auto bytes = crypto::base64::decode(base64);
    if (!bytes) {
        return Error(ErrorKind::Protocol, QStringLiteral("The event is malformed."),
                                                         QStringLiteral("not base64: ") + bytes.error().detail());
    }
    return decodeThrift<wire::MessageEvent>(bytes.value(), "event");
}

} // namespace confab::xchat
