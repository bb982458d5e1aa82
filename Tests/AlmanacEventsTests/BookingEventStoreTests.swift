import AlmanacEvents
import Booking
import EventStore
import Foundation
import LocalServers
import NATSClient
import Testing
import TestSupport

/// Booking events through a real JetStream `BOOKINGS` stream (a private nats-server, so no other
/// test's `bookings.>` subjects meet ours).
@Suite("Booking events in the event store")
struct BookingEventStoreTests {
    /// Runs `body` against an event store on a fresh BOOKINGS stream, then closes and stops everything.
    func withBookingStore(_ body: (EventStore) async throws -> Void) async throws {
        let server = try await TestServers.shared().startPrivateNATS()
        do {
            let nats = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "booking-events-test"))
            defer { nats.close() }
            try await AlmanacStreams.ensure(on: nats.jetStream)
            try await body(EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("every example appended and read back decodes equal, with its wire name and version")
    func examplesRoundTrip() async throws {
        try await withBookingStore { store in
            let examples = BookingEventExamples.all
            for (index, example) in examples.enumerated() {
                try await store.append([example.payload], to: try BookingSubjects.resource("rt-\(index)"), expecting: .noStream,
                                       idempotencyKey: "rt-\(index)")
            }
            for (index, example) in examples.enumerated() {
                let recorded = try await store.read(subject: try BookingSubjects.resource("rt-\(index)"))
                #expect(recorded.count == 1)
                let event = try #require(recorded.first)
                #expect(BookingEvent(payload: event.event) == example, "\(event.envelope.type)")
                #expect(event.envelope.version == 1)
            }
        }
    }

    @Test("given two replicas deciding on the same state, when both append, then one wins and the other appends nothing, re-decides and gets slot taken")
    func concurrentPlacementsNeverDoubleBook() async throws {
        try await withBookingStore { store in
            // The catalog: a site with desk-1.
            let admin = DecisionContext(actor: DemoData.administrator, now: Date(timeIntervalSince1970: 1_767_225_600))
            var catalog = admin
            for command in DemoData.commands().prefix(8) {
                guard case .success(let batches) = BookingDecider.decide(command, catalog) else { Issue.record("refused"); return }
                catalog = BookingDecider.evolve(catalog, with: batches)
            }
            let now = Date(timeIntervalSince1970: 1_773_043_200) // Mon 2026-03-09 08:00Z
            let start = Date(timeIntervalSince1970: 1_773_133_200) // Tue 2026-03-10 09:00Z
            func place(_ person: PersonID, _ bookingId: BookingID) -> (BookingCommand, DecisionContext) {
                var context = catalog
                context.actor = Principal(personId: person, roles: [.booker])
                context.now = now
                let command = BookingCommand.place(PlaceBooking(idempotencyKey: "place-\(bookingId)", bookingId: bookingId, siteId: "zurich",
                                                                resourceId: "zh-desk-001", start: start, end: start.addingTimeInterval(3600),
                                                                bookerTimeZone: "Europe/Zurich"))
                return (command, context)
            }
            // Both replicas loaded the empty desk and decided "free".
            let (adaCommand, adaContext) = place("ada", "b-ada")
            let (bobCommand, bobContext) = place("bob", "b-bob")
            guard case .success(let adaDecision) = BookingDecider.decide(adaCommand, adaContext),
                  case .success(let bobDecision) = BookingDecider.decide(bobCommand, bobContext) else {
                Issue.record("both should be free on their stale view")
                return
            }
            let first = try await store.append(try BookingSubjects.appends(for: adaDecision) { _ in .noStream }, idempotencyKey: adaCommand.idempotencyKey)
            #expect(first.sequences.count == 2)
            await #expect(throws: EventStoreError.self) {
                try await store.append(try BookingSubjects.appends(for: bobDecision) { _ in .noStream }, idempotencyKey: bobCommand.idempotencyKey)
            }
            // All or nothing: Bob's person subject got nothing either.
            #expect(try await store.read(subject: try BookingSubjects.person("bob")).isEmpty)

            // Bob's replica reloads the desk and decides again: the slot is taken.
            var reloaded = bobContext
            let deskEvents = try await store.read(subject: try BookingSubjects.resource("zh-desk-001"))
            reloaded.resources["zh-desk-001"] = deskEvents.compactMap { BookingEvent(payload: $0.event) }
                .reduce(ResourceState()) { $0.evolve($1) }
            #expect(BookingDecider.decide(bobCommand, reloaded) == .failure(.slotTaken))

            // A retried command appends nothing and answers with the first sequences.
            let retry = try await store.append(try BookingSubjects.appends(for: adaDecision) { _ in .noStream }, idempotencyKey: adaCommand.idempotencyKey)
            #expect(retry.isDuplicate)
            #expect(try await store.read(subject: try BookingSubjects.resource("zh-desk-001")).count == 1)
        }
    }
}
