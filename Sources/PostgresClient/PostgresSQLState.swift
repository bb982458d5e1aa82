/// A five-character SQLSTATE code (Appendix A of the PostgreSQL manual).
public struct PostgresSQLState: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let code: String

    public init(_ code: String) { self.code = code }
    public init(stringLiteral value: String) { self.code = value }

    /// The two-character class, e.g. "23" (integrity constraint violation).
    public var errorClass: Substring { code.prefix(2) }
    public var description: String { code }

    public static let uniqueViolation: Self = "23505"
    public static let foreignKeyViolation: Self = "23503"
    public static let notNullViolation: Self = "23502"
    public static let checkViolation: Self = "23514"
    public static let exclusionViolation: Self = "23P01"
    public static let serializationFailure: Self = "40001"
    public static let deadlockDetected: Self = "40P01"
    public static let syntaxError: Self = "42601"
    public static let undefinedTable: Self = "42P01"
    public static let undefinedColumn: Self = "42703"
    public static let duplicateTable: Self = "42P07"
    public static let insufficientPrivilege: Self = "42501"
    public static let invalidTextRepresentation: Self = "22P02"
    public static let lockNotAvailable: Self = "55P03"
    public static let queryCanceled: Self = "57014"
    public static let adminShutdown: Self = "57P01"
    public static let invalidCatalogName: Self = "3D000"
    public static let invalidPassword: Self = "28P01"
}
