import Foundation

/// What can happen to a run: flow-control starts it and reacts to timers; the runtime reports
/// attempts; people in the studio cancel, retry and decide approvals.
public enum RunCommand: Equatable, Sendable {
    case start(StartRun)
    /// The runtime took the job of `attempt`.
    case stepStarted(stepId: String, attempt: Int)
    /// The attempt succeeded (or a wait's timer fired) with this output.
    case stepSucceeded(stepId: String, attempt: Int, output: FlowValue)
    case stepFailed(stepId: String, attempt: Int, error: StepError)
    /// The attempt's timeout passed without an answer (for an approval: its deadline).
    case stepTimedOut(stepId: String, attempt: Int)
    /// Go on from the failed step with a fresh round of attempts.
    case retryFromFailedStep(by: String)
    case cancel(reason: String, by: String)
    case decideApproval(DecideApproval)
}

public struct StartRun: Equatable, Sendable {
    public var runId: String
    public var flowVersion: Int
    public var triggerKey: String
    /// What the trigger provides (`FlowVariables.available(for:)` names it).
    public var triggerData: FlowValue

    public init(runId: String, flowVersion: Int, triggerKey: String, triggerData: FlowValue) {
        self.runId = runId
        self.flowVersion = flowVersion
        self.triggerKey = triggerKey
        self.triggerData = triggerData
    }
}

public struct DecideApproval: Equatable, Sendable {
    public var stepId: String
    public var outcome: ApprovalStep.Outcome
    /// The deciding person's email address, and their roles (an approver may be `role:<name>`).
    public var decidedBy: String
    public var roles: [String]
    public var comment: String?

    public init(stepId: String, outcome: ApprovalStep.Outcome, decidedBy: String, roles: [String] = [], comment: String? = nil) {
        self.stepId = stepId
        self.outcome = outcome
        self.decidedBy = decidedBy
        self.roles = roles
        self.comment = comment
    }
}

/// Why a command was refused.
public enum RunRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case notStarted
    case alreadyStarted
    case finished(RunState.Status)
    /// A report about a step or attempt the run is not at (late, duplicate or foreign).
    case notCurrent(stepId: String, attempt: Int)
    case unknownStep(String)
    case notFailed
    case notAwaitingApproval(stepId: String)
    case notAnApprover(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .notStarted: "the run has not started"
        case .alreadyStarted: "the run has already started"
        case .finished(let status): "the run is \(status.rawValue)"
        case .notCurrent(let step, let attempt): "the run is not at attempt \(attempt) of step '\(step)'"
        case .unknownStep(let step): "the flow has no step '\(step)'"
        case .notFailed: "only a failed run can be retried"
        case .notAwaitingApproval(let step): "step '\(step)' is not waiting for a decision"
        case .notAnApprover(let who): "\(who) is not one of this step's approvers"
        case .invalidInput(let reason): reason
        }
    }
}

/// Run ids derived from what started the run, so a redelivered trigger starts nothing twice:
/// the same flow version and trigger key always give the same id (a subject token).
public enum RunIdentity {
    public static func runId(flowId: String, flowVersion: Int, triggerKey: String) -> String {
        let text = "\(flowId)\u{0}\(flowVersion)\u{0}\(triggerKey)"
        // Two 64-bit FNV-1a hashes with different offsets: 128 bits, stable across processes
        // (Swift's Hasher is seeded per process, so it cannot be used here).
        func fnv(_ offset: UInt64) -> UInt64 {
            var hash = offset
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            return hash
        }
        let first = String(fnv(0xcbf2_9ce4_8422_2325), radix: 16)
        let second = String(fnv(0x8422_2325_cbf2_9ce4), radix: 16)
        return "r" + String(repeating: "0", count: 16 - first.count) + first + String(repeating: "0", count: 16 - second.count) + second
    }

    /// Trigger key of a relative-time trigger: the booking and the moment it is due.
    public static func timerKey(bookingId: String, dueAt: Date) -> String { "\(bookingId)@\(FlowTime.format(dueAt))" }
}
