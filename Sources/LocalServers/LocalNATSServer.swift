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

/// A nats-server with JetStream on 127.0.0.1, run from a folder of ours (config, store, log).
///
/// The port and folder stay the same across `stop()`/`start()`/`restart()`/`kill()`, so clients
/// reconnect to the same URL and JetStream finds its data again.
public final class LocalNATSServer: Sendable {
    public let configuration: Configuration
    public let host = "127.0.0.1"
    public let port: Int
    /// The HTTP monitoring port (`/varz`, `/jsz`, `/healthz`), nil when monitoring is off.
    public let monitoringPort: Int?
    public let executable: String

    private let logger: Logger
    private let child = Mutex<ChildProcess?>(nil)
    private let operations = SerialOperations()

    /// Prepares a server (finds the binary, picks ports); `start()` runs it.
    public init(_ configuration: Configuration, logger: Logger = Logger(label: "almanac.localservers.nats")) throws {
        self.configuration = configuration
        self.executable = try Self.locateExecutable(override: configuration.executable)
        self.port = try configuration.port ?? LoopbackPort.free()
        self.monitoringPort = configuration.monitoring ? try configuration.monitoringPort ?? LoopbackPort.free() : nil
        var logger = logger
        logger[metadataKey: "nats.port"] = "\(port)"
        self.logger = logger
    }

    /// Prepares and starts a server. With no fixed port, a port taken between choosing it and
    /// binding it is retried on a fresh one.
    public static func start(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "almanac.localservers.nats")
    ) async throws -> LocalNATSServer {
        var attempt = 1
        while true {
            let server = try LocalNATSServer(configuration, logger: logger)
            do {
                try await server.start()
                return server
            } catch let failure as ServerFailure where failure.isAddressInUse && configuration.port == nil && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// "nats://127.0.0.1:PORT"
    public var url: String { "nats://\(host):\(port)" }
    /// "http://127.0.0.1:PORT", nil when monitoring is off.
    public var monitoringURL: String? { monitoringPort.map { "http://\(host):\($0)" } }
    public var directory: URL { configuration.directory }
    public var configFile: URL { directory.appendingPathComponent("nats-server.conf") }
    public var logFile: URL { directory.appendingPathComponent("nats-server.log") }
    public var storeDirectory: URL { directory.appendingPathComponent("jetstream", isDirectory: true) }

    /// The running server's pid; nil when stopped.
    public var pid: pid_t? { child.withLock { $0?.isRunning == true ? $0?.pid : nil } }
    public var isRunning: Bool { pid != nil }

    /// Starts the server and waits until it accepts clients with JetStream enabled. No-op if running.
    public func start() async throws {
        try await operations.run { try await self.startNow() }
    }

    /// Graceful stop (SIGTERM), SIGKILL after `configuration.stopTimeout`. No-op if stopped.
    public func stop() async {
        _ = try? await operations.run { await self.stopNow(signal: SIGTERM) }
    }

    /// Stops and starts again on the same port with the same data.
    public func restart() async throws {
        try await operations.run {
            await self.stopNow(signal: SIGTERM)
            try await self.startNow()
        }
    }

    /// SIGKILL, as in a crash: nothing is flushed or closed. `start()` brings it back.
    public func kill() async {
        _ = try? await operations.run { await self.stopNow(signal: SIGKILL) }
    }

    /// Waits until the server exits by itself or is stopped; throws if it was running and died.
    /// For supervisors (`LocalServers.run()`).
    func waitForUnexpectedExit() async throws -> ProcessExitStatus? {
        guard let running = child.withLock({ $0 }) else { return nil }
        return try await running.waitForExit()
    }

    private func startNow() async throws {
        if isRunning { return }
        try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
        try configurationFileText.write(to: configFile, atomically: true, encoding: .utf8)
        let logStart = LogFile.size(of: logFile)

        var spec = ProcessSpec(executable: executable, arguments: ["--config", configFile.path])
        spec.standardOutput = .appendingTo(path: logFile.path)
        spec.standardError = .appendingTo(path: logFile.path)
        spec.parentDeathSignal = SIGTERM
        spec.stopAtExitSignal = SIGTERM
        let started = try await ChildProcess.spawn(spec)
        child.withLock { $0 = started }
        logger.debug("nats-server starting", metadata: ["pid": "\(started.pid)", "dir": "\(directory.path)"])

        let ready = try await Poll.until(timeout: configuration.startTimeout) {
            if let status = started.exitStatus {
                let tail = LogFile.tail(of: logFile, from: logStart)
                throw ServerFailure(
                    server: "nats-server", reason: "exited during startup (\(status))", logTail: tail,
                    isAddressInUse: tail.contains("address already in use")
                )
            }
            return await isReady()
        }
        guard ready else {
            await started.terminate(signal: SIGKILL, grace: .seconds(5))
            throw ServerFailure(
                server: "nats-server", reason: "not ready after \(configuration.startTimeout)",
                logTail: LogFile.tail(of: logFile, from: logStart)
            )
        }
        logger.info("nats-server ready", metadata: ["url": "\(url)", "pid": "\(started.pid)"])
    }

    /// Ready = the client port greets with INFO, and (with monitoring) /healthz reports JetStream on.
    private func isReady() async -> Bool {
        guard let greeting = await LoopbackProbe.exchange(port: port), greeting.hasPrefix("INFO ") else { return false }
        guard let monitoringPort else { return true }
        return await LoopbackProbe.httpStatus(port: monitoringPort, path: "/healthz?js-enabled-only=true") == 200
    }

    private func stopNow(signal: Int32) async {
        guard let running = child.withLock({ $0 }), running.isRunning else { return }
        let grace = signal == SIGKILL ? Duration.seconds(5) : configuration.stopTimeout
        let status = await running.terminate(signal: signal, grace: grace)
        logger.info("nats-server stopped", metadata: ["pid": "\(running.pid)", "status": "\(status)"])
    }
}
