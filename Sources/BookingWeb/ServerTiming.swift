import Foundation
import HTTPTypes
import Hummingbird

/// Where a request's time went inside booking-web, as `Server-Timing` entries (W3C Server
/// Timing: `name;dur=<milliseconds>`): `auth` (bearer token verified), `cmd` (the command's
/// NATS request to the handler and its reply: decide + append included), `ryw` (waiting for
/// the read model to show the write) and `app` (everything from the token check to the
/// answer). Browsers' developer tools show it; the booking benchmark adds it up per layer.
/// Durations only, no names or data, so it is safe to send to anyone.
enum ServerTiming {
    static let name = HTTPField.Name("Server-Timing")!

    /// `name;dur=1.234` for a duration.
    static func entry(_ metric: String, _ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
        return "\(metric);dur=\(String(format: "%.3f", milliseconds))"
    }

    /// Adds the entries to `response` (one field each: HTTP joins repeated fields with commas).
    static func add(_ entries: [String], to response: inout Response) {
        for entry in entries { response.headers.append(HTTPField(name: name, value: entry)) }
    }
}
