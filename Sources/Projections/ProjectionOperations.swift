import Foundation
import NATSClient
import PostgresClient

/// What operators do to projections (`almanac projector skip|retry`, `almanac lag`), as
/// library functions so that the CLI stays thin and tests call the same code.
public enum ProjectionOperations {
    /// One projection's checkpoint row (position, owner, poison), nil before its first start.
    public static func checkpoint(_ name: String, pool: PostgresPool) async throws -> ProjectionCheckpoint? {
        try await pool.withConnection { try await CheckpointSQL.read($0, name: name) }
    }

    /// Lets a projection stopped at poison event `sequence` pass it; the skip is recorded in
    /// `projection_skipped_events`. Fails when the projection is not stopped at that event.
    public static func skip(_ name: String, sequence: UInt64, pool: PostgresPool) async throws {
        let updated = try await pool.execute(
            "update projection_checkpoints set skip_sequence = $2, updated_at = now() where name = $1 and poison_sequence = $2",
            [name, Int64(sequence)])
        guard updated == 1 else {
            let checkpoint = try await pool.withConnection { try await CheckpointSQL.read($0, name: name) }
            guard let checkpoint else { throw ProjectionError.unknownProjection(name) }
            throw ProjectionError.invalidArgument(checkpoint.poisonSequence.map {
                "projection \(name) is stopped at #\($0), not #\(sequence); skip that one"
            } ?? "projection \(name) is not stopped at a poison event")
        }
        try await pool.notify(channel: CheckpointSQL.controlChannel, payload: name)
    }

    /// Lets a projection stopped at a poison event try it again (after a fix was deployed).
    public static func retry(_ name: String, pool: PostgresPool) async throws {
        let updated = try await pool.execute(
            """
            update projection_checkpoints set poison_sequence = null, poison_type = null, poison_reason = null, poisoned_at = null,
                   updated_at = now() where name = $1
            """, [name])
        guard updated == 1 else { throw ProjectionError.unknownProjection(name) }
        try await pool.notify(channel: CheckpointSQL.controlChannel, payload: name)
    }

    public struct Lag: Sendable, Equatable {
        public let projection: String
        public let stream: String
        public let streamLastSequence: UInt64
        public let checkpoint: UInt64
        /// Stream messages after the checkpoint (of any subject: an upper bound for a filtered projection).
        public let events: UInt64
        /// Seconds between the newest stored message and the last applied one; 0 when caught up.
        public let seconds: Double
        public let activeInstance: String?
        public let poison: String?
    }

    /// One line per projection known to the database.
    public static func lag(pool: PostgresPool, jetStream: JetStream, lease: LeaseSettings = .init()) async throws -> [Lag] {
        let bucket = try? jetStream.keyValue(lease.bucket)
        var lags: [Lag] = []
        for checkpoint in try await CheckpointSQL.readAll(pool) {
            guard let stream = checkpoint.stream else { continue }
            let state = try await jetStream.streamInfo(stream).state
            let newest = state.lastSequence > checkpoint.lastSequence
                ? try await jetStream.message(stream: stream, sequence: state.lastSequence)?.time : nil
            let seconds = newest.map { newest in max(0, newest.timeIntervalSince(checkpoint.lastEventTime ?? .distantPast)) } ?? 0
            let holder: String? = if let bucket { try? await ProjectorLease.holder(bucket, key: checkpoint.name) } else { nil }
            lags.append(Lag(projection: checkpoint.name, stream: stream, streamLastSequence: state.lastSequence,
                            checkpoint: checkpoint.lastSequence,
                            events: state.lastSequence > checkpoint.lastSequence ? state.lastSequence - checkpoint.lastSequence : 0,
                            seconds: min(seconds, Date().timeIntervalSince1970), activeInstance: holder,
                            poison: checkpoint.poisonSequence.map { "stopped at #\($0) (\(checkpoint.poisonType ?? "?")): \(checkpoint.poisonReason ?? "")" }))
        }
        return lags
    }
}
