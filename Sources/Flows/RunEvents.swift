import Foundation

// Events of a run (`runs.<flowId>.<runId>`): the run's state and, read in order, its live trace
// and history. Wire names are `run.*` (AlmanacEvents registers them).

/// `run.started`: pinned to one published version of the flow and one triggering event.
public struct RunStarted: Codable, Equatable, Sendable {
    public var runId: String
    public var flowId: String
    public var flowVersion: Int
    /// What started it: the triggering event's id, or the timer/button key (see `RunIdentity`).
    public var triggerKey: String
    /// `booking_event`, `booking_time`, `schedule` or `manual`.
    public var triggerType: String
    /// Trigger data plus `flow` and `run`: what expressions and templates read.
    public var data: FlowValue

    public init(runId: String, flowId: String, flowVersion: Int, triggerKey: String, triggerType: String, data: FlowValue) {
        self.runId = runId
        self.flowId = flowId
        self.flowVersion = flowVersion
        self.triggerKey = triggerKey
        self.triggerType = triggerType
        self.data = data
    }
}

/// `run.step_scheduled`: a job for the runtime (or a timer, for a wait), due at `runAt` (absent: now).
public struct StepScheduled: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var kind: StepKind
    /// Counts every execution of the step in this run, from 1; with run and step it is the job's
    /// identity (`<runId>/<stepId>/<attempt>`).
    public var attempt: Int
    public var runAt: Date?
    public var timeoutSeconds: Int

    public init(runId: String, stepId: String, kind: StepKind, attempt: Int, runAt: Date? = nil, timeoutSeconds: Int) {
        self.runId = runId
        self.stepId = stepId
        self.kind = kind
        self.attempt = attempt
        self.runAt = runAt
        self.timeoutSeconds = timeoutSeconds
    }
}

/// `run.step_started`: the runtime took the job. Since version 2 the runtime adds when, and the
/// step's inputs as rendered for the trace (secrets redacted); both absent in version 1.
public struct StepStarted: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var attempt: Int
    public var startedAt: Date?
    /// The step's fields rendered over the run's data, `{{secrets.X}}` shown as `[redacted]`.
    public var inputs: FlowValue?

    public init(runId: String, stepId: String, attempt: Int, startedAt: Date? = nil, inputs: FlowValue? = nil) {
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
        self.startedAt = startedAt
        self.inputs = inputs
    }
}

/// `run.step_succeeded`: with the step's output (secrets already redacted by the runtime). Since
/// version 2 the runtime adds when the attempt ended and how long it took (absent for steps
/// flow-control settles itself: branches, waits, approvals).
public struct StepSucceeded: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var attempt: Int
    public var output: FlowValue
    public var finishedAt: Date?
    public var durationMs: Double?

    public init(runId: String, stepId: String, attempt: Int, output: FlowValue = .object([:]), finishedAt: Date? = nil, durationMs: Double? = nil) {
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
        self.output = output
        self.finishedAt = finishedAt
        self.durationMs = durationMs
    }
}

/// Why an attempt failed.
public struct StepError: Codable, Equatable, Sendable {
    public var kind: StepErrorKind
    public var message: String

    public init(kind: StepErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// `run.step_failed`: one attempt failed; `willRetry` says whether another follows. Since
/// version 2 the runtime adds when the attempt ended and how long it took.
public struct StepFailed: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var attempt: Int
    public var error: StepError
    public var willRetry: Bool
    public var finishedAt: Date?
    public var durationMs: Double?

    public init(runId: String, stepId: String, attempt: Int, error: StepError, willRetry: Bool, finishedAt: Date? = nil, durationMs: Double? = nil) {
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
        self.error = error
        self.willRetry = willRetry
        self.finishedAt = finishedAt
        self.durationMs = durationMs
    }
}

/// `run.step_retry_scheduled`: the next attempt is due at `runAt` (backoff with jitter).
public struct StepRetryScheduled: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var kind: StepKind
    public var attempt: Int
    public var runAt: Date
    public var timeoutSeconds: Int

    public init(runId: String, stepId: String, kind: StepKind, attempt: Int, runAt: Date, timeoutSeconds: Int) {
        self.runId = runId
        self.stepId = stepId
        self.kind = kind
        self.attempt = attempt
        self.runAt = runAt
        self.timeoutSeconds = timeoutSeconds
    }
}

/// `run.approval_requested`: the run waits for one of `approvers` until `deadline`.
public struct ApprovalRequested: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var approvers: [String]
    /// The step's message, rendered over the run's data.
    public var message: String
    public var deadline: Date
    public var defaultOutcome: ApprovalStep.Outcome

    public init(runId: String, stepId: String, approvers: [String], message: String, deadline: Date, defaultOutcome: ApprovalStep.Outcome) {
        self.runId = runId
        self.stepId = stepId
        self.approvers = approvers
        self.message = message
        self.deadline = deadline
        self.defaultOutcome = defaultOutcome
    }
}

/// `run.approval_decided`: by a person, or by the default when the deadline passed (`timedOut`).
public struct ApprovalDecided: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String
    public var outcome: ApprovalStep.Outcome
    public var decidedBy: String?
    public var comment: String?
    public var timedOut: Bool

    public init(runId: String, stepId: String, outcome: ApprovalStep.Outcome, decidedBy: String? = nil, comment: String? = nil, timedOut: Bool = false) {
        self.runId = runId
        self.stepId = stepId
        self.outcome = outcome
        self.decidedBy = decidedBy
        self.comment = comment
        self.timedOut = timedOut
    }
}

/// `run.completed`
public struct RunCompleted: Codable, Equatable, Sendable {
    public var runId: String
    public init(runId: String) { self.runId = runId }
}

/// `run.failed`: with the step that failed (if a step did) and why, for people.
public struct RunFailed: Codable, Equatable, Sendable {
    public var runId: String
    public var stepId: String?
    public var reason: String

    public init(runId: String, stepId: String?, reason: String) {
        self.runId = runId
        self.stepId = stepId
        self.reason = reason
    }
}

/// `run.cancelled`: by a person, or by flow-control when the booking it waited for was cancelled.
public struct RunCancelled: Codable, Equatable, Sendable {
    public var runId: String
    public var reason: String
    public var cancelledBy: String

    public init(runId: String, reason: String, cancelledBy: String) {
        self.runId = runId
        self.reason = reason
        self.cancelledBy = cancelledBy
    }
}

/// `run.retried`: a failed run goes on from its failed step.
public struct RunRetried: Codable, Equatable, Sendable {
    public var runId: String
    public var fromStepId: String
    public var retriedBy: String

    public init(runId: String, fromStepId: String, retriedBy: String) {
        self.runId = runId
        self.fromStepId = fromStepId
        self.retriedBy = retriedBy
    }
}

/// Every event of a run, as one type so `decide` and `evolve` are exhaustive.
public enum RunEvent: Equatable, Sendable {
    case started(RunStarted)
    case stepScheduled(StepScheduled)
    case stepStarted(StepStarted)
    case stepSucceeded(StepSucceeded)
    case stepFailed(StepFailed)
    case stepRetryScheduled(StepRetryScheduled)
    case approvalRequested(ApprovalRequested)
    case approvalDecided(ApprovalDecided)
    case completed(RunCompleted)
    case failed(RunFailed)
    case cancelled(RunCancelled)
    case retried(RunRetried)

    /// The plain struct inside, for an event store that works with registered types.
    public var payload: any Codable & Sendable {
        switch self {
        case .started(let event): event
        case .stepScheduled(let event): event
        case .stepStarted(let event): event
        case .stepSucceeded(let event): event
        case .stepFailed(let event): event
        case .stepRetryScheduled(let event): event
        case .approvalRequested(let event): event
        case .approvalDecided(let event): event
        case .completed(let event): event
        case .failed(let event): event
        case .cancelled(let event): event
        case .retried(let event): event
        }
    }

    /// Wraps a decoded struct; `nil` for anything that is not a run event.
    public init?(payload: any Sendable) {
        switch payload {
        case let event as RunStarted: self = .started(event)
        case let event as StepScheduled: self = .stepScheduled(event)
        case let event as StepStarted: self = .stepStarted(event)
        case let event as StepSucceeded: self = .stepSucceeded(event)
        case let event as StepFailed: self = .stepFailed(event)
        case let event as StepRetryScheduled: self = .stepRetryScheduled(event)
        case let event as ApprovalRequested: self = .approvalRequested(event)
        case let event as ApprovalDecided: self = .approvalDecided(event)
        case let event as RunCompleted: self = .completed(event)
        case let event as RunFailed: self = .failed(event)
        case let event as RunCancelled: self = .cancelled(event)
        case let event as RunRetried: self = .retried(event)
        default: return nil
        }
    }
}
