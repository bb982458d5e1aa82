import ArgumentParser
import Logging
import PostgresClient

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the numbered SQL migrations in schemas/sql to the database (safe to run concurrently).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try logging.bootstrap()
        let applied = try await DatabaseMigrations.apply(connectionString: database.url, logger: Logger(label: "almanac.migrate"))
        if applied.isEmpty {
            print("database is up to date")
        } else {
            for migration in applied { print("applied \(migration.fileName)") }
        }
    }
}
