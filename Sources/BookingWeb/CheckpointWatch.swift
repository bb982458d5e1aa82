import BookingReadModels
import Foundation
import Logging
import PostgresClient
import Projections

/// A projection's checkpoint as seen by one LISTEN connection shared by every waiting request.
/// `Projections.CheckpointWaiter` opens a listener per call: right for a CLI or a test, but a
/// connection (and its start-up) per accepted command is too dear for a busy web app.
public actor CheckpointWatch {
    /// The channel the projector notifies in each checkpoint transaction, payload
    /// `<projection>:<sequence>`.
    static let channel = ProjectionCheckpoint.notificationChannel

    struct Waiter {
        let sequence: UInt64
        let continuation: CheckedContinuation<Bool, Never>
        let timer: Task<Void, Never>
    }

    let pool: PostgresPool
    let projection: String
    let logger: Logger
    private var listener: PostgresListener?
    private var starting: Task<Void, any Error>?
    private var pump: Task<Void, Never>?
    /// The highest checkpoint seen; only grows.
    private var reached: UInt64 = 0
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiter = 0

    public init(pool: PostgresPool, projection: String = BookingReadModel.name, logger: Logger = Logger(label: "almanac.booking-web.checkpoint")) {
        self.pool = pool
        self.projection = projection
        self.logger = logger
    }

    /// True once the checkpoint is at `sequence` or beyond; false after `timeout`, or at once
    /// when the database cannot be asked.
    public func wait(for sequence: UInt64, timeout: Duration) async -> Bool {
        if reached >= sequence { return true }
        do {
            try await listening()
        } catch {
            logger.warning("cannot follow the \(projection) checkpoint: \(error)")
            return false
        }
        if reached >= sequence { return true }
        nextWaiter += 1
        let id = nextWaiter
        // Registered without a suspension after the check above, so no notification slips between.
        return await withCheckedContinuation { continuation in
            let timer = Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
            waiters[id] = Waiter(sequence: sequence, continuation: continuation, timer: timer)
        }
    }

    /// Stops listening; whoever still waits is told the read model is behind.
    public func close() async {
        pump?.cancel()
        pump = nil
        let listener = self.listener
        self.listener = nil
        await listener?.close()
        for (id, waiter) in waiters {
            waiters[id] = nil
            waiter.timer.cancel()
            waiter.continuation.resume(returning: false)
        }
    }

    private func expire(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.continuation.resume(returning: false)
    }

    private func advance(to sequence: UInt64) {
        guard sequence > reached else { return }
        reached = sequence
        for (id, waiter) in waiters where waiter.sequence <= sequence {
            waiters[id] = nil
            waiter.timer.cancel()
            waiter.continuation.resume(returning: true)
        }
    }

    private func listening() async throws {
        if listener != nil { return }
        if let starting { return try await starting.value }
        let task = Task { try await self.start() }
        starting = task
        defer { starting = nil }
        try await task.value
    }

    private func start() async throws {
        let listener = try await pool.makeListener()
        let notifications = listener.notifications()
        let current: UInt64
        do {
            try await listener.listen(Self.channel)
            // Read after LISTEN: a checkpoint committed in between is either read here or notified.
            current = try await ProjectionOperations.checkpoint(projection, pool: pool)?.lastSequence ?? 0
        } catch {
            await listener.close()
            throw error
        }
        self.listener = listener
        advance(to: current)
        let prefix = projection + ":"
        pump = Task {
            do {
                for try await note in notifications where note.payload.hasPrefix(prefix) {
                    if let value = UInt64(note.payload.dropFirst(prefix.count)) { self.advance(to: value) }
                }
            } catch {
                self.logger.warning("the \(self.projection) checkpoint listener stopped: \(error); the next wait reconnects")
            }
            await self.forget(listener)
        }
    }

    /// After the listener ended: the next wait opens a new one (waiters keep their timeouts).
    private func forget(_ ended: PostgresListener) async {
        guard listener === ended else { return }
        listener = nil
        await ended.close()
    }
}
