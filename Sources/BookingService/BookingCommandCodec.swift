import Booking
import EventStore
import Foundation

/// Booking commands on the wire: the command's name is the last subject token
/// (`cmd.booking.place`), its body the command struct as JSON (dates RFC 3339, like events).
public enum BookingCommandCodec {
    public static let prefix = "cmd.booking"

    public static func encode(_ command: BookingCommand) throws -> (name: String, body: [UInt8]) {
        func json(_ value: some Encodable) throws -> [UInt8] { Array(try EventCoding.encoder.encode(value)) }
        switch command {
        case .place(let c): return ("place", try json(c))
        case .cancel(let c): return ("cancel", try json(c))
        case .changeTime(let c): return ("change_time", try json(c))
        case .move(let c): return ("move", try json(c))
        case .checkIn(let c): return ("check_in", try json(c))
        case .releaseNoShow(let c): return ("release_no_show", try json(c))
        case .addFavourite(let c): return ("add_favourite", try json(c))
        case .removeFavourite(let c): return ("remove_favourite", try json(c))
        case .createSite(let c): return ("create_site", try json(c))
        case .setOpeningHours(let c): return ("set_opening_hours", try json(c))
        case .addClosure(let c): return ("add_closure", try json(c))
        case .removeClosure(let c): return ("remove_closure", try json(c))
        case .setSitePolicy(let c): return ("set_site_policy", try json(c))
        case .addBuilding(let c): return ("add_building", try json(c))
        case .addFloor(let c): return ("add_floor", try json(c))
        case .addResource(let c): return ("add_resource", try json(c))
        case .updateResource(let c): return ("update_resource", try json(c))
        case .removeResource(let c): return ("remove_resource", try json(c))
        case .setResourcePolicy(let c): return ("set_resource_policy", try json(c))
        case .defineGroup(let c): return ("define_group", try json(c))
        case .restrictResource(let c): return ("restrict_resource", try json(c))
        }
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
        func json<T: Decodable>(_ type: T.Type) throws(DecodeError) -> T {
            do { return try EventCoding.decoder.decode(T.self, from: Data(body)) } catch {
                throw .badBody(command: name, reason: Self.explain(error))
            }
        }
        switch name {
        case "place": return .place(try json(PlaceBooking.self))
        case "cancel": return .cancel(try json(CancelBooking.self))
        case "change_time": return .changeTime(try json(ChangeBookingTime.self))
        case "move": return .move(try json(MoveBooking.self))
        case "check_in": return .checkIn(try json(CheckIn.self))
        case "release_no_show": return .releaseNoShow(try json(ReleaseNoShow.self))
        case "add_favourite": return .addFavourite(try json(AddFavourite.self))
        case "remove_favourite": return .removeFavourite(try json(RemoveFavourite.self))
        case "create_site": return .createSite(try json(CreateSite.self))
        case "set_opening_hours": return .setOpeningHours(try json(SetOpeningHours.self))
        case "add_closure": return .addClosure(try json(AddClosure.self))
        case "remove_closure": return .removeClosure(try json(RemoveClosure.self))
        case "set_site_policy": return .setSitePolicy(try json(SetSitePolicy.self))
        case "add_building": return .addBuilding(try json(AddBuilding.self))
        case "add_floor": return .addFloor(try json(AddFloor.self))
        case "add_resource": return .addResource(try json(AddResource.self))
        case "update_resource": return .updateResource(try json(UpdateResource.self))
        case "remove_resource": return .removeResource(try json(RemoveResource.self))
        case "set_resource_policy": return .setResourcePolicy(try json(SetResourcePolicy.self))
        case "define_group": return .defineGroup(try json(DefineGroup.self))
        case "restrict_resource": return .restrictResource(try json(RestrictResource.self))
        default: throw .unknownCommand(name)
        }
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
