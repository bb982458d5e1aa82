import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The booking web app: JSON API under `/api` (bearer tokens), the booking page, and in
/// `almanac dev` the dev issuer's documents and login page. Every failure is a problem body.
public func buildApplication(_ config: BookingWebConfiguration) async throws -> some ApplicationProtocol {
    let router = Router(context: BookingWebContext.self)
    router.add(middleware: ProblemMiddleware(logger: config.logger))
    router.get("health") { _, _ in "ok" }
    router.get("/") { _, _ in htmlResponse(BookingPage.html) }
    if let issuer = config.devIssuer {
        DevIssuerRoutes(issuer: issuer, maximumBodyBytes: config.maximumBodyBytes).register(on: router)
    }
    let api = router.group("api").add(middleware: AuthenticationMiddleware(verifier: config.verifier))
    let sender = BookingCommandSender(client: config.commands, timeout: config.commandTimeout, readYourWrites: config.readYourWrites,
                                      logger: config.logger)
    BookingRoutes(sender: sender, queries: config.queries, maximumBodyBytes: config.maximumBodyBytes).register(on: api)
    QueryRoutes(queries: config.queries, now: config.now).register(on: api)
    AdminRoutes(sender: sender, maximumBodyBytes: config.maximumBodyBytes).register(on: api)
    UtilisationRoutes(queries: config.queries, now: config.now).register(on: api)
    return Application(router: router, configuration: .init(address: .hostname(config.host, port: config.port), serverName: "almanac-booking-web"),
                       logger: config.logger)
}

func htmlResponse(_ html: String) -> Response {
    var fields = HTTPFields()
    fields[.contentType] = "text/html; charset=utf-8"
    return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
}
