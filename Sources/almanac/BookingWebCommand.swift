import ArgumentParser
import BookingWeb
import Foundation

/// `almanac booking-web`: the public booking page and JSON API.
struct BookingWebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking-web",
        abstract: "Serve the booking page and JSON API (schemas/openapi/booking.yaml).")

    @Option(help: "Address to listen on. Env: ALMANAC_HTTP_HOST.") var host: String?
    @Option(help: "Port. Env: ALMANAC_HTTP_PORT.") var port: Int?
    @Option(help: "OIDC issuer whose tokens are accepted. Env: ALMANAC_OIDC_ISSUER.") var issuer: String?
    @Option(help: "Token audience. Env: ALMANAC_OIDC_AUDIENCE.") var audience: String?
    @Flag(name: .customLong("dev-issuer"), help: "Serve a local demo issuer and login page instead of trusting an external one.")
    var devIssuer = false
    @Option(name: .customLong("dev-issuer-keys"), help: "Folder keeping the dev issuer's key. Env: ALMANAC_DEV_ISSUER_KEYS.")
    var devIssuerKeys: String?
    @Option(name: .customLong("read-your-writes-timeout-ms"),
            help: "How long an accepted command waits for the read model to show it. Env: ALMANAC_READ_YOUR_WRITES_TIMEOUT_MS.")
    var readYourWritesTimeoutMilliseconds: Int?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try logging.bootstrap()
        var settings = try BookingWebSettings(environment: ProcessInfo.processInfo.environment)
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let issuer { settings.issuer = issuer }
        if let audience { settings.audience = audience }
        if let devIssuerKeys { settings.devIssuerKeyFolder = devIssuerKeys }
        if let readYourWritesTimeoutMilliseconds { settings.readYourWritesTimeout = .milliseconds(readYourWritesTimeoutMilliseconds) }
        settings.databaseURL = database.url
        if devIssuer { settings.devIssuer = true }
        settings.natsURL = nats.url
        settings.natsCredentials = nats.credentials
        try await BookingWebServer.run(settings)
    }
}
