import Booking
import EventStore
import Foundation
import Testing
import TestSupport

/// Booking commands as the services send them (RFC 3339 dates, like events) validate against
/// `schemas/commands/booking.<wire name>.schema.json`, and the schemas refuse what decide would.
@Suite("Booking command schemas")
struct BookingCommandSchemaTests {
    let schemas = repositoryRoot.appendingPathComponent("schemas/commands")

    var commands: [BookingCommand] {
        let start = Date(timeIntervalSince1970: 1_773_133_200)
        let demo = DemoData.commands()
        // The demo seed covers every catalog command it uses; a sample of each is enough.
        let sample = Dictionary(grouping: demo, by: \.wireName).values.flatMap { $0.prefix(3) }
        return sample + [
            .place(PlaceBooking(idempotencyKey: "web-3f1c", bookingId: "b1", siteId: "zurich", resourceId: "zh-room-1", start: start,
                                end: start + 3600, attendees: 4, bookerTimeZone: "Europe/Zurich")),
            .cancel(CancelBooking(idempotencyKey: "k1", bookingId: "b1", resourceId: "zh-room-1", reason: "Not needed")),
            .cancel(CancelBooking(idempotencyKey: "k2", bookingId: "b1", resourceId: "zh-room-1")),
            .changeTime(ChangeBookingTime(idempotencyKey: "k3", bookingId: "b1", resourceId: "zh-room-1", start: start, end: start + 1800)),
            .move(MoveBooking(idempotencyKey: "k4", bookingId: "b1", fromResourceId: "zh-room-1", toResourceId: "zh-room-2")),
            .checkIn(CheckIn(idempotencyKey: "k5", bookingId: "b1", resourceId: "zh-room-2")),
            .releaseNoShow(ReleaseNoShow(idempotencyKey: "k6", bookingId: "b1", resourceId: "zh-room-2")),
            .addFavourite(AddFavourite(idempotencyKey: "k7", siteId: "zurich", resourceId: "zh-desk-001")),
            .removeFavourite(RemoveFavourite(idempotencyKey: "k8", resourceId: "zh-desk-001")),
            .setOpeningHours(SetOpeningHours(idempotencyKey: "k9", siteId: "zurich", openingHours: [
                OpeningInterval(weekday: .monday, opens: TimeOfDay("07:30")!, closes: TimeOfDay("24:00")!)])),
            .removeClosure(RemoveClosure(idempotencyKey: "k10", siteId: "zurich", closureId: "national-day-2026")),
            .setSitePolicy(SetSitePolicy(idempotencyKey: "k11", siteId: "zurich", policy: BookingPolicy(maximumBookingsPerDay: 1))),
            .updateResource(UpdateResource(idempotencyKey: "k12", siteId: "zurich", resourceId: "zh-desk-001", name: "Window desk", attributes: ["window"])),
            .removeResource(RemoveResource(idempotencyKey: "k13", siteId: "zurich", resourceId: "zh-desk-001")),
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "k14", siteId: "zurich", resourceId: "zh-room-1", policyOverride: PolicyOverride(capacity: 2))),
            .restrictResource(RestrictResource(idempotencyKey: "k15", siteId: "zurich", resourceId: "zh-parking-3", groupIds: [])),
        ]
    }

    @Test("every command validates against the schema of its wire name")
    func commandsValidate() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("booking-commands-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let byName = Dictionary(grouping: commands, by: \.wireName)
        #expect(Set(byName.keys) == Set(BookingCommand.wireNames))
        for (name, commands) in byName.sorted(by: { $0.key < $1.key }) {
            let files = try commands.enumerated().map { index, command in
                let file = scratch.appendingPathComponent("\(name)-\(index).json")
                try EventCoding.encoder.encode(AnyEncodable(command.body)).write(to: file)
                return file.path
            }
            let result = try await SchemaCheck.run([schemas.appendingPathComponent("booking.\(name).schema.json").path] + files)
            #expect(result.status == 0, "\(name): \(result.output)")
        }
    }

    @Test("the place schema refuses unknown fields, subject characters in ids and a missing end")
    func placeSchemaRefusesBadInput() async throws {
        let bodies = [
            #"{"idempotencyKey":"k","bookingId":"b1","siteId":"zurich","resourceId":"zh-desk-001","start":"2026-03-10T09:00:00Z","end":"2026-03-10T10:00:00Z","attendees":1,"bookerTimeZone":"Europe/Zurich","colour":"red"}"#,
            #"{"idempotencyKey":"k","bookingId":"b.1","siteId":"zurich","resourceId":"zh-desk-001","start":"2026-03-10T09:00:00Z","end":"2026-03-10T10:00:00Z","attendees":1,"bookerTimeZone":"Europe/Zurich"}"#,
            #"{"idempotencyKey":"k","bookingId":"b1","siteId":"zurich","resourceId":"zh-desk-001","start":"2026-03-10T09:00:00Z","attendees":1,"bookerTimeZone":"Europe/Zurich"}"#,
        ]
        for body in bodies {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).json")
            try Data(body.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await SchemaCheck.run([schemas.appendingPathComponent("booking.place.schema.json").path, file.path])
            #expect(result.status == 1, "accepted: \(body)")
        }
    }
}
