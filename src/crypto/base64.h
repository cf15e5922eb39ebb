#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace confab::crypto::base64 {

/// X Chat uses standard base64 in two spellings: padded (Thrift blobs, wrapped keys, metadata) and
/// unpadded (signatures and bytes inside signed payloads). Fingerprints are base64url, unpadded.

[[nodiscard]] QByteArray encodePadded(QByteArrayView bytes);
[[nodiscard]] QByteArray encodeUnpadded(QByteArrayView bytes);
[[nodiscard]] QByteArray encodeUrlUnpadded(QByteArrayView bytes);

/// Decodes standard base64 with or without padding. Anything else (other characters, whitespace,
/// misplaced padding, a dangling single character) is an InvalidInput error, never a partial result.
[[nodiscard]] Result<QByteArray> decode(QByteArrayView text);

} // namespace confab::crypto::base64
