import BookingWeb
import Hummingbird
import Logging
import NATSClient

// Apart from the rest of the benchmark because Hummingbird's HTTPRequest (HTTPTypes) would
// shadow the HTTP client's.

/// booking-web as `almanac booking-web` assembles it, serving until the task is cancelled.
/// When the app needs more to start (a database for read-your-writes), this is the one place
/// that changes.
func startBookingWeb(_ settings: BookingWebSettings, nats: NATSConnection, logger: Logger) async throws -> Task<Void, any Error> {
    let app = try await BookingWebServer.makeApplication(settings, nats: nats, logger: logger)
    return Task { try await app.run() }
}
