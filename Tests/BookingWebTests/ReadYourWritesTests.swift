import BookingWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// After an accepted command the answer waits for the booking read model, so the very next
/// query shows the write — no retry loop here on purpose.
@Suite struct ReadYourWritesTests {
    @Test func givenAFreeDesk_whenBenBooksIt_thenTheNextGetOfMyBookingsShowsIt_andAvailabilityNoLongerOffersIt() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let ben = try harness.token("demo-ben")
        let start = ZurichTime.weekday(6, hour: 14), end = ZurichTime.weekday(6, hour: 16)
        let startAsListed = #""start":""# + start.replacingOccurrences(of: "Z", with: ".000Z")
        try await app.test(.router) { client in
            let placed = try await client.call(.post, "/api/bookings", token: ben, idempotencyKey: "ryw-desk-5",
                                               body: #"{"siteId":"zurich","resourceId":"zh-desk-005","start":"\#(start)","end":"\#(end)"}"#)
            #expect(placed.status == 201, "\(placed.text)")
            #expect(placed.json["readModelCurrent"] as? Bool == true)
            #expect(placed.headers[HTTPField.Name(ReadYourWrites.headerName)!] == "current")
            let bookingId = try #require(placed.json["bookingId"] as? String)

            let mine = try await client.call(.get, "/api/me/bookings", token: ben)
            #expect(mine.text.contains(bookingId), "\(mine.text)")
            #expect(mine.text.contains(#""bookerTimeZone":"Europe/Zurich""#), "no zone given: the site's")
            let free = try await client.call(.get, "/api/sites/zurich/availability?date=\(start.prefix(10))&resourceId=zh-desk-005", token: ben)
            #expect(free.status == 200, "\(free.text)")
            #expect(free.text.contains(#""start":""#), "the desk's other slots that day are offered")
            #expect(!free.text.contains(startAsListed))

            let cancelled = try await client.call(.post, "/api/bookings/\(bookingId)/cancel", token: ben, idempotencyKey: "ryw-cancel-5",
                                                  body: #"{"resourceId":"zh-desk-005"}"#)
            #expect(cancelled.status == 200, "\(cancelled.text)")
            let afterCancel = try await client.call(.get, "/api/me/bookings", token: ben)
            #expect(afterCancel.status == 200, "\(afterCancel.text)")
            #expect(!afterCancel.text.contains(bookingId))
        }
    }

    @Test func givenAReadModelThatNeverCatchesUp_whenBooking_thenTheBookingStillSucceeds_andTheAnswerSaysTheReadModelIsBehind() async throws {
        let harness = try await BookingWebHarness.shared.value
        var configuration = harness.configuration()
        configuration.readYourWrites = ReadYourWrites(pool: harness.pool, projection: "no_such_projection", timeout: .milliseconds(200))
        let app = try await buildApplication(configuration)
        let rita = try harness.token("demo-rita")
        try await app.test(.router) { client in
            let placed = try await client.call(.post, "/api/bookings", token: rita, idempotencyKey: "ryw-behind",
                                               body: #"{"siteId":"zurich","resourceId":"zh-desk-007","start":"\#(ZurichTime.weekday(4, hour: 9))","end":"\#(ZurichTime.weekday(4, hour: 11))"}"#)
            #expect(placed.status == 201, "\(placed.text)")
            #expect(placed.json["readModelCurrent"] as? Bool == false)
            #expect(placed.headers[HTTPField.Name(ReadYourWrites.headerName)!] == "behind")
        }
        await configuration.readYourWrites?.watch.close()
    }
}
