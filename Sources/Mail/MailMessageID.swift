/// An RFC 5322 Message-ID, `<left@right>` (the value includes the angle brackets).
///
/// `forStep(runID:stepID:domain:)` derives it from the run and step alone, so every attempt of
/// one step sends the same Message-ID: a receiving system (or the outbox's unique index) can see
/// that a retried send is the same mail.
public struct MailMessageID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    /// Accepts `<left@right>` or `left@right` (brackets added); `left` and `right` are dot-atoms.
    public init(_ value: String) throws(MailMessageError) {
        let bare = value.hasPrefix("<") && value.hasSuffix(">") ? String(value.dropFirst().dropLast()) : value
        let parts = bare.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isDotAtom(parts[0]), Self.isDotAtom(parts[1]) else {
            throw .invalidIdentifier(value, reason: "a Message-ID is <left@right> with letters, digits and . _ - + = only")
        }
        self.value = "<\(bare)>"
    }

    /// `<almanac.<runID>.<stepID>@<domain>>`. Run and step ids are subject tokens
    /// (`[A-Za-z0-9_-]`); anything else in them is refused, so two different steps can never
    /// map to one Message-ID.
    public static func forStep(runID: String, stepID: String, domain: String) throws(MailMessageError) -> MailMessageID {
        for (what, identifier) in [("run id", runID), ("step id", stepID)] {
            guard !identifier.isEmpty, identifier.count <= 64,
                  identifier.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "_" || $0 == "-" })
            else {
                throw .invalidIdentifier(identifier, reason: "a \(what) is 1 to 64 of A-Z a-z 0-9 _ -")
            }
        }
        return try MailMessageID("<almanac.\(runID).\(stepID)@\(domain)>")
    }

    /// Without the angle brackets, as Graph's `internetMessageId` and logs show it.
    public var bare: String { String(value.dropFirst().dropLast()) }

    public var description: String { value }

    private static func isDotAtom(_ text: Substring) -> Bool {
        !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy { $0.isASCIILetterOrDigit || "_-+=".unicodeScalars.contains($0) }
        }
    }
}
