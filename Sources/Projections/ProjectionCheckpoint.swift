import Foundation
import PostgresClient

/// A projection's row in `projection_checkpoints`.
public struct ProjectionCheckpoint: Sendable, Equatable {
    public let name: String
    public let stream: String?
    public let lastSequence: UInt64
    public let version: Int
    public let owner: String?
    public let lastEventTime: Date?
    public let poisonSequence: UInt64?
    public let poisonType: String?
    public let poisonReason: String?
    public let skipSequence: UInt64?
}

/// The SQL around checkpoints, in one place.
enum CheckpointSQL {
    /// NOTIFY channel with payload `<name>:<sequence>`, sent in each checkpoint's transaction.
    static let checkpointChannel = "projection_checkpoint"
    /// NOTIFY channel with payload `<name>`, sent when an operator skips or retries a poison event.
    static let controlChannel = "projection_control"

    static let columns = "name, stream, last_sequence, version, owner, last_event_time, poison_sequence, poison_type, poison_reason, skip_sequence"

    static func decode(_ row: PostgresRow) throws -> ProjectionCheckpoint {
        ProjectionCheckpoint(
            name: try row.decode(String.self, at: 0),
            stream: row.isNull(at: 1) ? nil : try row.decode(String.self, at: 1),
            lastSequence: UInt64(try row.decode(Int64.self, at: 2)),
            version: try row.decode(Int.self, at: 3),
            owner: row.isNull(at: 4) ? nil : try row.decode(String.self, at: 4),
            lastEventTime: row.isNull(at: 5) ? nil : try row.decode(Date.self, at: 5),
            poisonSequence: row.isNull(at: 6) ? nil : UInt64(try row.decode(Int64.self, at: 6)),
            poisonType: row.isNull(at: 7) ? nil : try row.decode(String.self, at: 7),
            poisonReason: row.isNull(at: 8) ? nil : try row.decode(String.self, at: 8),
            skipSequence: row.isNull(at: 9) ? nil : UInt64(try row.decode(Int64.self, at: 9)))
    }

    static func read(_ connection: PostgresConnection, name: String, forUpdate: Bool = false) async throws -> ProjectionCheckpoint? {
        let result = try await connection.query(
            "select \(columns) from projection_checkpoints where name = $1\(forUpdate ? " for update" : "")", [name])
        return try result.rows.first.map(decode)
    }

    static func readAll(_ pool: PostgresPool) async throws -> [ProjectionCheckpoint] {
        try await pool.query("select \(columns) from projection_checkpoints order by name").rows.map(decode)
    }

    /// Creates the row if missing (sequence 0), leaving an existing one as it is.
    static func ensure(_ connection: PostgresConnection, name: String, stream: String, version: Int) async throws {
        try await connection.execute(
            "insert into projection_checkpoints (name, stream, version) values ($1, $2, $3) on conflict (name) do nothing",
            [name, stream, version])
    }

    /// Moves the checkpoint and tells `CheckpointWaiter`s, in one round trip.
    static func advance(_ connection: PostgresConnection, name: String, to sequence: UInt64, eventTime: Date?) async throws {
        _ = try await connection.pipeline([
            PostgresStatement(
                """
                update projection_checkpoints
                   set last_sequence = greatest(last_sequence, $2), last_event_time = coalesce($3, last_event_time),
                       updated_at = now(), poison_sequence = null, poison_type = null, poison_reason = null, poisoned_at = null,
                       skip_sequence = case when skip_sequence <= $2 then null else skip_sequence end
                 where name = $1
                """, [name, Int64(sequence), eventTime]),
            PostgresStatement("select pg_notify($1, $2)", [checkpointChannel, "\(name):\(sequence)"]),
        ])
    }
}

extension ProjectionCheckpoint {
    /// The NOTIFY channel each checkpoint transaction signals, payload `<projection>:<sequence>`;
    /// public so a listener shared by many waiters (booking-web's `CheckpointWatch`) hears the
    /// same channel the projector writes to.
    public static let notificationChannel = CheckpointSQL.checkpointChannel
}
