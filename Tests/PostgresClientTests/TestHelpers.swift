import Foundation
import PostgresClient
import Testing
import TestSupport

/// A fresh database from the shared test server.
func makeTestDatabase(_ prefix: String = "pg") async throws -> PostgresConfiguration {
    let env = try await TestServers.shared()
    let conninfo = try await env.makeDatabase(prefix: prefix)
    return PostgresConfiguration(conninfo: conninfo, connectTimeout: .seconds(10))
}

/// Runs `body` with a pool on a fresh database and closes the pool afterwards.
func withTestPool<T>(size: Int = 4, _ body: (PostgresPool, PostgresConfiguration) async throws -> T) async throws -> T {
    let configuration = try await makeTestDatabase()
    let pool = PostgresPool(configuration, size: size)
    do {
        let value = try await body(pool, configuration)
        await pool.close()
        return value
    } catch {
        await pool.close()
        throw error
    }
}

/// A one-shot signal between tasks: `wait()` suspends until `open()` (no sleeps, no polling).
final class AsyncLatch: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Guarded(State())

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// A counter shared between tasks.
final class Counter: Sendable {
    private let value = Guarded(0)
    @discardableResult func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    var current: Int { value.withLock { $0 } }
}

/// NSLock-based mutex for the tests (the module under test keeps its own internal).
final class Guarded<Value>: @unchecked Sendable {  // unchecked: `value` is only touched under `lock`
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
