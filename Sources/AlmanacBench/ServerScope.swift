import Foundation
import LocalServers
import Logging
import NATSClient

/// Runs `body` against a nats-server of the benchmark's own on the JetStream store in
/// `folder` (kept for a later start in another mode) and a connection to it; both are closed
/// on every way out. LocalServers ties the server's life to this process, so an interrupted
/// run leaves none behind.
func withNATSServer<T>(in folder: URL, syncMode: NATSSyncMode,
                       _ body: (LocalNATSServer, NATSConnection) async throws -> T) async throws -> T {
    var configuration = LocalNATSServer.Configuration(directory: folder, syncInterval: syncMode.syncInterval)
    configuration.serverName = "almanac-bench"
    var logger = Logger(label: "almanac.bench.nats-server")
    // Start and stop lines would interleave with the progress lines.
    logger.logLevel = .warning
    let server = try await LocalNATSServer.start(configuration, logger: logger)
    let connection: NATSConnection
    do {
        connection = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "almanac-bench"))
    } catch {
        await server.stop()
        throw error
    }
    do {
        let result = try await body(server, connection)
        connection.close()
        await server.stop()
        return result
    } catch {
        connection.close()
        await server.stop()
        throw error
    }
}

/// Seconds since `start` (from `DispatchTime.now().uptimeNanoseconds`).
func secondsSince(_ start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
