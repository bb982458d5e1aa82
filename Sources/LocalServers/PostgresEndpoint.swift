import Foundation

/// A PostgreSQL server reached over TCP with trust authentication, administered through the
/// client binaries (psql) — LocalServers links no client library.
public struct PostgresEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    /// Where psql and pg_isready live.
    public var binDirectory: String

    public init(host: String, port: Int, user: String, binDirectory: String) {
        self.host = host
        self.port = port
        self.user = user
        self.binDirectory = binDirectory
    }

    /// A libpq conninfo string: "host=127.0.0.1 port=54321 user=postgres dbname=almanac".
    public func connectionString(database: String) -> String {
        [("host", host), ("port", "\(port)"), ("user", user), ("dbname", database)]
            .map { "\($0.0)=\(Self.conninfoValue($0.1))" }
            .joined(separator: " ")
    }

    /// Creates an empty database; throws if it exists. Names: letters, digits, underscore, ≤ 63.
    public func createDatabase(_ name: String) async throws {
        try Self.validate(databaseName: name)
        try await psql("CREATE DATABASE \"\(name)\"")
    }

    /// Creates the database unless it exists; returns whether it created it.
    @discardableResult
    public func ensureDatabase(_ name: String) async throws -> Bool {
        if try await databaseExists(name) { return false }
        do {
            try await createDatabase(name)
            return true
        } catch let failure as ProcessFailure where failure.standardError.contains("already exists") {
            return false  // created concurrently by someone else: the outcome we wanted
        }
    }

    public func dropDatabase(_ name: String) async throws {
        try Self.validate(databaseName: name)
        try await psql("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
    }

    public func databaseExists(_ name: String) async throws -> Bool {
        try Self.validate(databaseName: name)
        return try await psql("SELECT 1 FROM pg_database WHERE datname = '\(name)'") == "1"
    }

    /// Runs SQL through `psql -X -A -t` (stops at the first error) and returns its trimmed output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        let result = try await ProcessRunner.run(
            "\(binDirectory)/psql",
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", connectionString(database: database), "-c", sql],
            environment: Self.clientEnvironment
        )
        return try result.checked().output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the server accepts connections (pg_isready).
    public func isReady() async -> Bool {
        let result = try? await ProcessRunner.run(
            "\(binDirectory)/pg_isready",
            ["-q", "-h", host, "-p", "\(port)", "-U", user, "-d", "postgres", "-t", "2"],
            environment: Self.clientEnvironment, timeout: .seconds(10)
        )
        return result?.succeeded == true
    }

    /// Our connection parameters are all explicit; the caller's PG* variables must not redirect them.
    static let clientEnvironment: [String: String?] = [
        "PGHOST": nil, "PGHOSTADDR": nil, "PGPORT": nil, "PGUSER": nil, "PGDATABASE": nil,
        "PGSERVICE": nil, "PGOPTIONS": nil, "PGPASSWORD": nil, "PGCONNECT_TIMEOUT": "5", "LC_ALL": "C",
    ]

    static func validate(databaseName name: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f
        }
        guard allowed, (1...63).contains(name.utf8.count) else {
            throw LocalServersMisuse("invalid database name '\(name)': use 1 to 63 letters, digits or underscores")
        }
    }

    /// libpq quoting: values with spaces, quotes or backslashes go in single quotes, escaped.
    private static func conninfoValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "'" || $0 == "\\" }
        guard needsQuotes else { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
