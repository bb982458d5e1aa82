import Foundation
import Synchronization

/// Finds the PostgreSQL 15 server binaries (initdb, postgres) and the client tools.
enum PostgresBinaries {
    static let fallbackDirectory = "/usr/lib/postgresql/15/bin"
    static let remedy = "run tools/setup (installs Debian postgresql, PostgreSQL 15)"

    private static let cached = Mutex<String?>(nil)

    /// `pg_config --bindir` when it holds initdb and postgres, else /usr/lib/postgresql/15/bin.
    static func locate(override: String? = nil) async throws -> String {
        if let override {
            guard hasServer(in: override) else {
                throw ExecutableNotFound(name: "PostgreSQL server binaries in \(override)", remedy: remedy)
            }
            return override
        }
        if let known = cached.withLock({ $0 }) { return known }
        var directory = fallbackDirectory
        if let pgConfig = ExecutableLocator.find("pg_config"),
           let result = try? await ProcessRunner.run(pgConfig, ["--bindir"], timeout: .seconds(10)),
           result.succeeded {
            let reported = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if hasServer(in: reported) { directory = reported }
        }
        guard hasServer(in: directory) else {
            throw ExecutableNotFound(name: "PostgreSQL server (initdb, postgres)", remedy: remedy)
        }
        cached.withLock { $0 = directory }
        return directory
    }

    private static func hasServer(in directory: String) -> Bool {
        ["initdb", "postgres", "psql", "pg_isready"].allSatisfy { ExecutableLocator.isExecutable("\(directory)/\($0)") }
    }
}
