import Foundation
import HTTPClient
import Synchronization
import Testing
@testable import Access

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite struct VerifiedTokenCacheTests {
    /// Runs `body` with a verifier of `issuer`'s tokens on `clock`, configured by `configure`;
    /// its HTTP client is shut down on every way out.
    func withClockedVerifier(_ issuer: IssuerHarness, clock: ManualClock, configure: (inout TokenVerifierConfiguration) -> Void,
                             _ body: (TokenVerifier) async throws -> Void) async throws {
        var configuration = issuer.devIssuer.verifierConfiguration
        configure(&configuration)
        let http = try HTTPClient()
        do {
            try await body(TokenVerifier(configuration: configuration, http: http, now: { clock.now }))
        } catch {
            await http.shutdown()
            throw error
        }
        await http.shutdown()
    }

    @Test func givenAVerifiedToken_whenSentAgain_thenTheSamePrincipalIsAnsweredFromTheCache() async throws {
        try await withIssuer { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-rita")
            let first = try await issuer.verifier.verify(token)
            let second = try await issuer.verifier.verify(authorizationHeader: "Bearer \(token)")
            #expect(second == first)
            #expect(issuer.verifier.verified.count == 1)
        }
    }

    @Test func givenACachedToken_whenItsSignatureIsAltered_thenTheAlteredTokenIsStillRefused() async throws {
        try await withIssuer { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-rita")
            _ = try await issuer.verifier.verify(token)
            // Another signature under the same header and claims: not the cached text.
            let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
            let error = await rejection { try await issuer.verifier.verify(forged) }
            #expect(error?.kind == .badSignature || error?.kind == .malformed)
        }
    }

    @Test func givenACachedToken_whenItsExpiryPasses_thenItIsRefusedAsExpired() async throws {
        try await withIssuer { issuer in
            let clock = ManualClock(Date())
            try await withClockedVerifier(issuer, clock: clock, configure: { $0.leeway = .seconds(5) }) { verifier in
                let token = try issuer.devIssuer.mintToken(for: "demo-ada", lifetime: .seconds(60), now: clock.now)
                _ = try await verifier.verify(token)
                #expect(verifier.verified.count == 1)
                clock.advance(by: 64)
                _ = try await verifier.verify(token)  // within the leeway: still good
                clock.advance(by: 2)
                let error = await rejection { try await verifier.verify(token) }
                #expect(error?.kind == .expired)
                #expect(verifier.verified.count == 0)
            }
        }
    }

    @Test func givenATokenVerifiedLongAgo_whenTheCacheLifetimeIsOver_thenItsSignatureIsCheckedAgainstTheCurrentKeys() async throws {
        try await withIssuer { issuer in
            let clock = ManualClock(Date())
            try await withClockedVerifier(issuer, clock: clock, configure: {
                $0.verifiedTokenLifetime = .seconds(300)
                $0.minimumRefreshInterval = .zero
                $0.maximumKeyAge = .zero
            }) { verifier in
                let token = try issuer.devIssuer.mintToken(for: "demo-ada", now: clock.now)
                _ = try await verifier.verify(token)
                // The issuer withdraws its key: remembered tokens keep working for the lifetime only.
                try issuer.publishKeys([await DevSigningKey.generate()])
                _ = try await verifier.verify(token)
                clock.advance(by: 301)
                let error = await rejection { try await verifier.verify(token) }
                #expect(error?.kind == .unknownKey)
            }
        }
    }

    @Test func givenAFullCache_whenAnotherTokenVerifies_thenTheCacheStaysWithinItsCapacity() async throws {
        try await withIssuer(configure: { $0.verifiedTokenCacheSize = 2 }) { issuer in
            let now = Date()
            for (index, person) in ["demo-ada", "demo-rita", "demo-otto"].enumerated() {
                _ = try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: person, now: now.addingTimeInterval(Double(index))))
                #expect(issuer.verifier.verified.count <= 2)
            }
        }
    }

    @Test func givenACacheFullOfValidTokens_whenMoreVerify_thenMostEntriesStayAndTheSweepIsNotPaidOnEveryInsert() {
        let cache = VerifiedTokenCache(capacity: 100, lifetime: .seconds(300))
        let now = Date()
        let principal = Principal(subject: "demo-ada")
        for index in 0..<100 {
            cache.store("token-\(index)", principal: principal, exp: now.timeIntervalSince1970 + 3600, nbf: nil, leeway: 60, now: now)
        }
        #expect(cache.count == 100)
        // The 101st makes room down to nine tenths, then nine more fit without another sweep.
        cache.store("token-100", principal: principal, exp: now.timeIntervalSince1970 + 3600, nbf: nil, leeway: 60, now: now)
        #expect(cache.count == 91)
        for index in 101..<110 {
            cache.store("token-\(index)", principal: principal, exp: now.timeIntervalSince1970 + 3600, nbf: nil, leeway: 60, now: now)
        }
        #expect(cache.count == 100)
        #expect(cache.principal(for: "token-109", now: now) == principal)
    }

    @Test func givenSpacesAndTabsAroundTheHeaderAndToken_whenVerified_thenTheTokenIsFound() async throws {
        try await withIssuer { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-otto")
            let principal = try await issuer.verifier.verify(authorizationHeader: " \tBearer   \(token) \t")
            #expect(principal.subject == "demo-otto")
            #expect(TokenVerifier.trimmingSpaces(" \t \t"[...]) == "")
            let error = await rejection { try await issuer.verifier.verify(authorizationHeader: "Bearer  \t ") }
            #expect(error?.kind == .missingToken)
        }
    }

    @Test func givenNoCache_whenATokenVerifies_thenNothingIsRemembered() async throws {
        try await withIssuer(configure: { $0.verifiedTokenCacheSize = 0 }) { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-ada")
            _ = try await issuer.verifier.verify(token)
            _ = try await issuer.verifier.verify(token)
            #expect(issuer.verifier.verified.count == 0)
        }
    }
}
