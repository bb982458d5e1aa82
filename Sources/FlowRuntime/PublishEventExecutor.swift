import EventStore
import Flows
import Foundation
import NATSClient

/// `publish_event`: the rendered fields as a JSON object on `events.<eventType>` (stream
/// `EVENTS`, apart from `FLOWS`, whose consumers read flow definitions only), with a message id
/// per (run, step) so a retried attempt is stored once.
public struct PublishEventExecutor: StepExecutor {
    let jetStream: JetStream

    public init(jetStream: JetStream) {
        self.jetStream = jetStream
    }

    public static func subject(eventType: String) -> String { "events.\(eventType)" }

    public func execute(_ step: FlowStep, context: StepContext) async throws -> StepResult {
        guard case .publishEvent(let publish) = step.action else {
            throw StepError(kind: .internal, message: "step '\(step.id)' is not a publish_event step")
        }
        guard FlowValidator.isToken(publish.eventType) else {
            throw StepError(kind: .invalidInput, message: "eventType '\(publish.eventType)' is not a name of letters, digits, _ and -")
        }
        var fields: [String: FlowValue] = [:]
        for (name, template) in publish.data {
            do {
                fields[name] = .string(try FlowTemplate(template).render(context.data))
            } catch {
                throw StepError(kind: .invalidInput, message: "data.\(name): \(error.description)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let subject = Self.subject(eventType: publish.eventType)
        let headers: NATSHeaders = [EventEnvelope.Header.type: publish.eventType, EventEnvelope.Header.version: "1",
                                    EventEnvelope.Header.correlationId: context.runId, EventEnvelope.Header.occurredAt: FlowTime.format(Date())]
        let ack: PubAck
        do {
            ack = try await jetStream.publish(subject, payload: Array(try encoder.encode(FlowValue.object(fields))), headers: headers,
                                              options: PublishOptions(messageId: "\(context.runId)/\(context.stepId)"))
        } catch let error as NATSError where error.kind == .noResponders {
            throw StepError(kind: .clientError, message: "no stream stores \(subject)")
        } catch let error as NATSError {
            throw StepError(kind: .network, message: "publishing to \(subject) failed: \(error)")
        }
        return StepResult(output: ["subject": .string(subject), "sequence": .number(Double(ack.seq)), "duplicate": .bool(ack.isDuplicate)],
                          inputs: ["eventType": .string(publish.eventType), "data": .object(fields)])
    }
}
