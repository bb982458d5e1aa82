import BookingReadModels
import Foundation
import Logging
import PostgresClient

/// Read-your-writes for the booking API: an accepted command answers only once the booking
/// projection's checkpoint has reached the sequence it appended (woken by the checkpoint's
/// NOTIFY on a listener shared by all requests, see `CheckpointWatch`), so the next GET shows
/// the change. After `timeout` it answers anyway — the write did happen — and says the read
/// model is behind.
public struct ReadYourWrites: Sendable {
    public let watch: CheckpointWatch
    public var timeout: Duration

    public init(watch: CheckpointWatch, timeout: Duration = .seconds(2)) {
        self.watch = watch
        self.timeout = timeout
    }

    public init(pool: PostgresPool, projection: String = BookingReadModel.name, timeout: Duration = .seconds(2)) {
        self.init(watch: CheckpointWatch(pool: pool, projection: projection), timeout: timeout)
    }

    /// The response header saying whether the read model already shows the write.
    public static let headerName = "Almanac-Read-Model"

    /// True once the read model holds `sequence`; false when it did not within the timeout or
    /// could not be asked (the command's success stands either way).
    func waitUntilVisible(_ sequence: UInt64, logger: Logger) async -> Bool {
        let visible = await watch.wait(for: sequence, timeout: timeout)
        if !visible { logger.warning("read model \(watch.projection) did not show #\(sequence) within \(timeout); answering anyway") }
        return visible
    }
}
