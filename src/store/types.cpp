#include "store/types.h"

#include "store/changeset.h"

#include <algorithm>

namespace confab::store {

QString accountKindName(AccountKind kind)
{
    switch (kind) {
    case AccountKind::XChat: return QStringLiteral("xchat");
    case AccountKind::Acs: return QStringLiteral("acs");
    case AccountKind::AionVision: return QStringLiteral("aionvision");
    }
    return {};
}

std::optional<AccountKind> accountKindFromName(const QString &name)
{
    for (AccountKind kind : {AccountKind::XChat, AccountKind::Acs, AccountKind::AionVision})
        if (accountKindName(kind) == name)
            return kind;
    return std::nullopt;
}

MessageKeyRange rangeOf(const QList<MessageKey> &keys)
{
    Q_ASSERT(!keys.isEmpty());
    const auto [low, high] = std::minmax_element(keys.cbegin(), keys.cend());
    return MessageKeyRange{*low, *high};
}

} // namespace confab::store
