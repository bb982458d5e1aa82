import BookingWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The app and `schemas/openapi/booking.yaml` describe the same API: every operation in the
/// spec is routed by the app, and the bodies the app answers with have the spec's shapes.
@Suite struct OpenAPIContractTests {
    @Test func givenTheSpec_whenCallingEveryOperation_thenTheAppRoutesIt_andUnauthenticatedAPICallsAre401Problems() async throws {
        let spec = try OpenAPISpec.load()
        #expect(spec.document["openapi"] as? String == "3.1.0")
        #expect(spec.operations.count >= 20)
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        try await app.test(.router) { client in
            for operation in spec.operations {
                let uri = operation.path.replacingOccurrences(of: "{siteId}", with: "zurich")
                    .replacingOccurrences(of: "{resourceId}", with: "zh-desk-001").replacingOccurrences(of: "{bookingId}", with: "bk-1")
                let answer = try await client.call(HTTPRequest.Method(operation.method.uppercased())!, uri, body: operation.method == "get" ? nil : "{}")
                #expect(!(answer.status == 404 && answer.code == "not_found"), "\(operation.method) \(operation.path) is not routed")
                #expect(answer.status != 405, "\(operation.method) \(operation.path) has another method in the app")
                if operation.path.hasPrefix("/api/") {
                    #expect(answer.status == 401, "\(operation.method) \(operation.path)")
                    let schema = try #require(spec.responseSchema(operation.method, operation.path, status: 401, contentType: "application/problem+json"))
                    #expect(spec.violations(of: answer.json, against: schema) == [])
                }
            }
        }
    }

    @Test func givenABooker_whenUsingTheAPI_thenEveryAnswerMatchesTheSpecsSchemaForItsStatus() async throws {
        let spec = try OpenAPISpec.load()
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let rita = try harness.token("demo-rita")
        let otto = try harness.token("demo-otto")
        let start = ZurichTime.weekday(6, hour: 14)
        let date = String(start.prefix(10))
        let place = #"{"siteId":"zurich","resourceId":"zh-desk-007","start":"\#(start)","end":"\#(ZurichTime.weekday(6, hour: 15))"}"#
        try await app.test(.router) { client in
            var checks: [(method: String, path: String, answer: APIAnswer)] = []
            checks.append(("post", "/api/bookings", try await client.call(.post, "/api/bookings", token: rita, idempotencyKey: "contract-1", body: place)))
            checks.append(("post", "/api/bookings", try await client.call(.post, "/api/bookings", token: rita, idempotencyKey: "contract-2", body: place)))
            checks.append(("post", "/api/bookings", try await client.call(.post, "/api/bookings", token: rita, idempotencyKey: "contract-3", body: "{")))
            checks.append(("post", "/api/bookings", try await client.call(.post, "/api/bookings", token: otto, idempotencyKey: "contract-4", body: place)))
            checks.append(("post", "/api/bookings/{bookingId}/cancel",
                           try await client.call(.post, "/api/bookings/bk-none/cancel", token: rita, idempotencyKey: "contract-5", body: #"{"resourceId":"zh-desk-007"}"#)))
            checks.append(("get", "/api/sites", try await client.call(.get, "/api/sites", token: rita)))
            checks.append(("get", "/api/sites/{siteId}", try await client.call(.get, "/api/sites/zurich", token: rita)))
            checks.append(("get", "/api/sites/{siteId}/availability",
                           try await client.call(.get, "/api/sites/zurich/availability?date=\(date)&kind=desk&days=2", token: rita)))
            checks.append(("get", "/api/me/bookings", try await client.call(.get, "/api/me/bookings", token: rita)))
            checks.append(("post", "/login/token", try await client.call(.post, "/login/token", body: #"{"subject":"demo-rita"}"#)))

            #expect(checks.map(\.answer.status) == [201, 409, 400, 403, 404, 200, 200, 200, 200, 200])
            for check in checks {
                let type = check.answer.headers[.contentType] ?? ""
                let schema = try #require(spec.responseSchema(check.method, check.path, status: check.answer.status, contentType: type),
                                          "no \(check.answer.status) \(type) response for \(check.method) \(check.path) in the spec")
                let body = try JSONSerialization.jsonObject(with: Data(check.answer.text.utf8))
                #expect(spec.violations(of: body, against: schema) == [], "\(check.method) \(check.path) \(check.answer.status)")
            }
        }
    }
}
