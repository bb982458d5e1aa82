import Foundation

/// A mail step with its templates rendered and its addresses checked: what a mail transport sends.
public struct RenderedEmail: Equatable, Sendable {
    public var to: [String]
    public var cc: [String]
    public var from: String?
    public var subject: String
    public var body: String
    public var html: String?
}

/// An HTTP step rendered: a checked http(s) URL, headers and body.
public struct RenderedHTTPRequest: Equatable, Sendable {
    public var method: HTTPRequestStep.Method
    public var url: URL
    public var headers: [String: String]
    public var body: String?
}

/// A booking command step rendered: the ids it acts on, checked as subject tokens.
public struct RenderedBookingCommand: Equatable, Sendable {
    public var command: BookingCommandStep.Command
    public var bookingId: String
    public var resourceId: String
    public var reason: String?

    public init(command: BookingCommandStep.Command, bookingId: String, resourceId: String, reason: String? = nil) {
        self.command = command
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.reason = reason
    }
}

/// Rendering over a run's data (`RunState.data`). A rendered value that is not valid input (an
/// address that is not an address, a URL that is not http) is a `StepError` of kind
/// `invalid_input`: retrying cannot help, so the run fails with the message.
extension SendEmailStep {
    public func rendered(over data: FlowValue) throws(StepError) -> RenderedEmail {
        var to: [String] = []
        for (index, recipient) in self.to.enumerated() { to += try addresses(recipient, field: "to[\(index)]", data) }
        var cc: [String] = []
        for (index, recipient) in (self.cc ?? []).enumerated() { cc += try addresses(recipient, field: "cc[\(index)]", data) }
        var sender: String?
        if let from {
            let rendered = try render(from, field: "from", data).trimmingCharacters(in: .whitespaces)
            guard EmailAddress.isValid(rendered) else {
                throw StepError(kind: .invalidInput, message: "from: '\(rendered)' is not an email address (expected name@example.com)")
            }
            sender = rendered
        }
        let subject = try render(self.subject, field: "subject", data).replacingOccurrences(of: "\n", with: " ")
        return RenderedEmail(to: to, cc: cc, from: sender, subject: subject, body: try render(body, field: "body", data),
                             html: try html.map { html throws(StepError) in try render(html, field: "html", data, escaping: .html) })
    }

    func addresses(_ template: String, field: String, _ data: FlowValue) throws(StepError) -> [String] {
        let rendered = try render(template, field: field, data)
        do {
            return try EmailAddress.list(from: rendered)
        } catch {
            throw StepError(kind: .invalidInput, message: "\(field) '\(template)' rendered \(error.description)")
        }
    }
}

extension HTTPRequestStep {
    public func rendered(over data: FlowValue) throws(StepError) -> RenderedHTTPRequest {
        let text = try render(url, field: "url", data).trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: text), url.host != nil, ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
            throw StepError(kind: .invalidInput, message: "url '\(text)' is not an http or https URL")
        }
        var rendered: [String: String] = [:]
        for (name, value) in headers ?? [:] { rendered[name] = try render(value, field: "headers.\(name)", data) }
        return RenderedHTTPRequest(method: method, url: url, headers: rendered,
                                   body: try body.map { body throws(StepError) in try render(body, field: "body", data) })
    }
}

extension BookingCommandStep {
    public func rendered(over data: FlowValue) throws(StepError) -> RenderedBookingCommand {
        func id(_ template: String?, default path: String, field: String) throws(StepError) -> String {
            let value = try render(template ?? "{{\(path)}}", field: field, data).trimmingCharacters(in: .whitespaces)
            guard FlowValidator.isToken(value) else {
                throw StepError(kind: .invalidInput, message: "\(field) rendered '\(value)', which is not an id")
            }
            return value
        }
        return RenderedBookingCommand(command: command, bookingId: try id(bookingId, default: "booking.bookingId", field: "bookingId"),
                                      resourceId: try id(resourceId, default: "booking.resourceId", field: "resourceId"),
                                      reason: try reason.map { reason throws(StepError) in try render(reason, field: "reason", data) })
    }
}

func render(_ template: String, field: String, _ data: FlowValue, escaping: FlowTemplate.Escaping = .text) throws(StepError) -> String {
    do {
        return try FlowTemplate(template, escaping: escaping).render(data)
    } catch {
        throw StepError(kind: .invalidInput, message: "\(field): \(error.description)")
    }
}

extension StepError: Error {}
