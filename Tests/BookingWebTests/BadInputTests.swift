import Access
import BookingWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every kind of bad request gets a problem body with the right status, and none appends.
@Suite struct BadInputTests {
    static let validBody = #"{"siteId":"zurich","resourceId":"zh-desk-013","start":"\#(ZurichTime.weekday(4, hour: 10))","end":"\#(ZurichTime.weekday(4, hour: 12))"}"#

    /// Only these cases use this desk, so its subject stays empty unless a bad request books it.
    static let resourceSubject = "bookings.resource.zh-desk-013"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var uri = "/api/bookings"
        var token: Token = .ada
        var idempotencyKey: String? = "bad-input"
        var body: String? = BadInputTests.validBody
        var status: Int
        var code: String?
        var field: String?
        var testDescription: String { name }

        enum Token: Sendable { case none, ada, otto, expired, forged, garbage }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"siteId": "zurich","#, status: 400, code: "malformed_json"),
        Case(name: "not an object", body: "[1,2]", status: 400, code: "malformed_json"),
        Case(name: "empty body", body: nil, status: 400, code: "invalid_input"),
        Case(name: "unknown field", body: validBody.replacingOccurrences(of: "{", with: #"{"price":3,"#), status: 400, code: "unknown_field", field: "price"),
        Case(name: "wrong type", body: validBody.replacingOccurrences(of: #""zurich""#, with: "42"), status: 400, code: "invalid_input", field: "siteId"),
        Case(name: "missing field", body: validBody.replacingOccurrences(of: #""siteId":"zurich","#, with: ""), status: 400, code: "invalid_input", field: "siteId"),
        Case(name: "bad time", body: validBody.replacingOccurrences(of: #""start":""#, with: #""start":"next Tuesday"#), status: 400, code: "invalid_input", field: "start"),
        Case(name: "subject characters in a body id", body: validBody.replacingOccurrences(of: "zh-desk-013", with: "zh.desk.>"), status: 400, code: "invalid_input", field: "resourceId"),
        Case(name: "subject characters in a path id", uri: "/api/bookings/bk.*/cancel", body: #"{"resourceId":"zh-desk-013"}"#, status: 400, code: "invalid_input", field: "bookingId"),
        Case(name: "no idempotency key", idempotencyKey: nil, status: 400, code: "idempotency_key_missing", field: "Idempotency-Key"),
        Case(name: "idempotency key with a dot", idempotencyKey: "a.b", status: 400, code: "invalid_input", field: "Idempotency-Key"),
        Case(name: "body over the limit", body: #"{"siteId":""# + String(repeating: "x", count: 20_000) + #""}"#, status: 413, code: "too_large"),
        Case(name: "unknown route", uri: "/api/nothing-here", status: 404, code: "not_found"),
        Case(name: "no token", token: .none, status: 401, code: "unauthenticated"),
        Case(name: "garbage token", token: .garbage, status: 401, code: "unauthenticated"),
        Case(name: "expired token", token: .expired, status: 401, code: "unauthenticated"),
        Case(name: "token signed by another issuer's key", token: .forged, status: 401, code: "unauthenticated"),
        Case(name: "operator without the booker role", token: .otto, status: 403, code: "forbidden"),
    ]

    @Test(arguments: cases)
    func givenABadRequest_whenPlacingABooking_thenAProblemWithTheRightStatus_andNothingIsAppended(_ badCase: Case) async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let token: String?
        switch badCase.token {
        case .none: token = nil
        case .ada: token = try harness.token("demo-ada")
        case .otto: token = try harness.token("demo-otto")
        case .garbage: token = "not-a-jwt"
        case .expired:
            var claims = try harness.issuer.claims(for: harness.issuer.person("demo-ada"))
            claims.exp = Int(Date().timeIntervalSince1970) - 3600
            claims.iat = claims.exp - 60
            claims.nbf = claims.iat
            token = try harness.issuer.sign(claims)
        case .forged:
            let impostor = DevIssuer(issuer: harness.issuer.issuer, signingKey: await DevSigningKey.generate())
            token = try impostor.mintToken(for: "demo-ada")
        }
        let before = try await harness.lastSequence(of: Self.resourceSubject)
        try await app.test(.router) { client in
            let answer = try await client.call(.post, badCase.uri, token: token, idempotencyKey: badCase.idempotencyKey, body: badCase.body)
            #expect(answer.status == badCase.status, "\(answer.text)")
            #expect(answer.headers[.contentType] == "application/problem+json")
            #expect(answer.json["status"] as? Int == badCase.status)
            #expect(answer.json["title"] is String)
            #expect((answer.json["detail"] as? String).map { !$0.isEmpty } == true)
            if let code = badCase.code { #expect(answer.code == code) }
            if let field = badCase.field { #expect(answer.field == field) }
            if badCase.status == 401 {
                #expect(answer.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=") == true)
            }
        }
        #expect(try await harness.lastSequence(of: Self.resourceSubject) == before, "nothing appended to the desk")
    }
}
