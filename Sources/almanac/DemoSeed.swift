import Booking
import BookingService
import CommandBus
import Logging
import NATSClient

/// The demo catalog of `almanac dev` (two sites, 200 desks, rooms, parking, policies, a
/// restriction group), sent as admin commands to the booking handler.
enum DemoSeed {
    struct Outcome { var applied = 0; var duplicates = 0 }

    struct Refused: Error, CustomStringConvertible {
        let command: String
        let reply: CommandReply
        var description: String { "demo seed command \(command) was not accepted: \(reply)" }
    }

    static func run(connection: NATSConnection, logger: Logger) async throws -> Outcome {
        let client = CommandClient(connection: connection, prefix: BookingCommandCodec.prefix)
        let actor = DemoData.administrator
        var outcome = Outcome()
        for command in DemoData.commands() {
            let (name, body) = try BookingCommandCodec.encode(command)
            let request = CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: actor.personId,
                                         actorRoles: actor.roles.map(\.rawValue), body: body)
            let reply = try await client.send(request)
            switch reply {
            case .accepted(_, let duplicate): if duplicate { outcome.duplicates += 1 } else { outcome.applied += 1 }
            default: throw Refused(command: name, reply: reply)
            }
        }
        return outcome
    }
}
