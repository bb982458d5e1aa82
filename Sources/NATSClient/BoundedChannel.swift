import Foundation

/// Hands elements from a producer *thread* (a libnats delivery loop) to an async consumer with
/// back-pressure: `put(contentsOf:)` blocks the producer thread while `capacity` elements wait, and the
/// consumer takes everything buffered at once, so a fast stream costs one wake-up per batch.
final class BoundedChannel<Element: Sendable>: @unchecked Sendable {
    // @unchecked: every stored property below is read and written only under `condition`.
    private let condition = NSCondition()
    private let capacity: Int
    private var buffer: [Element] = []
    private var waiter: CheckedContinuation<[Element]?, any Error>?
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Producer side: blocks while `capacity` elements wait (a batch may overshoot it by its own
    /// size), then appends the batch under one lock. Returns `false` once the consumer has gone
    /// away, telling the producer to stop.
    func put(contentsOf elements: [Element]) -> Bool {
        guard !elements.isEmpty else { return true }
        condition.lock()
        while buffer.count >= capacity && !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            return false
        }
        buffer.append(contentsOf: elements)
        let resume = takeWaiterWithBuffer()
        condition.unlock()
        resume?()
        return true
    }

    /// Producer side: no more elements; a pending `next` sees the rest, then `nil` (or the error).
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        var resume = takeWaiterWithBuffer()
        if resume == nil, let waiter {
            self.waiter = nil
            resume = error.map { e in { waiter.resume(throwing: e) } } ?? { waiter.resume(returning: nil) }
        }
        condition.unlock()
        resume?()
    }

    /// Consumer side: the producer should stop; wakes it if it waits for room.
    func cancel() {
        condition.lock()
        cancelled = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(throwing: CancellationError())
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Consumer side: everything buffered (at least one element), or `nil` when finished.
    func next() async throws -> [Element]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if !buffer.isEmpty {
                    let batch = buffer
                    buffer.removeAll(keepingCapacity: true)
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: batch)
                } else if finished || cancelled {
                    let error = cancelled ? CancellationError() : failure
                    condition.unlock()
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: nil) }
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Must be called with the lock held; returns the resumption to run after unlocking.
    private func takeWaiterWithBuffer() -> (() -> Void)? {
        guard let waiter, !buffer.isEmpty else { return nil }
        self.waiter = nil
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        condition.broadcast()
        return { waiter.resume(returning: batch) }
    }
}
