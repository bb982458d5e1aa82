import Foundation

/// Runs every `posix_spawn` of LocalServers on one thread that lives as long as the process.
///
/// Why: Linux delivers a child's parent-death signal (`PR_SET_PDEATHSIG`, set by `setpriv
/// --pdeathsig`) when the *thread* that forked it exits, not the process. Swift concurrency and
/// Dispatch threads come and go, so a child spawned from one of them could be killed while we are
/// still running. A thread that never exits makes the signal mean what we want: "our process died".
final class ProcessSpawner: @unchecked Sendable {  // mutable job list guarded by `condition`
    static let shared = ProcessSpawner()

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "almanac.localservers.spawner"
        thread.start()
    }

    /// Runs `body` on the spawner thread and returns its result without blocking the caller's thread.
    func perform<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Swift.Result { try body() }) }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() -> Never {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let next = jobs.removeFirst()
            condition.unlock()
            next()
        }
    }
}
