import Foundation

/// How `almanac booking-web` is configured: flags override the environment
/// (`ALMANAC_HTTP_HOST`, `ALMANAC_HTTP_PORT`, `ALMANAC_NATS_URL`, `ALMANAC_NATS_CREDS`,
/// `ALMANAC_DATABASE_URL`, `ALMANAC_READ_YOUR_WRITES_TIMEOUT_MS`, `ALMANAC_OIDC_ISSUER`,
/// `ALMANAC_OIDC_AUDIENCE`, `ALMANAC_DEV_ISSUER_KEYS`). Plain values, so the CLI stays thin
/// and this is testable.
public struct BookingWebSettings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var natsURL = "nats://127.0.0.1:4222"
    public var natsCredentials: String?
    /// The OIDC issuer whose tokens are accepted (Entra ID in production).
    public var issuer: String?
    public var audience = "almanac"
    /// Serve a local dev issuer (discovery, JWKS, demo login page) and accept its tokens
    /// instead of an external issuer's; its key is kept in `devIssuerKeyFolder` when given.
    public var devIssuer = false
    public var devIssuerKeyFolder: String?
    /// The PostgreSQL database holding the read models (URL or libpq conninfo).
    public var databaseURL = "postgresql://127.0.0.1:5432/almanac"
    /// Connections for queries (read-your-writes adds one listener connection of its own).
    public var databasePoolSize = 8
    /// How long an accepted command waits for the booking read model to show it before
    /// answering anyway with `Almanac-Read-Model: behind`.
    public var readYourWritesTimeout: Duration = .seconds(2)
    public var maximumBodyBytes = 64 * 1024

    public init() {}

    /// Defaults overridden by the `ALMANAC_*` variables of `environment` that are set.
    public init(environment: [String: String]) throws(BookingWebSettingsError) {
        if let host = environment["ALMANAC_HTTP_HOST"] { self.host = host }
        if let text = environment["ALMANAC_HTTP_PORT"] {
            guard let port = Int(text) else { throw BookingWebSettingsError("ALMANAC_HTTP_PORT \(text.debugDescription) is not a port number") }
            self.port = port
        }
        if let url = environment["ALMANAC_NATS_URL"] { natsURL = url }
        natsCredentials = environment["ALMANAC_NATS_CREDS"]
        issuer = environment["ALMANAC_OIDC_ISSUER"]
        if let audience = environment["ALMANAC_OIDC_AUDIENCE"] { self.audience = audience }
        if let url = environment["ALMANAC_DATABASE_URL"] { databaseURL = url }
        if let text = environment["ALMANAC_READ_YOUR_WRITES_TIMEOUT_MS"] {
            guard let milliseconds = Int(text), milliseconds >= 0 else {
                throw BookingWebSettingsError("ALMANAC_READ_YOUR_WRITES_TIMEOUT_MS \(text.debugDescription) is not a whole number of milliseconds")
            }
            readYourWritesTimeout = .milliseconds(milliseconds)
        }
        devIssuerKeyFolder = environment["ALMANAC_DEV_ISSUER_KEYS"]
    }

    /// Why these settings cannot start a server, or nothing when they can.
    public func validate() throws(BookingWebSettingsError) {
        guard (0...65_535).contains(port) else { throw BookingWebSettingsError("the port must be from 0 to 65535, not \(port)") }
        if devIssuer, issuer != nil {
            throw BookingWebSettingsError("choose either an OIDC issuer (--issuer) or the dev issuer (--dev-issuer), not both")
        }
        if !devIssuer, issuer == nil {
            throw BookingWebSettingsError("no token issuer: set --issuer (ALMANAC_OIDC_ISSUER), or --dev-issuer for local use")
        }
        guard !databaseURL.isEmpty else { throw BookingWebSettingsError("no database: set --database-url (ALMANAC_DATABASE_URL)") }
        guard databasePoolSize >= 1 else { throw BookingWebSettingsError("the database pool needs at least 1 connection, not \(databasePoolSize)") }
        guard readYourWritesTimeout >= .zero else { throw BookingWebSettingsError("the read-your-writes timeout must not be negative") }
        guard maximumBodyBytes > 0 else { throw BookingWebSettingsError("the body limit must be positive") }
    }

    /// The dev issuer's URL: this server's own address.
    var devIssuerURL: String { "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)" }
}

public struct BookingWebSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
