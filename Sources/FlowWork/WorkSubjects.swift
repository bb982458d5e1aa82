import Flows

/// Subjects of step jobs and run events (see the contract in `StepJob.swift`).
public enum WorkSubjects {
    /// What the runtime's consumer takes: one token after `work.`, so `work.dead.*` stays put.
    public static let jobFilter = "work.*"
    public static let deadLetterFilter = "work.dead.>"

    /// Step kinds the runtime executes; the others (wait, branch, approval) are flow-control's.
    public static let runtimeKinds: [StepKind] = [.sendEmail, .httpRequest, .bookingCommand, .publishEvent]

    public static func job(_ kind: StepKind) -> String { "work.\(kind.rawValue)" }
    public static func deadLetter(_ kind: StepKind) -> String { "work.dead.\(kind.rawValue)" }
    public static func run(flowId: String, runId: String) -> String { "runs.\(flowId).\(runId)" }
}
