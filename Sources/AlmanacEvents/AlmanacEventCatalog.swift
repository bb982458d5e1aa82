import Booking
import EventStore

/// Every event type the services write, with its stable wire name, version and examples.
/// Wire names are the contract (`schemas/events/<wire name>.v<N>.schema.json`); Swift type names
/// may change freely.
public enum AlmanacEventCatalog {
    public static var registry: EventTypeRegistry { catalog.registry }

    /// The wire name an event of the booking domain is stored under.
    public static func wireName(of event: BookingEvent) -> String {
        // Every case's type is registered below; the catalog test checks it.
        catalog.wireNames[ObjectIdentifier(type(of: event.payload))] ?? "unregistered"
    }

    /// Registers types and remembers their wire names in one place, so the two cannot drift.
    struct Registrar {
        var registry = EventTypeRegistry()
        var wireNames: [ObjectIdentifier: String] = [:]

        mutating func register<Event: Codable & Sendable>(_ type: Event.Type, as wireName: String, version: Int,
                                                         examples: @escaping @Sendable () -> [Event]) {
            registry.register(type, as: wireName, version: version, examples: examples)
            wireNames[ObjectIdentifier(type)] = wireName
        }
    }

    static let catalog: Registrar = {
        var registrar = Registrar()
        registerBooking(&registrar)
        FlowEventCatalog.register(into: &registrar)
        return registrar
    }()

    /// Wire name of each booking-domain event type (all version 1 so far).
    static func registerBooking(_ registry: inout Registrar) {
        let examples = BookingEventExamples.self
        registry.register(SiteCreated.self, as: "site.created", version: 1) { [examples.siteCreated] }
        registry.register(SiteOpeningHoursSet.self, as: "site.opening_hours_set", version: 1) { [examples.openingHoursSet] }
        registry.register(SiteClosureAdded.self, as: "site.closure_added", version: 1) { [examples.closureAdded] }
        registry.register(SiteClosureRemoved.self, as: "site.closure_removed", version: 1) { [examples.closureRemoved] }
        registry.register(SitePolicySet.self, as: "site.policy_set", version: 1) { [examples.sitePolicySet] }
        registry.register(BuildingAdded.self, as: "building.added", version: 1) { [examples.buildingAdded] }
        registry.register(FloorAdded.self, as: "floor.added", version: 1) { [examples.floorAdded] }
        registry.register(ResourceAdded.self, as: "resource.added", version: 1) { examples.resourcesAdded }
        registry.register(ResourceUpdated.self, as: "resource.updated", version: 1) { [examples.resourceUpdated] }
        registry.register(ResourceRemoved.self, as: "resource.removed", version: 1) { [examples.resourceRemoved] }
        registry.register(ResourcePolicySet.self, as: "resource.policy_set", version: 1) { examples.resourcePoliciesSet }
        registry.register(GroupDefined.self, as: "group.defined", version: 1) { [examples.groupDefined] }
        registry.register(ResourceRestricted.self, as: "resource.restricted", version: 1) { examples.resourcesRestricted }
        registry.register(BookingPlaced.self, as: "booking.placed", version: 1) { [examples.placed] }
        registry.register(BookingCancelled.self, as: "booking.cancelled", version: 1) { examples.cancelled }
        registry.register(BookingRescheduled.self, as: "booking.rescheduled", version: 1) { [examples.rescheduled] }
        registry.register(BookingMovedOut.self, as: "booking.moved_out", version: 1) { [examples.movedOut] }
        registry.register(BookingMovedIn.self, as: "booking.moved_in", version: 1) { [examples.movedIn] }
        registry.register(BookingCheckedIn.self, as: "booking.checked_in", version: 1) { [examples.checkedIn] }
        registry.register(BookingReleasedAsNoShow.self, as: "booking.released_no_show", version: 1) { [examples.releasedAsNoShow] }
        registry.register(PersonBookingAdded.self, as: "person.booking_added", version: 1) { [examples.personBookingAdded] }
        registry.register(PersonBookingChanged.self, as: "person.booking_changed", version: 1) { [examples.personBookingChanged] }
        registry.register(PersonBookingRemoved.self, as: "person.booking_removed", version: 1) { [examples.personBookingRemoved] }
        registry.register(FavouriteAdded.self, as: "person.favourite_added", version: 1) { [examples.favouriteAdded] }
        registry.register(FavouriteRemoved.self, as: "person.favourite_removed", version: 1) { [examples.favouriteRemoved] }
    }
}
