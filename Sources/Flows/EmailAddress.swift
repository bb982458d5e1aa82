import Foundation

/// A mailbox address as flows accept it: `local@domain.tld`, no spaces or angle brackets. Deliberately
/// stricter than RFC 5322 (no quoted local parts, no comments): what the mail services accept.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, local.count <= 64,
              !domain.isEmpty, domain.count <= 253, text.count <= 254 else { return false }
        let localAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+/=?^_`{|}~.-"))
        guard local.unicodeScalars.allSatisfy(localAllowed.contains), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        let labelAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-"))
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy(labelAllowed.contains)
        }
    }

    /// Splits a rendered recipient field (`a@x.ch, b@y.ch`) into addresses; the error names the
    /// first that is not an address (a step fails with it, not retried).
    public static func list(from rendered: String) throws(InvalidEmailAddress) -> [String] {
        let addresses = rendered.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !addresses.isEmpty else { throw InvalidEmailAddress(text: rendered, reason: "renders to no address at all") }
        for address in addresses where !isValid(address) {
            throw InvalidEmailAddress(text: address, reason: "is not an email address (expected name@example.com)")
        }
        return addresses
    }
}

public struct InvalidEmailAddress: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }
    public var description: String { "'\(text)' \(reason)" }
}
