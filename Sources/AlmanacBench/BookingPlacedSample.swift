import EventStore
import Foundation

/// The body of a typical booking event (~300 bytes of JSON), so payload sizes and decoding
/// cost are those of the real thing. Registered under the wire name the booking domain uses.
struct BookingPlacedSample: Codable, Sendable {
    var bookingId: String
    var resourceId: String
    var siteId: String
    var bookerId: String
    var title: String
    var start: Date
    var end: Date
    var siteTimeZone: String
    var bookerTimeZone: String
    var source: String
    var checkInRequired: Bool
    var attendees: Int

    static let wireName = "booking.placed"
    static let version = 1

    static var registry: EventTypeRegistry {
        var registry = EventTypeRegistry()
        registry.register(BookingPlacedSample.self, as: wireName, version: version)
        return registry
    }

    /// A booking of desk `number`, with values of realistic length.
    static func sample(_ number: Int) -> BookingPlacedSample {
        let start = Date(timeIntervalSince1970: 1_900_000_000 + Double(number % 10_000) * 3600)
        return BookingPlacedSample(
            bookingId: UUID().uuidString.lowercased(),
            resourceId: "desk-\(String(format: "%05d", number % 100_000))",
            siteId: "site-berlin-hq",
            bookerId: "f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            title: "Focus time, 3rd floor east wing",
            start: start,
            end: start.addingTimeInterval(4 * 3600),
            siteTimeZone: "Europe/Berlin",
            bookerTimeZone: "Europe/Lisbon",
            source: "booking-web",
            checkInRequired: true,
            attendees: 1)
    }

    /// The JSON body as the event store writes it.
    func encoded() throws -> [UInt8] { Array(try EventCoding.encoder.encode(self)) }
}
