import Foundation

/// Everything one benchmark run produced: written as JSON, printed as a table, plotted.
struct BenchReport: Codable, Sendable {
    struct Host: Codable, Sendable {
        var cores: Int
        var memoryMB: Int
        var kernel: String
        var natsServer: String

        static func current() -> Host {
            Host(cores: ProcessInfo.processInfo.activeProcessorCount,
                 memoryMB: Int(ProcessInfo.processInfo.physicalMemory >> 20),
                 kernel: (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?",
                 natsServer: NATSServerBinary.version() ?? "?")
        }
    }

    var benchmark: String
    var summary: String
    var timestamp: String
    var startedAt: Date
    var seconds: Double
    var quick: Bool
    var host: Host
    /// Counts, sizes and settings the figures were measured with.
    var parameters: [String: String]
    /// What a reader must know to read the figures right (e.g. how peak memory was taken).
    var notes: [String]
    var figures: [Figure]

    /// "20250101-120000", sortable and safe in file names.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
    }
}
