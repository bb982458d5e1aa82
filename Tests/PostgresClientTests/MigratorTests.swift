import Foundation
import PostgresClient
import Testing

@Suite("Migrations")
struct MigratorTests {
    /// A temporary migrations directory with these files.
    private func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    private let files = [
        "0001_sites.sql": "create table sites (id int primary key, name text not null);",
        "0002_resources.sql": """
            create table resources (id int primary key, site_id int not null references sites(id));
            create index resources_site on resources (site_id);
            """,
        "0010_seed.sql": "insert into sites values (1, 'HQ');",
        "README.md": "not a migration",
    ]

    @Test func appliesInOrderOnceAndRecordsChecksums() async throws {
        try await withTestPool { pool, _ in
            let dir = try directory(files)
            let migrator = Migrator(directory: dir)
            let applied = try await migrator.migrate(pool)
            #expect(applied.map(\.version) == [1, 2, 10])
            #expect(applied.map(\.name) == ["sites", "resources", "seed"])
            #expect(try await migrator.migrate(pool).isEmpty)  // second run: nothing to do

            let rows = try await pool.query("select version, name, checksum, applied_at from schema_migrations order by version")
            #expect(try rows.decodeColumn(Int.self) == [1, 2, 10])
            #expect(try rows.map { try $0.decode(String.self, column: "checksum") } == applied.map(\.checksum))
            #expect(applied.allSatisfy { $0.checksum.count == 64 })
            #expect(try await pool.query("select name from sites").singleValue(String.self) == "HQ")

            // A new file is applied on the next run, alone.
            try "alter table sites add column zone text;".write(
                to: dir.appendingPathComponent("0011_zone.sql"), atomically: true, encoding: .utf8)
            #expect(try await migrator.migrate(pool).map(\.fileName) == ["0011_zone.sql"])
        }
    }

    @Test func refusesWhenAnAppliedFileChanged() async throws {
        try await withTestPool { pool, _ in
            let dir = try directory(files)
            try await Migrator(directory: dir).migrate(pool)
            try "create table sites (id int primary key);  -- edited".write(
                to: dir.appendingPathComponent("0001_sites.sql"), atomically: true, encoding: .utf8)
            let error = await #expect(throws: MigrationError.self) { try await Migrator(directory: dir).migrate(pool) }
            #expect(error?.kind == .checksumMismatch)
            #expect(error?.description.contains("0001_sites.sql was changed after it was applied") == true)
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test func failedMigrationRollsBackAloneAndNamesTheFile() async throws {
        try await withTestPool { pool, _ in
            let dir = try directory([
                "0001_ok.sql": "create table ok (id int);",
                "0002_bad.sql": "create table half (id int);\ncreate tabel broken (id int);",
            ])
            let error = await #expect(throws: MigrationError.self) { try await Migrator(directory: dir).migrate(pool) }
            #expect(error?.kind == .migrationFailed)
            #expect(error?.sqlState == .syntaxError)
            #expect(error?.description.hasPrefix("migration 0002_bad.sql failed: ") == true)
            #expect(try await pool.query("select version from schema_migrations").decodeColumn(Int.self) == [1])
            #expect(try await pool.query("select to_regclass('half') is null").singleValue(Bool.self) == true)
        }
    }

    @Test func twoConcurrentMigratorsBothSucceedAndApplyEachOnce() async throws {
        let configuration = try await makeTestDatabase("pgmig")
        // pg_sleep makes the first run hold the lock long enough for the second to queue on it.
        var many = files
        many["0003_slow.sql"] = "select pg_sleep(0.3); create table audit (n int);"
        let dir = try directory(many)
        let poolA = PostgresPool(configuration, size: 1)
        let poolB = PostgresPool(configuration, size: 1)
        async let a = Migrator(directory: dir).migrate(poolA)
        async let b = Migrator(directory: dir).migrate(poolB)
        let (appliedA, appliedB) = try await (a, b)
        // Together they applied every file once; one of them found nothing left to do.
        #expect((appliedA + appliedB).map(\.version).sorted() == [1, 2, 3, 10])
        #expect(appliedA.isEmpty || appliedB.isEmpty)
        #expect(try await poolA.query("select count(*) from schema_migrations").singleValue(Int.self) == 4)
        #expect(try await poolA.query("select count(*) from sites").singleValue(Int.self) == 1)  // the seed ran once
        await poolA.close()
        await poolB.close()
    }

    @Test func theRepositoryMigrationsApply() async throws {
        // schemas/sql of this repository, found from this file's path.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("schemas/sql")
        try await withTestPool { pool, _ in
            let applied = try await Migrator(directory: dir).migrate(pool)
            #expect(applied.first?.fileName == "0001_projection_checkpoints.sql")
            try await pool.execute(
                "insert into projection_checkpoints (name, stream, last_sequence) values ($1, $2, $3)", ["bookings", "BOOKINGS", Int64(42)])
            #expect(try await pool.query("select last_sequence from projection_checkpoints").singleValue(Int64.self) == 42)
        }
    }

    @Test func badFileNamesAndDuplicatesAreRejected() throws {
        let bad = try directory(["1-sites.sql": "select 1;"])
        #expect(throws: MigrationError.self) { try Migration.load(from: bad) }
        let duplicate = try directory(["0001_a.sql": "select 1;", "001_b.sql": "select 2;"])
        let error = #expect(throws: MigrationError.self) { try Migration.load(from: duplicate) }
        #expect(error?.kind == .duplicateVersion)
        let missing = #expect(throws: MigrationError.self) {
            try Migration.load(from: URL(fileURLWithPath: "/nonexistent/almanac/sql"))
        }
        #expect(missing?.kind == .directoryUnreadable)
    }
}
