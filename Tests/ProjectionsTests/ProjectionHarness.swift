import EventStore
import Foundation
import Logging
import NATSClient
import PostgresClient
@testable import Projections
import Synchronization
import TestSupport

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A stream, a migrated database and a lease bucket of the test's own, so parallel tests never meet.
struct ProjectionHarness {
    let nats: NATSConnection
    let pool: PostgresPool
    let store: EventStore
    let prefix: String
    let lease: LeaseSettings

    static func make(_ label: String) async throws -> ProjectionHarness {
        let env = try await TestServers.shared()
        let nats = try await NATSConnection.connect(NATSConnectOptions(url: try await ProjectionsNATS.url(), name: "projections-test"))
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)
        let stream = "PJ_\(label.uppercased())_\(token)"
        let prefix = "pj\(token)"
        try await nats.jetStream.createOrUpdateStream(StreamConfig(name: stream, subjects: ["\(prefix).>"], duplicateWindow: .seconds(120),
                                                                   allowAtomic: true, allowDirect: true))
        let conninfo = try await env.makeDatabase(prefix: "pj_\(label)")
        let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 6)
        _ = try await Migrator(directory: repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
        return ProjectionHarness(nats: nats, pool: pool, store: EventStore(jetStream: nats.jetStream, stream: stream, registry: CountingProjection.registry),
                                 prefix: prefix, lease: LeaseSettings(bucket: "leases_\(token)", ttl: .seconds(4), renewEvery: .seconds(1),
                                                                      standbyPoll: .milliseconds(250)))
    }

    var stream: String { store.stream }
    var filter: String { "\(prefix).>" }

    /// `pipelined`: with a (no-op) stage step, so the projector runs a batch's transaction
    /// while the batch ahead of it is still being applied.
    func projection(_ name: String = "counts", pipelined: Bool = false) throws -> Projection {
        try CountingProjection.make(name: name, stream: stream, filter: filter, pipelined: pipelined)
    }

    func projector(_ projection: Projection, instance: String, batchSize: Int = 200) -> Projector {
        var logger = Logger(label: "test.projector")
        logger.logLevel = ProcessInfo.processInfo.environment["ALMANAC_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return Projector(projection: projection, pool: pool, jetStream: nats.jetStream, instance: instance,
                         settings: .init(batchSize: batchSize, fetchWait: .milliseconds(250), ackWait: .seconds(5), lease: lease,
                                         maxBackoff: .seconds(1)),
                         logger: logger)
    }

    /// Appends `count` events spread over `subjects` subjects, in atomic batches; returns the last sequence.
    @discardableResult
    func append(_ count: Int, subjects: Int = 5, amount: @Sendable (Int) -> Int = { $0 % 7 + 1 }, batch: Int = 100) async throws -> UInt64 {
        var last: UInt64 = 0
        var index = 0
        while index < count {
            let size = min(batch, count - index)
            let subject = "\(prefix).s\((index / batch) % subjects)"
            let events: [any Sendable] = (index..<(index + size)).map { Counted(amount: amount($0)) }
            last = try await store.append(events, to: subject, expecting: .any).lastSequence
            index += size
        }
        return last
    }

    func appendPoison(subject: String = "s0") async throws -> UInt64 {
        try await store.append([Counted(amount: 1, poison: true)], to: "\(prefix).\(subject)", expecting: .any).lastSequence
    }

    /// Rows of a projection's table in one text, as a checksum of its content.
    func checksum(schema: String, table: String = "subject_counts") async throws -> String {
        let name = try PostgresIdentifier.quote(qualified: [schema, table])
        return try await pool.query(
            "select coalesce(md5(string_agg(subject || ':' || events || ':' || total || ':' || last_sequence, ',' order by subject)), 'empty') from \(name)"
        ).singleValue(String.self) ?? "empty"
    }

    func checkpoint(_ name: String = "counts") async throws -> ProjectionCheckpoint? {
        try await pool.withConnection { try await CheckpointSQL.read($0, name: name) }
    }

    func close() async {
        await pool.close()
        nats.close()
    }
}

/// A nats-server of this suite's own: these tests write thousands of events with
/// `sync_interval: always`, which would slow the shared server's API down for the other suites.
enum ProjectionsNATS {
    private static let server = Mutex<Task<LocalNATSServer, any Error>?>(nil)

    static func url() async throws -> String {
        let task = server.withLock { task in
            if let task { return task }
            let started = Task { try await TestServers.shared().startPrivateNATS() }
            task = started
            return started
        }
        return try await task.value.url
    }
}

/// Waits for `condition` with a deadline, checking every 50 ms; fails with `what` when it never holds.
func eventually(_ what: String, within limit: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ProjectionError.timedOut("timed out after \(limit) waiting for \(what)")
}

/// Runs a projector in a task of its own; `cancel()` stops it abruptly, like a crash.
final class RunningProjector: Sendable {
    let projector: Projector
    let task: Task<Void, any Error>

    init(_ projector: Projector) {
        self.projector = projector
        task = Task { try await projector.run() }
    }

    func crash() async {
        task.cancel()
        _ = await task.result
    }
}
