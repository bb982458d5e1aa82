import Foundation

/// Executables built by SwiftPM next to the test bundle, e.g. `.build/debug/almanac`, for tests
/// that run the CLI as a separate process.
public enum BuiltProducts {
    /// The build folder: $ALMANAC_BUILD_DIR, else the folder of the running test binary
    /// (`.build/<triple>/debug/almanacPackageTests.xctest`, where `swift build` puts executables).
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["ALMANAC_BUILD_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .map { URL(fileURLWithPath: $0) }
            ?? Bundle.main.executableURL
            ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = running.deletingLastPathComponent()
        // On macOS the test binary sits inside X.xctest/Contents/MacOS/.
        while folder.pathExtension == "xctest" || ["Contents", "MacOS"].contains(folder.lastPathComponent) {
            folder.deleteLastPathComponent()
        }
        return folder
    }

    /// The path of a built executable; throws a clear error when it was not built.
    public static func executable(named name: String) throws -> URL {
        let candidate = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw LocalServersMisuse("\(candidate.path) not found: run `swift build` (or `swift build --product \(name)`) first")
        }
        return candidate
    }

    /// Runs a built executable to completion and captures its output.
    public static func run(
        _ name: String,
        _ arguments: [String] = [],
        environment: [String: String?] = [:],
        input: Data? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        try await ProcessRunner.run(
            executable(named: name).path, arguments,
            environment: environment, input: input, timeout: timeout
        )
    }

    /// Starts a built executable in the background (a server role under test), output appended to
    /// `logFile`. Stop it with `terminate(signal:grace:)`; it is stopped at process exit otherwise.
    public static func spawn(
        _ name: String,
        _ arguments: [String] = [],
        environment: [String: String?] = [:],
        logFile: URL
    ) async throws -> ChildProcess {
        var spec = ProcessSpec(executable: try executable(named: name).path, arguments: arguments, environment: environment)
        spec.standardOutput = .appendingTo(path: logFile.path)
        spec.standardError = .appendingTo(path: logFile.path)
        spec.parentDeathSignal = SIGKILL
        spec.stopAtExitSignal = SIGTERM
        return try await ChildProcess.spawn(spec)
    }
}
