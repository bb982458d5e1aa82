extension Projector {
    /// Seconds the projector spent per part of its batches since it started, summed, for
    /// profiling (`tools/bench projections` prints them). The next batch is fetched and decoded
    /// while the current one is applied, so `fetchWait` is only what the loop was blocked on.
    public struct Timings: Sendable, Equatable {
        public var batches = 0
        public var events = 0
        /// Blocked on NATS: waiting for the next fetched (and decoded) batch.
        public var fetchWait = 0.0
        /// Opening the transaction: the projection's stage step and, pipelined, waiting for the
        /// batch ahead to commit; then locking and checking the checkpoint row.
        public var open = 0.0
        /// The projection's `apply`: building its statements and running them.
        public var apply = 0.0
        /// Advancing the checkpoint and committing.
        public var commit = 0.0
        /// Acknowledging the batch's messages after the commit.
        public var ack = 0.0
    }

    public var timings: Timings { recordedTimings.value }

    func record(_ change: (inout Timings) -> Void) {
        recordedTimings.withLock { timings in change(&timings) }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
