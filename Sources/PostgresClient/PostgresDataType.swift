/// A PostgreSQL type, by OID (pg_type.oid of the built-in types).
public struct PostgresDataType: Hashable, Sendable, CustomStringConvertible {
    public let oid: UInt32

    public init(oid: UInt32) { self.oid = oid }

    /// Let the server infer the parameter's type from its use.
    public static let unspecified = Self(oid: 0)
    public static let bool = Self(oid: 16)
    public static let bytea = Self(oid: 17)
    public static let name = Self(oid: 19)
    public static let int8 = Self(oid: 20)
    public static let int2 = Self(oid: 21)
    public static let int4 = Self(oid: 23)
    public static let text = Self(oid: 25)
    public static let oidType = Self(oid: 26)
    public static let json = Self(oid: 114)
    public static let float4 = Self(oid: 700)
    public static let float8 = Self(oid: 701)
    public static let bpchar = Self(oid: 1042)
    public static let varchar = Self(oid: 1043)
    public static let date = Self(oid: 1082)
    public static let timestamp = Self(oid: 1114)
    public static let timestamptz = Self(oid: 1184)
    public static let numeric = Self(oid: 1700)
    public static let uuid = Self(oid: 2950)
    public static let jsonb = Self(oid: 3802)

    static let names: [UInt32: String] = [
        0: "unspecified", 16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4",
        25: "text", 26: "oid", 114: "json", 700: "float4", 701: "float8", 1042: "bpchar",
        1043: "varchar", 1082: "date", 1114: "timestamp", 1184: "timestamptz", 1700: "numeric",
        2950: "uuid", 3802: "jsonb",
    ]

    public var description: String { Self.names[oid] ?? "oid \(oid)" }
}
