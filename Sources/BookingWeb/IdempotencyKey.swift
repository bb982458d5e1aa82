import Access
import Booking
import CommandBus
import HTTPTypes
import Hummingbird

/// The `Idempotency-Key` header of a write, scoped to the person sending it: the command's key
/// and a new booking's id are derived from both, so a retry gets the first answer and the same
/// booking, while two people who happen to pick the same key never meet.
struct IdempotencyKey: Sendable, Equatable {
    static let header = HTTPField.Name("Idempotency-Key")!

    /// What the client sent.
    let value: String
    /// `value` scoped to the principal and the operation, as the command's idempotency key.
    let commandKey: String

    init(request: Request, principal: Access.Principal, operation: String) throws(Problem) {
        guard let value = request.headers[Self.header], !value.isEmpty else {
            throw Problem(status: 400, title: "The request is not valid",
                          detail: "Writes need an Idempotency-Key header (for example a UUID), so that a retry does not book twice.",
                          code: "idempotency_key_missing", field: "Idempotency-Key")
        }
        if let problem = Identifier.problem(with: value) {
            throw .badRequest("The Idempotency-Key header \(problem).", field: "Idempotency-Key")
        }
        self.value = value
        self.commandKey = "web-" + Self.digest("\(principal.subject)\n\(operation)\n\(value)")
    }

    /// The id of the booking a place request with this key creates.
    var bookingId: BookingID { "bk-" + commandKey.dropFirst(4).prefix(24) }

    /// The command fingerprint's digest of the text: stable across processes and releases
    /// (unlike `Hasher`), and short enough for a subject token.
    static func digest(_ text: String) -> String {
        CommandFingerprint.digest(Array(text.utf8))
    }
}
