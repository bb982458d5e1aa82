import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a pid names a live (not zombie) process.
func processExists(_ pid: pid_t) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    // Field 3 (after the parenthesised command name) is the state; Z = zombie, X = dead.
    guard let close = status.lastIndex(of: ")") else { return false }
    let state = status[status.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
}

/// Processes whose command line names the path `text` (as a path, not a prefix of another).
func processes(mentioning text: String) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
        guard let pid = pid_t(entry), pid != getpid(),
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        // The path as a whole: ".../nats-1" must not match another test's ".../nats-12/...".
        let mentions = commandLine.contains(text + "/") || commandLine.contains(text + " ") || commandLine.hasSuffix(text)
        return mentions && processExists(pid) ? pid : nil
    }
}
