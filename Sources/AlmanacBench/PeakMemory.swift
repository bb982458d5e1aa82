import Foundation

/// The process's peak resident memory (`VmHWM` in /proc/self/status).
///
/// Linux resets the peak to the current RSS when "5" is written to /proc/self/clear_refs
/// (kernel 4.0+), which makes a per-phase peak possible; where that write is refused the
/// reading is the peak since the process started, and the report says so.
enum PeakMemory {
    /// Peak resident set in bytes, nil where /proc is unavailable.
    static func bytes() -> Int? { status("VmHWM:") }

    /// Resident set now, in MB.
    static func currentMegabytes() -> Double? { status("VmRSS:").map { Double($0) / 1_048_576 } }

    private static func status(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    static func megabytes() -> Double? { bytes().map { Double($0) / 1_048_576 } }

    /// Starts a new peak at the current RSS; false when the kernel refuses (then peaks are
    /// process-wide). Memory the allocator keeps from earlier phases is handed back first
    /// (`malloc_trim`), so the next phase's peak is its own plus what is really in use.
    @discardableResult
    static func reset() -> Bool {
        trimHeap()
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// glibc's `malloc_trim(0)`: gives free heap memory back to the kernel. Looked up at run
    /// time, since Swift's Glibc module does not import `malloc.h`; a no-op where it is missing.
    private static func trimHeap() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
}
