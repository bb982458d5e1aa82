import Booking
import BookingService
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient

extension FlowControl {
    /// A message of the timers consumer: a schedule fired.
    @Sendable func handleTimerMessage(_ message: JetStreamMessage) async throws -> Disposition {
        let firing: TimerFiring
        do {
            firing = try TimerFiring.decode(message.message.payload)
        } catch {
            logger.error("unreadable timer dropped", metadata: ["subject": "\(message.subject)", "seq": "\(message.sequence)", "error": "\(error)"])
            return .ack
        }
        switch firing.kind {
        case .step: try await stepTimerFired(firing)
        case .booking: try await bookingTimerFired(firing)
        case .cron: try await cronTimerFired(firing)
        }
        return .ack
    }

    /// A wait ended (the step succeeds) or an approval's deadline passed (its default outcome).
    /// Appended through the run decider at the run's current sequence: a timer for an attempt
    /// the run has left is rejected there, which is the "already handled" answer.
    func stepTimerFired(_ firing: TimerFiring) async throws {
        guard let runId = firing.runId, let stepId = firing.stepId, let attempt = firing.attempt else { return }
        let subject = WorkSubjects.run(flowId: firing.flowId, runId: runId)
        let run = try await loadRun(subject)
        guard let progress = run.state.steps[stepId], progress.attempt == attempt else { return }
        let command: RunCommand = progress.status == .awaitingApproval
            ? .stepTimedOut(stepId: stepId, attempt: attempt)
            : .stepSucceeded(stepId: stepId, attempt: attempt, output: ["firedAt": .string(FlowTime.format(now())), "dueAt": .string(FlowTime.format(firing.dueAt))])
        try await decideOnRun(subject, command, idempotencyKey: "timer/\(runId)/\(stepId)/\(attempt)")
    }

    /// A relative-time trigger is due: the booking is read again as it is now, and the run
    /// starts only if it is still active, still due at this time, and passes the filter now.
    func bookingTimerFired(_ firing: TimerFiring) async throws {
        guard let bookingId = firing.bookingId, let resourceId = firing.resourceId else { return }
        guard let published = await flows.live(firing.flowId), case .bookingTime(let trigger) = published.definition.trigger else {
            logger.info("timer of a flow that is no longer live dropped", metadata: ["flow": "\(firing.flowId)", "booking": "\(bookingId)"])
            return
        }
        let facts = try await bookingFacts(bookingId, resourceId: resourceId)
        guard facts.status == .active else { return }
        let site = facts.siteId.isEmpty ? nil : try await aggregates.site(facts.siteId)
        let bookingData = TriggerData.booking(facts, site: site)
        guard let dueAt = trigger.dueAt(for: bookingData) else { return }
        if abs(dueAt.timeIntervalSince(firing.dueAt)) >= 1 {
            // The due time this timer was set for no longer exists: the booking was rescheduled
            // (its replacement timer not yet in place) or a new version of the flow has another
            // offset. Dropping it would lose the run, so the timer is set again for the due time
            // as it is now; one that has passed while the booking is still on starts the run now
            // (the key is the due time, so the replacement timer starts nothing twice).
            if dueAt > now() {
                try await schedule(TimerFiring(kind: .booking, flowId: firing.flowId, dueAt: dueAt, bookingId: bookingId, resourceId: resourceId),
                                   on: TimerSubjects.booking(flowId: firing.flowId, bookingId: bookingId))
                return
            }
            guard let end = facts.end, end > now() else { return }
        }
        let data = TriggerData.merge(common(), bookingData, ["timer": ["dueAt": .string(FlowTime.format(dueAt))]])
        do {
            guard try trigger.passes(data: data, now: now()) else {
                logger.info("booking timer fired; filter not met", metadata: ["flow": "\(firing.flowId)", "booking": "\(bookingId)"])
                return
            }
        } catch {
            logger.error("trigger filter could not be evaluated; no run started",
                         metadata: ["flow": "\(firing.flowId)", "booking": "\(bookingId)", "reason": "\(error)"])
            return
        }
        _ = try await startRun(published.definition, version: published.version,
                               triggerKey: RunIdentity.timerKey(bookingId: bookingId, dueAt: dueAt), data: data)
    }
}
