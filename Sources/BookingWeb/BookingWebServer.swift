import Access
import AlmanacEvents
import BookingReadModels
import BookingService
import CommandBus
import Foundation
import HTTPClient
import Hummingbird
import Logging
import NATSClient
import PostgresClient

/// `almanac booking-web`: assembles the app from settings and serves until SIGTERM/SIGINT.
public enum BookingWebServer {
    public static func run(_ settings: BookingWebSettings, logger: Logger = Logger(label: "almanac.booking-web")) async throws {
        try settings.validate()
        var options = NATSConnectOptions(url: settings.natsURL, name: "almanac-booking-web")
        options.credentialsFile = settings.natsCredentials
        let nats = try await NATSConnection.connect(options, logger: Logger(label: "almanac.nats"))
        defer { nats.close() }
        let pool = PostgresPool(PostgresConfiguration(conninfo: settings.databaseURL, applicationName: "almanac-booking-web"),
                                size: settings.databasePoolSize, logger: logger)
        let watch = CheckpointWatch(pool: pool)
        let app = try await makeApplication(settings, nats: nats, pool: pool, watch: watch, logger: logger)
        do {
            try await app.runService()
        } catch {
            await watch.close()
            await pool.close()
            throw error
        }
        await watch.close()
        await pool.close()
    }

    /// The application for `settings` on an open connection and pool: a `Service`, so
    /// `almanac dev` runs it in its own service group. Queries read the booking read models
    /// through `pool`; accepted commands wait for them (read-your-writes) through `watch`
    /// (one is made on `pool` when not given; its listener then lives as long as the process).
    public static func makeApplication(_ settings: BookingWebSettings, nats: NATSConnection, pool: PostgresPool, watch: CheckpointWatch? = nil,
                                       logger: Logger = Logger(label: "almanac.booking-web")) async throws -> some ApplicationProtocol {
        try settings.validate()
        let verifier: TokenVerifier
        var devIssuer: DevIssuer?
        if settings.devIssuer {
            let issuer = try await DevIssuer.loadOrCreate(issuer: settings.devIssuerURL, audience: settings.audience,
                                                         keyFolder: settings.devIssuerKeyFolder.map { URL(fileURLWithPath: $0, isDirectory: true) })
            verifier = TokenVerifier(configuration: issuer.verifierConfiguration, http: DevIssuerKeySource(issuer), logger: logger)
            devIssuer = issuer
            logger.info("dev issuer: sign in at \(settings.devIssuerURL)\(DevIssuer.loginPath)")
        } else {
            // validate() guarantees an issuer here.
            verifier = TokenVerifier(configuration: TokenVerifierConfiguration(issuer: settings.issuer ?? "", audience: settings.audience),
                                     http: try HTTPClient(logger: logger), logger: logger)
        }
        let configuration = BookingWebConfiguration(
            host: settings.host, port: settings.port, maximumBodyBytes: settings.maximumBodyBytes,
            commands: CommandClient(connection: nats, prefix: BookingCommandCodec.prefix), verifier: verifier, devIssuer: devIssuer,
            queries: ReadModelBookingQueries(BookingReadModelQueries(pool: pool)),
            readYourWrites: ReadYourWrites(watch: watch ?? CheckpointWatch(pool: pool), timeout: settings.readYourWritesTimeout), logger: logger)
        return try await buildApplication(configuration)
    }
}
