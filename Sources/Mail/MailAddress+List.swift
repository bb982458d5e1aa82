extension MailAddress {
    /// Parses what a template renders for a recipient field: one address or several separated
    /// by commas or semicolons (`Ada <ada@example.com>, "Lovelace, A." <al@example.com>`).
    /// Separators inside quotes or angle brackets do not split; empty entries are skipped.
    /// Any malformed entry fails the whole list, naming that entry.
    public static func parseList(_ text: String) throws(MailMessageError) -> [MailAddress] {
        var entries: [String] = []
        var current = ""
        var inQuotes = false
        var inAngle = false
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\" && inQuotes {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes && character == "<" {
                inAngle = true
            } else if !inQuotes && character == ">" {
                inAngle = false
            } else if !inQuotes && !inAngle && (character == "," || character == ";") {
                entries.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        entries.append(current)
        var addresses: [MailAddress] = []
        for entry in entries where !entry.trimmingWhitespace.isEmpty {
            addresses.append(try MailAddress(parsing: entry))
        }
        return addresses
    }
}
