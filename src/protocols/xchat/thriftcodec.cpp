#include "protocols/xchat/thriftcodec.h"

#include "crypto/base64.h"

#include <algorithm>
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

using apache::thrift::protocol::TBinaryProtocolT;
using apache::thrift::protocol::TList;
using apache::thrift::protocol::TMap;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TSet;
using apache::thrift::protocol::TType;
using apache::thrift::protocol::TVirtualProtocol;
using apache::thrift::transport::TTransport;

/// The largest element count of any one list, set or map in an X Chat struct; far above what X
/// sends (at most 10 attachments, group-sized key lists), far below what could exhaust memory.
constexpr int32_t MaxContainerElements = 1 << 16;

/// TBinaryProtocol hardened for hostile input, reading from an in-memory buffer:
/// - every type byte is checked before it becomes a TType (libthrift casts the raw byte straight
///   to the enum: undefined behaviour for bytes that name no type);
/// - a string cannot claim more bytes than the input has (libthrift 0.17 resizes the string to
///   the claimed length before reading it);
/// - a container cannot claim more elements than there are bytes left, since every element takes
///   at least one (libthrift counts a struct's minimum size as zero and would allocate them all).
class CheckedBinaryProtocol : public TVirtualProtocol<CheckedBinaryProtocol, TBinaryProtocolT<TTransport>>
{
public:
    CheckedBinaryProtocol(const std::shared_ptr<TMemoryBuffer> &buffer, int32_t inputSize)
        : TVirtualProtocol<CheckedBinaryProtocol, TBinaryProtocolT<TTransport>>(buffer)
        , m_buffer(buffer.get())
    {
        setStringSizeLimit(inputSize);
        setContainerSizeLimit(std::min(inputSize, MaxContainerElements));
    }

    uint32_t readFieldBegin(std::string & /*name*/, TType &fieldType, int16_t &fieldId)
    {
        int8_t type = 0;
        uint32_t result = readByte(type);
        if (type == apache::thrift::protocol::T_STOP) {
            fieldType = apache::thrift::protocol::T_STOP;
            fieldId = 0;
            return result;
        }
        fieldType = checked(type);
        result += readI16(fieldId);
        return result;
    }

    uint32_t readMapBegin(TType &keyType, TType &valueType, uint32_t &size)
    {
        int8_t k = 0;
        int8_t v = 0;
        uint32_t result = readByte(k);
        result += readByte(v);
        keyType = checked(k);
        valueType = checked(v);
        result += readSize(size);
        TMap map(keyType, valueType, static_cast<int>(size));
        checkReadBytesAvailable(map);
        return result;
    }

    uint32_t readListBegin(TType &elementType, uint32_t &size) { return readSequenceBegin<TList>(elementType, size); }
    uint32_t readSetBegin(TType &elementType, uint32_t &size) { return readSequenceBegin<TSet>(elementType, size); }

private:
    /// A list or set header: element type, then count.
    template<typename Header>
    uint32_t readSequenceBegin(TType &elementType, uint32_t &size)
    {
        int8_t e = 0;
        uint32_t result = readByte(e);
        elementType = checked(e);
        result += readSize(size);
        Header header(elementType, static_cast<int>(size));
        checkReadBytesAvailable(header);
        return result;
    }

    static TType checked(int8_t type)
    {
        switch (type) {
        case apache::thrift::protocol::T_BOOL:
        case apache::thrift::protocol::T_BYTE:
        case apache::thrift::protocol::T_DOUBLE:
        case apache::thrift::protocol::T_I16:
        case apache::thrift::protocol::T_I32:
        case apache::thrift::protocol::T_I64:
        case apache::thrift::protocol::T_STRING:
        case apache::thrift::protocol::T_STRUCT:
        case apache::thrift::protocol::T_MAP:
        case apache::thrift::protocol::T_SET:
        case apache::thrift::protocol::T_LIST: return static_cast<TType>(type);
        default: throw TProtocolException(TProtocolException::INVALID_DATA, "unknown field type on the wire");
        }
    }

    uint32_t readSize(uint32_t &size)
    {
        int32_t signedSize = 0;
        const uint32_t result = readI32(signedSize);
        if (signedSize < 0)
            throw TProtocolException(TProtocolException::NEGATIVE_SIZE);
        if ((this->container_limit_ && signedSize > this->container_limit_) ||
            static_cast<uint32_t>(signedSize) > m_buffer->available_read())
            throw TProtocolException(TProtocolException::SIZE_LIMIT);
        size = static_cast<uint32_t>(signedSize);
        return result;
    }

    TMemoryBuffer *m_buffer;
};

} // namespace

Result<void> readThrift(QByteArrayView bytes, const char *what,
                        const std::function<uint32_t(apache::thrift::protocol::TProtocol *)> &read)
{
    if (bytes.size() > std::numeric_limits<int>::max() / 2)
        return Error(ErrorKind::Protocol, QStringLiteral("The %1 is too large.").arg(QLatin1String(what)));
    try {
        const int maxFrame = TConfiguration::DEFAULT_MAX_FRAME_SIZE; // a copy: make_shared binds by reference
        auto config = std::make_shared<TConfiguration>(static_cast<int>(bytes.size()) + 1, maxFrame, MaxNesting);
        // TMemoryBuffer only reads from an OBSERVE buffer; the const_cast never writes.
        auto buffer =
            std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t *>(const_cast<char *>(bytes.data())),
                                            static_cast<uint32_t>(bytes.size()), TMemoryBuffer::OBSERVE, config);
        CheckedBinaryProtocol protocol(buffer, static_cast<int32_t>(bytes.size()));
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
