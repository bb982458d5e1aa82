import Access
import Foundation
import HTTPClient

/// Answers the `TokenVerifier`'s discovery and JWKS fetches from a `DevIssuer` in the same
/// process (`almanac dev`, tests): tokens still go through the production verifier, only the
/// transport of the two documents is skipped.
public struct DevIssuerKeySource: HTTPExecuting {
    let issuer: DevIssuer

    public init(_ issuer: DevIssuer) {
        self.issuer = issuer
    }

    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let url = request.url.absoluteString
        if url == issuer.issuer + DevIssuer.discoveryPath {
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: issuer.discoveryDocumentJSON())
        }
        if url == issuer.issuer + DevIssuer.jwksPath {
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: issuer.jwksJSON())
        }
        return HTTPResponse(status: 404)
    }
}
