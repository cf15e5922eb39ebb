#include "protocols/xchat/account/verifyjob.h"

#include "core/worker.h"

namespace confab::xchat {

QFuture<VerifyOutput> verifyOnWorker(VerifyJob job)
{
    return onWorker([job = std::move(job)]() mutable {
        VerifyOutput out;
        out.ring = std::move(job.ring);
        EventVerifier verifier(job.identity, job.directory, out.ring);
        const EventVerifier::Batch batch = verifier.processBatch(job.keyEvents, job.events);
        out.normalized = normalizeEvents(job.myUserId, job.keyEvents, job.events, batch, out.ring);
        return out;
    });
}

} // namespace confab::xchat
