import Foundation
import Logging
import PostgresClient

/// Applies the numbered migrations in `schemas/sql`; safe when several processes start at once
/// (the migrator holds an advisory lock for the whole run).
enum DatabaseMigrations {
    @discardableResult
    static func apply(connectionString: String, logger: Logger) async throws -> [Migration] {
        let directory = try SchemaLocation.directory().appendingPathComponent("sql")
        let pool = PostgresPool(PostgresConfiguration(conninfo: connectionString, applicationName: "almanac-migrate"), size: 1, logger: logger)
        do {
            let applied = try await Migrator(directory: directory, logger: logger).migrate(pool)
            await pool.close()
            return applied
        } catch {
            await pool.close()
            throw error
        }
    }
}
