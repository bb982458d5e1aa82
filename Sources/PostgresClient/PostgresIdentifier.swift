/// SQL identifiers (table, column, channel names) cannot be bound as parameters, so the few
/// places that must put one into a statement quote it here.
public enum PostgresIdentifier {
    /// `"name"` with embedded double quotes doubled: always a single identifier, case kept.
    /// Throws for the empty string and for NUL (PostgreSQL accepts neither).
    public static func quote(_ name: String) throws -> String {
        guard !name.isEmpty else { throw PostgresClientError(.invalidArgument, "an SQL identifier cannot be empty") }
        guard !name.utf8.contains(0) else {
            throw PostgresClientError(.invalidArgument, "an SQL identifier cannot contain a NUL character")
        }
        return "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    /// A possibly schema-qualified name given as parts: `["public", "bookings"]` → `"public"."bookings"`.
    public static func quote(qualified parts: [String]) throws -> String {
        try parts.map(quote).joined(separator: ".")
    }

    /// True for a plain identifier: a letter or `_`, then letters, digits, `_` or `$`, at most
    /// 63 bytes (NAMEDATALEN - 1). Used for LISTEN channel names.
    public static func isPlain(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63 else { return false }
        func isLetter(_ c: UInt8) -> Bool { (65...90).contains(c) || (97...122).contains(c) || c == 95 }
        guard isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (48...57).contains($0) || $0 == 36 }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
