import Access
import BookingWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The booking endpoints against a real command server: what a booker sees when placing,
/// retrying, losing a slot, and cancelling.
@Suite struct BookingCommandEndpointTests {
    @Test func givenAFreeDesk_whenAdaBooksIt_thenTheAnswerIs201WithTheBookingIdAndItsSequence_andARetryGetsTheSameBooking() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let ada = try harness.token("demo-ada")
        let body = #"{"siteId":"zurich","resourceId":"zh-desk-001","start":"\#(ZurichTime.weekday(0, hour: 9))","end":"\#(ZurichTime.weekday(0, hour: 12))","bookerTimeZone":"Europe/Zurich"}"#
        try await app.test(.router) { client in
            let first = try await client.call(.post, "/api/bookings", token: ada, idempotencyKey: "place-desk-1", body: body)
            #expect(first.status == 201, "\(first.text)")
            let bookingId = try #require(first.json["bookingId"] as? String)
            #expect((first.json["sequence"] as? Int).map { $0 > 0 } == true)
            #expect(first.json["duplicate"] as? Bool == false)

            let retry = try await client.call(.post, "/api/bookings", token: ada, idempotencyKey: "place-desk-1", body: body)
            #expect(retry.status == 201)
            #expect(retry.json["bookingId"] as? String == bookingId)
            #expect(retry.json["duplicate"] as? Bool == true)

            let cancelled = try await client.call(.post, "/api/bookings/\(bookingId)/cancel", token: ada, idempotencyKey: "cancel-desk-1",
                                                  body: #"{"resourceId":"zh-desk-001"}"#)
            #expect(cancelled.status == 200, "\(cancelled.text)")
            #expect(cancelled.json["bookingId"] as? String == bookingId)
        }
    }

    @Test func givenAdaHoldsADesk_whenBenBooksTheSameTime_then409SlotTaken_andBenCannotCancelAdasBooking() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let ada = try harness.token("demo-ada")
        let ben = try harness.token("demo-ben")
        let body = #"{"siteId":"zurich","resourceId":"zh-desk-002","start":"\#(ZurichTime.weekday(1, hour: 10))","end":"\#(ZurichTime.weekday(1, hour: 12))"}"#
        try await app.test(.router) { client in
            let adas = try await client.call(.post, "/api/bookings", token: ada, idempotencyKey: "ada-desk-2", body: body)
            #expect(adas.status == 201, "\(adas.text)")
            let bookingId = try #require(adas.json["bookingId"] as? String)

            let bens = try await client.call(.post, "/api/bookings", token: ben, idempotencyKey: "ben-desk-2", body: body)
            #expect(bens.status == 409)
            #expect(bens.code == "slot_taken")
            #expect(bens.headers[.contentType] == "application/problem+json")

            let before = try await harness.lastSequence(of: "bookings.resource.zh-desk-002")
            let foreign = try await client.call(.post, "/api/bookings/\(bookingId)/cancel", token: ben, idempotencyKey: "ben-cancels",
                                                body: #"{"resourceId":"zh-desk-002"}"#)
            #expect(foreign.status == 404)
            #expect(foreign.code == "booking_not_found")
            let unknown = try await client.call(.post, "/api/bookings/bk-nothing/cancel", token: ben, idempotencyKey: "ben-cancels-2",
                                                body: #"{"resourceId":"zh-desk-002"}"#)
            #expect(unknown.status == 404)
            #expect(unknown.json["detail"] as? String == foreign.json["detail"] as? String)
            #expect(try await harness.lastSequence(of: "bookings.resource.zh-desk-002") == before)
        }
    }

    @Test func givenATimeOffTheGrid_whenBooking_then422NamingStart() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let rita = try harness.token("demo-rita")
        let start = ZurichTime.weekday(2, hour: 10).replacingOccurrences(of: ":00:00Z", with: ":07:00Z")
        let body = #"{"siteId":"zurich","resourceId":"zh-desk-003","start":"\#(start)","end":"\#(ZurichTime.weekday(2, hour: 12))"}"#
        try await app.test(.router) { client in
            let answer = try await client.call(.post, "/api/bookings", token: rita, idempotencyKey: "rita-off-grid", body: body)
            #expect(answer.status == 422, "\(answer.text)")
            #expect(answer.code == "off_slot_grid")
            #expect(answer.field == "start")
            #expect((answer.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "start")
        }
    }

    @Test func givenNoCommandHandlerRuns_whenBooking_then503() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration(commandPrefix: "cmd.nobody-listens"))
        let ada = try harness.token("demo-ada")
        let body = #"{"siteId":"zurich","resourceId":"zh-desk-004","start":"\#(ZurichTime.weekday(3, hour: 10))","end":"\#(ZurichTime.weekday(3, hour: 12))"}"#
        try await app.test(.router) { client in
            let answer = try await client.call(.post, "/api/bookings", token: ada, idempotencyKey: "no-handler", body: body)
            #expect(answer.status == 503)
            #expect(answer.code == "unavailable")
        }
    }

    @Test func givenAnAdmin_whenAddingABuilding_thenAccepted_andABookerMayNot() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let grace = try harness.token("demo-grace")
        let ada = try harness.token("demo-ada")
        try await app.test(.router) { client in
            let added = try await client.call(.post, "/api/admin/sites/zurich/buildings", token: grace, idempotencyKey: "annex",
                                              body: #"{"buildingId":"zh-annex","name":"Annex"}"#)
            #expect(added.status == 200, "\(added.text)")
            let denied = try await client.call(.post, "/api/admin/sites/zurich/buildings", token: ada, idempotencyKey: "annex-2",
                                               body: #"{"buildingId":"zh-annex-2","name":"Annex 2"}"#)
            #expect(denied.status == 403)
            #expect(denied.code == "forbidden")
            let sneaky = try await client.call(.post, "/api/admin/sites/zurich/buildings", token: grace, idempotencyKey: "annex-3",
                                               body: #"{"buildingId":"zh-annex-3","name":"Annex 3","siteId":"new-york"}"#)
            #expect(sneaky.status == 400)
            #expect(sneaky.field == "siteId")
        }
    }
}
