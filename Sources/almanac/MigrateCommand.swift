import ArgumentParser

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the numbered SQL migrations in schemas/sql to the database (safe to run concurrently).")

    func run() async throws {
        throw ValidationError("not wired yet")
    }
}
