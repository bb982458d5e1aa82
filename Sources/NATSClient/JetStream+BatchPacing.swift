/// Whether an atomic batch's first message waits for the server's "batch started" reply.
///
/// ADR-50 lets a client choose which batch messages ask for a reply; only the commit must.
/// Measured on nats-server 2.15.1 (tools/README-bench.md, "atomic-batch"): the "started" reply
/// carries no validation (a stale expectation on the first message is reported by the commit,
/// error 10071, either way), and skipping it does not raise throughput, because the cost of a
/// batch on an R1 file stream is the server creating and deleting a file-backed staging store
/// per batch, not the extra round trip. `.pipelined` saves one round trip of latency where
/// that matters (a remote server); `.confirmFirst` stays the default because it learns early
/// when the server refuses to open the batch (e.g. 10210, more than 50 batches in flight on
/// the stream) instead of after sending every message.
public enum AtomicBatchPacing: Sendable, Equatable {
    /// The first message is a request; the rest follow once the server has opened the batch.
    case confirmFirst
    /// Every message but the commit is published without a reply, back to back.
    case pipelined
}
