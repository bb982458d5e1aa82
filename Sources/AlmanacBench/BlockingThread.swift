import Foundation

/// Runs a blocking call (the raw libnats baselines block for minutes) on a thread of its own,
/// so Swift's cooperative pool, which the EventStore side and progress lines need, never waits.
enum BlockingThread {
    static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
