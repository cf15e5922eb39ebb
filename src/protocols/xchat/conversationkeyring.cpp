#include "protocols/xchat/conversationkeyring.h"

#include "protocols/xchat/signingkeydirectory.h"

namespace confab::xchat {

bool ConversationKeyRing::add(const QString &version, const crypto::SecureBytes &key, Trust trust)
{
    if (!compareVersions(version, version) || key.size() != 32)
        return false;
    auto it = m_keys.find(version);
    if (it == m_keys.end()) {
        it = m_keys.insert(version, Slot{key, trust});
    } else if (trust == Trust::Verified && it->trust == Trust::Unverified) {
        if (!(it->key == key))
            it->key = key; // the verified copy wins over an unverified one
        it->trust = Trust::Verified;
    }
    if (trust != Trust::Verified)
        return false;
    if (!m_current || compareVersions(version, *m_current).value_or(0) > 0) {
        m_current = version;
        return true;
    }
    return false;
}

const crypto::SecureBytes *ConversationKeyRing::key(const QString &version) const
{
    const auto it = m_keys.constFind(version);
    return it == m_keys.cend() ? nullptr : &it->key;
}

std::optional<ConversationKeyRing::Trust> ConversationKeyRing::trust(const QString &version) const
{
    const auto it = m_keys.constFind(version);
    return it == m_keys.cend() ? std::nullopt : std::optional<Trust>(it->trust);
}

const crypto::SecureBytes *ConversationKeyRing::currentKey() const
{
    return m_current ? key(*m_current) : nullptr;
}

} // namespace confab::xchat
