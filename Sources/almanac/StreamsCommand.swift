import ArgumentParser
import NATSClient
import OperatorTools

struct StreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "List streams with message counts, bytes and consumers, and how far each consumer is behind.")

    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try logging.bootstrap()
        let connection = try await nats.connect(name: "almanac-streams")
        defer { connection.close() }
        print(try await StreamsReport.collect(connection.jetStream).render(), terminator: "")
    }
}
