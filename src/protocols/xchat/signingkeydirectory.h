#pragma once

#include "core/result.h"
#include "crypto/p256.h"

#include <QHash>
#include <QString>

#include <optional>

namespace confab::xchat {

/// Compares X's key versions (millisecond timestamps as decimal strings) numerically.
/// Returns nullopt when either is not a plain decimal number.
[[nodiscard]] std::optional<int> compareVersions(const QString &a, const QString &b);

/// One published key record of a user, as the public-keys endpoint serves it.
struct PublicKeyRecord
{
    QString userId;
    QString version;                 ///< public_key_version
    QByteArray identityPublicKey;    ///< public_key, decoded, exactly as served (SPKI or point)
    QByteArray signingPublicKey;     ///< signing_public_key, decoded, exactly as served
    QByteArray identityKeySignature; ///< identity_public_key_signature: raw r||s by the signing key
    QByteArray signingKeySignature;  ///< signing_public_key_signature (optional): by the identity key
};

/// The peers' keys Confab trusts for verification: only records whose key binding verified.
///
/// Receiver rule 1 (spec §2.4): a signature is checked with the signing key of the sender at the
/// signature's key version, from this directory, never with a key embedded in the event.
class SigningKeyDirectory
{
public:
    struct Entry
    {
        crypto::P256PublicKey identityKey;
        crypto::P256PublicKey signingKey;
    };

    /// Verifies the record's binding (the signing key's signature over the identity key bytes as
    /// served, and the identity key's signature over the signing key if present) and stores it.
    /// A record that fails is refused with a Crypto error and changes nothing.
    Result<void> addRecord(const PublicKeyRecord &record);

    [[nodiscard]] const Entry *find(const QString &userId, const QString &version) const;
    /// The user's newest binding-verified key version.
    [[nodiscard]] std::optional<QString> newestVersion(const QString &userId) const;
    [[nodiscard]] qsizetype size() const { return m_entries.size(); }

private:
    QHash<QString, Entry> m_entries; ///< key: userId + '/' + version
};

} // namespace confab::xchat
