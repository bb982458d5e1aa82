import ArgumentParser
import Foundation
import Logging
import NATSClient
import PostgresClient
import Projections

struct LagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Per projection: stream last sequence, checkpoint, lag in events and seconds, active instance.")

    @OptionGroup var nats: NATSOptions
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let connection = try await nats.connect(name: "almanac-lag")
        defer { connection.close() }
        let pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-lag"), size: 1)
        do {
            let lags = try await ProjectionOperations.lag(pool: pool, jetStream: connection.jetStream)
            print(lags.isEmpty ? "no projections have run against this database yet" : ProjectionOperations.lagTable(lags))
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }
}
