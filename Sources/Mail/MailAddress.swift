/// One mailbox: an address (`local@domain`) and an optional display name.
///
/// Validation is deliberately stricter than RFC 5322 allows (no quoted local parts, no comments,
/// no IP literals): what passes is an address every transport here (Graph, SMTP envelope,
/// RFC 5322 header) accepts unchanged, and a template that renders anything else fails the
/// step at once, without a retry.
public struct MailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let address: String
    public let name: String?

    /// Validates `address` (surrounding white space is ignored) and keeps `name` as given.
    public init(_ address: String, name: String? = nil) throws(MailMessageError) {
        let trimmed = address.trimmingWhitespace
        try Self.validate(trimmed)
        self.address = trimmed
        let cleanName = name?.trimmingWhitespace
        if let cleanName, cleanName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidDisplayName(cleanName)
        }
        self.name = cleanName?.isEmpty == false ? cleanName : nil
    }

    /// Parses `ada@example.com` or `Ada Lovelace <ada@example.com>` (a name may be quoted).
    public init(parsing text: String) throws(MailMessageError) {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let inner = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = trimmed[..<open].trimmingWhitespace
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
            }
            try self.init(inner, name: name)
        } else {
            try self.init(trimmed)
        }
    }

    /// `Name <address>` or the bare address, for people and logs (not header-encoded).
    public var description: String {
        guard let name else { return address }
        return "\(name) <\(address)>"
    }

    /// The part after the `@`.
    public var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@")!)...]
    }

    // MARK: Validation

    /// RFC 5322 `atext` without the letters and digits: what a dot-atom local part may hold.
    private static let localSpecials: Set<Unicode.Scalar> = [
        "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~",
    ]

    static func validate(_ address: String) throws(MailMessageError) {
        guard !address.isEmpty else { throw .invalidAddress(address, reason: "it is empty") }
        if address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.isWhitespace && $0 != " " }) {
            throw .invalidAddress(address, reason: "it contains a line break or control character")
        }
        guard address.utf8.count <= 254 else { throw .invalidAddress(address, reason: "it is longer than 254 characters") }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidAddress(address, reason: parts.count == 1 ? "it has no @" : "it has more than one @")
        }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty else { throw .invalidAddress(address, reason: "nothing before the @") }
        guard local.utf8.count <= 64 else { throw .invalidAddress(address, reason: "the part before the @ is longer than 64 characters") }
        guard !domain.isEmpty else { throw .invalidAddress(address, reason: "nothing after the @") }
        for atom in local.split(separator: ".", omittingEmptySubsequences: false) {
            guard !atom.isEmpty else { throw .invalidAddress(address, reason: "the part before the @ has an empty dot-separated piece") }
            for scalar in atom.unicodeScalars where !(scalar.isASCIILetterOrDigit || localSpecials.contains(scalar)) {
                throw .invalidAddress(address, reason: "the part before the @ contains \(String(scalar).debugDescription)")
            }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw .invalidAddress(address, reason: "the domain \(String(domain).debugDescription) has no dot") }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63 else {
                throw .invalidAddress(address, reason: "the domain \(String(domain).debugDescription) has an empty or over-long label")
            }
            guard label.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "-" }),
                  label.first != "-", label.last != "-"
            else {
                throw .invalidAddress(address, reason: "the domain \(String(domain).debugDescription) may hold only letters, digits, dots and inner hyphens")
            }
        }
    }
}

extension Unicode.Scalar {
    var isASCIILetterOrDigit: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
