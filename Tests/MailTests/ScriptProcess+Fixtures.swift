import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension ScriptProcess {
    /// The port from the script's `PORT <n>` line (printed after listen(), so it accepts).
    func listeningPort() async throws -> Int {
        let line = try await line(where: { $0.hasPrefix("PORT ") })
        guard let port = Int(line.dropFirst("PORT ".count)) else {
            throw ScriptProcessError(description: "\(name) printed \(line.debugDescription)")
        }
        return port
    }
}

/// Runs `body` with a fixture server started for it, and always stops the server afterwards.
func withFixtureServer<T>(
    _ name: String,
    script: String,
    arguments: [String] = [],
    _ body: (ScriptProcess, Int) async throws -> T
) async throws -> T {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(script)")
    let server = try await ScriptProcess.start(name: name, scriptFile: fixture, arguments: arguments)
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
        throw ScriptProcessError(description: "the SMTP tests need Python's aiosmtpd: run tools/setup (pip install aiosmtpd)")
    }
}
