import AlmanacEvents
import BookingReadModels
import EventStore
import Foundation
import NATSClient
import PostgresClient
import Projections
import Synchronization
import Testing
import TestSupport

/// A private nats-server with the Almanac streams, a fresh migrated database and the booking
/// projection, for the read model's load and process tests.
struct BookingReadModelHarness {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `ALMANAC_ACCEPTANCE=full` runs the acceptance tests at the sizes (200,000 events
    /// killed ten times; a 1,000,000-event rebuild); the default sizes fit in `tools/test`.
    static var isFullSize: Bool { ProcessInfo.processInfo.environment["ALMANAC_ACCEPTANCE"] == "full" }

    let server: LocalNATSServer
    let nats: NATSConnection
    let store: EventStore
    let conninfo: String
    let pool: PostgresPool
    let projection: Projection
    let logs: URL

    static func make(_ prefix: String) async throws -> BookingReadModelHarness {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "read-model-\(prefix)"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let conninfo = try await env.makeDatabase(prefix: prefix)
        let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 4)
        _ = try await Migrator(directory: repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
        return BookingReadModelHarness(
            server: server, nats: nats, store: EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry),
            conninfo: conninfo, pool: pool, projection: try BookingReadModel.projection(), logs: try env.makeDirectory(prefix: "\(prefix)-logs"))
    }

    func close() async {
        await pool.close()
        nats.close()
        await server.stop()
    }

    /// Arguments every `almanac` process of these tests needs.
    var serverArguments: [String] { ["--nats-url", server.url, "--database-url", conninfo] }

    var environment: [String: String?] {
        ["ALMANAC_SCHEMAS": Self.repositoryRoot.appendingPathComponent("schemas").path, "ALMANAC_LOG_LEVEL": "warning"]
    }

    func head() async throws -> UInt64 {
        try await nats.jetStream.streamInfo(AlmanacStreams.bookings).state.lastSequence
    }

    func checkpoint(_ name: String = BookingReadModel.name) async throws -> ProjectionCheckpoint? {
        try await ProjectionOperations.checkpoint(name, pool: pool)
    }

    /// Each table's rows as text, ordered and hashed: equal content, equal checksums.
    func checksums(schema: String) async throws -> [String: String] {
        var result: [String: String] = [:]
        for table in BookingReadModel.tables {
            let name = try PostgresIdentifier.quote(qualified: [schema, table])
            result[table] = try await pool.query("select coalesce(md5(string_agg(t::text, '|' order by t::text)), 'empty') from \(name) t")
                .singleValue(String.self) ?? "empty"
        }
        return result
    }

    /// Rebuilds the projection up to `sequence` into a schema of its own and compares every
    /// table with the live ones; the rebuilt copy is dropped afterwards.
    /// A small `foldBudget` makes the readers spill their folds to PostgreSQL.
    func expectLiveEqualsRebuild(through sequence: UInt64, _ what: String, readers: Int = 1, chunkSize: Int = 10_000,
                                 foldBudget: Int = 1_000_000, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var rebuild = ProjectionRebuild(projection: projection, pool: pool, jetStream: nats.jetStream)
        rebuild.readers = readers
        rebuild.chunkSize = chunkSize
        rebuild.foldBudget = foldBudget
        let rebuilt = try await rebuild.run(.toSequence(sequence))
        let live = try await checksums(schema: projection.name)
        let fresh = try await checksums(schema: rebuilt.schema)
        for table in BookingReadModel.tables {
            #expect(live[table] == fresh[table], "\(what): table \(table) differs from a fresh rebuild to #\(sequence)", sourceLocation: sourceLocation)
        }
        try await pool.executeScript("drop schema \(try PostgresIdentifier.quote(rebuilt.schema)) cascade")
    }
}

/// Waits for `condition` with a deadline, checking every 50 ms; fails with `what` when it never holds.
func eventually(_ what: String, within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ProjectionError.timedOut("timed out after \(limit) waiting for \(what)")
}

/// One progress line on stderr at most every few seconds, for the long acceptance runs.
final class ProgressLine: Sendable {
    private let label: String
    private let total: Int
    private let lastPrinted = LockedDate()

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func report(_ done: Int) {
        guard lastPrinted.elapsed(atLeast: 2) || done >= total else { return }
        FileHandle.standardError.write(Data("\(label): \(done)/\(total)\n".utf8))
    }
}

/// A time guarded by a lock, so concurrent appenders print progress rarely.
final class LockedDate: Sendable {
    private let value = Mutex(Date.distantPast)

    func elapsed(atLeast seconds: Double) -> Bool {
        value.withLock { last in
            let now = Date()
            guard now.timeIntervalSince(last) >= seconds else { return false }
            last = now
            return true
        }
    }
}
