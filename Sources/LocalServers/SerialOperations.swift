/// Runs async operations one at a time, in call order (start, stop, restart, kill of one server
/// must not interleave at their suspension points, which an actor alone would allow).
///
/// Each operation runs in an unstructured task: a caller that is cancelled while stopping a server
/// still gets a fully stopped server.
actor SerialOperations {
    private var last: Task<Void, Never>?

    func run<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let previous = last
        let task = Task {
            await previous?.value
            return try await operation()
        }
        last = Task { _ = try? await task.value }
        return try await task.value
    }
}
