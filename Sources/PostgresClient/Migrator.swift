import Foundation
import Logging

/// Applies the numbered SQL files of a directory in order, each in its own transaction, and
/// records them in `schema_migrations`. Safe when several processes start at once: the whole
/// run holds a session advisory lock, so a second migrator waits, then finds everything applied.
///
/// A migration file must not contain its own BEGIN/COMMIT, nor statements that cannot run in a
/// transaction block (CREATE INDEX CONCURRENTLY, ...).
public struct Migrator: Sendable {
    /// The advisory lock key: "almanac" in ASCII.
    public static let defaultLockKey: Int64 = 0x61_6c_6d_61_6e_61_63

    public let directory: URL
    public let lockKey: Int64
    let logger: Logger

    public init(directory: URL, lockKey: Int64 = Migrator.defaultLockKey, logger: Logger = Logger(label: "almanac.migrator")) {
        self.directory = directory
        self.lockKey = lockKey
        self.logger = logger
    }

    /// Applies what is pending on one pooled connection; returns the migrations applied now.
    @discardableResult
    public func migrate(_ pool: PostgresPool) async throws -> [Migration] {
        try await pool.withConnection { try await migrate($0) }
    }

    /// Applies what is pending on `connection`; returns the migrations applied now (empty when
    /// everything was already applied). Throws `MigrationError` when an applied file changed.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) async throws -> [Migration] {
        let migrations = try Migration.load(from: directory)
        // Session-level lock: held across the per-migration transactions, released below or,
        // if this process dies, when its session ends.
        try await connection.execute("select pg_advisory_lock($1)", [lockKey])
        do {
            let applied = try await applyPending(migrations, on: connection)
            try await connection.execute("select pg_advisory_unlock($1)", [lockKey])
            return applied
        } catch {
            await connection.rollbackIfOpen()
            if connection.isUsable { try? await connection.executeForCleanup("select pg_advisory_unlock($1)", [lockKey]) }
            throw error
        }
    }

    /// The versions recorded in `schema_migrations` (empty if the table does not exist yet).
    public func appliedVersions(_ connection: PostgresConnection) async throws -> [Int] {
        let exists = try await connection.query("select to_regclass('schema_migrations') is not null").singleValue(Bool.self)
        guard exists == true else { return [] }
        return try await connection.query("select version from schema_migrations order by version").decodeColumn(Int.self)
    }

    private func applyPending(_ migrations: [Migration], on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.executeScript(
            """
            create table if not exists schema_migrations (
                version int primary key,
                name text not null,
                checksum text not null,
                applied_at timestamptz not null default now()
            )
            """)
        let rows = try await connection.query("select version, name, checksum from schema_migrations order by version")
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for row in rows {
            let (version, name, checksum) = try row.decode(Int.self, String.self, String.self)
            recorded[version] = (name, checksum)
        }

        let onDisk = Set(migrations.map(\.version))
        for (version, entry) in recorded.sorted(by: { $0.key < $1.key }) where !onDisk.contains(version) {
            // A newer release may have applied it; this one can still run with the older schema.
            logger.warning("applied migration has no file", metadata: ["version": "\(version)", "name": "\(entry.name)"])
        }

        var applied: [Migration] = []
        for migration in migrations {
            if let entry = recorded[migration.version] {
                guard entry.checksum == migration.checksum else {
                    throw MigrationError(
                        .checksumMismatch,
                        "migration \(migration.fileName) was changed after it was applied (checksum \(entry.checksum.prefix(12)) in the database, \(migration.checksum.prefix(12)) on disk): add a new migration instead of editing an applied one")
                }
                continue
            }
            do {
                try await connection.transaction(retry: .never) { tx in
                    try await tx.executeScript(migration.sql)
                    try await tx.execute(
                        "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)",
                        [migration.version, migration.name, migration.checksum])
                }
            } catch let error as any PostgresErrorProtocol {
                throw MigrationError(.migrationFailed, "migration \(migration.fileName) failed: \(error)", underlying: error)
            }
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration)
        }
        return applied
    }
}
