import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalPostgresServer {
    /// Creates the cluster on first use (initdb), or checks that an existing one fits.
    func prepareDataDirectory() async throws {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        // The postgres OS user must be able to reach the data folder inside.
        chmod(directory.path, 0o755)
        try prepareSocketDirectory()
        if let user = runAsUser { try await checkReachable(by: user) }

        let versionFile = dataDirectory.appendingPathComponent("PG_VERSION")
        if files.fileExists(atPath: versionFile.path) {
            try await checkExistingCluster(versionFile: versionFile)
            return
        }
        try files.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        chmod(dataDirectory.path, 0o700)
        if let user = runAsUser { try await ProcessRunner.run("chown", ["\(user):", dataDirectory.path]).checked() }

        var arguments = [
            "-D", dataDirectory.path, "--username=\(superuser)", "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-instructions",
        ]
        // Nothing to keep safe yet in a throwaway cluster; skipping the final fsync saves seconds.
        if configuration.durability == .throwaway { arguments.append("--no-sync") }
        logger.info("initdb", metadata: ["dir": "\(dataDirectory.path)"])
        try await ProcessRunner.run(
            "\(binDirectory)/initdb", arguments, environment: ["LC_ALL": "C", "PGDATA": nil],
            user: runAsUser, timeout: .seconds(300)
        ).checked()

        try writeOwned(Self.hostBasedAuthentication, to: dataDirectory.appendingPathComponent("pg_hba.conf"))
        let mainConfiguration = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: mainConfiguration)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n# Almanac LocalServers settings (port, socket, durability)\ninclude_if_exists = 'almanac.conf'\n".utf8))
        try handle.close()
    }

    /// Writes a file in the data folder, owned by the user postgres runs as.
    func writeOwned(_ text: String, to file: URL) throws {
        try text.write(to: file, atomically: false, encoding: .utf8)
        if let user = runAsUser, let account = getpwnam(user) {
            chown(file.path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
    }

    private func checkExistingCluster(versionFile: URL) async throws {
        let version = (try? String(contentsOf: versionFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        let serverVersion = try await ProcessRunner.run("\(binDirectory)/postgres", ["--version"]).checked().output
        guard serverVersion.contains(" \(version).") else {
            throw LocalServersMisuse(
                "\(dataDirectory.path) holds a PostgreSQL \(version) cluster but the server is \(serverVersion.trimmingCharacters(in: .whitespacesAndNewlines)); move the folder away to start afresh"
            )
        }
        // A folder copied or restored by root: hand it back to the user postgres runs as.
        if let user = runAsUser, let account = getpwnam(user),
           let owner = try? FileManager.default.attributesOfItem(atPath: dataDirectory.path)[.ownerAccountID] as? NSNumber,
           owner.uint32Value != account.pointee.pw_uid {
            try await ProcessRunner.run("chown", ["-R", "\(user):", dataDirectory.path]).checked()
        }
    }

    /// A socket folder outside the data folder (deep paths) must exist and belong to postgres.
    private func prepareSocketDirectory() throws {
        guard socketDirectory != dataDirectory.path else { return }
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        chmod(socketDirectory, 0o700)
        if let user = runAsUser, let account = getpwnam(user) {
            chown(socketDirectory, account.pointee.pw_uid, account.pointee.pw_gid)
        }
    }

    private func checkReachable(by user: String) async throws {
        let result = try await ProcessRunner.run("test", ["-x", directory.path], user: user)
        guard result.succeeded else {
            throw LocalServersMisuse(
                "the '\(user)' OS user cannot reach \(directory.path) (a parent folder is not world-searchable); use a folder under /tmp or chmod o+x the parents"
            )
        }
    }
}
