import CommandBus
import Flows
import Foundation

/// `booking_command`: sends the command to the booking service (`cmd.booking.<name>`) as the
/// flow's system actor. The idempotency key is per (run, step), not per attempt, so a retried
/// attempt after a lost answer gets the first answer and changes nothing twice. A rejection by
/// the booking domain is final (`rejected`, with its code and message).
public struct BookingCommandExecutor: StepExecutor {
    let client: CommandClient
    let actor: String

    public init(client: CommandClient, actor: String) {
        self.client = client
        self.actor = actor
    }

    /// The body the booking service decodes (`ReleaseNoShow`, `CancelBooking`).
    struct Body: Encodable {
        var idempotencyKey: String
        var bookingId: String
        var resourceId: String
        var reason: String?
    }

    public func execute(_ step: FlowStep, context: StepContext) async throws -> StepResult {
        guard case .bookingCommand(let command) = step.action else {
            throw StepError(kind: .internal, message: "step '\(step.id)' is not a booking_command step")
        }
        let rendered = try command.rendered(over: context.data)
        let key = "flow-\(context.runId)-\(context.stepId)"
        let body = Body(idempotencyKey: key, bookingId: rendered.bookingId, resourceId: rendered.resourceId,
                        reason: rendered.command == .cancel ? rendered.reason : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var inputs: [String: FlowValue] = ["command": .string(rendered.command.rawValue), "bookingId": .string(rendered.bookingId),
                                           "resourceId": .string(rendered.resourceId), "idempotencyKey": .string(key)]
        if let reason = body.reason { inputs["reason"] = .string(reason) }
        let request = CommandRequest(name: rendered.command.rawValue, idempotencyKey: key, actor: actor, actorRoles: ["system"],
                                     correlationId: context.runId, body: Array(try encoder.encode(body)))
        let reply: CommandReply
        do {
            reply = try await client.send(request, timeout: context.timeout)
        } catch let error as CommandBusError {
            switch error {
            case .timeout: throw StepError(kind: .timeout, message: error.description)
            case .noHandler: throw StepError(kind: .network, message: error.description)
            case .badRequest: throw StepError(kind: .invalidInput, message: error.description)
            }
        }
        switch reply {
        case .accepted(let sequences, let duplicate):
            return StepResult(output: ["outcome": "accepted", "sequences": .array(sequences.map { .number(Double($0)) }), "duplicate": .bool(duplicate)],
                              inputs: .object(inputs))
        case .rejected(let code, let message, let field):
            throw StepError(kind: .rejected, message: "the booking service refused \(rendered.command.rawValue) of booking \(rendered.bookingId): \(message) (\(code)\(field.map { ", field \($0)" } ?? ""))")
        case .failed(let message):
            throw StepError(kind: .serverError, message: "the booking service failed on \(rendered.command.rawValue): \(message)")
        }
    }
}
