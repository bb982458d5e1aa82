import Access
import HTTPTypes
import Hummingbird

/// Verifies the bearer token of every request below it and puts the principal in the context;
/// a missing, expired or forged token is a 401 problem with `WWW-Authenticate`.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = BookingWebContext
    let verifier: TokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let clock = ContinuousClock()
        let start = clock.now
        context.principal = try await verifier.verify(authorizationHeader: request.headers[.authorization])
        let verified = clock.now
        var response = try await next(request, context)
        ServerTiming.add([ServerTiming.entry("auth", verified - start), ServerTiming.entry("app", clock.now - start)], to: &response)
        return response
    }
}
