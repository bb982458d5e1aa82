// TEMPORARY: stands in for TestSupport's `TestServers` until it lands on main; delete this file
// then (the tests use the same API). It needs a running PostgreSQL 15 named by
// ALMANAC_TEST_PG_CONNINFO, e.g. "host=127.0.0.1 port=55432 user=postgres dbname=postgres".
import Foundation
import PostgresClient

struct TestServers: Sendable {
    let adminConninfo: String

    static func shared() async throws -> TestServers {
        guard let conninfo = ProcessInfo.processInfo.environment["ALMANAC_TEST_PG_CONNINFO"] else {
            throw PostgresClientError(.invalidArgument, "set ALMANAC_TEST_PG_CONNINFO to a PostgreSQL 15 admin conninfo")
        }
        return TestServers(adminConninfo: conninfo)
    }

    /// A fresh empty database; returns its conninfo.
    func makeDatabase(prefix: String) async throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await PostgresConnection.connect(PostgresConfiguration(conninfo: adminConninfo))
        try await admin.executeScript("create database \(try PostgresIdentifier.quote(name))")
        await admin.close()
        return "\(adminConninfo) dbname=\(name)"
    }
}
