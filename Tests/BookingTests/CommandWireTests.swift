import Booking
import Foundation
import Testing

@Suite("Commands on the wire")
struct CommandWireTests {
    static var rfc3339: (JSONEncoder, JSONDecoder) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (encoder, decoder)
    }

    @Test("every command survives encode and decode under its wire name, and every wire name is listed once")
    func commandsRoundTrip() throws {
        let (encoder, decoder) = Self.rfc3339
        let now = utc("2026-03-10T08:00:00Z")
        let commands: [BookingCommand] = DemoData.commands() + [
            .place(PlaceBooking(idempotencyKey: "k", bookingId: "b", siteId: "zurich", resourceId: "zh-room-1", start: now, end: now + 3600,
                                attendees: 4, bookerTimeZone: "Europe/Zurich")),
            .cancel(CancelBooking(idempotencyKey: "k", bookingId: "b", resourceId: "r", reason: "ill")),
            .changeTime(ChangeBookingTime(idempotencyKey: "k", bookingId: "b", resourceId: "r", start: now, end: now + 60)),
            .move(MoveBooking(idempotencyKey: "k", bookingId: "b", fromResourceId: "a", toResourceId: "c")),
            .checkIn(CheckIn(idempotencyKey: "k", bookingId: "b", resourceId: "r")),
            .releaseNoShow(ReleaseNoShow(idempotencyKey: "k", bookingId: "b", resourceId: "r")),
            .addFavourite(AddFavourite(idempotencyKey: "k", siteId: "s", resourceId: "r")),
            .removeFavourite(RemoveFavourite(idempotencyKey: "k", resourceId: "r")),
            .setOpeningHours(SetOpeningHours(idempotencyKey: "k", siteId: "s", openingHours: Fixture.everyDay())),
            .removeClosure(RemoveClosure(idempotencyKey: "k", siteId: "s", closureId: "c")),
            .setSitePolicy(SetSitePolicy(idempotencyKey: "k", siteId: "s", policy: BookingPolicy())),
            .updateResource(UpdateResource(idempotencyKey: "k", siteId: "s", resourceId: "r", name: "n", attributes: [])),
            .removeResource(RemoveResource(idempotencyKey: "k", siteId: "s", resourceId: "r")),
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "k", siteId: "s", resourceId: "r", policyOverride: PolicyOverride(capacity: 3))),
            .restrictResource(RestrictResource(idempotencyKey: "k", siteId: "s", resourceId: "r", groupIds: ["g"])),
        ]
        #expect(Set(commands.map(\.wireName)) == Set(BookingCommand.wireNames))
        #expect(Set(BookingCommand.wireNames).count == BookingCommand.wireNames.count)
        for command in commands {
            let body = try encoder.encode(AnyEncodable(command.body))
            #expect(try BookingCommand.decode(wireName: command.wireName, body: body, using: decoder) == command)
        }
        #expect(try BookingCommand.decode(wireName: "explode", body: Data("{}".utf8), using: decoder) == nil)
    }

    @Test("a bad time of day or date in a command body is a decoding error that names the value")
    func badValuesFailToDecode() {
        let (_, decoder) = Self.rfc3339
        let body = Data(#"{"idempotencyKey":"k","siteId":"s","openingHours":[{"weekday":"monday","opens":"25:00","closes":"18:00"}]}"#.utf8)
        #expect(throws: DecodingError.self) { try BookingCommand.decode(wireName: "set_opening_hours", body: body, using: decoder) }
        #expect(TimeOfDay("25:00") == nil)
        #expect(TimeOfDay("24:00")?.minutes == 1440)
        #expect(LocalDate("2026-02-30") == nil)
        #expect(LocalDate("2026-02-28")?.adding(days: 1) == LocalDate("2026-03-01"))
        #expect(LocalDate("2026-03-29")?.weekday == .sunday)
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
