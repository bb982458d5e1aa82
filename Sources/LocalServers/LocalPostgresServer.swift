import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL 15 cluster in a folder of ours, listening on 127.0.0.1 and a unix socket in its
/// data folder. `start()` runs initdb first when the folder is new and reuses the data otherwise.
public final class LocalPostgresServer: Sendable {
    public let configuration: Configuration
    public let host = "127.0.0.1"
    public let port: Int
    public let binDirectory: String

    let logger: Logger
    private let child = Mutex<ChildProcess?>(nil)
    private let operations = SerialOperations()

    /// The OS user initdb and postgres run as: `configuration.osUser` when we are root, else us.
    var runAsUser: String? { geteuid() == 0 ? configuration.osUser : nil }

    /// Prepares a server (finds the binaries, picks a port); `start()` runs it.
    public init(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "almanac.localservers.postgres")
    ) async throws {
        self.configuration = configuration
        self.binDirectory = try await PostgresBinaries.locate(override: configuration.binDirectory)
        self.port = try configuration.port ?? LoopbackPort.free()
        var logger = logger
        logger[metadataKey: "postgres.port"] = "\(port)"
        self.logger = logger
    }

    /// Prepares and starts a server, retrying on a fresh port if a free one was taken meanwhile.
    public static func start(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "almanac.localservers.postgres")
    ) async throws -> LocalPostgresServer {
        var attempt = 1
        while true {
            let server = try await LocalPostgresServer(configuration, logger: logger)
            do {
                try await server.start()
                return server
            } catch let failure as ServerFailure where failure.isAddressInUse && configuration.port == nil && attempt < 3 {
                attempt += 1
            }
        }
    }

    public var superuser: String { configuration.superuser }
    public var directory: URL { configuration.directory }
    public var dataDirectory: URL { directory.appendingPathComponent("data", isDirectory: true) }
    /// The folder holding the unix socket (`.s.PGSQL.<port>`): the data folder itself, unless its
    /// path is too long for a socket address (107 bytes), then a short folder in /tmp named after it.
    public var socketDirectory: String {
        let inData = dataDirectory.path
        guard "\(inData)/.s.PGSQL.\(port).lock".utf8.count >= 108 else { return inData }
        // FNV-1a of the data folder: stable across runs, distinct per cluster.
        let hash = inData.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return "/tmp/almanac-pg-\(String(hash, radix: 16))"
    }
    public var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// Connection details for client tools and `createDatabase`.
    public var endpoint: PostgresEndpoint {
        PostgresEndpoint(host: host, port: port, user: superuser, binDirectory: binDirectory)
    }

    /// "host=127.0.0.1 port=54321 user=postgres dbname=almanac"
    public func connectionString(database: String) -> String { endpoint.connectionString(database: database) }

    /// Creates an empty database (letters, digits, underscore); throws if it exists.
    public func createDatabase(_ name: String) async throws { try await endpoint.createDatabase(name) }

    /// The postmaster's pid; nil when stopped.
    public var pid: pid_t? { child.withLock { $0?.isRunning == true ? $0?.pid : nil } }
    public var isRunning: Bool { pid != nil }

    /// initdb if needed, start, wait until connections are accepted. No-op if running.
    public func start() async throws {
        try await operations.run { try await self.startNow() }
    }

    /// Fast shutdown (SIGINT: running transactions are rolled back, clients disconnected).
    public func stop() async {
        _ = try? await operations.run { await self.stopNow(crash: false) }
    }

    public func restart() async throws {
        try await operations.run {
            await self.stopNow(crash: false)
            try await self.startNow()
        }
    }

    /// SIGKILL to the postmaster and its backends, as in a crash; `start()` recovers from the WAL.
    public func kill() async {
        _ = try? await operations.run { await self.stopNow(crash: true) }
    }

    func waitForUnexpectedExit() async throws -> ProcessExitStatus? {
        guard let running = child.withLock({ $0 }) else { return nil }
        return try await running.waitForExit()
    }

    private func startNow() async throws {
        if isRunning { return }
        try await prepareDataDirectory()
        try writeOwned(settingsFileText, to: dataDirectory.appendingPathComponent("almanac.conf"))
        let logStart = LogFile.size(of: logFile)

        var spec = ProcessSpec(
            executable: "\(binDirectory)/postgres", arguments: ["-D", dataDirectory.path],
            environment: ["LC_ALL": "C", "PGDATA": nil]
        )
        spec.user = runAsUser
        spec.standardOutput = .appendingTo(path: logFile.path)
        spec.standardError = .appendingTo(path: logFile.path)
        spec.parentDeathSignal = SIGINT
        spec.stopAtExitSignal = SIGINT
        let started = try await ChildProcess.spawn(spec)
        child.withLock { $0 = started }
        logger.debug("postgres starting", metadata: ["pid": "\(started.pid)", "dir": "\(dataDirectory.path)"])

        let endpoint = self.endpoint
        let ready = try await Poll.until(timeout: configuration.startTimeout, every: .milliseconds(50)) {
            if let status = started.exitStatus {
                let tail = LogFile.tail(of: logFile, from: logStart)
                throw ServerFailure(
                    server: "postgres", reason: "exited during startup (\(status))", logTail: tail,
                    isAddressInUse: tail.contains("Address already in use")
                )
            }
            return await endpoint.isReady()
        }
        guard ready else {
            started.signalProcessGroup(SIGKILL)
            await started.terminate(signal: SIGKILL, grace: .seconds(5))
            throw ServerFailure(
                server: "postgres", reason: "not ready after \(configuration.startTimeout)",
                logTail: LogFile.tail(of: logFile, from: logStart)
            )
        }
        logger.info("postgres ready", metadata: ["port": "\(port)", "pid": "\(started.pid)"])
    }

    private func stopNow(crash: Bool) async {
        guard let running = child.withLock({ $0 }), running.isRunning else { return }
        if crash {
            // The whole process group: backends too, so no orphan keeps the shared memory that a
            // restart checks for.
            running.signalProcessGroup(SIGKILL)
        } else {
            running.signal(SIGINT)
            if await running.waitForExit(timeout: configuration.stopTimeout) == nil {
                logger.warning("postgres did not stop in \(configuration.stopTimeout); killing it")
                running.signalProcessGroup(SIGKILL)
            }
        }
        let status = await running.terminate(signal: SIGKILL, grace: .seconds(5))
        logger.info("postgres stopped", metadata: ["pid": "\(running.pid)", "status": "\(status)"])
    }
}
