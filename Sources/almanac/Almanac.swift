import ArgumentParser
import Foundation
import Logging

@main
struct Almanac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Event-sourced booking and workflow automation over NATS JetStream.",
        discussion: """
        Start here: 'almanac dev' runs everything locally (NATS, PostgreSQL, all roles) and prints the URLs.

        Every change is an event in a JetStream stream; projectors turn events into PostgreSQL read models. \
        Configuration comes from flags or the environment: ALMANAC_NATS_URL, ALMANAC_NATS_CREDS, ALMANAC_DATABASE_URL, ALMANAC_LOG_LEVEL.
        """,
        subcommands: [
            DevCommand.self, BookingWebCommand.self, BookingRoleCommand.self, ProjectorCommand.self,
            MigrateCommand.self, StreamsCommand.self, TailCommand.self, LagCommand.self, ReplayCommand.self, FlowsCommand.self,
            FlowControlCommand.self, FlowRuntimeCommand.self, RunsCommand.self,
        ],
        groupedSubcommands: []
    )

    /// Parse errors and `--help` go through ArgumentParser; a failure while running is one
    /// plain line on stderr and exit status 1, never a stack trace.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // Help, usage and validation errors: ArgumentParser formats those itself.
            exit(withError: error)
        } catch {
            FileHandle.standardError.write(Data("almanac: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
