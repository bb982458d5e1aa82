import Foundation

/// Commands on the wire: `cmd.booking.<wire name>` with the command struct's JSON as the body.
extension BookingCommand {
    /// Every command's wire name, e.g. `place`, `change_time`, `create_site`.
    public static let wireNames: [String] = [
        "place", "cancel", "change_time", "move", "check_in", "release_no_show", "add_favourite", "remove_favourite",
        "create_site", "set_opening_hours", "add_closure", "remove_closure", "set_site_policy", "add_building", "add_floor",
        "add_resource", "update_resource", "remove_resource", "set_resource_policy", "define_group", "restrict_resource",
    ]

    public var wireName: String {
        switch self {
        case .place: "place"
        case .cancel: "cancel"
        case .changeTime: "change_time"
        case .move: "move"
        case .checkIn: "check_in"
        case .releaseNoShow: "release_no_show"
        case .addFavourite: "add_favourite"
        case .removeFavourite: "remove_favourite"
        case .createSite: "create_site"
        case .setOpeningHours: "set_opening_hours"
        case .addClosure: "add_closure"
        case .removeClosure: "remove_closure"
        case .setSitePolicy: "set_site_policy"
        case .addBuilding: "add_building"
        case .addFloor: "add_floor"
        case .addResource: "add_resource"
        case .updateResource: "update_resource"
        case .removeResource: "remove_resource"
        case .setResourcePolicy: "set_resource_policy"
        case .defineGroup: "define_group"
        case .restrictResource: "restrict_resource"
        }
    }

    /// The command struct inside, for encoding.
    public var body: any Codable & Sendable {
        switch self {
        case .place(let command): command
        case .cancel(let command): command
        case .changeTime(let command): command
        case .move(let command): command
        case .checkIn(let command): command
        case .releaseNoShow(let command): command
        case .addFavourite(let command): command
        case .removeFavourite(let command): command
        case .createSite(let command): command
        case .setOpeningHours(let command): command
        case .addClosure(let command): command
        case .removeClosure(let command): command
        case .setSitePolicy(let command): command
        case .addBuilding(let command): command
        case .addFloor(let command): command
        case .addResource(let command): command
        case .updateResource(let command): command
        case .removeResource(let command): command
        case .setResourcePolicy(let command): command
        case .defineGroup(let command): command
        case .restrictResource(let command): command
        }
    }

    /// Decodes a command body received as `wireName`, or `nil` for a name no command has.
    /// `decoder` decides the date format (the services use RFC 3339, as for events).
    public static func decode(wireName: String, body: Data, using decoder: JSONDecoder) throws -> BookingCommand? {
        func decode<Command: Decodable>(_ type: Command.Type) throws -> Command { try decoder.decode(type, from: body) }
        switch wireName {
        case "place": return .place(try decode(PlaceBooking.self))
        case "cancel": return .cancel(try decode(CancelBooking.self))
        case "change_time": return .changeTime(try decode(ChangeBookingTime.self))
        case "move": return .move(try decode(MoveBooking.self))
        case "check_in": return .checkIn(try decode(CheckIn.self))
        case "release_no_show": return .releaseNoShow(try decode(ReleaseNoShow.self))
        case "add_favourite": return .addFavourite(try decode(AddFavourite.self))
        case "remove_favourite": return .removeFavourite(try decode(RemoveFavourite.self))
        case "create_site": return .createSite(try decode(CreateSite.self))
        case "set_opening_hours": return .setOpeningHours(try decode(SetOpeningHours.self))
        case "add_closure": return .addClosure(try decode(AddClosure.self))
        case "remove_closure": return .removeClosure(try decode(RemoveClosure.self))
        case "set_site_policy": return .setSitePolicy(try decode(SetSitePolicy.self))
        case "add_building": return .addBuilding(try decode(AddBuilding.self))
        case "add_floor": return .addFloor(try decode(AddFloor.self))
        case "add_resource": return .addResource(try decode(AddResource.self))
        case "update_resource": return .updateResource(try decode(UpdateResource.self))
        case "remove_resource": return .removeResource(try decode(RemoveResource.self))
        case "set_resource_policy": return .setResourcePolicy(try decode(SetResourcePolicy.self))
        case "define_group": return .defineGroup(try decode(DefineGroup.self))
        case "restrict_resource": return .restrictResource(try decode(RestrictResource.self))
        default: return nil
        }
    }
}
