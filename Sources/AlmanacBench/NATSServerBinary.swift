import Foundation
import LocalServers

/// The nats-server the benchmarks run, for the report.
enum NATSServerBinary {
    /// "v2.15.1", found the way LocalServers finds the binary.
    static func version() -> String? {
        let scratch = FileManager.default.temporaryDirectory
        guard let binary = try? LocalNATSServer(LocalNATSServer.Configuration(directory: scratch)).executable else { return nil }
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
