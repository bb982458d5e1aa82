import Flows

/// The executor of each runtime step kind. A kind without one fails its step with a clear,
/// non-retryable error (e.g. a runtime started without a mail transport).
public struct StepExecutors: Sendable {
    public var sendEmail: (any StepExecutor)?
    public var httpRequest: (any StepExecutor)?
    public var bookingCommand: (any StepExecutor)?
    public var publishEvent: (any StepExecutor)?

    public init(sendEmail: (any StepExecutor)? = nil, httpRequest: (any StepExecutor)? = nil,
                bookingCommand: (any StepExecutor)? = nil, publishEvent: (any StepExecutor)? = nil) {
        self.sendEmail = sendEmail
        self.httpRequest = httpRequest
        self.bookingCommand = bookingCommand
        self.publishEvent = publishEvent
    }

    func executor(for kind: StepKind) throws(StepError) -> any StepExecutor {
        let executor: (any StepExecutor)? = switch kind {
        case .sendEmail: sendEmail
        case .httpRequest: httpRequest
        case .bookingCommand: bookingCommand
        case .publishEvent: publishEvent
        case .wait, .branch, .approval: nil
        }
        guard let executor else { throw StepError(kind: .internal, message: "this runtime is not set up to run \(kind.rawValue) steps") }
        return executor
    }
}
