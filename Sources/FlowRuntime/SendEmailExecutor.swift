import Flows
import Foundation
import Mail

/// `send_email`: renders the step, builds a `MailMessage` with the Message-ID stable per
/// (run, step) so a retried send is recognisable, and hands it to the mail transport.
public struct SendEmailExecutor: StepExecutor {
    let transport: any MailTransport
    let defaultSender: String

    public init(transport: any MailTransport, defaultSender: String) {
        self.transport = transport
        self.defaultSender = defaultSender
    }

    public func execute(_ step: FlowStep, context: StepContext) async throws -> StepResult {
        guard case .sendEmail(let mail) = step.action else { throw StepError(kind: .internal, message: "step '\(step.id)' is not a send_email step") }
        let rendered = try mail.rendered(over: context.data)
        let message: MailMessage
        do {
            message = try MailMessage(
                from: MailAddress(parsing: rendered.from ?? defaultSender),
                to: rendered.to.map { address throws(MailMessageError) in try MailAddress(parsing: address) },
                cc: rendered.cc.map { address throws(MailMessageError) in try MailAddress(parsing: address) },
                subject: rendered.subject,
                textBody: rendered.body,
                htmlBody: rendered.html,
                headers: [MailHeader(name: "X-Almanac-Flow", value: context.flowId), MailHeader(name: "X-Almanac-Run", value: context.runId)],
                origin: MailOrigin(runID: context.runId, stepID: context.stepId)
            )
        } catch {
            throw StepError(kind: .invalidInput, message: "the mail cannot be built: \(error)")
        }
        let inputs: FlowValue = .object([
            "from": .string(message.from.description), "to": .array(rendered.to.map { .string($0) }), "cc": .array(rendered.cc.map { .string($0) }),
            "subject": .string(rendered.subject), "messageId": .string(message.messageID.value),
        ])
        let receipt: MailReceipt
        do {
            receipt = try await transport.send(message)
        } catch let error as MailTransportError {
            throw StepError(kind: Self.kind(of: error), message: "mail to \(rendered.to.joined(separator: ", ")) not accepted: \(error.message)")
        }
        var output: [String: FlowValue] = [
            "transport": .string(receipt.transport), "messageId": .string(receipt.messageID.value),
            "acceptedAt": .string(FlowTime.format(receipt.acceptedAt)), "duplicate": .bool(receipt.wasDuplicate),
        ]
        if let reference = receipt.reference { output["reference"] = .string(reference) }
        return StepResult(output: .object(output), inputs: context.secrets.redact(inputs))
    }

    /// The transport's own verdict on retrying decides the kind, so a retry policy's defaults
    /// agree with it.
    static func kind(of error: MailTransportError) -> StepErrorKind {
        switch error.kind {
        case .invalidMessage: .invalidInput
        case .throttled: error.isRetryable ? .rateLimited : .clientError
        case .unavailable: error.isRetryable ? .serverError : .clientError
        case .authentication, .rejected, .configuration: error.isRetryable ? .serverError : .clientError
        }
    }
}
