import Synchronization

/// Per-aggregate mutual exclusion inside one process: commands for the same aggregate run one
/// after another here, so the only optimistic-concurrency conflicts left are with other
/// replicas. Without it, dozens of in-process commands for one popular resource would all read
/// the same version and all but one would have to retry.
public final class AggregateLocks: Sendable {
    private struct Entry {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Runs `body` holding the locks of all `keys`, taken in sorted order so two commands that
    /// touch the same aggregates can never wait for each other.
    public func withLocks<T: Sendable>(_ keys: [String], _ body: () async throws -> T) async rethrows -> T {
        let ordered = Array(Set(keys)).sorted()
        for key in ordered { await acquire(key) }
        defer { for key in ordered.reversed() { release(key) } }
        return try await body()
    }

    private func acquire(_ key: String) async {
        await withCheckedContinuation { continuation in
            let granted = entries.withLock { entries -> Bool in
                var entry = entries[key] ?? Entry()
                defer { entries[key] = entry }
                if !entry.held {
                    entry.held = true
                    return true
                }
                entry.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release(_ key: String) {
        let next = entries.withLock { entries -> CheckedContinuation<Void, Never>? in
            guard var entry = entries[key] else { return nil }
            if entry.waiters.isEmpty {
                entries.removeValue(forKey: key)
                return nil
            }
            let next = entry.waiters.removeFirst()
            entries[key] = entry
            return next
        }
        next?.resume()
    }
}
