import Foundation
import TestSupport
import HTTPClient
import Mail

/// The fake Graph server (Fixtures/fake_graph.py) of one test, and what it received.
struct FakeGraph {
    static let tenant = "tenant-1"
    static let clientID = "almanac-app"
    static let clientSecret = "graph-s3cret"

    let port: Int
    let control: HTTPClient

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    func configuration(
        secret: String = FakeGraph.clientSecret,
        sender: String = "noreply@almanac.test",
        maxConcurrentRequests: Int = 4,
        maxRetryAfterWait: Duration = .seconds(30)
    ) -> GraphConfiguration {
        GraphConfiguration(
            tenantID: Self.tenant, clientID: Self.clientID, clientSecret: MailSecret(secret), sender: sender,
            loginBaseURL: baseURL, graphBaseURL: baseURL, maxConcurrentRequests: maxConcurrentRequests,
            maxRetryAfterWait: maxRetryAfterWait, requestTimeout: .seconds(20)
        )
    }

    /// Queues responses for the next sendMail calls, e.g. `["status": 429, "retryAfter": 1]`.
    func script(_ responses: [[String: any Sendable]]) async throws {
        try await post("/control/script", try JSONSerialization.data(withJSONObject: responses))
    }

    func configure(_ settings: [String: any Sendable]) async throws {
        try await post("/control/configure", try JSONSerialization.data(withJSONObject: settings))
    }

    func expireTokens() async throws {
        try await post("/control/expire-tokens", Data())
    }

    func state() async throws -> FakeGraphState {
        let response = try await control.execute(HTTPRequest(url: baseURL.appendingPathComponent("control/state")))
        return try JSONDecoder().decode(FakeGraphState.self, from: response.body)
    }

    private func post(_ path: String, _ body: Data) async throws {
        let response = try await control.execute(HTTPRequest(method: .post, url: URL(string: path, relativeTo: baseURL)!, body: body))
        guard response.status == 204 else { throw ScriptProcessError(description: "fake Graph \(path) answered \(response.status)") }
    }
}

struct FakeGraphState: Decodable {
    struct TokenRequest: Decodable {
        let tenant: String
        let contentType: String?
        let clientId: String?
        let secretMatched: Bool
        let scope: String?
        let grantType: String?
    }

    struct SendMail: Decodable {
        let at: Double
        let sender: String
        let token: String
        let contentType: String?
        let body: JSONValue?
    }

    let tokenRequests: [TokenRequest]
    let sendMail: [SendMail]
    let maxInFlight: Int
}

/// Any JSON, for asserting on the bodies the fake server received.
enum JSONValue: Decodable, Equatable {
    case string(String), number(Double), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var count: Int? {
        if case .array(let array) = self { return array.count }
        return nil
    }
}

func withFakeGraph<T>(_ body: (FakeGraph) async throws -> T) async throws -> T {
    try await withFixtureServer("fake-graph", script: "fake_graph.py") { _, port in
        try await body(FakeGraph(port: port, control: try HTTPClient()))
    }
}

/// A message from the test's run and step.
func sampleMessage(
    to: String = "ada@example.test",
    subject: String = "Desk 7 booked",
    step: String = "confirm",
    html: String? = "<p>Your desk is booked.</p>",
    headers: [MailHeader] = []
) throws -> MailMessage {
    try MailMessage(
        from: MailAddress("noreply@almanac.test", name: "Almanac"),
        to: [MailAddress(parsing: to)],
        subject: subject,
        textBody: "Your desk is booked.",
        htmlBody: html,
        headers: headers,
        origin: MailOrigin(runID: "run-1", stepID: step)
    )
}
