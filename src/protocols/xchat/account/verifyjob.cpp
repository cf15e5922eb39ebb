#include "protocols/xchat/account/verifyjob.h"

#include <QPromise>
#include <QThreadPool>

#include <memory>

namespace confab::xchat {

QFuture<VerifyOutput> verifyOnWorker(VerifyJob job)
{
    auto promise = std::make_shared<QPromise<VerifyOutput>>();
    QFuture<VerifyOutput> future = promise->future();
    promise->start();
    QThreadPool::globalInstance()->start([promise, job = std::move(job)]() mutable {
        VerifyOutput out;
        out.ring = std::move(job.ring);
        EventVerifier verifier(job.identity, job.directory, out.ring);
        const EventVerifier::Batch batch = verifier.processBatch(job.keyEvents, job.events);
        out.normalized = normalizeEvents(job.myUserId, job.keyEvents, job.events, batch, out.ring);
        promise->addResult(std::move(out));
        promise->finish();
    });
    return future;
}

} // namespace confab::xchat
