import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import Foundation
import NATSClient
import Testing
import TestSupport

/// A booking command's idempotency key names one request: the same command again gets the
/// first result, another command under the same key is refused — also by a handler that has
/// just started and has nothing cached.
@Suite("Booking idempotency keys", .timeLimit(.minutes(2)))
struct BookingIdempotencyTests {
    static let booker = Principal(personId: "idem-booker", roles: [.booker])

    struct Setup {
        let server: LocalNATSServer
        let connection: NATSConnection
        let store: EventStore

        static func start() async throws -> Setup {
            let server = try await TestServers.shared().startPrivateNATS()
            let connection = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "booking-idempotency"))
            try await AlmanacStreams.ensure(on: connection.jetStream)
            let store = EventStore(jetStream: connection.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let seeding = BookingCommandHandler(store: store)
            // The Zürich site, building, first floor and its first desks.
            for command in DemoData.commands().prefix(12) {
                let reply = await seeding.handle(command, actor: DemoData.administrator)
                guard case .accepted = reply else { throw SeedFailure(reply: reply) }
            }
            return Setup(server: server, connection: connection, store: store)
        }

        static func with(_ body: (Setup) async throws -> Void) async throws {
            let setup = try await start()
            do {
                try await body(setup)
            } catch {
                await setup.stop()
                throw error
            }
            await setup.stop()
        }

        func stop() async {
            connection.close()
            await server.stop()
        }

        var messages: UInt64 {
            get async throws { try await connection.jetStream.streamInfo(AlmanacStreams.bookings).state.messages }
        }
    }

    struct SeedFailure: Error { let reply: CommandReply }

    static func place(key: String, hours: ClosedRange<Int>, resource: ResourceID = "zh-desk-001") -> BookingCommand {
        let start = BookingCluster.nextWednesday(at: hours.lowerBound, in: "Europe/Zurich")
        let end = BookingCluster.nextWednesday(at: hours.upperBound, in: "Europe/Zurich")
        return .place(PlaceBooking(idempotencyKey: key, bookingId: "bk-\(key)", siteId: "zurich", resourceId: resource,
                                   start: start, end: end, bookerTimeZone: "Europe/Zurich"))
    }

    @Test func givenAPlacedBooking_whenTheSameKeyComesWithAnotherTime_thenItIsRefusedAsReused_andTheSameCommandStillGetsTheFirstResult() async throws {
        try await Setup.with { setup in
            let handler = BookingCommandHandler(store: setup.store)
            let first = await handler.handle(Self.place(key: "k-1", hours: 9...11), actor: Self.booker)
            guard case .accepted(let sequences, false) = first else { Issue.record("first: \(first)"); return }
            let stored = try await setup.messages

            let reused = await handler.handle(Self.place(key: "k-1", hours: 9...12), actor: Self.booker)
            #expect(reused == .idempotencyKeyReused)
            // Another resource: the key is remembered by the person's aggregate too.
            let elsewhere = await handler.handle(Self.place(key: "k-1", hours: 9...11, resource: "zh-desk-002"), actor: Self.booker)
            #expect(elsewhere == .idempotencyKeyReused)
            let retried = await handler.handle(Self.place(key: "k-1", hours: 9...11), actor: Self.booker)
            #expect(retried == .accepted(sequences: sequences, duplicate: true))
            #expect(try await setup.messages == stored)
        }
    }

    @Test func givenAPlacedBooking_whenAFreshHandlerGetsTheKeyWithAnotherTime_thenItIsRefused_andTheSameCommandGetsTheFirstResult() async throws {
        try await Setup.with { setup in
            let first = await BookingCommandHandler(store: setup.store).handle(Self.place(key: "k-2", hours: 13...15), actor: Self.booker)
            guard case .accepted(let sequences, false) = first else { Issue.record("first: \(first)"); return }
            let stored = try await setup.messages

            // A restarted handler: nothing cached, the digest is read back from the stored events.
            let reused = await BookingCommandHandler(store: setup.store).handle(Self.place(key: "k-2", hours: 13...16), actor: Self.booker)
            #expect(reused == .idempotencyKeyReused)
            let retried = await BookingCommandHandler(store: setup.store).handle(Self.place(key: "k-2", hours: 13...15), actor: Self.booker)
            #expect(retried == .accepted(sequences: sequences, duplicate: true))
            #expect(try await setup.messages == stored)
        }
    }
}
