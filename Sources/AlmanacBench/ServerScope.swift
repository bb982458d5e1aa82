import Foundation
import NATSClient

/// Runs `body` against a fresh nats-server in `folder` (the store stays for a later start)
/// and a connection to it; both are closed on every way out.
func withNATSServer<T>(in folder: URL, syncMode: NATSSyncMode,
                       _ body: (BenchNATSServer, NATSConnection) async throws -> T) async throws -> T {
    let server = try await BenchNATSServer.start(directory: folder, syncMode: syncMode)
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
