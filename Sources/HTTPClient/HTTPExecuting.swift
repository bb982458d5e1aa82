public import Foundation

/// Sends HTTP requests. `HTTPClient` is the real one; tests of its users can supply a fake.
public protocol HTTPExecuting: Sendable {
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Submits mail over SMTP. `HTTPClient` is the real one; tests of its users can supply a fake.
public protocol SMTPSending: Sendable {
    func sendMail(
        smtpURL: URL,
        from: String,
        to: [String],
        message: Data,
        username: String?,
        password: String?,
        requireTLS: Bool
    ) async throws
}
