import Foundation

/// Header field values as RFC 5322 and RFC 2047 want them: ASCII only, folded so that lines
/// stay short, non-ASCII text as `=?UTF-8?B?...?=` encoded-words.
enum HeaderEncoding {
    /// `Name: value`, the value encoded when it is not plain ASCII, folded at spaces otherwise.
    static func unstructuredField(_ name: String, _ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.value >= 32 || $0 == "\t") && $0.value != 127 }) {
            return fold("\(name): \(value)")
        }
        return "\(name): " + encodedWords(value).joined(separator: "\r\n ")
    }

    /// `Name: a, b, c` with one mailbox per folded line when the line would get long.
    static func addressField(_ name: String, _ addresses: [MailAddress]) -> String {
        var line = "\(name): "
        var lineLength = line.count
        for (index, address) in addresses.enumerated() {
            let mailbox = self.mailbox(address) + (index < addresses.count - 1 ? "," : "")
            if index > 0 {
                if lineLength + 1 + mailbox.count > 76 {
                    line += "\r\n "
                    lineLength = 1
                } else {
                    line += " "
                    lineLength += 1
                }
            }
            line += mailbox
            lineLength += mailbox.count
        }
        return line
    }

    /// `address`, `Name <address>`, `"Name, Quoted" <address>` or `=?UTF-8?B?...?= <address>`.
    static func mailbox(_ address: MailAddress) -> String {
        guard let name = address.name else { return address.address }
        if !name.unicodeScalars.allSatisfy(\.isASCII) {
            return encodedWords(name).joined(separator: " ") + " <\(address.address)>"
        }
        let atextOrSpace = name.unicodeScalars.allSatisfy { $0.isASCIILetterOrDigit || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0) }
        if atextOrSpace { return "\(name) <\(address.address)>" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address.address)>"
    }

    /// RFC 2047 B-encoded words of at most 60 characters each, never splitting a character.
    static func encodedWords(_ text: String) -> [String] {
        // RFC 2047 allows 75 characters per word; 36 bytes (48 base64 characters, 60 in all)
        // leave room for a field name of up to 16 characters on the first line within 78.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 36, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Base64.encode(bytes))?="
    }

    /// Folds an ASCII field at spaces so lines stay within 78 characters where possible.
    static func fold(_ field: String) -> String {
        guard field.count > 78 else { return field }
        var lines: [String] = []
        var current = ""
        for (index, word) in field.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                current = String(word)
            } else if current.count + 1 + word.count > 78, !current.trimmingWhitespace.isEmpty {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
