#pragma once

#include "core/result.h"

#include <QLockFile>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <memory>

namespace confab {

/// Makes sure a profile runs at most once per session: the first launch owns the profile's D-Bus
/// name and serves org.freedesktop.Application there; a later launch asks it to raise its window
/// and exits. Without a session bus, a lock file in the profile folder keeps a second launch out.
class SingleInstance : public QObject
{
    Q_OBJECT

public:
    enum class Role {
        Primary,   ///< This process owns the profile; go on and show the window.
        Secondary, ///< Another process owns the profile and has been asked to raise its window.
    };

    SingleInstance(QString serviceName, QString lockFilePath, QObject *parent = nullptr);
    ~SingleInstance() override;

    /// Claims the profile. Blocks only at start-up, before any window exists, and for at most a
    /// few seconds when a running instance is slow to answer.
    [[nodiscard]] Result<Role> claim();

    /// Whether the D-Bus name is owned by this process (false when running without a bus).
    [[nodiscard]] bool ownsBusName() const { return m_ownsName; }

Q_SIGNALS:
    /// Another launch asked us to show ourselves. `activationToken` is its XDG activation or
    /// startup-notification token (may be empty); pass it on when raising the window.
    void activationRequested(const QString &activationToken);

private:
    friend class ApplicationAdaptor;
    void activate(const QVariantMap &platformData);
    [[nodiscard]] Result<Role> claimWithLockFile();

    QString m_serviceName;
    QString m_lockFilePath;
    std::unique_ptr<QLockFile> m_lock;
    bool m_ownsName = false;
};

} // namespace confab
