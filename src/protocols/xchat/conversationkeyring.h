#pragma once

#include "crypto/securebytes.h"

#include <QHash>
#include <QString>

#include <optional>

namespace confab::xchat {

/// The conversation keys of one conversation, by version.
///
/// Any key can decrypt the messages and media of its version. Only a key whose key-change
/// signature verified can become the *current* key (the one new messages are encrypted with),
/// and the current key only ever moves forward: a replayed older key change, even a validly
/// signed one, never becomes current again (spec §2.4 rule 3).
class ConversationKeyRing
{
public:
    enum class Trust { Verified, Unverified };

    /// Adds a key; returns true if it became the current key. A version that is not a decimal
    /// number is refused. A known version keeps its key; a verified copy upgrades its trust.
    bool add(const QString &version, const crypto::SecureBytes &key, Trust trust);

    /// The key for `version`, whatever its trust, or null.
    [[nodiscard]] const crypto::SecureBytes *key(const QString &version) const;
    [[nodiscard]] std::optional<Trust> trust(const QString &version) const;
    /// The newest verified version, if any.
    [[nodiscard]] std::optional<QString> currentVersion() const { return m_current; }
    [[nodiscard]] const crypto::SecureBytes *currentKey() const;
    [[nodiscard]] qsizetype size() const { return m_keys.size(); }

private:
    struct Slot
    {
        crypto::SecureBytes key;
        Trust trust;
    };
    QHash<QString, Slot> m_keys;
    std::optional<QString> m_current;
};

} // namespace confab::xchat
