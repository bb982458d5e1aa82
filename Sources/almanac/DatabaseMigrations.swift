import Logging

/// Applies schemas/sql migrations. Wired to PostgresClient's migrator once it lands.
enum DatabaseMigrations {
    static func apply(connectionString: String, logger: Logger) async throws {
        logger.debug("migrations not wired yet")
    }
}
