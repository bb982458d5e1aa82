import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient

/// A run folded from its subject, and the sequence to expect when appending to it.
struct LoadedRun: Sendable {
    var state: RunState
    var lastSequence: UInt64?
    var expectation: ExpectedVersion { lastSequence.map { .sequence($0) } ?? .noStream }
}

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
        let events: [RunEvent]
        switch RunDecider.decide(.start(start), RunState(), RunDecisionContext(flow: flow, now: now(), unitRandom: Double.random(in: 0...1))) {
        case .success(let decided): events = decided
        case .failure(let rejection): throw FlowControlError.runNotStarted("\(rejection)")
        }
        do {
            let result = try await runs.append(events.map(\.payload), to: subject, expecting: .noStream, idempotencyKey: "start/\(runId)",
                                               metadata: EventMetadata(correlationId: runId, causationId: triggerKey, actor: actor ?? configuration.actor))
            if result.isDuplicate { return .alreadyStarted(runId: runId) }
        } catch EventStoreError.wrongExpectedVersion {
            return .alreadyStarted(runId: runId)
        }
        logger.info("run started", metadata: ["flow": "\(flow.id)", "version": "\(version)", "run": "\(runId)", "trigger": "\(triggerKey)"])
        // Hand the first step over at once; the RUNS consumer does the same (message ids dedupe).
        try await react(to: events, flowId: flow.id, flow: flow, version: version)
        return .started(runId: runId)
    }

    func loadRun(_ subject: String) async throws -> LoadedRun {
        let recorded = try await runs.read(subject: subject)
        var state = RunState()
        for event in recorded {
            if let runEvent = RunEvent(payload: event.event) { state = RunState.evolve(state, runEvent) }
        }
        return LoadedRun(state: state, lastSequence: recorded.last?.sequence)
    }

    /// Decides `command` on the run and appends the outcome with the subject's expected sequence,
    /// reloading when another writer got there first. A rejection means the run moved on
    /// (a stale timer, a late report): nothing to do.
    @discardableResult
    func decideOnRun(_ subject: String, _ command: RunCommand, idempotencyKey: String) async throws -> [RunEvent] {
        for _ in 0..<8 {
            let run = try await loadRun(subject)
            guard run.state.status != .notStarted else { return [] }
            guard let flow = try await definition(run.state.flowId, version: run.state.flowVersion) else {
                throw FlowControlError.unknownFlow("\(run.state.flowId) v\(run.state.flowVersion)")
            }
            switch RunDecider.decide(command, run.state, RunDecisionContext(flow: flow, now: now(), unitRandom: Double.random(in: 0...1))) {
            case .failure(let rejection):
                logger.debug("run command not applied: \(rejection)", metadata: ["subject": "\(subject)"])
                return []
            case .success(let events):
                guard !events.isEmpty else { return [] }
                do {
                    let result = try await runs.append(events.map(\.payload), to: subject, expecting: run.expectation, idempotencyKey: idempotencyKey,
                                                       metadata: EventMetadata(correlationId: run.state.runId, actor: configuration.actor))
                    if result.isDuplicate { return [] }
                    try await react(to: events, flowId: flow.id, flow: flow, version: run.state.flowVersion)
                    return events
                } catch EventStoreError.wrongExpectedVersion {
                    continue
                }
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

    /// A message of the RUNS consumer: jobs and timers for what another writer appended (the
    /// runtime's next step, a retry from the studio). Only an event the run is still at is acted on.
    @Sendable func handleRunMessage(_ message: JetStreamMessage) async throws -> Disposition {
        let recorded = try runs.registry.decode(message.message)
        guard let event = RunEvent(payload: recorded.event) else { return .ack }
        let isScheduling: Bool = switch event {
        case .stepScheduled, .stepRetryScheduled: true
        default: false
        }
        guard isScheduling else { return .ack }
        let parts = recorded.subject.split(separator: ".")
        guard parts.count == 3 else { return .ack }
        let run = try await loadRun(recorded.subject)
        guard !run.state.isFinished else { return .ack }
        guard let flow = try await definition(run.state.flowId, version: run.state.flowVersion) else {
            return .retry(after: .seconds(2), reason: "flow \(run.state.flowId) v\(run.state.flowVersion) is not known yet")
        }
        // Stale: the run has moved past this attempt (its job or timer did its work already).
        let (stepId, attempt): (String, Int) = switch event {
        case .stepScheduled(let scheduled): (scheduled.stepId, scheduled.attempt)
        case .stepRetryScheduled(let retry): (retry.stepId, retry.attempt)
        default: ("", 0)
        }
        guard let progress = run.state.steps[stepId], progress.attempt == attempt,
              progress.status == .scheduled || progress.status == .awaitingApproval else { return .ack }
        try await react(to: [event], flowId: flow.id, flow: flow, version: run.state.flowVersion)
        return .ack
    }
}
