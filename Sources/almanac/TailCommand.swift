import ArgumentParser
import Foundation
import NATSClient
import OperatorTools

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print events live as they are stored, pretty-printed.",
        discussion: """
        Examples:
          almanac tail 'bookings.>'                 new booking events from now on
          almanac tail 'bookings.resource.desk-7' --all
          almanac tail 'runs.>' --last 20
        """)

    @Argument(help: "Subject filter, e.g. 'bookings.>' or 'runs.*.run-42'.")
    var filter: String

    @Flag(help: "Start at the beginning of the stream.")
    var all = false

    @Option(help: "Start with the last N events of the stream.")
    var last: UInt64?

    @Option(name: .customLong("from-seq"), help: "Start at this stream sequence.")
    var fromSequence: UInt64?

    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if [all, last != nil, fromSequence != nil].filter({ $0 }).count > 1 {
            throw ValidationError("use only one of --all, --last and --from-seq")
        }
        do { try Subject.validateFilter(filter) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        try logging.bootstrap()
        let connection = try await nats.connect(name: "almanac-tail")
        defer { connection.close() }
        let start: EventTail.Start = all ? .beginning : last.map { .last($0) } ?? fromSequence.map { .sequence($0) } ?? .new
        let (stream, from) = try await EventTail.resolve(connection.jetStream, filter: filter, start: start)
        for try await batch in try await OrderedConsumer.start(connection.jetStream, stream: stream, filter: filter, from: from, mode: .live) {
            // Written straight to the file descriptor: print() is block-buffered when stdout is
            // piped (`almanac tail ... | grep`), and a live view must show each batch at once.
            FileHandle.standardOutput.write(Data(batch.map { EventTail.format($0) + "\n" }.joined().utf8))
        }
    }
}
