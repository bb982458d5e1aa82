import Foundation
import LocalServers

/// Runs `tools/schema-check` (python-jsonschema, draft 2020-12) without holding a thread of
/// Swift's cooperative pool while python runs: contract suites call it dozens of times, and
/// blocking waits there starved every other test's timers on a 2-core machine.
public enum SchemaCheck {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `arguments` as for the tool: a schema then documents, or `--schemas DIR`.
    public static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let result = try await ProcessRunner.run(repositoryRoot.appendingPathComponent("tools/schema-check").path, arguments)
        let status: Int32 = switch result.status {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
        return (status, result.output + result.errorOutput)
    }
}
