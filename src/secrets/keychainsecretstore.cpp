#include "secrets/keychainsecretstore.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QPromise>
#include <QTimer>
#include <qt6keychain/keychain.h>

#include <memory>

namespace confab::secrets {

namespace {

constexpr auto ProbeEntry = "confab-keychain-probe";

QString tr(const char *text)
{
    return QCoreApplication::translate("confab::secrets", text);
}

/// The person-facing error for a failed keychain job. Never includes the entry's value.
Error keychainError(QKeychain::Error error, const QString &errorString, const QString &operation)
{
    const QString detail =
        QStringLiteral("%1: QtKeychain error %2: %3").arg(operation).arg(int(error)).arg(errorString);
    // libsecret reports a bus without a Secret Service (or no session bus) as a generic error.
    if (error == QKeychain::OtherError && (errorString.contains(QLatin1String("org.freedesktop.secrets")) ||
                                           errorString.contains(QLatin1String("D-Bus"), Qt::CaseInsensitive) ||
                                           errorString.contains(QLatin1String("DBus"), Qt::CaseInsensitive)))
        error = QKeychain::NoBackendAvailable;
    switch (error) {
    case QKeychain::NoBackendAvailable:
        return Error(ErrorKind::Keychain,
                     tr("No keychain is available. Install and start a Secret Service keychain (GNOME Keyring, "
                        "KWallet or KeePassXC with Secret Service integration), then restart Confab."),
                     detail);
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Error(ErrorKind::Keychain,
                     tr("The keychain refused access. Unlock your keyring (it usually unlocks when you log in) "
                        "and allow Confab to use it."),
                     detail);
    case QKeychain::NotImplemented:
        return Error(ErrorKind::Keychain, tr("This system's keychain cannot store Confab's secrets."), detail);
    case QKeychain::CouldNotDeleteEntry:
        return Error(ErrorKind::Keychain, tr("An entry could not be removed from the keychain."), detail);
    case QKeychain::NoError:
    case QKeychain::EntryNotFound:
    case QKeychain::OtherError: break;
    }
    return Error(ErrorKind::Keychain,
                 tr("The keychain did not work: it may be locked or not running. Unlock it or restart your "
                    "session, then try again."),
                 detail);
}

Error timedOut(const QString &operation, int timeoutMs)
{
    return Error(ErrorKind::Keychain,
                 tr("The keychain did not answer. If it asks to be unlocked, unlock it; otherwise restart it."),
                 QStringLiteral("%1: no answer within %2 ms").arg(operation).arg(timeoutMs));
}

/// Runs a QtKeychain job and finishes a future with `done(job)`'s result, or with a timeout
/// error. The job deletes itself when it finishes.
template<typename T, typename Done>
QFuture<Result<T>> run(QKeychain::Job *job, int timeoutMs, const QString &operation, Done done)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    auto finished = std::make_shared<bool>(false);
    QFuture<Result<T>> future = promise->future();
    promise->start();
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise, finished, done](QKeychain::Job *j) {
        if (*finished)
            return;
        *finished = true;
        promise->addResult(done(j));
        promise->finish();
    });
    auto *timer = new QTimer(job);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, job, [promise, finished, operation, timeoutMs] {
        if (*finished)
            return;
        *finished = true;
        qCWarning(lcSecrets) << "the keychain did not answer" << operation << "within" << timeoutMs << "ms";
        promise->addResult(Result<T>(timedOut(operation, timeoutMs)));
        promise->finish();
    });
    timer->start(timeoutMs);
    job->start();
    return future;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, int timeoutMs)
    : m_service(std::move(service))
    , m_timeoutMs(timeoutMs)
{}

QString KeychainSecretStore::serviceNameFor(const QString &appId, const QString &profile, bool isDefault)
{
    return isDefault ? appId : appId + QLatin1Char('.') + profile;
}

QFuture<Result<void>> KeychainSecretStore::probe(int timeoutMs)
{
    return readWithin(QString::fromLatin1(ProbeEntry), timeoutMs)
        .then([](const Result<std::optional<crypto::SecureBytes>> &read) {
            if (!read)
                return Result<void>(read.error());
            return Result<void>();
        });
}

QFuture<Result<std::optional<crypto::SecureBytes>>> KeychainSecretStore::read(const QString &name)
{
    return readWithin(name, m_timeoutMs);
}

QFuture<Result<std::optional<crypto::SecureBytes>>> KeychainSecretStore::readWithin(const QString &name, int timeoutMs)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(name);
    using Value = std::optional<crypto::SecureBytes>;
    return run<Value>(job, timeoutMs, QStringLiteral("reading %1").arg(name), [name](QKeychain::Job *j) {
                          auto *reader = static_cast<QKeychain::ReadPasswordJob *>(j);
                          if (j->error() == QKeychain::EntryNotFound)
                              return Result<Value>(Value());
                          if (j->error() != QKeychain::NoError)
                              return Result<Value>(
                                  keychainError(j->error(), j->errorString(), QStringLiteral("reading ") + name));
                          // QtKeychain holds the bytes in a QByteArray of its own (shared with this one), freed
                          // with the job; they are copied into locked memory here.
                          const QByteArray bytes = reader->binaryData();
                          return Result<Value>(Value(crypto::SecureBytes(QByteArrayView(bytes))));
                      });
}

QFuture<Result<void>> KeychainSecretStore::write(const QString &name, const crypto::SecureBytes &value)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(name);
    job->setBinaryData(value.toByteArray()); // the job's own copy, freed with it
    return run<void>(job, m_timeoutMs, QStringLiteral("writing %1").arg(name), [name](QKeychain::Job *j) {
                         if (j->error() != QKeychain::NoError)
                             return Result<void>(
                                 keychainError(j->error(), j->errorString(), QStringLiteral("writing ") + name));
                         return Result<void>();
                     });
}

QFuture<Result<void>> KeychainSecretStore::remove(const QString &name)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(name);
    return run<void>(job, m_timeoutMs, QStringLiteral("removing %1").arg(name), [name](QKeychain::Job *j) {
                         if (j->error() != QKeychain::NoError && j->error() != QKeychain::EntryNotFound)
                             return Result<void>(
                                 keychainError(j->error(), j->errorString(), QStringLiteral("removing ") + name));
                         return Result<void>();
                     });
}

QString KeychainSecretStore::description() const
{
    return tr("the system keychain");
}

} // namespace confab::secrets
