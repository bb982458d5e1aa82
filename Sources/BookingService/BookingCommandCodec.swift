import Booking
import EventStore
import Foundation

/// Booking commands on the wire: the command's wire name (defined by the domain) is the last
/// subject token (`cmd.booking.place`), its body the command struct as JSON with the event
/// store's conventions (dates RFC 3339). Adds the errors a caller can show.
public enum BookingCommandCodec {
    public static let prefix = "cmd.booking"

    public static func encode(_ command: BookingCommand) throws -> (name: String, body: [UInt8]) {
        (command.wireName, Array(try EventCoding.encoder.encode(command.body)))
    }

    public enum DecodeError: Error, CustomStringConvertible {
        case unknownCommand(String)
        case badBody(command: String, reason: String)

        public var description: String {
            switch self {
            case .unknownCommand(let name): "unknown booking command \(name)"
            case .badBody(let command, let reason): "the \(command) command is malformed: \(reason)"
            }
        }
    }

    public static func decode(name: String, body: [UInt8]) throws(DecodeError) -> BookingCommand {
        let command: BookingCommand?
        do {
            command = try BookingCommand.decode(wireName: name, body: Data(body), using: EventCoding.decoder)
        } catch {
            throw .badBody(command: name, reason: explain(error))
        }
        guard let command else { throw .unknownCommand(name) }
        return command
    }

    /// A decoding error in words, naming the field.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\((path(context).isEmpty ? "" : path(context) + ".") + key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)) has the wrong type"
        case .dataCorrupted(let context): return path(context).isEmpty ? "not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
