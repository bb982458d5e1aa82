import Access
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `almanac dev` only: the issuer's discovery document and JWKS, the demo login page, and the
/// endpoint it mints tokens from. Never registered without a `DevIssuer`.
struct DevIssuerRoutes: Sendable {
    let issuer: DevIssuer
    let maximumBodyBytes: Int

    struct TokenRequest: Codable, Sendable {
        var subject: String
        var roles: [String]?
    }

    struct TokenResponse: Codable, Sendable {
        var token: String
        var name: String
        var roles: [String]
    }

    func register(on router: Router<BookingWebContext>) {
        router.get(RouterPath(DevIssuer.discoveryPath)) { _, _ in raw(issuer.discoveryDocumentJSON(), type: "application/json") }
        router.get(RouterPath(DevIssuer.jwksPath)) { _, _ in raw(issuer.jwksJSON(), type: "application/json") }
        router.get(RouterPath(DevIssuer.loginPath)) { _, _ in raw(Data(DevLoginPage.html(people: issuer.people).utf8), type: "text/html; charset=utf-8") }
        router.post(RouterPath(DevIssuer.loginPath + "/token")) { request, _ in
            let body = try StrictJSON.decode(TokenRequest.self, from: try await JSONBody.collect(request, limit: maximumBodyBytes))
            var roles: Set<Access.Role>?
            if let names = body.roles {
                roles = []
                for name in names {
                    guard let role = Access.Role(claimValue: name) else {
                        throw Problem(status: 422, title: "The request cannot be carried out", detail: "There is no role \(name.debugDescription).",
                                      code: "invalid_input", field: "roles")
                    }
                    roles?.insert(role)
                }
            }
            do {
                let person = try issuer.person(body.subject)
                let token = try issuer.mintToken(for: body.subject, roles: roles)
                return try JSONBody.response(TokenResponse(token: token, name: person.name, roles: (roles ?? person.roles).sorted().map(\.rawValue)))
            } catch {
                throw Problem(status: 422, title: "The request cannot be carried out", detail: "\(error)", code: "invalid_input", field: "subject")
            }
        }
    }

    private func raw(_ data: Data, type: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = type
        fields[.cacheControl] = "no-store"
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
