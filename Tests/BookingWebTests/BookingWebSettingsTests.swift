import BookingWeb
import Testing

@Suite struct BookingWebSettingsTests {
    @Test func givenTheEnvironment_whenReadingSettings_thenEachVariableOverridesItsDefault() throws {
        let settings = try BookingWebSettings(environment: [
            "ALMANAC_HTTP_HOST": "0.0.0.0", "ALMANAC_HTTP_PORT": "9090", "ALMANAC_NATS_URL": "nats://nats:4222",
            "ALMANAC_OIDC_ISSUER": "https://login.example/tenant/v2.0", "ALMANAC_OIDC_AUDIENCE": "api://almanac",
            "ALMANAC_DATABASE_URL": "postgresql://db:5432/almanac", "ALMANAC_READ_YOUR_WRITES_TIMEOUT_MS": "750",
        ])
        #expect(settings.host == "0.0.0.0")
        #expect(settings.port == 9090)
        #expect(settings.natsURL == "nats://nats:4222")
        #expect(settings.issuer == "https://login.example/tenant/v2.0")
        #expect(settings.audience == "api://almanac")
        #expect(settings.databaseURL == "postgresql://db:5432/almanac")
        #expect(settings.readYourWritesTimeout == .milliseconds(750))
        try settings.validate()
    }

    @Test func givenBadSettings_whenValidating_thenTheErrorSaysWhatToFix() throws {
        #expect(throws: BookingWebSettingsError.self) { try BookingWebSettings(environment: ["ALMANAC_HTTP_PORT": "eighty"]) }
        var settings = BookingWebSettings()
        #expect(throws: BookingWebSettingsError("no token issuer: set --issuer (ALMANAC_OIDC_ISSUER), or --dev-issuer for local use")) {
            try settings.validate()
        }
        settings.devIssuer = true
        try settings.validate()
        settings.databasePoolSize = 0
        #expect(throws: BookingWebSettingsError.self) { try settings.validate() }
        #expect(throws: BookingWebSettingsError.self) { try BookingWebSettings(environment: ["ALMANAC_READ_YOUR_WRITES_TIMEOUT_MS": "soon"]) }
    }
}
