import AlmanacEvents
import Booking
import EventStore
import Foundation
import Synchronization

extension BookingReadModel {
    /// A synthetic booking history for load tests and benchmarks of the read model: one site,
    /// `resources` desks (every tenth with a policy override), then bookings placed on them,
    /// with some cancelled, rescheduled, checked in or released, until `events` events exist.
    /// Appended through the event store in atomic batches, several resources at once, so a
    /// million events take seconds rather than the hour one append at a time would.
    public struct SyntheticLoad: Sendable {
        public var events: Int
        public var resources: Int
        public var siteId = "load-site"
        /// Part of every booking id, so that several loads into one stream add bookings
        /// (on the same resources and days) instead of repeating them.
        public var label = "a"
        /// Resources appended at the same time.
        public var concurrency = 8
        /// The first booking starts here; later ones spread over the following days.
        public var firstStart = Date(timeIntervalSince1970: 1_799_740_800)  // 2027-01-13 08:00 UTC

        public init(events: Int, resources: Int = 1_000) {
            self.events = events
            self.resources = max(1, resources)
        }

        /// Appends the history; returns the last stream sequence written. `progress` receives
        /// the number of events appended so far.
        @discardableResult
        public func append(to store: EventStore, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> UInt64 {
            let catalog = catalogEvents()
            var last: UInt64 = 0
            var start = 0
            while start < catalog.count {  // an atomic batch holds at most 1,000 events
                let chunk = Array(catalog[start..<min(start + 500, catalog.count)])
                last = try await store.append(chunk, to: "bookings.site.\(siteId)", expecting: .any).lastSequence
                start += chunk.count
            }
            let bookingEvents = max(0, events - catalog.count)
            let counter = ProgressCount()
            progress(counter.add(catalog.count))
            last = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        var last: UInt64 = 0
                        for resource in stride(from: worker, to: resources, by: concurrency) {
                            let share = bookingEvents / resources + (resource < bookingEvents % resources ? 1 : 0)
                            let history = bookings(on: resource, count: share)
                            var start = 0
                            while start < history.count {
                                let chunk = Array(history[start..<min(start + 500, history.count)])
                                last = max(last, try await store.append(chunk, to: "bookings.resource.\(resourceID(resource))", expecting: .any).lastSequence)
                                start += chunk.count
                                progress(counter.add(chunk.count))
                            }
                        }
                        return last
                    }
                }
                var newest = last
                for try await sequence in group { newest = max(newest, sequence) }
                return newest
            }
            return last
        }

        func resourceID(_ index: Int) -> String { "load-desk-\(index)" }

        func catalogEvents() -> [any Sendable] {
            var events: [any Sendable] = [SiteCreated(siteId: siteId, name: "Load test site", country: "CH", timeZone: "Europe/Zurich",
                                                      openingHours: [], policy: BookingPolicy())]
            for index in 0..<resources {
                let override = index % 10 == 0 ? PolicyOverride(maximumDurationMinutes: 240, capacity: 2) : PolicyOverride()
                events.append(ResourceAdded(siteId: siteId, resource: ResourceDefinition(
                    resourceId: resourceID(index), floorId: "load-floor", name: "Desk \(index)", kind: .desk,
                    attributes: index % 3 == 0 ? ["monitor"] : [], policyOverride: override)))
            }
            events.append(SitePolicySet(siteId: siteId, policy: BookingPolicy(maximumDurationMinutes: 480)))
            return events
        }

        /// `count` events on one resource: bookings of one to three hours, eight a day, each
        /// followed at once by what happens to it (in stream order, as a handler would append).
        func bookings(on resource: Int, count: Int) -> [any Sendable] {
            var events: [any Sendable] = []
            events.reserveCapacity(count)
            var number = 0
            while events.count < count {
                let id = "\(resourceID(resource))-\(label)\(number)"
                let start = firstStart.addingTimeInterval(Double(number / 8) * 86_400 + Double(number % 8) * 3_600)
                let end = start.addingTimeInterval(Double(1 + number % 3) * 3_600)
                events.append(BookingPlaced(bookingId: id, resourceId: resourceID(resource), siteId: siteId, personId: "person-\(number % 97)",
                                            kind: .desk, start: start, end: end, attendees: 1 + number % 2, bookerTimeZone: "Europe/Zurich"))
                let followUps: [any Sendable] = switch number % 10 {
                case 3: [BookingCancelled(bookingId: id, resourceId: resourceID(resource), cancelledBy: "person-\(number % 97)")]
                case 5: [BookingRescheduled(bookingId: id, resourceId: resourceID(resource), start: start.addingTimeInterval(1_800),
                                            end: end.addingTimeInterval(1_800))]
                case 7: [BookingCheckedIn(bookingId: id, resourceId: resourceID(resource), checkedInAt: start.addingTimeInterval(300))]
                case 9: [BookingReleasedAsNoShow(bookingId: id, resourceId: resourceID(resource), releasedBy: "load-system")]
                default: []
                }
                events += followUps.prefix(count - events.count)
                number += 1
            }
            return events
        }
    }
}

/// A counter shared by the load's workers, for the progress line.
final class ProgressCount: Sendable {
    private let total = Mutex(0)

    func add(_ count: Int) -> Int { total.withLock { $0 += count; return $0 } }
}
