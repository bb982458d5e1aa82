import Flows
import Foundation
import HTTPClient

/// `http_request`: renders the step (secrets available as `{{secrets.name}}`), sends it with the
/// step's timeout, and classifies the answer: 5xx, 429, timeouts and connection failures may
/// pass on another attempt; other statuses outside `expectStatus` are the request's fault.
public struct HTTPRequestExecutor: StepExecutor {
    let client: any HTTPExecuting
    /// Response bodies beyond this are cut in the trace (the step still succeeds).
    let keptBodyCharacters = 16 * 1024

    public init(client: any HTTPExecuting) {
        self.client = client
    }

    public func execute(_ step: FlowStep, context: StepContext) async throws -> StepResult {
        guard case .httpRequest(let http) = step.action else { throw StepError(kind: .internal, message: "step '\(step.id)' is not an http_request step") }
        let rendered = try http.rendered(over: context.secrets.adding(to: context.data))
        var headers = HTTPHeaders()
        var shownHeaders: [String: FlowValue] = [:]
        for (name, value) in rendered.headers.sorted(by: { $0.key < $1.key }) {
            headers.add(name: name, value: value)
            let secret = FlowSecrets.sensitiveHeaders.contains(name.lowercased()) || (http.headers?[name]?.contains("secrets.") ?? false)
            shownHeaders[name] = .string(secret ? FlowSecrets.redacted : context.secrets.redact(value))
        }
        var inputs: [String: FlowValue] = ["method": .string(rendered.method.rawValue), "url": .string(context.secrets.redact(rendered.url.absoluteString)),
                                           "headers": .object(shownHeaders)]
        if let body = rendered.body { inputs["body"] = .string(context.secrets.redact(body)) }
        let request = HTTPRequest(method: HTTPMethod(rawValue: rendered.method.rawValue), url: rendered.url, headers: headers,
                                  body: rendered.body.map { Data($0.utf8) }, timeout: context.timeout)
        let target = "\(rendered.method.rawValue) \(context.secrets.redact(Self.display(rendered.url)))"
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch let error as HTTPClientError {
            throw StepError(kind: Self.kind(of: error), message: "\(target) failed: \(context.secrets.redact(error.message))")
        }
        let text = context.secrets.redact(response.bodyText ?? "")
        let expected = http.expectStatus.map { $0.contains(response.status) } ?? (200..<300).contains(response.status)
        guard expected else {
            let kind: StepErrorKind = response.status == 429 ? .rateLimited : response.status >= 500 ? .serverError : .clientError
            let excerpt = text.isEmpty ? "" : ": " + String(text.prefix(200)).replacingOccurrences(of: "\n", with: " ")
            throw StepError(kind: kind, message: "\(target) answered \(response.status)\(excerpt)")
        }
        var responseHeaders: [String: FlowValue] = [:]
        for field in response.headers {
            let name = field.name.lowercased()
            responseHeaders[name] = .string(FlowSecrets.sensitiveHeaders.contains(name) ? FlowSecrets.redacted : context.secrets.redact(field.value))
        }
        var output: [String: FlowValue] = ["status": .number(Double(response.status)), "headers": .object(responseHeaders),
                                           "body": .string(String(text.prefix(keptBodyCharacters)))]
        // Only documents (objects, arrays) count as JSON: a bare `"ok"` stays text.
        if let json = try? JSONDecoder().decode(FlowValue.self, from: Data(text.utf8)) {
            switch json {
            case .object, .array: output["json"] = json
            default: break
            }
        }
        return StepResult(output: .object(output), inputs: .object(inputs))
    }

    static func kind(of error: HTTPClientError) -> StepErrorKind {
        switch error.kind {
        case .timedOut: .timeout
        case .cannotConnect, .transferFailed, .shutDown: .network
        case .tls, .loginDenied, .tooManyRedirects, .responseTooLarge: .clientError
        case .invalidRequest: .invalidInput
        }
    }

    /// Scheme, host, port and path: no user info or query (which may carry keys) in messages.
    static func display(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.user = nil
        components?.password = nil
        components?.query = nil
        return components?.string ?? url.absoluteString
    }
}
