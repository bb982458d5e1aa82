import Foundation
import LocalServers

extension ScriptProcess {
    /// The port from the script's `PORT <n>` line. Fixture servers print it after listen(), so
    /// the port accepts connections from then on.
    public func listeningPort() async throws -> Int {
        let line = try await line(where: { $0.hasPrefix("PORT ") })
        guard let port = Int(line.dropFirst("PORT ".count)) else {
            throw ScriptProcessError(description: "\(name) printed \(line.debugDescription)")
        }
        return port
    }

    /// Runs `body` with this server and its port, and always stops the server afterwards.
    public func serving<T>(_ body: (ScriptProcess, Int) async throws -> T) async throws -> T {
        do {
            let result = try await body(self, try await listeningPort())
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// Fails with `hint` when python3 cannot import `module` (e.g. aiosmtpd for the SMTP servers).
    public static func requirePythonModule(_ module: String, hint: String) async throws {
        let check = try await ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import \(module)"], timeout: .seconds(30))
        guard check.status == .exited(code: 0) else { throw ScriptProcessError(description: hint) }
    }
}
