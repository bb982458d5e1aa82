import Synchronization

/// The caller's side of a transfer: whether it was cancelled. Shared between the awaiting task
/// (its cancellation handler) and the curl thread, so a cancel that arrives before the transfer
/// reaches the curl thread is still seen there.
final class TransferTicket: Sendable {
    private let cancelled = Mutex(false)

    var isCancelled: Bool {
        cancelled.withLock { $0 }
    }

    func markCancelled() {
        cancelled.withLock { $0 = true }
    }
}
