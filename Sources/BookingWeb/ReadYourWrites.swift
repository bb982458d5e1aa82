import BookingReadModels
import Foundation
import Logging
import PostgresClient
import Projections

/// Read-your-writes for the booking API: an accepted command answers only once the booking
/// projection's checkpoint has reached the sequence it appended (woken by the checkpoint's
/// NOTIFY, see `CheckpointWaiter`), so the next GET shows the change. After `timeout` it
/// answers anyway — the write did happen — and says the read model is behind.
public struct ReadYourWrites: Sendable {
    public var pool: PostgresPool
    public var projection: String
    public var timeout: Duration

    public init(pool: PostgresPool, projection: String = BookingReadModel.name, timeout: Duration = .seconds(2)) {
        self.pool = pool
        self.projection = projection
        self.timeout = timeout
    }

    /// The response header saying whether the read model already shows the write.
    public static let headerName = "Almanac-Read-Model"

    /// True once the read model holds `sequence`; false when it did not within the timeout or
    /// could not be asked (the command's success stands either way).
    func waitUntilVisible(_ sequence: UInt64, logger: Logger) async -> Bool {
        do {
            try await CheckpointWaiter.wait(for: projection, toReach: sequence, pool: pool, timeout: timeout)
            return true
        } catch {
            logger.warning("read model \(projection) is behind #\(sequence): \(error)")
            return false
        }
    }
}
