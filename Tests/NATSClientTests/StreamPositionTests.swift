@testable import NATSClient
import Foundation
import Testing

@Suite("Stream positions from ack subjects")
struct StreamPositionTests {
    @Test("v1 and v2 (ADR-15) ack subjects give the delivery count, stream sequence, time and pending")
    func parsesBothForms() throws {
        let nanos: UInt64 = 1_799_740_800_123_456_789
        for subject in [
            "$JS.ACK.BOOKINGS.projector_booking.2.1234.77.\(nanos).9",
            "$JS.ACK.hub.ACCHASH.BOOKINGS.projector_booking.2.1234.77.\(nanos).9",
            "$JS.ACK.hub.ACCHASH.BOOKINGS.projector_booking.2.1234.77.\(nanos).9.x1y2",
        ] {
            let position = try #require(StreamPosition(ackSubject: subject), "\(subject)")
            #expect(position.deliveries == 2)
            #expect(position.sequence == 1234)
            #expect(position.pending == 9)
            #expect(abs(position.time.timeIntervalSince1970 - Double(nanos) / 1e9) < 1e-6)
        }
    }

    @Test("subjects that are not JetStream acks, or have a bad number, give no position")
    func rejectsOthers() {
        for subject in ["_INBOX.abc.def", "$JS.ACK.B.C.1.2.3", "$JS.ACK.B.C.1.x.3.4.5", "$JS.ACK.B.C.1.2.3.4.5.6.7.8.9.10",
                        "$JS.NAK.B.C.1.2.3.4.5", "$JS.ACK.B.C.1..3.4.5", ""] {
            #expect(StreamPosition(ackSubject: subject) == nil, "\(subject)")
        }
    }

    @Test("stored times from the server (RFC 3339 with nanoseconds, or whole seconds) parse to the millisecond")
    func parsesServerTimes() throws {
        let base = 1_796_527_002.0  // 2026-12-06T03:16:42Z
        for (text, expected) in [("2026-12-06T03:16:42.123456789Z", base + 0.123), ("2026-12-06T03:16:42Z", base),
                                 ("2026-12-06T05:16:42.5+02:00", base + 0.5)] {
            let parsed = try #require(JetStream.parseTime(text), "\(text)")
            #expect(abs(parsed.timeIntervalSince1970 - expected) < 1e-6, "\(text)")
        }
        #expect(JetStream.parseTime("yesterday") == nil)
    }
}
