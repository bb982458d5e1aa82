import Access
import Hummingbird

/// The request context of the booking app: who is asking, once `AuthenticationMiddleware` has
/// verified the bearer token.
public struct BookingWebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        principal = nil
    }

    /// The verified principal; a route behind the middleware always has one.
    func requirePrincipal() throws(TokenVerificationError) -> Principal {
        guard let principal else { throw TokenVerificationError(.missingToken, "no bearer token: send an Authorization: Bearer <token> header") }
        return principal
    }
}
