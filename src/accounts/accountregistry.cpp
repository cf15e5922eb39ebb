#include "accounts/accountregistry.h"

#include <QSettings>

namespace confab::accounts {

QString AccountRecord::makeKey(store::AccountKind kind, const QString &userId, const QUrl &server)
{
    const QString where =
        server.port() > 0 ? QStringLiteral("%1:%2").arg(server.host()).arg(server.port()) : server.host();
    return QStringLiteral("%1:%2@%3").arg(store::accountKindName(kind), userId, where);
}

AccountRegistry::AccountRegistry(QString settingsFile) : m_settingsFile(std::move(settingsFile)) {}

QList<AccountRecord> AccountRegistry::load() const
{
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    QList<AccountRecord> out;
    const int count = settings.beginReadArray(QStringLiteral("accounts"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        const auto kind = store::accountKindFromName(settings.value(QStringLiteral("kind")).toString());
        AccountRecord r;
        r.key = settings.value(QStringLiteral("key")).toString();
        if (!kind || r.key.isEmpty())
            continue; // written by a newer Confab, or damaged: left alone
        r.kind = *kind;
        r.server = QUrl(settings.value(QStringLiteral("server")).toString());
        r.clientId = settings.value(QStringLiteral("clientId")).toString();
        r.userId = settings.value(QStringLiteral("userId")).toString();
        r.username = settings.value(QStringLiteral("username")).toString();
        r.displayName = settings.value(QStringLiteral("displayName")).toString();
        r.keysBackedUp = settings.value(QStringLiteral("keysBackedUp")).toBool();
        r.signedOut = settings.value(QStringLiteral("signedOut")).toBool();
        out << r;
    }
    settings.endArray();
    return out;
}

std::optional<AccountRecord> AccountRegistry::find(const QString &key) const
{
    for (const AccountRecord &r : load()) {
        if (r.key == key)
            return r;
    }
    return std::nullopt;
}

void AccountRegistry::upsert(const AccountRecord &record)
{
    QList<AccountRecord> records = load();
    bool replaced = false;
    for (AccountRecord &r : records) {
        if (r.key == record.key) {
            r = record;
            replaced = true;
        }
    }
    if (!replaced)
        records << record;
    save(records);
}

void AccountRegistry::remove(const QString &key)
{
    QList<AccountRecord> records = load();
    records.removeIf([&key](const AccountRecord &r) { return r.key == key; });
    save(records);
}

void AccountRegistry::save(const QList<AccountRecord> &records)
{
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    settings.remove(QStringLiteral("accounts"));
    settings.beginWriteArray(QStringLiteral("accounts"), static_cast<int>(records.size()));
    for (int i = 0; i < records.size(); ++i) {
        const AccountRecord &r = records.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("key"), r.key);
        settings.setValue(QStringLiteral("kind"), store::accountKindName(r.kind));
        settings.setValue(QStringLiteral("server"), r.server.toString());
        settings.setValue(QStringLiteral("clientId"), r.clientId);
        settings.setValue(QStringLiteral("userId"), r.userId);
        settings.setValue(QStringLiteral("username"), r.username);
        settings.setValue(QStringLiteral("displayName"), r.displayName);
        settings.setValue(QStringLiteral("keysBackedUp"), r.keysBackedUp);
        settings.setValue(QStringLiteral("signedOut"), r.signedOut);
    }
    settings.endArray();
    settings.sync();
}

} // namespace confab::accounts
