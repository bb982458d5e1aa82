/// Why a message cannot be built or sent as given. Never retryable: the same input fails again.
public enum MailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(String, reason: String)
    case invalidDisplayName(String)
    case noRecipients
    case noBody
    case invalidHeader(name: String, reason: String)
    case invalidIdentifier(String, reason: String)

    public var description: String {
        switch self {
        case .invalidAddress(let address, let reason):
            "invalid mail address \(address.debugDescription): \(reason)"
        case .invalidDisplayName(let name):
            "invalid display name \(name.debugDescription): control characters are not allowed"
        case .noRecipients:
            "the message has no recipients (to, cc and bcc are all empty)"
        case .noBody:
            "the message has neither a text nor an HTML body"
        case .invalidHeader(let name, let reason):
            "invalid header \(name.debugDescription): \(reason)"
        case .invalidIdentifier(let identifier, let reason):
            "invalid message identifier \(identifier.debugDescription): \(reason)"
        }
    }
}
