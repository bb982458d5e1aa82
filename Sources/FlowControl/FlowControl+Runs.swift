import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient

/// A run folded from its subject, and the sequence to expect when appending to it.
typealias LoadedRun = RunLog.Loaded

/// What starting a run came to.
public enum RunStart: Equatable, Sendable {
    case started(runId: String)
    /// The run id exists already: a redelivered trigger, or another replica was first.
    case alreadyStarted(runId: String)
}

extension FlowControl {
    /// Starts the run of `flow` v`version` for `triggerKey`, exactly once: the run id is derived
    /// from the three and the first append expects an empty run subject. A trigger that already
    /// started a run on another version of the flow (redelivered after a new version was
    /// published) starts nothing: one trigger, one run, on the version that was live first.
    ///
    /// The start's events go to the run subject one after the other (`RunLog`); a run found
    /// started already is settled if its start was cut short (this is the redelivery of the
    /// trigger whose first handling stopped in between).
    func startRun(_ flow: FlowDefinition, version: Int, triggerKey: String, data: FlowValue, actor: String? = nil) async throws -> RunStart {
        for other in await flows.versions(of: flow.id) where other.version != version {
            let earlier = RunIdentity.runId(flowId: flow.id, flowVersion: other.version, triggerKey: triggerKey)
            if try await runs.lastEvent(subject: WorkSubjects.run(flowId: flow.id, runId: earlier)) != nil {
                return .alreadyStarted(runId: earlier)
            }
        }
        let runId = RunIdentity.runId(flowId: flow.id, flowVersion: version, triggerKey: triggerKey)
        let subject = WorkSubjects.run(flowId: flow.id, runId: runId)
        let start = StartRun(runId: runId, flowVersion: version, triggerKey: triggerKey, triggerData: data)
        let context = RunDecisionContext(flow: flow, now: now(), unitRandom: Double.random(in: 0...1))
        let decision: RunLog.Decision
        do {
            decision = try await runLog.decide(.start(start), on: LoadedRun(state: RunState(), lastSequence: nil), subject: subject, context: context,
                                               idempotencyKey: "start/\(runId)",
                                               metadata: EventMetadata(correlationId: runId, causationId: triggerKey, actor: actor ?? configuration.actor))
        } catch EventStoreError.wrongExpectedVersion {
            try await settleRun(subject)
            return .alreadyStarted(runId: runId)
        }
        switch decision {
        case .rejected(let rejection, _):
            throw FlowControlError.runNotStarted("\(rejection)")
        case .duplicate, .unchanged:
            try await settleRun(subject)
            return .alreadyStarted(runId: runId)
        case .appended(let events, _):
            runVersions.remember(runId, version: version)
            logger.info("run started", metadata: ["flow": "\(flow.id)", "version": "\(version)", "run": "\(runId)", "trigger": "\(triggerKey)"])
            // Hand the first step over at once; the RUNS consumer does the same (message ids dedupe).
            try await react(to: events, flowId: flow.id, flow: flow, version: version)
            return .started(runId: runId)
        }
    }

    func loadRun(_ subject: String) async throws -> LoadedRun {
        let run = try await runLog.load(subject)
        if run.state.status != .notStarted { runVersions.remember(run.state.runId, version: run.state.flowVersion) }
        return run
    }

    /// Decides `command` on the run and appends the outcome with the subject's expected sequence,
    /// reloading when another writer got there first. A rejection means the run moved on
    /// (a stale timer, a late report): nothing to do. A run whose last decision was cut short
    /// is settled first (`RunLog`).
    @discardableResult
    func decideOnRun(_ subject: String, _ command: RunCommand, idempotencyKey: String) async throws -> [RunEvent] {
        for _ in 0..<8 {
            let run = try await loadRun(subject)
            guard run.state.status != .notStarted else { return [] }
            guard let flow = try await definition(run.state.flowId, version: run.state.flowVersion) else {
                throw FlowControlError.unknownFlow("\(run.state.flowId) v\(run.state.flowVersion)")
            }
            let context = RunDecisionContext(flow: flow, now: now(), unitRandom: Double.random(in: 0...1))
            do {
                switch try await runLog.decide(command, on: run, subject: subject, context: context, idempotencyKey: idempotencyKey,
                                               metadata: EventMetadata(correlationId: run.state.runId, actor: configuration.actor)) {
                case .appended(let events, _):
                    try await react(to: events, flowId: flow.id, flow: flow, version: run.state.flowVersion)
                    return events
                case .rejected(let rejection, _):
                    logger.debug("run command not applied: \(rejection)", metadata: ["subject": "\(subject)"])
                    return []
                case .unchanged:
                    return []
                case .duplicate:
                    // Stored before under this key: read what it left (and settle it if cut short).
                    continue
                }
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw EventStoreError.wrongExpectedVersion(subject: subject, expected: .any, actual: nil)
    }

    /// Appends what the run's last decision still owes, if it was cut short, and hands over
    /// what that asks for (a job, a timer). Nothing for a settled run.
    @discardableResult
    func settleRun(_ subject: String) async throws -> [RunEvent] {
        for _ in 0..<8 {
            let run = try await loadRun(subject)
            guard run.state.unsettled != nil, !run.state.isFinished, run.state.status != .notStarted else { return [] }
            guard let flow = try await definition(run.state.flowId, version: run.state.flowVersion) else {
                throw FlowControlError.unknownFlow("\(run.state.flowId) v\(run.state.flowVersion)")
            }
            let context = RunDecisionContext(flow: flow, now: now(), unitRandom: Double.random(in: 0...1))
            do {
                let settled = try await runLog.settle(run, subject: subject, context: context,
                                                      metadata: EventMetadata(correlationId: run.state.runId, actor: configuration.actor))
                if settled.duplicate { continue }
                let events = settled.events
                if !events.isEmpty {
                    logger.notice("run settled: its last decision was cut short", metadata: ["subject": "\(subject)", "events": "\(events.count)"])
                    try await react(to: events, flowId: flow.id, flow: flow, version: run.state.flowVersion)
                }
                return events
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw EventStoreError.wrongExpectedVersion(subject: subject, expected: .any, actual: nil)
    }

    /// The definition a run is pinned to: from the index, or read from its subject when the
    /// index has not seen that version yet (another replica just published it).
    func definition(_ flowId: String, version: Int) async throws -> FlowDefinition? {
        if let known = await flows.version(version, of: flowId) { return known }
        var state = FlowState()
        for recorded in try await flowEvents.read(subject: "flows.\(flowId)") {
            if let event = FlowEvent(payload: recorded.event) { state = FlowState.evolve(state, event) }
        }
        return state.versions[version]
    }

    /// What the run's new events ask of flow-control: a job for a runtime step, a timer for a
    /// wait's end or an approval's deadline.
    func react(to events: [RunEvent], flowId: String, flow: FlowDefinition, version: Int) async throws {
        for event in events {
            switch event {
            case .stepScheduled(let scheduled):
                if WorkSubjects.runtimeKinds.contains(scheduled.kind) {
                    try await publish(StepJob(scheduled: scheduled, flow: flow, flowVersion: version))
                } else if scheduled.kind == .wait || scheduled.kind == .approval {
                    let due = scheduled.runAt ?? now()
                    try await schedule(TimerFiring(kind: .step, flowId: flowId, dueAt: due, runId: scheduled.runId,
                                                   stepId: scheduled.stepId, attempt: scheduled.attempt),
                                       on: TimerSubjects.step(flowId: flowId, runId: scheduled.runId, stepId: scheduled.stepId))
                }
            case .stepRetryScheduled(let retry) where WorkSubjects.runtimeKinds.contains(retry.kind):
                // The job waits out its backoff itself (`notBefore`; the runtime naks it until
                // then): one message per attempt, the same one the runtime publishes.
                try await publish(StepJob(retry: retry, flow: flow, flowVersion: version))
            default:
                break
            }
        }
    }

    func publish(_ job: StepJob) async throws {
        _ = try await jetStream.publish(job.subject, payload: try job.encoded(), options: PublishOptions(messageId: job.messageId))
    }

    /// Within this age a run event's job or timer was published by its writer moments ago, well
    /// inside the 2-minute dedupe window, so publishing it again is at worst a duplicate the
    /// server drops: no need to read the run to see whether it is still at that step.
    static let freshRunEventAge: TimeInterval = 60
    /// How long a decision's writer gets to append its next event before the RUNS consumer
    /// settles the run itself (the writer is between two publishes, or gone).
    static let settleGrace: Duration = .seconds(2)

    /// Whether `message`, coming after a run's `run.step_scheduled` or `step_retry_scheduled`,
    /// shows that the step's job or timer did its work: the run's events go one at a time,
    /// a step is scheduled only when the run is at it, and nothing but its job or timer (or a
    /// person or a cancellation) moves a run on from there. `run.approval_requested` shows
    /// nothing: it belongs to the same decision as the approval's scheduling.
    static func showsStepTaken(_ message: JetStreamMessage) -> Bool {
        switch message.message.headers[EventEnvelope.Header.type] {
        case "run.step_started", "run.step_succeeded", "run.step_failed", "run.approval_decided", "run.completed", "run.failed",
             "run.cancelled", "run.step_scheduled", "run.step_retry_scheduled", "run.retried":
            true
        default:
            false
        }
    }

    /// A message of the RUNS consumer, the safety net behind every writer of a run: the job or
    /// timer of a scheduled step (its writer publishes them too; message ids dedupe), and the
    /// rest of a decision whose writer stopped between two of its events. `superseded`: a later
    /// event of the same run came in the same batch.
    ///
    /// `handedOver`: a later event of the same run in the batch shows that the scheduled step
    /// was taken (`showsStepTaken`), so its job or timer needs no second publish.
    func handleRunMessage(_ message: JetStreamMessage, superseded: Bool, handedOver: Bool) async throws -> Disposition {
        let subject = message.subject
        guard subject.split(separator: ".").count == 3 else { return .ack }
        // Most run events ask nothing of this consumer, or only by their type: the body is
        // decoded for the few that need it.
        let unsettling: Bool
        switch message.message.headers[EventEnvelope.Header.type] {
        case "run.step_succeeded", "run.step_failed", "run.approval_decided", "run.retried":
            unsettling = true
        case "run.step_started", "run.approval_requested", "run.completed", "run.failed", "run.cancelled":
            unsettling = false
        default:
            let recorded = try runs.registry.decode(message.message)
            guard let event = RunEvent(payload: recorded.event) else { return .ack }
            if case .started(let started) = event { runVersions.remember(started.runId, version: started.flowVersion) }
            switch event {
            case .stepScheduled where !handedOver, .stepRetryScheduled where !handedOver:
                let fresh = (message.message.deliveries ?? 1) == 1 && Date().timeIntervalSince(message.message.time) < Self.freshRunEventAge
                if case .retry(let delay, let reason) = try await handOver(event, subject: subject, fresh: fresh) {
                    return .retry(after: delay, reason: reason)
                }
            default:
                break
            }
            unsettling = RunState.unsettled(by: event) != nil
        }
        guard unsettling, !superseded else { return .ack }
        // The event leaves the run unsettled: fine if anything came after it (every writer
        // settles a run before it decides), else its writer is between two appends or gone.
        // (A direct get: a replica behind the leader answers an older sequence, which is not
        // taken for "moved on"; `settleRun` reads the run as the leader has it.)
        if let last = try await jetStream.lastSequenceDirect(stream: AlmanacStreams.runs, subject: subject), last > message.sequence { return .ack }
        let age = Date().timeIntervalSince(message.message.time)
        if (message.message.deliveries ?? 1) == 1 && age < Double(Self.settleGrace.components.seconds) {
            return .retry(after: Self.settleGrace, reason: "the decision after #\(message.sequence) may still be on its way")
        }
        try await settleRun(subject)
        return .ack
    }

    /// Publishes the job or timer of a scheduled step. A fresh event needs no read of the run
    /// (see `freshRunEventAge`); an old one (a backlog, a redelivery) is acted on only when the
    /// run is still at it.
    func handOver(_ event: RunEvent, subject: String, fresh: Bool) async throws -> Disposition {
        let (runId, stepId, attempt): (String, String, Int) = switch event {
        case .stepScheduled(let scheduled): (scheduled.runId, scheduled.stepId, scheduled.attempt)
        case .stepRetryScheduled(let retry): (retry.runId, retry.stepId, retry.attempt)
        default: ("", "", 0)
        }
        let flowId = String(subject.split(separator: ".")[1])
        // Only a job has a message id that makes a second publish harmless; a wait's or an
        // approval's timer is re-armed only after reading that the run is still at that attempt.
        let isJob: Bool = switch event {
        case .stepScheduled(let scheduled): WorkSubjects.runtimeKinds.contains(scheduled.kind)
        case .stepRetryScheduled(let retry): WorkSubjects.runtimeKinds.contains(retry.kind)
        default: false
        }
        if fresh, isJob, let version = runVersions.version(of: runId), let flow = try await definition(flowId, version: version) {
            try await react(to: [event], flowId: flow.id, flow: flow, version: version)
            return .ack
        }
        let run = try await loadRun(subject)
        guard !run.state.isFinished else { return .ack }
        guard let flow = try await definition(run.state.flowId, version: run.state.flowVersion) else {
            return .retry(after: .seconds(2), reason: "flow \(run.state.flowId) v\(run.state.flowVersion) is not known yet")
        }
        // Stale: the run has moved past this attempt (its job or timer did its work already).
        guard let progress = run.state.steps[stepId], progress.attempt == attempt,
              progress.status == .scheduled || progress.status == .awaitingApproval else { return .ack }
        try await react(to: [event], flowId: flow.id, flow: flow, version: run.state.flowVersion)
        return .ack
    }
}
