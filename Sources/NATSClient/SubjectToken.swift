/// An identifier that becomes one token of a NATS subject (`bookings.resource.<id>`).
///
/// Only `[A-Za-z0-9_-]{1,64}` is accepted: a `.` would add a token, `*` and `>` are wildcards and
/// whitespace ends the subject on the wire, so any of them would let input address other
/// aggregates. Validation happens before anything reaches NATS.
public struct SubjectToken: Sendable, Hashable, CustomStringConvertible, Codable {
    public static let maximumLength = 64

    public let value: String

    public init(_ value: String) throws(SubjectTokenError) {
        guard let problem = Self.problem(with: value) else {
            self.value = value
            return
        }
        throw SubjectTokenError(value: value, reason: problem)
    }

    /// Why `value` cannot be a subject token, or `nil` when it can.
    public static func problem(with value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.utf8.count > maximumLength { return "must be at most \(maximumLength) characters" }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return "may contain only letters, digits, '_' and '-'"
            }
        }
        return nil
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

public struct SubjectTokenError: NATSErrorProtocol, Equatable {
    public let value: String
    public let reason: String
    public var description: String { "invalid identifier \(String(reflecting: value)): \(reason)" }
}

/// A concrete subject to publish on: tokens joined by `.`, each token checked.
public enum Subject {
    /// Checks a full publish subject: non-empty tokens, no wildcards, no whitespace.
    public static func validatePublish(_ subject: String) throws {
        try validate(subject, allowWildcards: false)
    }

    /// Checks a subscription filter: like a publish subject, but `*` tokens and a final `>` are allowed.
    public static func validateFilter(_ subject: String) throws {
        try validate(subject, allowWildcards: true)
    }

    private static func validate(_ subject: String, allowWildcards: Bool) throws {
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        func fail(_ why: String) -> NATSError {
            NATSError(kind: .invalidArgument, message: "invalid subject \(String(reflecting: subject)): \(why)")
        }
        guard !subject.isEmpty else { throw fail("empty") }
        for (index, token) in tokens.enumerated() {
            if token.isEmpty { throw fail("empty token") }
            if token.utf8.contains(where: { $0 <= 32 || $0 == 127 }) { throw fail("whitespace or control character") }
            if token == "*" || token == ">" {
                if !allowWildcards { throw fail("wildcards are not allowed here") }
                if token == ">" && index != tokens.count - 1 { throw fail("'>' must be the last token") }
            } else if token.contains("*") || token.contains(">") {
                throw fail("'*' and '>' must stand alone as a token")
            }
        }
    }
}
