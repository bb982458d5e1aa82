import Booking
import CommandBus
import Logging
import NATSClient
import ServiceLifecycle

/// `almanac booking`: answers `cmd.booking.*` in the `booking` queue group.
public enum BookingCommandServer {
    public static func make(connection: NATSConnection, handler: BookingCommandHandler, maxConcurrent: Int = 64,
                            logger: Logger = Logger(label: "almanac.booking")) throws -> CommandServer {
        try CommandServer(connection: connection, prefix: BookingCommandCodec.prefix, queue: "booking", maxConcurrent: maxConcurrent, logger: logger) { request in
            let command: BookingCommand
            do {
                command = try BookingCommandCodec.decode(name: request.name, body: request.body)
            } catch let error as BookingCommandCodec.DecodeError {
                return .rejected(code: "invalid_input", message: error.description, field: nil)
            } catch {
                return .rejected(code: "invalid_input", message: "\(error)", field: nil)
            }
            guard command.idempotencyKey == request.idempotencyKey else {
                return .rejected(code: "invalid_input", message: "the idempotency key of the body and of the request differ", field: "idempotencyKey")
            }
            guard let person = request.actor, !person.isEmpty else {
                return .rejected(code: "not_allowed", message: "a command needs an actor", field: nil)
            }
            let actor = Principal(personId: person, roles: Set(request.actorRoles.compactMap(Role.init(rawValue:))), groups: Set(request.actorGroups))
            return await handler.handle(command, actor: actor, correlationId: request.correlationId)
        }
    }
}
