// Fuzz target: ECIES conversation-key unwrapping (unwrapConversationKey) with a fixed identity key,
// X's vector identity. The input is the wrapped key; inputs that are not 113 bytes long are tried
// as they are (the length check) and again cut or zero-padded to 113 bytes, so that almost every
// input reaches the point decoding, ECDH, the KDF and AES-GCM. Results are discarded.

#include "crypto/ecies.h"
#include "fuzzsupport.h"

#include <cstdint>

using namespace confab;

namespace {
const crypto::P256KeyPair *identity = nullptr;
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietLogging();
    static const crypto::P256KeyPair key = fuzz::Vectors::get().keyPair("identity_private_b64");
    identity = &key;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::view(data, size);
    (void)crypto::unwrapConversationKey(input, *identity);
    if (input.size() != crypto::WrappedKeySize) {
        QByteArray fitted = input.first(qMin(input.size(), crypto::WrappedKeySize)).toByteArray();
        fitted.resize(crypto::WrappedKeySize, '\0');
        (void)crypto::unwrapConversationKey(fitted, *identity);
    }
    return 0;
}
