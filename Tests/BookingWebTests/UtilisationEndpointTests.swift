import Access
import AlmanacEvents
import Booking
import BookingReadModels
import BookingWeb
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Projections
import Testing

/// `GET /api/sites/{siteId}/utilisation`, through the app in-process, on a site of its own whose
/// history is appended as events (last week's bookings cannot be placed by command any more).
@Suite struct UtilisationEndpointTests {
    /// Wednesday 18 March 2026, 12:00 in Zürich (UTC+1): last week is Monday 9 to Sunday 15 March.
    static let now = Date(timeIntervalSince1970: 1_773_831_600)
    static let site = "util-site"

    @Test func givenLastWeeksBookings_whenAnAdminAsksForLastWeeksUtilisation_thenPercentOfOpenHoursPerKindAndNoShowsAreReported() async throws {
        let harness = try await BookingWebHarness.shared.value
        let head = try await Self.appendHistory(to: harness.store)
        try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: head, pool: harness.pool, timeout: .seconds(60))
        let app = try await buildApplication(harness.configuration(now: { Self.now }))
        let admin = try harness.token("demo-grace", roles: [.admin])
        try await app.test(.router) { client in
            let answer = try await client.call(.get, "/api/sites/\(Self.site)/utilisation?period=last-week", token: admin)
            #expect(answer.status == 200, "\(answer.text)")
            let report = try JSONDecoder().decode(SiteUtilisation.self, from: Data(answer.text.utf8))
            #expect(report.from == LocalDate("2026-03-09") && report.through == LocalDate("2026-03-15"))
            #expect(report.timeZone == "Europe/Zurich")
            // Open Monday to Friday 08:00-18:00: 50 hours a resource. Two desks: 100 hours, of
            // which 2 + 3 are held (the cancelled and the released booking hold nothing, the
            // booking of the Monday after is outside the week).
            #expect(report.desks == KindUtilisation(resources: 2, bookings: 2, bookedMinutes: 300, bookableMinutes: 6_000))
            #expect(report.desks.percent == 5.0)
            #expect(report.rooms.percent == 8.0)
            #expect(report.rooms.bookedHours == 4)
            #expect(report.parking == KindUtilisation(resources: 0, bookings: 0, bookedMinutes: 0, bookableMinutes: 0))
            #expect(report.noShowsReleased == 1)
            // What the report flow's template reads.
            let json = answer.json
            #expect((json["desks"] as? [String: Any])?["percent"] as? Double == 5.0)
            #expect((json["parking"] as? [String: Any])?["percent"] as? Double == 0)
            #expect(json["noShowsReleased"] as? Int == 1)

            let booker = try harness.token("demo-ben", roles: [.booker])
            #expect(try await client.call(.get, "/api/sites/\(Self.site)/utilisation?period=last-week", token: booker).status == 403)
            let badPeriod = try await client.call(.get, "/api/sites/\(Self.site)/utilisation?period=last-decade", token: admin)
            #expect(badPeriod.status == 400)
            #expect(badPeriod.field == "period")
            #expect(badPeriod.text.contains("last-week"))
            #expect(try await client.call(.get, "/api/sites/atlantis/utilisation?period=last-week", token: admin).status == 404)
        }
    }

    /// The site (two desks, a room), last week's bookings and one of the week after; returns the last sequence.
    static func appendHistory(to store: EventStore) async throws -> UInt64 {
        let weekdays: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]
        let hours = weekdays.map { OpeningInterval(weekday: $0, opens: TimeOfDay(hour: 8)!, closes: TimeOfDay(hour: 18)!) }
        var catalog: [any Sendable] = [SiteCreated(siteId: site, name: "Utilisation site", country: "CH", timeZone: "Europe/Zurich",
                                                   openingHours: hours, policy: BookingPolicy())]
        for (id, kind) in [("util-desk-1", ResourceKind.desk), ("util-desk-2", .desk), ("util-room", .room)] {
            catalog.append(ResourceAdded(siteId: site, resource: ResourceDefinition(resourceId: id, floorId: "util-floor", name: id, kind: kind)))
        }
        _ = try await store.append(catalog, to: "bookings.site.\(site)", expecting: .any)
        // Tuesday 10 March, 09:00 Zürich = 08:00 UTC.
        let tuesday = Date(timeIntervalSince1970: 1_773_129_600)
        func placed(_ id: String, _ resource: String, _ kind: ResourceKind, hours: Double, dayOffset: Double = 0) -> BookingPlaced {
            let start = tuesday.addingTimeInterval(dayOffset * 86_400)
            return BookingPlaced(bookingId: id, resourceId: resource, siteId: site, personId: "util-person", kind: kind, start: start,
                                 end: start.addingTimeInterval(hours * 3_600), attendees: 1, bookerTimeZone: "Europe/Zurich")
        }
        _ = try await store.append([placed("util-b1", "util-desk-1", .desk, hours: 2),
                                    placed("util-b2", "util-desk-1", .desk, hours: 1, dayOffset: 1),
                                    BookingCancelled(bookingId: "util-b2", resourceId: "util-desk-1", cancelledBy: "util-person"),
                                    placed("util-b5", "util-desk-1", .desk, hours: 2, dayOffset: 6)],
                                   to: "bookings.resource.util-desk-1", expecting: .any)
        _ = try await store.append([placed("util-b3", "util-desk-2", .desk, hours: 3, dayOffset: 2),
                                    placed("util-b4", "util-desk-2", .desk, hours: 1, dayOffset: 3),
                                    BookingReleasedAsNoShow(bookingId: "util-b4", resourceId: "util-desk-2", releasedBy: "util-system")],
                                   to: "bookings.resource.util-desk-2", expecting: .any)
        return try await store.append([placed("util-b6", "util-room", .room, hours: 4)], to: "bookings.resource.util-room", expecting: .any).lastSequence
    }
}
