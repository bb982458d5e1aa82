import BookingReadModels
import BookingWeb
import Foundation
import Hummingbird
import LocalServers
import Logging
import NATSClient
import PostgresClient
import Projections

// Apart from the rest of the benchmark because Hummingbird's HTTPRequest (HTTPTypes) would
// shadow the HTTP client's.

/// booking-web as `almanac booking-web` assembles it, with what it needs to answer: a
/// PostgreSQL server of its own, the migrations, and the booking projector filling the read
/// models that queries read and accepted commands wait for (read-your-writes). Cancelling the
/// returned task stops the app, the projector and the database.
func startBookingWeb(_ settings: BookingWebSettings, nats: NATSConnection, folder: URL, logger: Logger) async throws -> Task<Void, any Error> {
    let postgres = try await LocalPostgresServer.start(.init(directory: folder, durability: .durable), logger: logger)
    do {
        try await postgres.createDatabase("booking")
        let pool = PostgresPool(PostgresConfiguration(conninfo: postgres.connectionString(database: "booking"), applicationName: "bench-booking-web"),
                                size: settings.databasePoolSize + 2, logger: logger)
        _ = try await Migrator(directory: try ProjectionsBenchmark.migrations()).migrate(pool)
        // The projector gives up for good when it cannot create its lease bucket at start, which
        // a fresh cluster may refuse for a while: the bucket is made here first, tried again.
        let jetStream = JetStreamSetUp.patient(nats.jetStream)
        let lease = Projector.Settings().lease
        _ = try await JetStreamSetUp.retrying("creating the projector lease bucket") {
            try await jetStream.createKeyValue(.init(bucket: lease.bucket, history: 1, maxAge: lease.ttl))
        }
        let projector = Projector(projection: try BookingReadModel.projection(), pool: pool, jetStream: jetStream,
                                  instance: "bench", logger: logger)
        let watch = CheckpointWatch(pool: pool)
        let app = try await BookingWebServer.makeApplication(settings, nats: nats, pool: pool, watch: watch, logger: logger)
        let serving = Task {
            async let projecting: Void = projector.run()
            do {
                try await app.run()
            } catch is CancellationError {}
            await watch.close()
            _ = try? await projecting
            await pool.close()
            await postgres.stop()
        }
        // Accepted bookings wait for the projector; measuring before it is active would time
        // every early request out (2 s) instead of measuring it.
        let deadline = ContinuousClock.now + JetStreamSetUp.deadline
        while projector.status != .active {
            if case .failed(let reason) = projector.status {
                serving.cancel()
                throw BenchError("the booking projector failed to start: \(reason)")
            }
            guard ContinuousClock.now < deadline else {
                serving.cancel()
                throw BenchError("the booking projector was not active within \(JetStreamSetUp.deadline) (status \(projector.status))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return serving
    } catch {
        await postgres.stop()
        throw error
    }
}
