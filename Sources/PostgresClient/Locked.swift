import Foundation

/// A value guarded by a lock, for the few pieces of state shared between a connection's own
/// thread and the tasks that use it.
final class Locked<Value>: @unchecked Sendable {  // unchecked: every access to `value` goes through `lock`
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
