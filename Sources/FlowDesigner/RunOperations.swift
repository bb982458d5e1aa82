import AlmanacEvents
import EventStore
import Flows
import Foundation
import NATSClient

/// What the studio and operators do to a run: retry a failed run from its failed step, cancel
/// a run, decide an approval. Each loads the run from `runs.<flowId>.<runId>` and the flow
/// version it is pinned to from `FLOWS`, decides with `RunDecider`, and appends with the run
/// subject's last sequence as expectation (reloading and deciding again when another writer —
/// flow-control, the runtime — got there first).
///
/// Appending is all they do: the `run.step_scheduled` a retry decides is what flow-control turns
/// into a job, as it does for every other scheduled step.
public struct RunOperations: Sendable {
    public let runs: EventStore
    public let designer: FlowDesigner
    public let maximumAttempts: Int

    public init(runs: EventStore, designer: FlowDesigner, maximumAttempts: Int = 5) {
        self.runs = runs
        self.designer = designer
        self.maximumAttempts = max(1, maximumAttempts)
    }

    /// Operations over `RUNS` and `FLOWS` with the catalog's event types.
    public init(jetStream: JetStream, maximumAttempts: Int = 5) {
        self.init(runs: EventStore(jetStream: jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry),
                  designer: FlowDesigner(jetStream: jetStream), maximumAttempts: maximumAttempts)
    }

    /// What an operation appended.
    public struct Outcome: Equatable, Sendable {
        public let runId: String
        public let flowId: String
        public let events: [RunEvent]
        /// The run as these events left it.
        public let status: RunState.Status
    }

    /// Goes on from the failed step with a fresh round of attempts.
    @discardableResult
    public func retry(_ runId: String, by actor: String) async throws -> Outcome {
        try await operate(runId, actor: actor, .retryFromFailedStep(by: actor))
    }

    /// Cancels a run that has not finished (cancelling a cancelled run changes nothing).
    @discardableResult
    public func cancel(_ runId: String, reason: String, by actor: String) async throws -> Outcome {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await operate(runId, actor: actor, .cancel(reason: reason.isEmpty ? "cancelled by hand" : reason, by: actor))
    }

    /// Records a person's decision on a waiting approval step.
    @discardableResult
    public func decideApproval(_ runId: String, _ decision: DecideApproval) async throws -> Outcome {
        try await operate(runId, actor: decision.decidedBy, .decideApproval(decision))
    }

    /// The run as its events left it, with the subject's last sequence; `runNotFound` when none.
    public func load(_ runId: String) async throws -> (state: RunState, subject: String, lastSequence: UInt64) {
        if let problem = SubjectToken.problem(with: runId) { throw RunOperationError.invalidRunId(runId, reason: problem) }
        // The run id is unique across flows (derived from flow, version and trigger), so the
        // wildcard finds its one subject without asking the caller for the flow.
        let recorded = try await runs.read(subject: "runs.*.\(runId)")
        guard let last = recorded.last else { throw RunOperationError.runNotFound(runId) }
        let state = recorded.compactMap { RunEvent(payload: $0.event) }.reduce(RunState(), RunState.evolve)
        return (state, last.subject, last.sequence)
    }

    private func operate(_ runId: String, actor: String, _ command: RunCommand) async throws -> Outcome {
        guard !actor.trimmingCharacters(in: .whitespaces).isEmpty else { throw RunOperationError.missingActor }
        for _ in 0..<maximumAttempts {
            let (state, subject, lastSequence) = try await load(runId)
            let flow = try await pinnedFlow(of: state)
            let events: [RunEvent]
            switch RunDecider.decide(command, state, RunDecisionContext(flow: flow, now: Date(), unitRandom: Double.random(in: 0...1))) {
            case .success(let decided): events = decided
            case .failure(let rejection): throw RunOperationError(rejection, runId: runId, state: state)
            }
            if events.isEmpty { return Outcome(runId: runId, flowId: state.flowId, events: [], status: state.status) }
            do {
                _ = try await runs.append(events.map(\.payload), to: subject, expecting: .sequence(lastSequence),
                                          metadata: EventMetadata(correlationId: runId, actor: actor))
                return Outcome(runId: runId, flowId: state.flowId, events: events, status: RunState.evolve(state, with: events).status)
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw RunOperationError.tooManyConflicts(runId: runId, attempts: maximumAttempts)
    }

    /// The published version the run started on.
    func pinnedFlow(of state: RunState) async throws -> FlowDefinition {
        let snapshot: FlowSnapshot
        do {
            snapshot = try await designer.show(state.flowId)
        } catch FlowDesignerError.unknownFlow {
            throw RunOperationError.flowVersionMissing(flowId: state.flowId, version: state.flowVersion)
        }
        guard let version = snapshot.versions.first(where: { $0.version == state.flowVersion }) else {
            throw RunOperationError.flowVersionMissing(flowId: state.flowId, version: state.flowVersion)
        }
        return version.definition
    }
}
