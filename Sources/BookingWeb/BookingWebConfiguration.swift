import Access
import Foundation
import CommandBus
import Logging

/// Everything `buildApplication` needs; the CLI fills it from flags and the environment.
public struct BookingWebConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted; larger ones get a 413 problem.
    public var maximumBodyBytes: Int
    /// Sends booking commands (`cmd.booking.*`) to the command handler.
    public var commands: CommandClient
    /// How long a command may take before the request answers 503.
    public var commandTimeout: Duration
    public var verifier: TokenVerifier
    /// Set in `almanac dev`: the app then serves the issuer's discovery document, JWKS and the
    /// demo login page.
    public var devIssuer: DevIssuer?
    /// Catalog, availability and "my bookings" for the query endpoints and the page.
    public var queries: any BookingQueries
    /// When set, accepted commands answer once the booking read model shows them.
    public var readYourWrites: ReadYourWrites?
    public var now: @Sendable () -> Date
    public var logger: Logger

    public init(host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 64 * 1024, commands: CommandClient,
                commandTimeout: Duration = .seconds(10), verifier: TokenVerifier, devIssuer: DevIssuer? = nil,
                queries: any BookingQueries, readYourWrites: ReadYourWrites? = nil, now: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "almanac.booking-web")) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.commands = commands
        self.commandTimeout = commandTimeout
        self.verifier = verifier
        self.devIssuer = devIssuer
        self.queries = queries
        self.readYourWrites = readYourWrites
        self.now = now
        self.logger = logger
    }
}
