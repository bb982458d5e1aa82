import Foundation

/// The runtime's stamps on a decision: the decider stays free of clocks and rendering, the
/// runtime adds what only it knows (when the attempt started and ended, what it was given) to
/// the events of that very attempt before appending them.
extension RunEvent {
    /// `run.step_started` of `stepId`/`attempt` with its start time and rendered inputs; any
    /// other event unchanged.
    public func stampingStart(stepId: String, attempt: Int, at startedAt: Date, inputs: FlowValue) -> RunEvent {
        guard case .stepStarted(var started) = self, started.stepId == stepId, started.attempt == attempt else { return self }
        started.startedAt = startedAt
        started.inputs = inputs
        return .stepStarted(started)
    }

    /// `run.step_succeeded` / `run.step_failed` of `stepId`/`attempt` with when the attempt ended
    /// and how long it ran; any other event unchanged.
    public func stampingFinish(stepId: String, attempt: Int, at finishedAt: Date, durationMs: Double) -> RunEvent {
        switch self {
        case .stepSucceeded(var succeeded) where succeeded.stepId == stepId && succeeded.attempt == attempt:
            succeeded.finishedAt = finishedAt
            succeeded.durationMs = durationMs
            return .stepSucceeded(succeeded)
        case .stepFailed(var failed) where failed.stepId == stepId && failed.attempt == attempt:
            failed.finishedAt = finishedAt
            failed.durationMs = durationMs
            return .stepFailed(failed)
        default:
            return self
        }
    }
}
