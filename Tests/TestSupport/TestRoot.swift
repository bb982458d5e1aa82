import Foundation
import Synchronization

/// The throwaway folder of one test process: `$ALMANAC_TEST_ROOT/run-<pid>-<random>` when
/// tools/test set that (it kills whatever still runs from there afterwards), else a new folder in
/// the system's temporary folder. At exit, the servers are stopped and the folder is deleted,
/// unless ALMANAC_KEEP_TEST_DATA is set (to read the servers' logs after a failure).
final class TestRoot: Sendable {
    static let shared = TestRoot()

    private let created = Mutex<URL?>(nil)

    func directory() throws -> URL {
        try created.withLock { created in
            if let created { return created }
            let settings = ProcessInfo.processInfo.environment
            let base = settings["ALMANAC_TEST_ROOT"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.temporaryDirectory
            // Short: a PostgreSQL socket path must fit in 107 bytes.
            let name = "p\(getpid())-\(String(UInt16.random(in: 0...UInt16.max), radix: 36))"
            let directory = base.appendingPathComponent(name, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // PostgreSQL runs as the postgres OS user when we are root: it must reach its folder.
            // Only search bits are added to the base folder (never taken away: it may be /tmp).
            chmod(base.path, mode_t(Self.mode(of: base) | 0o111))
            chmod(directory.path, 0o755)
            created = directory
            atexit { TestRoot.shared.cleanUp() }
            return directory
        }
    }

    private func cleanUp() {
        ChildProcessRegistry.shared.stopAllNow(grace: .seconds(10))
        guard let directory = created.withLock({ $0 }) else { return }
        if ProcessInfo.processInfo.environment["ALMANAC_KEEP_TEST_DATA"] != nil {
            FileHandle.standardError.write(Data("almanac tests: kept \(directory.path)\n".utf8))
            return
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func mode(of url: URL) -> UInt16 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? NSNumber)?.uint16Value ?? 0
    }
}
