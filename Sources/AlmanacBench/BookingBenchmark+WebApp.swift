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
        let projector = Projector(projection: try BookingReadModel.projection(), pool: pool, jetStream: nats.jetStream,
                                  instance: "bench", logger: logger)
        let watch = CheckpointWatch(pool: pool)
        let app = try await BookingWebServer.makeApplication(settings, nats: nats, pool: pool, watch: watch, logger: logger)
        return Task {
            async let projecting: Void = projector.run()
            do {
                try await app.run()
            } catch is CancellationError {}
            await watch.close()
            _ = try? await projecting
            await pool.close()
            await postgres.stop()
        }
    } catch {
        await postgres.stop()
        throw error
    }
}
