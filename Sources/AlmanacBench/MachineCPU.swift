import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who burns the machine's CPU during a phase: this process, its descendants by program name
/// (the nats-server nodes, PostgreSQL's postmaster and backends) and everything else (other
/// work on a shared machine), from `/proc` (Linux; elsewhere it reports nothing). With every
/// server on the same cores, this is what says where a throughput ceiling comes from.
struct MachineCPU: Sendable {
    /// CPU seconds used so far: by program name for this process's descendants, `self` for this
    /// process, and the machine's busy total (all CPUs, idle and iowait excluded).
    struct Snapshot: Sendable {
        var descendants: [String: Double] = [:]
        var own: Double = 0
        var machineBusy: Double = 0
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    static func snapshot() -> Snapshot {
        var snapshot = Snapshot()
        let me = getpid()
        var parent: [Int32: Int32] = [:]
        var cpu: [Int32: (name: String, seconds: Double)] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state ppid ... utime (14th field) stime (15th).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let ppid = Int32(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            parent[pid] = ppid
            cpu[pid] = (String(stat[stat.index(after: open)..<close]), (user + system) / ticksPerSecond)
        }
        func descends(_ pid: Int32) -> Bool {
            var current = pid
            for _ in 0..<64 {
                guard let up = parent[current], up > 1 else { return false }
                if up == me { return true }
                current = up
            }
            return false
        }
        for (pid, usage) in cpu {
            if pid == me { snapshot.own = usage.seconds } else if descends(pid) { snapshot.descendants[usage.name, default: 0] += usage.seconds }
        }
        if let line = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n").first {
            let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            if values.count >= 5 {
                // user nice system idle iowait irq softirq steal ...
                snapshot.machineBusy = (values.prefix(8).reduce(0, +) - values[3] - values[4]) / ticksPerSecond
            }
        }
        return snapshot
    }

    /// Figures for a phase between two snapshots that did `operations`: CPU µs per operation
    /// for this process, each descendant program and the rest of the machine, and how busy
    /// the machine's cores were (percent of all of them).
    static func figures(from before: Snapshot, to after: Snapshot, seconds: Double, operations: Int, group: String, unit: String) -> [Figure] {
        guard operations > 0, seconds > 0, after.machineBusy > 0 else { return [] }
        func perOperation(_ cpuSeconds: Double) -> Double { max(0, cpuSeconds) / Double(operations) * 1e6 }
        var figures: [Figure] = [
            .absolute("CPU per \(unit): this process (client, booking-web, handler, projector)", group: group,
                      value: perOperation(after.own - before.own), unit: "µs", higherIsBetter: false, goal: nil),
        ]
        var descendantsTotal = 0.0
        for name in after.descendants.keys.sorted() {
            let used = (after.descendants[name] ?? 0) - (before.descendants[name] ?? 0)
            descendantsTotal += max(0, used)
            figures.append(.absolute("CPU per \(unit): \(name) (all processes of that name)", group: group, value: perOperation(used),
                                     unit: "µs", higherIsBetter: false, goal: nil))
        }
        let busy = after.machineBusy - before.machineBusy
        let others = busy - (after.own - before.own) - descendantsTotal
        figures += [
            .absolute("CPU per \(unit): rest of the machine (not this benchmark)", group: group, value: perOperation(others), unit: "µs",
                      higherIsBetter: false, goal: nil),
            .absolute("machine busy (\(cores) cores)", group: group, value: busy / seconds / Double(cores) * 100, unit: "%",
                      higherIsBetter: false, goal: nil),
        ]
        return figures
    }
}
