import Dispatch

/// Runs blocking libnats calls (connect, fetch, flush) on threads that are not Swift's
/// cooperative pool, which must never wait on I/O.
enum Offload {
    private static let queue = DispatchQueue(label: "almanac.nats.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
