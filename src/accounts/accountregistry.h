#pragma once

#include "accounts/accountrecord.h"

#include <QList>
#include <QString>

#include <optional>

namespace confab::accounts {

/// The profile's list of accounts, in its settings file (INI, group "accounts"). Holds no secret:
/// tokens and keys are in the SecretStore under names derived from the record's key.
class AccountRegistry
{
public:
    /// `settingsFile`: the profile's settings (Profile::settingsFile()).
    explicit AccountRegistry(QString settingsFile);

    [[nodiscard]] QList<AccountRecord> load() const;
    [[nodiscard]] std::optional<AccountRecord> find(const QString &key) const;
    /// Adds the record, or replaces the one with its key (keeping its place in the list).
    void upsert(const AccountRecord &record);
    void remove(const QString &key);

private:
    void save(const QList<AccountRecord> &records);

    QString m_settingsFile;
};

} // namespace confab::accounts
