import Flows
import Foundation

/// What an executor reports: the step's output, and its inputs as the trace may show them
/// (rendered, secrets replaced by `[redacted]`). The run's trace takes its inputs from
/// `FlowStep.traceInputs` when the step starts (so a step that fails on its input shows it too);
/// `inputs` here stays for callers of an executor on its own.
public struct StepResult: Sendable, Equatable {
    public var output: FlowValue
    public var inputs: FlowValue

    public init(output: FlowValue, inputs: FlowValue) {
        self.output = output
        self.inputs = inputs
    }
}

/// Runs one kind of step. Throws `StepError` for a failure it can classify; anything else
/// becomes an `internal` error.
public protocol StepExecutor: Sendable {
    func execute(_ step: FlowStep, context: StepContext) async throws -> StepResult
}

/// What an executor knows about the attempt.
public struct StepContext: Sendable {
    public var runId: String
    public var flowId: String
    public var stepId: String
    public var attempt: Int
    /// The run's data, with `secrets` added for rendering (never stored).
    public var data: FlowValue
    public var secrets: FlowSecrets
    public var timeout: Duration

    public init(runId: String, flowId: String, stepId: String, attempt: Int, data: FlowValue, secrets: FlowSecrets, timeout: Duration) {
        self.runId = runId
        self.flowId = flowId
        self.stepId = stepId
        self.attempt = attempt
        self.data = data
        self.secrets = secrets
        self.timeout = timeout
    }
}
