import Foundation

/// An RFC 9457 problem body: what every failing request of the booking API answers with.
/// `code` and `field` are extensions: a stable code for programs (`slot_taken`) and the input
/// at fault, so a page can put the message next to the right control.
public struct Problem: Error, Codable, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String?
    public var field: String?
    public var errors: [FieldError]

    public init(status: Int, title: String, detail: String, code: String? = nil, field: String? = nil, errors: [FieldError] = []) {
        self.type = code.map { "https://almanac.example/problems/\($0.replacingOccurrences(of: "_", with: "-"))" } ?? "about:blank"
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.field = field
        self.errors = errors.isEmpty ? field.map { [FieldError(field: $0, message: detail)] } ?? [] : errors
    }

    /// Extra response headers (the `WWW-Authenticate` of a 401).
    public var headers: [String: String] = [:]

    private enum CodingKeys: String, CodingKey { case type, title, status, detail, code, field, errors }
}

/// An error that knows the problem it is for the person who sent the request.
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

extension Problem: ProblemConvertible {
    public var problem: Problem { self }
}

extension Problem {
    static func badRequest(_ detail: String, field: String? = nil, code: String = "invalid_input") -> Problem {
        Problem(status: 400, title: "The request is not valid", detail: detail, code: code, field: field)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, title: "Not found", detail: detail, code: "not_found")
    }

    static func unavailable(_ detail: String) -> Problem {
        Problem(status: 503, title: "Booking is unavailable for a moment", detail: detail, code: "unavailable")
    }
}
