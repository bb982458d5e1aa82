import Foundation
import Synchronization

/// What a test gets from `TestServers.shared()`.
public struct TestEnvironment: Sendable {
    /// "nats://127.0.0.1:PORT" of the shared nats-server.
    public let natsURL: String
    /// The shared PostgreSQL server (superuser, trust authentication).
    public let postgres: PostgresEndpoint
    /// This test process's throwaway folder (deleted at exit).
    public let root: URL

    private static let counter = Atomic<Int>(0)

    init(natsURL: String, postgres: PostgresEndpoint, root: URL) {
        self.natsURL = natsURL
        self.postgres = postgres
        self.root = root
    }

    /// A fresh, empty database; returns its libpq conninfo ("host=127.0.0.1 port=... user=... dbname=...").
    /// `prefix` (letters, digits, underscores) helps to tell which test made it.
    public func makeDatabase(prefix: String = "test") async throws -> String {
        let name = "\(Self.sanitized(prefix))_\(Self.uniqueSuffix())"
        try await postgres.createDatabase(name)
        return postgres.connectionString(database: name)
    }

    /// A separate nats-server of the test's own (for restart/kill tests), stopped by the caller
    /// (and at process exit if the caller forgets).
    public func startPrivateNATS(syncInterval: NATSSyncInterval = .always) async throws -> LocalNATSServer {
        let configuration = LocalNATSServer.Configuration(
            directory: try makeDirectory(prefix: "nats"), syncInterval: syncInterval
        )
        return try await LocalNATSServer.start(configuration, logger: TestServers.logger)
    }

    /// A separate PostgreSQL cluster of the test's own (for crash/restart tests), stopped by the
    /// caller (and at process exit if the caller forgets).
    public func startPrivatePostgres(durability: LocalPostgresServer.Durability = .throwaway) async throws -> LocalPostgresServer {
        let configuration = LocalPostgresServer.Configuration(
            directory: try makeDirectory(prefix: "pg"), durability: durability
        )
        return try await LocalPostgresServer.start(configuration, logger: TestServers.logger)
    }

    /// A new empty folder inside this test process's throwaway folder.
    public func makeDirectory(prefix: String = "scratch") throws -> URL {
        // Unique within the root, which is this process's own; short for socket paths.
        let number = Self.counter.add(1, ordering: .relaxed).newValue
        let directory = root.appendingPathComponent("\(Self.sanitized(prefix).prefix(12))-\(number)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func uniqueSuffix() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        // pid + counter is unique within a run; the random part guards against a reused pid
        // on a server shared by several runs (ALMANAC_TEST_PG_*).
        return "\(getpid())_\(number)_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    private static func sanitized(_ prefix: String) -> String {
        let kept = prefix.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "_" }
        let name = String(kept.prefix(30))
        return name.isEmpty ? "test" : name
    }
}
