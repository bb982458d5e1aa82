import ArgumentParser
import EventStore
import Foundation
import Logging
import NATSClient
import PostgresClient
import Projections

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a projection blue/green from sequence 1 and swap it in; queries keep working.",
        discussion: """
        Examples:
          almanac replay activity_bookings                      rebuild and swap in
          almanac replay activity_bookings --to-seq 5000        copy as of #5000 into activity_bookings__at_5000
          almanac replay activity_bookings --to-time 2026-11-24T12:00:00Z
        """)

    @Argument(help: "Projection name.")
    var name: String

    @Option(name: .customLong("to-seq"), help: "Build up to this stream sequence into a separate schema; no swap.")
    var toSequence: UInt64?

    @Option(name: .customLong("to-time"), help: "Build up to this time (RFC 3339) into a separate schema; no swap.")
    var toTime: String?

    @OptionGroup var nats: NATSOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if toSequence != nil && toTime != nil { throw ValidationError("use only one of --to-seq and --to-time") }
        if let toTime, Timestamp.parse(toTime) == nil { throw ValidationError("--to-time \(toTime) is not an RFC 3339 time such as 2026-11-24T12:00:00Z") }
    }

    func run() async throws {
        try logging.bootstrap()
        let logger = Logger(label: "almanac.replay")
        guard let projection = try AlmanacProjections.catalog().select([name]).first else { return }
        try await DatabaseMigrations.apply(connectionString: database.url, logger: logger)
        let connection = try await nats.connect(name: "almanac-replay")
        defer { connection.close() }
        let pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-replay"), size: 4, logger: logger)
        let target: ProjectionRebuild.Target = toSequence.map { .toSequence($0) } ?? toTime.flatMap(Timestamp.parse).map { .toTime($0) } ?? .swap
        do {
            let report = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: connection.jetStream, logger: logger)
                .run(target) { progress in
                    FileHandle.standardError.write(Data("\r\(projection.name) \(progress.line)".utf8))
                }
            FileHandle.standardError.write(Data("\n".utf8))
            let rate = report.seconds > 0 ? Double(report.events) / report.seconds : 0
            print("\(target == .swap ? "swapped in" : "built") \(report.schema): \(report.events) events up to #\(report.lastSequence) in \(String(format: "%.1f", report.seconds)) s (\(Int(rate)) events/s)")
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }
}
