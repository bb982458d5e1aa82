import Foundation

/// The process's peak resident memory (`VmHWM` in /proc/self/status).
///
/// Linux resets the peak to the current RSS when "5" is written to /proc/self/clear_refs
/// (kernel 4.0+), which makes a per-phase peak possible; where that write is refused the
/// reading is the peak since the process started, and the report says so.
enum PeakMemory {
    /// Peak resident set in bytes, nil where /proc is unavailable.
    static func bytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    static func megabytes() -> Double? { bytes().map { Double($0) / 1_048_576 } }

    /// Starts a new peak at the current RSS; false when the kernel refuses (then peaks are
    /// process-wide).
    @discardableResult
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }
}
