import Access
import AlmanacEvents
import Booking
import BookingReadModels
import BookingService
import BookingWeb
import CommandBus
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LocalServers
import NATSClient
import NIOCore
import PostgresClient
import Projections
import TestSupport

/// A private nats-server with the BOOKINGS stream, a real booking command server answering
/// `cmd.booking.*` in this process, the booking projector filling a fresh PostgreSQL database
/// that the app's queries read, the Zürich demo catalog seeded through the handler (and
/// projected before the first test), and a dev issuer whose tokens the app's verifier accepts.
/// Shared by the suite (one server start).
struct BookingWebHarness: Sendable {
    let nats: LocalNATSServer
    let connection: NATSConnection
    let store: EventStore
    let issuer: DevIssuer
    let verifier: TokenVerifier
    let pool: PostgresPool
    let projector: Projector
    /// One checkpoint listener for every app the tests build, as one server process has.
    let watch: CheckpointWatch

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let shared = Task { try await BookingWebHarness.start() }
    /// How many of `DemoData.commands()` the harness applies: the Zürich site, its closure and
    /// group, building, first floor and its first desks.
    static let seededDemoCommands = 12

    static func start() async throws -> BookingWebHarness {
        let environment = try await TestServers.shared()
        let nats = try await environment.startPrivateNATS()
        let connection = try await NATSConnection.connect(NATSConnectOptions(url: nats.url, name: "booking-web-tests"))
        try await AlmanacStreams.ensure(on: connection.jetStream)
        let store = EventStore(jetStream: connection.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        let handler = BookingCommandHandler(store: store)
        // The Zürich site, its closure and group, building, first floor and its first desks.
        for command in DemoData.commands().prefix(seededDemoCommands) {
            let reply = await handler.handle(command, actor: DemoData.administrator)
            guard case .accepted = reply else { throw HarnessError("seeding failed: \(reply)") }
        }
        let server = try BookingCommandServer.make(connection: connection, handler: handler)
        Task { try await server.run() }
        // The server subscribed when it was made; once the connection is flushed the cluster
        // knows it, so the first request is answered.
        try await connection.flush()

        let database = try await environment.makeDatabase(prefix: "bookingweb")
        let pool = PostgresPool(PostgresConfiguration(conninfo: database, applicationName: "booking-web-tests"), size: 8)
        _ = try await Migrator(directory: repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
        let projector = Projector(projection: try BookingReadModel.projection(), pool: pool, jetStream: connection.jetStream, instance: "web-tests",
                                  settings: .init(batchSize: 200, fetchWait: .milliseconds(250)))
        Task { try await projector.run() }
        let seeded = try await connection.jetStream.streamInfo(AlmanacStreams.bookings).state.lastSequence
        try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: seeded, pool: pool, timeout: .seconds(60))

        let issuer = DevIssuer(issuer: "http://almanac.test", signingKey: await DevSigningKey.generate())
        let verifier = TokenVerifier(configuration: issuer.verifierConfiguration, http: DevIssuerKeySource(issuer))
        return BookingWebHarness(nats: nats, connection: connection, store: store, issuer: issuer, verifier: verifier, pool: pool, projector: projector,
                                 watch: CheckpointWatch(pool: pool))
    }

    var queries: ReadModelBookingQueries { ReadModelBookingQueries(BookingReadModelQueries(pool: pool)) }

    func configuration(commandPrefix: String = BookingCommandCodec.prefix, maximumBodyBytes: Int = 16 * 1024,
                       readYourWritesTimeout: Duration = .seconds(10), now: @escaping @Sendable () -> Date = Date.init) -> BookingWebConfiguration {
        BookingWebConfiguration(port: 0, maximumBodyBytes: maximumBodyBytes, commands: CommandClient(connection: connection, prefix: commandPrefix),
                                commandTimeout: .seconds(5), verifier: verifier, devIssuer: issuer, queries: queries,
                                readYourWrites: ReadYourWrites(watch: watch, timeout: readYourWritesTimeout), now: now)
    }

    func token(_ subject: String, roles: Set<Access.Role>? = nil) throws -> String {
        try issuer.mintToken(for: subject, roles: roles)
    }

    /// The last sequence on `subject` (nil when it has no events).
    func lastSequence(of subject: String) async throws -> UInt64? {
        try await store.lastEvent(subject: subject)?.sequence
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One API answer, the body parsed as a JSON object when it is one.
struct APIAnswer {
    var status: Int
    var headers: HTTPFields
    var text: String
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var code: String? { json["code"] as? String }
    var field: String? { json["field"] as? String }
}

extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, idempotencyKey: String? = nil,
              body: String? = nil) async throws -> APIAnswer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            APIAnswer(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
        }
    }
}

/// Instants the Zürich demo site offers: `hour` o'clock local time on the `offset`-th weekday
/// from tomorrow, as RFC 3339 UTC text.
enum ZurichTime {
    static func weekday(_ offset: Int, hour: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        var day = calendar.startOfDay(for: Date().addingTimeInterval(86_400))
        var remaining = offset
        while true {
            let weekday = calendar.component(.weekday, from: day)
            if weekday != 1 && weekday != 7 {
                if remaining == 0 { break }
                remaining -= 1
            }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        let instant = calendar.date(bySettingHour: hour, minute: 0, second: 0, of: day)!
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: instant)
    }
}
