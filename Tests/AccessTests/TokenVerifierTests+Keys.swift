import Foundation
import HTTPClient
import Testing
@testable import Access

@Suite struct TokenVerifierKeyTests {
    @Test func unknownKidRefreshesOnceThenIsUnknownKey() async throws {
        try await withIssuer { issuer in
            _ = try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-ada"))
            #expect(await issuer.verifier.jwksFetchCount == 1)

            let stranger = DevIssuer(issuer: issuer.devIssuer.issuer, signingKey: await DevSigningKey.generate())
            let error = await rejection { try await issuer.verifier.verify(stranger.mintToken(for: "demo-ada")) }
            #expect(error?.kind == .unknownKey)
            #expect(error?.message.contains("even after refreshing its keys") == true)
            #expect(await issuer.verifier.jwksFetchCount == 2)

            // Within the refresh interval another invented kid costs the issuer nothing.
            let another = DevIssuer(issuer: issuer.devIssuer.issuer, signingKey: await DevSigningKey.generate())
            let again = await rejection { try await issuer.verifier.verify(another.mintToken(for: "demo-ada")) }
            #expect(again?.kind == .unknownKey)
            #expect(await issuer.verifier.jwksFetchCount == 2)
        }
    }

    @Test func floodOfInventedKidsFetchesTheJWKSAtMostTwice() async throws {
        try await withIssuer { issuer in
            let strangers = await withTaskGroup(of: DevSigningKey.self) { group in
                for _ in 0..<3 { group.addTask { await DevSigningKey.generate() } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let claims = try issuer.expectedClaims()
            let tokens = (0..<40).map { index in
                // Each token names a different invented kid.
                Forge.token(header: ["alg": "ES256", "kid": "forged-\(index)"], claims: claims, signature: Data(repeating: 7, count: 64))
            } + strangers.map { key in Forge.token(header: ["alg": "ES256", "kid": key.kid], claims: claims, signature: Data(repeating: 7, count: 64)) }
            let kinds = await withTaskGroup(of: TokenVerificationError.Kind?.self) { group in
                for token in tokens {
                    group.addTask { await rejection { try await issuer.verifier.verify(token) }?.kind }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(kinds.allSatisfy { $0 == .unknownKey })
            // The first load, plus at most one refresh for all the invented kids.
            #expect(await issuer.verifier.jwksFetchCount == 2)
        }
    }

    @Test func rotatedKeyIsAcceptedAfterARefresh() async throws {
        try await withIssuer { issuer in
            let old = issuer.devIssuer
            _ = try await issuer.verifier.verify(old.mintToken(for: "demo-ada"))

            // The issuer starts publishing its next key next to the current one, then signs with it.
            let next = DevIssuer(issuer: old.issuer, signingKey: await DevSigningKey.generate())
            try issuer.publishKeys([old.signingKey, next.signingKey])
            let principal = try await issuer.verifier.verify(next.mintToken(for: "demo-edith"))
            #expect(principal.roles == [.booker, .editor])
            #expect(await issuer.verifier.jwksFetchCount == 2)
            // Tokens of the old key are still good: it is still published.
            _ = try await issuer.verifier.verify(old.mintToken(for: "demo-ada"))
            #expect(await issuer.verifier.jwksFetchCount == 2)
        }
    }

    @Test func staleKeysStayInUseWhileTheIssuerIsDown() async throws {
        try await withIssuer(configure: { $0.maximumKeyAge = .zero; $0.minimumRefreshInterval = .zero }) { issuer in
            _ = try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-ada"))
            #expect(await issuer.verifier.jwksFetchCount == 1)
            try FileManager.default.removeItem(at: issuer.server.folder.appendingPathComponent("www" + DevIssuer.jwksPath))
            // Keys are due for a refresh at every verification; it fails, the old keys serve.
            _ = try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-ben"))
            #expect(await issuer.verifier.jwksFetchCount == 2)
        }
    }

    @Test func unreachableIssuerIsIssuerUnreachableWithAClearLine() async throws {
        let http = try HTTPClient()
        let issuerURL = "http://127.0.0.1:\(IssuerServer.unusedPort())"
        let devIssuer = DevIssuer(issuer: issuerURL, signingKey: await DevSigningKey.generate())
        let verifier = TokenVerifier(configuration: devIssuer.verifierConfiguration, http: http)
        let error = await rejection { try await verifier.verify(devIssuer.mintToken(for: "demo-ada")) }
        #expect(error?.kind == .issuerUnreachable)
        #expect(error?.message.hasPrefix("cannot fetch the OIDC discovery document from \(issuerURL)/.well-known/openid-configuration: cannot reach") == true)
        #expect(error?.message.contains("\n") == false)
        // Asked again at once, the verifier answers from its memory of the failure.
        let again = await rejection { try await verifier.verify(devIssuer.mintToken(for: "demo-ada")) }
        #expect(again == error)
        await http.shutdown()
    }

    @Test func missingJWKSIsIssuerUnreachable() async throws {
        try await withIssuer { issuer in
            try FileManager.default.removeItem(at: issuer.server.folder.appendingPathComponent("www" + DevIssuer.jwksPath))
            let error = await rejection { try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-ada")) }
            #expect(error?.kind == .issuerUnreachable)
            #expect(error?.message == "the issuer answered HTTP 404 for its JWKS at \(issuer.server.url)/jwks.json")
        }
    }

    @Test func discoveryDocumentOfAnotherIssuerIsRefused() async throws {
        try await withIssuer(configure: { $0.issuer += "/" }) { issuer in
            let error = await rejection { try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-ada")) }
            #expect(error?.kind == .issuerUnreachable)
            #expect(error?.message.contains("names issuer") == true)
        }
    }

    @Test func jwksEntriesAlmanacCannotUseAreSkipped() async throws {
        try await withIssuer { issuer in
            let own = String(decoding: issuer.devIssuer.jwksJSON(), as: UTF8.self)
            let mixed = own.replacingOccurrences(of: #"{"keys":["#, with: #"{"keys":[{"kty":"oct","kid":"shared","k":"c2VjcmV0"},{"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"},42,"#)
            try issuer.server.serve(Data(mixed.utf8), at: DevIssuer.jwksPath)
            #expect(try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-ada")).subject == "demo-ada")
        }
    }
}
