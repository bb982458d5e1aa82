import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FixtureProcess {
    /// The port from the script's `PORT <n>` line (printed after listen(), so it accepts).
    func listeningPort() async throws -> Int {
        let line = try await line(where: { $0.hasPrefix("PORT ") })
        guard let port = Int(line.dropFirst("PORT ".count)) else {
            throw FixtureProcessError(description: "\(name) printed \(line.debugDescription)")
        }
        return port
    }
}

/// Runs `body` with a fixture server started for it, and always stops the server afterwards.
func withFixtureServer<T>(
    _ name: String,
    script: String,
    arguments: [String] = [],
    _ body: (FixtureProcess, Int) async throws -> T
) async throws -> T {
    let server = try await FixtureProcess.start(name: name, script: script, arguments: arguments)
    do {
        let port = try await server.listeningPort()
        let result = try await body(server, port)
        server.stop()
        return result
    } catch {
        server.stop()
        throw error
    }
}

/// Python's aiosmtpd must be installed (tools/setup does it).
func requireAiosmtpd() throws {
    let check = Process()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import aiosmtpd"]
    check.standardError = FileHandle.nullDevice
    try check.run()
    check.waitUntilExit()
    guard check.terminationStatus == 0 else {
        throw FixtureProcessError(description: "the SMTP tests need Python's aiosmtpd: run tools/setup (pip install aiosmtpd)")
    }
}
