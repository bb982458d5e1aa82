import Foundation

/// How to open a session: a libpq connection string (`host=... port=... dbname=...`) or a
/// `postgresql://user:pass@host:port/db?sslmode=...` URL, both as libpq understands them.
public struct PostgresConfiguration: Sendable {
    /// A libpq conninfo string or a postgres:// / postgresql:// URL. May carry a password:
    /// this module never logs it.
    public var conninfo: String
    /// How long connecting (TCP, TLS, authentication) may take before giving up.
    public var connectTimeout: Duration
    /// Shown in pg_stat_activity.
    public var applicationName: String?

    public init(conninfo: String, connectTimeout: Duration = .seconds(10), applicationName: String? = nil) {
        self.conninfo = conninfo
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }

    public init(url: URL, connectTimeout: Duration = .seconds(10), applicationName: String? = nil) {
        self.init(conninfo: url.absoluteString, connectTimeout: connectTimeout, applicationName: applicationName)
    }

    /// Settings every session gets, so that text-format values read back predictably:
    /// ISO dates in UTC, hex bytea, shortest-exact floats.
    static let sessionOptions = "-c DateStyle=ISO,MDY -c TimeZone=UTC -c bytea_output=hex -c extra_float_digits=1"
}
