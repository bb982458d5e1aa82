import ArgumentParser
import Foundation
import Logging
import NATSClient

/// How to reach NATS; each flag falls back to an environment variable, so deployments
/// configure roles without secrets on command lines.
struct NATSOptions: ParsableArguments {
    @Option(name: .customLong("nats-url"), help: "NATS server URL(s), comma separated. Env: ALMANAC_NATS_URL.")
    var url: String = ProcessInfo.processInfo.environment["ALMANAC_NATS_URL"] ?? "nats://127.0.0.1:4222"

    @Option(name: .customLong("nats-creds"), help: "NATS credentials (.creds) file. Env: ALMANAC_NATS_CREDS.")
    var credentialsFlag: String?

    @Option(name: .customLong("nats-ca"), help: "PEM file of CAs to trust for NATS TLS. Env: ALMANAC_NATS_CA.")
    var caFlag: String?

    var credentials: String? { credentialsFlag ?? ProcessInfo.processInfo.environment["ALMANAC_NATS_CREDS"] }
    var caFile: String? { caFlag ?? ProcessInfo.processInfo.environment["ALMANAC_NATS_CA"] }

    func connect(name: String) async throws -> NATSConnection {
        var options = NATSConnectOptions(url: url, name: name)
        options.credentialsFile = credentials
        if caFile != nil || url.hasPrefix("tls://") { options.tls = .init(caFile: caFile) }
        return try await NATSConnection.connect(options, logger: Logger(label: "almanac.nats"))
    }
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL connection (URL or libpq conninfo). Env: ALMANAC_DATABASE_URL.")
    var url: String = ProcessInfo.processInfo.environment["ALMANAC_DATABASE_URL"] ?? "postgresql://127.0.0.1:5432/almanac"
}

struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Env: ALMANAC_LOG_LEVEL.")
    var level: String = ProcessInfo.processInfo.environment["ALMANAC_LOG_LEVEL"] ?? "info"

    func bootstrap() throws {
        guard let level = Logger.Level(rawValue: level) else {
            throw ValidationError("unknown log level \(self.level)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Where the repository's `schemas/` folder is: `ALMANAC_SCHEMAS`, else next to the working
/// directory, else next to the executable (`.build/debug/almanac` → repository root).
enum SchemaLocation {
    static func directory() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["ALMANAC_SCHEMAS"] { return URL(fileURLWithPath: path) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("schemas")]
        var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(executable.appendingPathComponent("schemas"))
            executable.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("sql").path) }) else {
            throw ValidationError("cannot find the schemas folder; set ALMANAC_SCHEMAS")
        }
        return found
    }
}
