/// Message headers: ordered, case-insensitive on lookup, several values per name allowed.
public struct NATSHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { append(name, value) }
    }

    public static func == (lhs: NATSHeaders, rhs: NATSHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public mutating func append(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Header names are tokens and values cannot hold line breaks: either would let a value
    /// smuggle extra headers into the wire format.
    func validate() throws {
        for field in fields {
            guard !field.name.isEmpty,
                  field.name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") })
            else {
                throw NATSError(kind: .invalidArgument, message: "invalid header name \(String(reflecting: field.name))")
            }
            guard !field.value.utf8.contains(where: { $0 == 10 || $0 == 13 }) else {
                throw NATSError(kind: .invalidArgument, message: "header \(field.name) contains a line break")
            }
        }
    }

    /// Parses a NATS header block (`NATS/1.0[ status [description]]\r\nName: value\r\n...`), as
    /// found base64-encoded in `STREAM.MSG.GET` answers.
    static func parse(block: [UInt8]) -> NATSHeaders {
        var headers = NATSHeaders()
        let text = String(decoding: block, as: UTF8.self)
        for (index, line) in text.split(separator: "\r\n", omittingEmptySubsequences: true).enumerated() {
            if index == 0 { continue } // the version line
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingSpaces()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers.append(String(name), String(value))
        }
        return headers
    }
}

extension StringProtocol {
    /// ASCII case-insensitive comparison on the bytes: header names are ASCII tokens, and this
    /// runs for every header of every event, where `lowercased()` allocated two strings a time.
    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        // Different lengths never match; for native strings the count is stored, so most
        // non-matching names are rejected without looking at a byte.
        guard self.utf8.count == other.utf8.count else { return false }
        var left = self.utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let a?, let b?):
                if a == b { continue }
                let lowerA = (a >= 65 && a <= 90) ? a | 0x20 : a
                let lowerB = (b >= 65 && b <= 90) ? b | 0x20 : b
                if lowerA != lowerB { return false }
            default: return false
            }
        }
    }

    func trimmingSpaces() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = s.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return s[first...last]
    }
}
