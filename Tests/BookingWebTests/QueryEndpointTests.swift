import BookingWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct QueryEndpointTests {
    @Test func givenTheZurichCatalog_whenBrowsing_thenSitesFloorsAndFreeDesksAreListed_andMyBookingShowsUp() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let ben = try harness.token("demo-ben")
        let start = ZurichTime.weekday(5, hour: 8)
        let date = String(start.prefix(10))
        // The API writes instants as the event store does, with milliseconds.
        let startAsListed = #""start":""# + start.replacingOccurrences(of: "Z", with: ".000Z")
        try await app.test(.router) { client in
            let sites = try await client.call(.get, "/api/sites", token: ben)
            #expect(sites.status == 200, "\(sites.text)")
            #expect(sites.text.contains(#""siteId":"zurich""#))

            let catalog = try await client.call(.get, "/api/sites/zurich?kind=desk", token: ben)
            #expect(catalog.status == 200)
            #expect(((catalog.json["resources"] as? [Any])?.count ?? 0) >= 5)

            let free = try await client.call(.get, "/api/sites/zurich/availability?date=\(date)&kind=desk&resourceId=zh-desk-006", token: ben)
            #expect(free.status == 200, "\(free.text)")
            #expect(free.text.contains(startAsListed))

            let booked = try await client.call(.post, "/api/bookings", token: ben, idempotencyKey: "ben-desk-6",
                                               body: #"{"siteId":"zurich","resourceId":"zh-desk-006","start":"\#(start)","end":"\#(ZurichTime.weekday(5, hour: 10))"}"#)
            #expect(booked.status == 201, "\(booked.text)")
            let bookingId = try #require(booked.json["bookingId"] as? String)

            let mine = try await client.call(.get, "/api/me/bookings", token: ben)
            #expect(mine.text.contains(bookingId))
            let after = try await client.call(.get, "/api/sites/zurich/availability?date=\(date)&resourceId=zh-desk-006", token: ben)
            #expect(after.status == 200)
            #expect(!after.text.contains(startAsListed))

            let noSite = try await client.call(.get, "/api/sites/atlantis", token: ben)
            #expect(noSite.status == 404)
            let badKind = try await client.call(.get, "/api/sites/zurich?kind=spaceship", token: ben)
            #expect(badKind.status == 400)
            #expect(badKind.field == "kind")
            let badDate = try await client.call(.get, "/api/sites/zurich/availability?date=tomorrow", token: ben)
            #expect(badDate.field == "date")
        }
    }
}
