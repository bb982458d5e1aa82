import Flows

/// Why a run operation was refused, in words the person who asked can act on.
public enum RunOperationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidRunId(String, reason: String)
    case runNotFound(String)
    case missingActor
    /// Only a failed run can be retried; `status` is where it stands.
    case notFailed(runId: String, status: RunState.Status)
    /// The run completed, failed or was cancelled: nothing can be done to it but a retry (if failed).
    case finished(runId: String, status: RunState.Status)
    case notAwaitingApproval(runId: String, stepId: String)
    case notAnApprover(runId: String, who: String)
    /// Anything else the run's lifecycle refused.
    case refused(runId: String, RunRejection)
    /// The run names a flow version `FLOWS` does not hold (the stream was cut or replaced).
    case flowVersionMissing(flowId: String, version: Int)
    case tooManyConflicts(runId: String, attempts: Int)

    init(_ rejection: RunRejection, runId: String, state: RunState) {
        switch rejection {
        case .notFailed: self = .notFailed(runId: runId, status: state.status)
        case .finished(let status): self = .finished(runId: runId, status: status)
        case .notAwaitingApproval(let stepId): self = .notAwaitingApproval(runId: runId, stepId: stepId)
        case .notAnApprover(let who): self = .notAnApprover(runId: runId, who: who)
        default: self = .refused(runId: runId, rejection)
        }
    }

    public var description: String {
        switch self {
        case .invalidRunId(let id, let reason): "run id '\(id)' \(reason)"
        case .runNotFound(let id): "there is no run '\(id)'"
        case .missingActor: "who does this is missing (the person's name or id)"
        case .notFailed(let id, let status): "run '\(id)' is \(status.rawValue), not failed: only a failed run can be retried"
        case .finished(let id, let status): "run '\(id)' is already \(status.rawValue)"
        case .notAwaitingApproval(let id, let step): "step '\(step)' of run '\(id)' is not waiting for a decision"
        case .notAnApprover(let id, let who): "\(who) is not one of the approvers of run '\(id)'"
        case .refused(let id, let rejection): "run '\(id)': \(rejection)"
        case .flowVersionMissing(let flowId, let version): "flow '\(flowId)' has no published version \(version) in FLOWS"
        case .tooManyConflicts(let id, let attempts): "run '\(id)' kept changing under this operation (\(attempts) attempts): try again"
        }
    }
}
