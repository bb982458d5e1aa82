import Booking
import BookingWeb
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Availability and booking through the HTTP API on the days the clocks change, in each demo
/// site's zone. The demo sites are closed at night (when clocks change), so each zone gets a
/// site open around the clock; the transitions are the zone's next two (one spring, one autumn).
@Suite struct DaylightSavingTests {
    static let demoZones: [String] = DemoData.commands().compactMap { if case .createSite(let site) = $0 { site.timeZone } else { nil } }

    @Test(arguments: demoZones)
    func givenASiteOpenAroundTheClock_whenTheClocksChange_thenTheDayHas23Or25HoursOfSlots_andABookingOverTheChangeLastsItsRealLength(zone: String) async throws {
        #expect(Self.demoZones.count == 2)
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let grace = try harness.token("demo-grace")
        let rita = try harness.token("demo-rita")
        let timeZone = try #require(TimeZone(identifier: zone))
        let clock = try #require(SiteClock(timeZoneIdentifier: zone))
        let siteId = "dst-" + zone.lowercased().replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: "_", with: "-")
        let deskId = "\(siteId)-desk"
        let first = try #require(timeZone.nextDaylightSavingTimeTransition(after: Date()))
        let second = try #require(timeZone.nextDaylightSavingTimeTransition(after: first))
        try await app.test(.router) { client in
            try await Self.createAroundTheClockSite(client, admin: grace, siteId: siteId, zone: zone, deskId: deskId)
            for transition in [first, second] {
                let day = clock.localDate(of: transition)
                let hours = clock.startOfDay(day.adding(days: 1)).timeIntervalSince(clock.startOfDay(day)) / 3600
                #expect(hours == 23 || hours == 25, "\(zone) \(day) has \(hours) hours")

                // Every 30-minute slot of the day, once: 46 on the short day, 50 on the long one.
                let slots = try await Self.freeSlots(client, rita, siteId: siteId, deskId: deskId, day: day)
                #expect(slots.count == Int(hours) * 2, "\(zone) \(day)")
                #expect(slots.first?.start == clock.startOfDay(day))
                #expect(slots.last?.end == clock.startOfDay(day.adding(days: 1)))
                #expect(zip(slots, slots.dropFirst()).allSatisfy { $0.end == $1.start }, "no gap and no repeat in \(zone) \(day)")
                #expect(slots.allSatisfy { $0.end.timeIntervalSince($0.start) == 1800 })

                // An hour before to an hour after the change is two hours, whatever the wall clock says;
                // no bookerTimeZone: the site's zone is taken.
                let start = transition.addingTimeInterval(-3600), end = transition.addingTimeInterval(3600)
                let placed = try await client.call(.post, "/api/bookings", token: rita, idempotencyKey: "dst-\(siteId)-\(day)",
                                                   body: #"{"siteId":"\#(siteId)","resourceId":"\#(deskId)","start":"\#(Self.text(start))","end":"\#(Self.text(end))"}"#)
                #expect(placed.status == 201, "\(placed.text)")
                let bookingId = try #require(placed.json["bookingId"] as? String)
                let mine = try await client.call(.get, "/api/me/bookings", token: rita)
                let booking = try #require((try JSONSerialization.jsonObject(with: Data(mine.text.utf8)) as? [[String: Any]])?.first { $0["bookingId"] as? String == bookingId })
                let bookedStart = try #require((booking["start"] as? String).flatMap(Timestamp.parse))
                let bookedEnd = try #require((booking["end"] as? String).flatMap(Timestamp.parse))
                #expect(bookedEnd.timeIntervalSince(bookedStart) == 7200)
                #expect(booking["bookerTimeZone"] as? String == zone)
                #expect(booking["localDate"] as? String == day.description)
                let after = try await Self.freeSlots(client, rita, siteId: siteId, deskId: deskId, day: day)
                #expect(after.count == slots.count - 4)
                #expect(!after.contains { $0.start < end && $0.end > start })
            }
        }
    }

    struct Slot: Equatable { var start: Date; var end: Date }

    static func freeSlots(_ client: some TestClientProtocol, _ token: String, siteId: String, deskId: String, day: LocalDate) async throws -> [Slot] {
        let answer = try await client.call(.get, "/api/sites/\(siteId)/availability?date=\(day)&resourceId=\(deskId)", token: token)
        #expect(answer.status == 200, "\(answer.text)")
        let resources = try #require(try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [[String: Any]])
        let slots = try #require(resources.first?["freeSlots"] as? [[String: Any]])
        return slots.compactMap { slot in
            guard let start = (slot["start"] as? String).flatMap(Timestamp.parse), let end = (slot["end"] as? String).flatMap(Timestamp.parse) else { return nil }
            return Slot(start: start, end: end)
        }
    }

    /// A site in `zone` open every day 00:00–24:00 with one desk, made through the admin API.
    static func createAroundTheClockSite(_ client: some TestClientProtocol, admin: String, siteId: String, zone: String, deskId: String) async throws {
        let hours = Weekday.allCases.map { OpeningInterval(weekday: $0, opens: TimeOfDay(hour: 0)!, closes: TimeOfDay(hour: 24)!) }
        // A year ahead, so both transitions can be booked.
        let policy = BookingPolicy(slotGranularityMinutes: 30, minimumDurationMinutes: 30, maximumDurationMinutes: 600, maximumAdvanceDays: 400)
        let steps: [(String, any Encodable)] = [
            ("/api/admin/sites", CreateSite(idempotencyKey: "", siteId: siteId, name: "Around the clock \(zone)", country: "XX", timeZone: zone,
                                            openingHours: hours, policy: policy)),
            ("/api/admin/sites/\(siteId)/buildings", AddBuilding(idempotencyKey: "", siteId: siteId, buildingId: "\(siteId)-b", name: "Building")),
            ("/api/admin/sites/\(siteId)/floors", AddFloor(idempotencyKey: "", siteId: siteId, buildingId: "\(siteId)-b", floorId: "\(siteId)-f", name: "Floor", level: 0)),
            ("/api/admin/sites/\(siteId)/resources", AddResource(idempotencyKey: "", siteId: siteId,
                                                                 resource: ResourceDefinition(resourceId: deskId, floorId: "\(siteId)-f", name: "Desk", kind: .desk))),
        ]
        for (index, (path, command)) in steps.enumerated() {
            var object = try #require(try JSONSerialization.jsonObject(with: EventCoding.encoder.encode(command)) as? [String: Any])
            object["idempotencyKey"] = nil
            if index > 0 { object["siteId"] = nil }
            let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let answer = try await client.call(.post, path, token: admin, idempotencyKey: "\(siteId)-setup-\(index)", body: body)
            #expect(answer.status == 200 || answer.status == 201, "\(path): \(answer.text)")
        }
    }

    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
