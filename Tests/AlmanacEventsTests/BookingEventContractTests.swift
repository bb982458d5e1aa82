import AlmanacEvents
import Booking
import EventStore
import Foundation
import Testing
import TestSupport

/// Every booking event the code can emit has a JSON Schema of its wire name and version, and
/// its examples validate against it (python-jsonschema, draft 2020-12, through tools/schema-check).
@Suite("Booking event contracts")
struct BookingEventContractTests {
    let schemas = repositoryRoot.appendingPathComponent("schemas/events")

    @Test("every registered event type has a schema file and at least one example")
    func everyTypeHasSchemaAndExample() async throws {
        let registry = AlmanacEventCatalog.registry
        let exampleNames = Set(try registry.examples().map(\.wireName))
        for type in registry.registeredTypes {
            let schema = schemas.appendingPathComponent("\(type.wireName).v\(type.version).schema.json")
            #expect(FileManager.default.fileExists(atPath: schema.path), "missing \(schema.lastPathComponent)")
            #expect(exampleNames.contains(type.wireName), "no example for \(type.wireName)")
        }
    }

    @Test("every registered example validates against the schema of its wire name and version")
    func examplesValidate() async throws {
        // One schema-check run per schema with all its examples: one Python start per type, not per example.
        let grouped = Dictionary(grouping: try AlmanacEventCatalog.registry.examples()) { "\($0.wireName).v\($0.version)" }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("booking-contract-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (name, examples) in grouped.sorted(by: { $0.key < $1.key }) {
            var files: [String] = []
            for (index, example) in examples.enumerated() {
                let file = scratch.appendingPathComponent("\(name)-\(index).json")
                try example.body.write(to: file)
                files.append(file.path)
            }
            let result = try await SchemaCheck.run([schemas.appendingPathComponent("\(name).schema.json").path] + files)
            #expect(result.status == 0, "\(name): \(result.output)")
        }
    }

    @Test("every event of the domain has a registered wire name")
    func everyEventHasWireName() {
        let registered = Set(AlmanacEventCatalog.registry.registeredTypes.map(\.wireName).filter { !$0.hasPrefix("flow.") && !$0.hasPrefix("run.") })
        #expect(Set(BookingEventExamples.all.map(AlmanacEventCatalog.wireName(of:))) == registered)
    }

    @Test("events real decisions emit validate too: the demo catalog, place, reschedule, move, check in, cancel, release, favourites")
    func decidedEventsValidate() async throws {
        var context = DecisionContext(actor: DemoData.administrator, now: Date(timeIntervalSince1970: 1_767_225_600)) // 2026-01-01
        var emitted: [BookingEvent] = []
        func decide(_ command: BookingCommand, as actor: Principal) {
            context.actor = actor
            guard case .success(let batches) = BookingDecider.decide(command, context) else {
                Issue.record("refused \(command): \(BookingDecider.decide(command, context))")
                return
            }
            emitted += batches.flatMap(\.events)
            context = BookingDecider.evolve(context, with: batches)
        }
        for command in DemoData.commands() { decide(command, as: DemoData.administrator) }
        let ada = Principal(personId: "ada", roles: [.booker])
        let hour: TimeInterval = 3600
        let start = Date(timeIntervalSince1970: 1_773_133_200) // Tue 2026-03-10 09:00Z, 10:00 in Zürich
        context.now = Date(timeIntervalSince1970: 1_773_043_200) // Mon 2026-03-09 08:00Z
        decide(.place(PlaceBooking(idempotencyKey: "p1", bookingId: "b1", siteId: "zurich", resourceId: "zh-desk-001",
                                   start: start, end: start + 2 * hour, bookerTimeZone: "Europe/London")), as: ada)
        decide(.place(PlaceBooking(idempotencyKey: "p2", bookingId: "b2", siteId: "zurich", resourceId: "zh-room-1",
                                   start: start, end: start + hour, attendees: 3, bookerTimeZone: "Europe/Zurich")), as: ada)
        decide(.changeTime(ChangeBookingTime(idempotencyKey: "c1", bookingId: "b1", resourceId: "zh-desk-001", start: start + hour, end: start + 3 * hour)), as: ada)
        decide(.move(MoveBooking(idempotencyKey: "m1", bookingId: "b1", fromResourceId: "zh-desk-001", toResourceId: "zh-desk-002")), as: ada)
        decide(.addFavourite(AddFavourite(idempotencyKey: "f1", siteId: "zurich", resourceId: "zh-desk-002")), as: ada)
        decide(.removeFavourite(RemoveFavourite(idempotencyKey: "f2", resourceId: "zh-desk-002")), as: ada)
        decide(.cancel(CancelBooking(idempotencyKey: "x1", bookingId: "b2", resourceId: "zh-room-1", reason: "Not needed")), as: ada)
        context.now = start + hour
        decide(.checkIn(CheckIn(idempotencyKey: "i1", bookingId: "b1", resourceId: "zh-desk-002")), as: ada)
        decide(.place(PlaceBooking(idempotencyKey: "p3", bookingId: "b3", siteId: "zurich", resourceId: "zh-desk-003",
                                   start: start + 2 * hour, end: start + 3 * hour, bookerTimeZone: "Europe/Zurich")),
               as: Principal(personId: "bob", roles: [.booker]))
        context.now = start + 3 * hour
        decide(.releaseNoShow(ReleaseNoShow(idempotencyKey: "r1", bookingId: "b3", resourceId: "zh-desk-003")),
               as: Principal(personId: "flow-runtime", roles: [.system]))

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("booking-decided-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let byName = Dictionary(grouping: emitted) { AlmanacEventCatalog.wireName(of: $0) }
        #expect(byName.count >= 18, "\(byName.keys.sorted())")
        for (name, events) in byName {
            // A sample of each type is enough (the demo catalog has 200 desks).
            let files = try events.prefix(5).enumerated().map { index, event in
                let file = scratch.appendingPathComponent("\(name)-\(index).json")
                try EventCoding.encoder.encode(AnyEncodable(event.payload)).write(to: file)
                return file.path
            }
            let result = try await SchemaCheck.run([schemas.appendingPathComponent("\(name).v1.schema.json").path] + files)
            #expect(result.status == 0, "\(name): \(result.output)")
        }
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}


let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
