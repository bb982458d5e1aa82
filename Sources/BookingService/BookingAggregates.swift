import AlmanacEvents
import Booking
import CommandBus
import EventStore

/// The booking aggregates of one process, cached: the command handler decides on them and the
/// web app's aggregate queries read them, so both fold events the same way and share one cache.
public struct BookingAggregates: Sendable {
    public let sites: AggregateRepository<SiteState>
    public let resources: AggregateRepository<ResourceState>
    public let persons: AggregateRepository<PersonState>

    public init(store: EventStore) {
        sites = AggregateRepository(store: store, initial: SiteState()) { state, event in BookingEvent(payload: event).map(state.evolve) ?? state }
        resources = AggregateRepository(store: store, initial: ResourceState()) { state, event in BookingEvent(payload: event).map(state.evolve) ?? state }
        persons = AggregateRepository(store: store, initial: PersonState()) { state, event in BookingEvent(payload: event).map(state.evolve) ?? state }
    }

    /// A site as the stream has it now (cached unless its head moved).
    public func site(_ id: SiteID) async throws -> SiteState { try await sites.current(try BookingSubjects.site(id)).state }
    public func resource(_ id: ResourceID) async throws -> ResourceState { try await resources.current(try BookingSubjects.resource(id)).state }
    public func person(_ id: PersonID) async throws -> PersonState { try await persons.current(try BookingSubjects.person(id)).state }
}
