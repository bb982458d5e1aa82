import Foundation
import TestSupport

/// Runs `body` with the fixture server `Fixtures/<script>` started for it, and always stops the
/// server afterwards.
func withFixtureServer<T>(
    _ name: String,
    script: String,
    arguments: [String] = [],
    _ body: (ScriptProcess, Int) async throws -> T
) async throws -> T {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(script)")
    return try await ScriptProcess.start(name: name, scriptFile: fixture, arguments: arguments).serving(body)
}
