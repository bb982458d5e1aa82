import ArgumentParser

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run everything locally: nats-server and PostgreSQL in .almanac/, migrations, streams, all services.")

    func run() async throws {
        throw ValidationError("not wired yet")
    }
}
