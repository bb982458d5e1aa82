import Foundation

/// A run as its events left it.
public struct RunState: Equatable, Sendable {
    public enum Status: String, Equatable, Sendable { case notStarted = "not started", running, completed, failed, cancelled }

    /// Where one step of the run stands.
    public struct StepProgress: Equatable, Sendable {
        public enum Status: String, Equatable, Sendable { case scheduled, running, awaitingApproval, succeeded, failed }
        public var status: Status
        /// The latest attempt (counted over the whole run).
        public var attempt: Int
        /// The attempt this round of retries began with (a retry from the studio starts a round).
        public var roundStart: Int
        public var lastError: StepError?
        /// When the latest attempt is due (absent: at once); a retry's backoff ends here.
        public var runAt: Date? = nil
    }

    public var runId = ""
    public var flowId = ""
    public var flowVersion = 0
    public var status = Status.notStarted
    /// Trigger data, `flow`, `run` and `steps.<id>.output` of each succeeded step.
    public var data: FlowValue = .object([:])
    public var steps: [String: StepProgress] = [:]
    /// The step the run is at (scheduled, running, waiting, or failed).
    public var currentStepId: String?
    public var failureReason: String?
    /// Set when the run's last event is not the last of the decision that appended it: one
    /// decision's events go to the subject one message after the other (each expecting the one
    /// before), so a writer that stops between two of them leaves the run here.
    /// `RunDecider.settle` gives what the decision still owed; every writer appends that first.
    public var unsettled: Unsettled?

    /// What the last event leaves to decide at once (see `unsettled`).
    public enum Unsettled: Equatable, Sendable {
        /// After `run.started`: enter the first step.
        case start
        /// After `run.retried`: enter the failed step again.
        case enter(stepId: String)
        /// After `run.step_succeeded`: go on to the step it leads to.
        case advance(afterStepId: String)
        /// After `run.step_scheduled` of an approval step: request the approval.
        case requestApproval(stepId: String)
        /// After `run.step_failed`: schedule the retry, or fail the run.
        case failure(StepFailed)
        /// After `run.approval_decided`: the approval step succeeds with the decision.
        case decided(ApprovalDecided)
    }

    public init() {}

    public var isFinished: Bool { status == .completed || status == .failed || status == .cancelled }

    public static func evolve(_ state: RunState, _ event: RunEvent) -> RunState {
        var state = state
        state.unsettled = unsettled(by: event)
        switch event {
        case .started(let event):
            state.runId = event.runId
            state.flowId = event.flowId
            state.flowVersion = event.flowVersion
            state.status = .running
            state.data = event.data
        case .stepScheduled(let event):
            let previous = state.steps[event.stepId]
            // A step visited again (a loop through a wait) starts a new round of attempts.
            state.steps[event.stepId] = StepProgress(status: .scheduled, attempt: event.attempt, roundStart: event.attempt, lastError: previous?.lastError,
                                                     runAt: event.runAt)
            state.currentStepId = event.stepId
        case .stepStarted(let event):
            state.steps[event.stepId]?.status = .running
        case .stepSucceeded(let event):
            // Branches succeed without being scheduled.
            var progress = state.steps[event.stepId] ?? StepProgress(status: .succeeded, attempt: event.attempt, roundStart: event.attempt)
            progress.status = .succeeded
            progress.attempt = max(progress.attempt, event.attempt)
            state.steps[event.stepId] = progress
            state.data = state.data.setting(event.output, at: ["steps", event.stepId, "output"])
                .setting(.number(Double(event.attempt)), at: ["steps", event.stepId, "attempt"])
            state.currentStepId = event.stepId
        case .stepFailed(let event):
            state.steps[event.stepId]?.status = .failed
            state.steps[event.stepId]?.lastError = event.error
        case .stepRetryScheduled(let event):
            state.steps[event.stepId]?.status = .scheduled
            state.steps[event.stepId]?.attempt = event.attempt
            state.steps[event.stepId]?.runAt = event.runAt
        case .approvalRequested(let event):
            state.steps[event.stepId]?.status = .awaitingApproval
        case .approvalDecided:
            break
        case .completed:
            state.status = .completed
            state.currentStepId = nil
        case .failed(let event):
            state.status = .failed
            state.failureReason = event.reason
            if let step = event.stepId { state.currentStepId = step }
        case .cancelled:
            state.status = .cancelled
        case .retried:
            state.status = .running
            state.failureReason = nil
        }
        return state
    }

    /// What `event` leaves to decide when it is the run's last event: nil for every event that
    /// ends a decision of `RunDecider`. Depends on the event alone.
    public static func unsettled(by event: RunEvent) -> Unsettled? {
        switch event {
        case .started: .start
        case .retried(let retried): .enter(stepId: retried.fromStepId)
        case .stepSucceeded(let succeeded): .advance(afterStepId: succeeded.stepId)
        case .stepScheduled(let scheduled) where scheduled.kind == .approval: .requestApproval(stepId: scheduled.stepId)
        case .stepFailed(let failed): .failure(failed)
        case .approvalDecided(let decided): .decided(decided)
        case .stepScheduled, .stepStarted, .stepRetryScheduled, .approvalRequested, .completed, .failed, .cancelled: nil
        }
    }

    public static func evolve(_ state: RunState, with events: [RunEvent]) -> RunState {
        events.reduce(state, evolve)
    }
}
