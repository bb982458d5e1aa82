import Foundation
import PostgresClient

/// Read-your-writes: after appending an event at sequence N, wait until a projection's
/// checkpoint has reached N before querying its tables. Woken by the NOTIFY that each
/// checkpoint transaction sends, not by polling.
public enum CheckpointWaiter {
    /// Returns the checkpoint once it is at least `sequence`; throws `ProjectionError.timedOut`.
    @discardableResult
    public static func wait(for projection: String, toReach sequence: UInt64, pool: PostgresPool,
                            timeout: Duration = .seconds(5)) async throws -> UInt64 {
        let listener = try await pool.makeListener()
        do {
            let notifications = listener.notifications()
            try await listener.listen(CheckpointSQL.checkpointChannel)
            // Read after LISTEN: a commit between the two is either seen here or notified.
            let current = try await pool.withConnection { try await CheckpointSQL.read($0, name: projection) }?.lastSequence ?? 0
            if current >= sequence {
                await listener.close()
                return current
            }
            let reached = try await withThrowingTaskGroup(of: UInt64?.self) { group in
                group.addTask {
                    let prefix = projection + ":"
                    for try await note in notifications where note.payload.hasPrefix(prefix) {
                        if let value = UInt64(note.payload.dropFirst(prefix.count)), value >= sequence { return value }
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            await listener.close()
            guard let reached else {
                throw ProjectionError.timedOut("projection \(projection) did not reach #\(sequence) within \(timeout) (it is at #\(current) or a little later)")
            }
            return reached
        } catch {
            await listener.close()
            throw error
        }
    }
}
