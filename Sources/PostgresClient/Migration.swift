import Foundation

/// One numbered SQL file, `NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    public let version: Int
    /// The part after the number, e.g. `projection_checkpoints`.
    public let name: String
    public let fileName: String
    /// SHA-256 of the file's bytes, hex.
    public let checksum: String
    public let sql: String

    /// Reads every `NNNN_name.sql` in `directory`, sorted by number. Other files are ignored; a
    /// `.sql` file with another name, or two files with one number, is an error.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(.directoryUnreadable, "cannot read migrations directory \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for fileName in names where fileName.hasSuffix(".sql") {
            guard let (version, name) = parse(fileName) else {
                throw MigrationError(.badFileName, "migration file \(fileName) is not named NNNN_name.sql")
            }
            let url = directory.appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: url.path),
                  let sql = String(data: data, encoding: .utf8)
            else {
                throw MigrationError(.directoryUnreadable, "cannot read migration file \(url.path) as UTF-8")
            }
            migrations.append(Migration(version: version, name: name, fileName: fileName, checksum: SHA256.hex(data), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError(.duplicateVersion, "migrations \(a.fileName) and \(b.fileName) have the same number \(a.version)")
        }
        return migrations
    }

    private static func parse(_ fileName: String) -> (Int, String)? {
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let number = stem[..<underscore], name = stem[stem.index(after: underscore)...]
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }), let version = Int(number),
              !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return nil }
        return (version, String(name))
    }
}
