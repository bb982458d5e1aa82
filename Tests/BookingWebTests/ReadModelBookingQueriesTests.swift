import Booking
import BookingReadModels
import BookingWeb
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Availability from the read model equals the domain's `Availability` run resource by
/// resource on the same rows (the app computes empty resources of one shape only once).
@Suite struct ReadModelBookingQueriesTests {
    @Test func givenDesksOfTwoShapes_oneBooked_whenAskingForAWeek_thenEachDeskHasExactlyWhatAvailabilityComputesForIt() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let grace = try harness.token("demo-grace")
        let siteId = "shapes", zone = "Europe/Zurich"
        try await app.test(.router) { client in
            // A site nobody else touches: one desk from the helper, two more like it, one with a buffer.
            try await DaylightSavingTests.createAroundTheClockSite(client, admin: grace, siteId: siteId, zone: zone, deskId: "shapes-desk-1")
            let desks = [("shapes-desk-2", PolicyOverride()), ("shapes-desk-3", PolicyOverride()), ("shapes-desk-4", PolicyOverride(bufferAfterMinutes: 30))]
            for (id, policy) in desks {
                let resource = ResourceDefinition(resourceId: id, floorId: "\(siteId)-f", name: id, kind: .desk, policyOverride: policy)
                var object = try #require(try JSONSerialization.jsonObject(with: EventCoding.encoder.encode(
                    AddResource(idempotencyKey: "", siteId: siteId, resource: resource))) as? [String: Any])
                object["idempotencyKey"] = nil
                object["siteId"] = nil
                let answer = try await client.call(.post, "/api/admin/sites/\(siteId)/resources", token: grace, idempotencyKey: "add-\(id)",
                                                   body: String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
                #expect(answer.status == 200, "\(answer.text)")
            }
            let booked = try await client.call(.post, "/api/bookings", token: grace, idempotencyKey: "shapes-booking",
                                               body: #"{"siteId":"\#(siteId)","resourceId":"shapes-desk-2","start":"\#(ZurichTime.weekday(1, hour: 10))","end":"\#(ZurichTime.weekday(1, hour: 12))"}"#)
            #expect(booked.status == 201, "\(booked.text)")
        }
        let readModel = BookingReadModelQueries(pool: harness.pool)
        let state = try #require(try await readModel.siteState(siteId))
        let clock = try #require(state.site?.clock)
        let now = Date()
        let first = clock.localDate(of: now).adding(days: 1)
        let answer = try #require(try await harness.queries.availability(siteId: siteId, date: first, days: 7, kind: .desk, floorId: nil,
                                                                          resourceId: nil, now: now))
        #expect(answer.map(\.resource.resourceId) == ["shapes-desk-1", "shapes-desk-2", "shapes-desk-3", "shapes-desk-4"])
        let occupancy = try await readModel.occupancy(resources: Array(state.resources.keys), from: clock.startOfDay(first.adding(days: -1)),
                                                      to: clock.startOfDay(first.adding(days: 8)))
        #expect(occupancy.keys.sorted() == ["shapes-desk-2"])
        for entry in answer {
            let expected = Availability.freeSlots(resourceId: entry.resource.resourceId, site: state,
                                                  occupancy: occupancy[entry.resource.resourceId] ?? ResourceState(), from: first, days: 7, now: now)
            #expect(!expected.isEmpty)
            #expect(entry.freeSlots == expected, "\(entry.resource.resourceId)")
        }
        #expect(answer[0].freeSlots != answer[1].freeSlots, "the booking takes slots from desk 2 only")
        #expect(answer[0].freeSlots == answer[2].freeSlots)
        #expect(try await harness.queries.availability(siteId: "atlantis", date: first, days: 1, kind: nil, floorId: nil, resourceId: nil, now: now) == nil)
    }
}
