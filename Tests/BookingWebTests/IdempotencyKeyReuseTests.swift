import Access
import Booking
import BookingWeb
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// An Idempotency-Key names one request: sent again with the same body it is a retry, with
/// another body it is refused, whatever the JSON's key order and spacing.
@Suite struct IdempotencyKeyReuseTests {
    @Test func givenABookerBookedADeskWithAKey_whenTheSameKeyComesWithAnotherTime_then422IdempotencyKeyReused_andNothingIsAppended() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        // A person of its own, so the desks' one-per-day limit meets no other test's booking.
        let now = Int(Date().timeIntervalSince1970)
        let booker = try harness.issuer.sign(DevTokenClaims(iss: harness.issuer.issuer, sub: "idem-reuser", aud: harness.issuer.audience,
                                                         iat: now, nbf: now, exp: now + 600, roles: [Access.Role.booker.rawValue]))
        let start = ZurichTime.weekday(8, hour: 9), end = ZurichTime.weekday(8, hour: 11), later = ZurichTime.weekday(8, hour: 12)
        let body = #"{"siteId":"zurich","resourceId":"zh-desk-003","start":"\#(start)","end":"\#(end)"}"#
        let respelt = #"{ "end": "\#(end)", "resourceId": "zh-desk-003",  "start": "\#(start)", "siteId": "zurich" }"#
        let other = #"{"siteId":"zurich","resourceId":"zh-desk-003","start":"\#(start)","end":"\#(later)"}"#
        try await app.test(.router) { client in
            let first = try await client.call(.post, "/api/bookings", token: booker, idempotencyKey: "reuse-1", body: body)
            #expect(first.status == 201, "\(first.text)")
            // Other tests book this desk too (other people, other days): what must not grow is
            // this booker's own subject, and the desk's events by this booker.
            let sequence = try #require(try await harness.lastSequence(of: "bookings.resource.zh-desk-003"))
            let personSequence = try await harness.lastSequence(of: "bookings.person.idem-reuser")

            let retry = try await client.call(.post, "/api/bookings", token: booker, idempotencyKey: "reuse-1", body: respelt)
            #expect(retry.status == 201, "\(retry.text)")
            #expect(retry.json["duplicate"] as? Bool == true)
            #expect(retry.json["bookingId"] as? String == first.json["bookingId"] as? String)

            let reused = try await client.call(.post, "/api/bookings", token: booker, idempotencyKey: "reuse-1", body: other)
            #expect(reused.status == 422, "\(reused.text)")
            #expect(reused.code == "idempotency_key_reused")
            #expect(reused.headers[.contentType] == "application/problem+json")
            #expect((reused.json["detail"] as? String)?.contains("different request") == true)
            #expect(try await harness.lastSequence(of: "bookings.person.idem-reuser") == personSequence)
            let appended = try await harness.store.read(subject: "bookings.resource.zh-desk-003", from: sequence + 1)
            let placedByBooker = appended.filter { ($0.event as? BookingPlaced)?.personId == "idem-reuser" }
            #expect(placedByBooker.isEmpty)
        }
    }
}
