import Access
import AlmanacEvents
import Booking
import BookingService
import BookingWeb
import CommandBus
import EventStore
import Foundation
import HTTPClient
import LocalServers
import Logging
import NATSClient
import Synchronization

/// What the booking benchmark runs against, assembled as the roles run in production but in
/// this process: the command handler and booking-web on connections of their own, the web app
/// on a loopback port with the dev issuer, a site with `resources` desks seeded through admin
/// commands, and one signed token per booker.
struct BookingStack: Sendable {
    static let siteId: SiteID = "bench"
    static let zone = "Europe/Zurich"

    let natsURL: String
    let admin: NATSConnection
    let connections: [NATSConnection]
    let serving: [Task<Void, any Error>]
    /// The handler the command server uses, for the profile's "handler without NATS" layer.
    let handler: BookingCommandHandler
    let store: EventStore
    let commands: CommandClient
    let http: HTTPClient
    let baseURL: String
    let issuer: DevIssuer
    /// One booker per client: person id and bearer token.
    let bookers: [(person: String, token: String)]
    let resourceIds: [ResourceID]
    let slots: SlotPlanner
    /// The Server-Timing layers of the measured HTTP bookings.
    let timings = PlaceTimings()

    static func start(natsURL: String, admin: NATSConnection, plan: BookingBenchmark.Plan, context: BenchContext,
                      mode: BookingSetting) async throws -> BookingStack {
        var logger = Logger(label: "almanac.bench.booking")
        logger.logLevel = .warning
        let setUp = JetStreamSetUp.patient(admin.jetStream)
        try await JetStreamSetUp.retrying("creating the Almanac streams (\(mode.label))") {
            try await AlmanacStreams.ensure(on: setUp, replicas: mode.topology.replicas)
        }
        var connections: [NATSConnection] = []
        var serving: [Task<Void, any Error>] = []
        do {
            // The command handler, as `almanac booking` runs it.
            let handlerConnection = try await NATSConnection.connect(NATSConnectOptions(url: natsURL, name: "almanac-bench-booking"))
            connections.append(handlerConnection)
            let handlerStore = EventStore(jetStream: handlerConnection.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let handler = BookingCommandHandler(store: handlerStore, groupCommit: groupCommitSettings(context), logger: logger)
            let commandServer = try BookingCommandServer.make(connection: handlerConnection, handler: handler, logger: logger)
            try await handlerConnection.flush()
            serving.append(Task { try await commandServer.run() })

            // booking-web, as `almanac booking-web --dev-issuer` runs it, on a free loopback port.
            let webConnection = try await NATSConnection.connect(NATSConnectOptions(url: natsURL, name: "almanac-bench-booking-web"))
            connections.append(webConnection)
            var settings = BookingWebSettings()
            settings.host = "127.0.0.1"
            settings.port = try LoopbackPort.free()
            settings.natsURL = natsURL
            settings.devIssuer = true
            settings.devIssuerKeyFolder = try context.folder("dev-issuer").path
            // Quiet: stopping it logs the cancelled listener as an error; a failed request shows
            // as an answer other than 201, which stops the run.
            var webLogger = logger
            webLogger.logLevel = .critical
            serving.append(try await startBookingWeb(settings, nats: webConnection, folder: try context.folder("postgres-\(mode)"), logger: webLogger))
            let baseURL = "http://127.0.0.1:\(settings.port)"
            // The same key file the app loaded, so its tokens verify.
            let issuer = try await DevIssuer.loadOrCreate(issuer: baseURL, audience: settings.audience,
                                                          keyFolder: URL(fileURLWithPath: settings.devIssuerKeyFolder!, isDirectory: true))

            let http = try HTTPClient(configuration: HTTPClientConfiguration(timeout: .seconds(30), acceptCompressedResponses: false), logger: logger)
            try await waitUntilServing(http, baseURL: baseURL)

            let store = EventStore(jetStream: admin.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let commands = CommandClient(connection: admin, prefix: BookingCommandCodec.prefix)
            let resourceIds = try await seed(commands, plan: plan, context: context, mode: mode)
            let now = Int(Date().timeIntervalSince1970)
            let bookers = try (0..<plan.clients).map { index in
                let person = "bench-booker-\(index)"
                let claims = DevTokenClaims(iss: issuer.issuer, sub: person, aud: issuer.audience, iat: now, nbf: now, exp: now + 4 * 3600,
                                            name: "Bench booker \(index)", roles: [Access.Role.booker.rawValue])
                return (person, try issuer.sign(claims))
            }
            return BookingStack(natsURL: natsURL, admin: admin, connections: connections, serving: serving, handler: handler, store: store,
                                commands: commands, http: http, baseURL: baseURL, issuer: issuer, bookers: bookers,
                                resourceIds: resourceIds, slots: SlotPlanner(resources: resourceIds.count, zone: zone))
        } catch {
            serving.forEach { $0.cancel() }
            connections.forEach { $0.close() }
            throw error
        }
    }

    /// The handler's group commit as `ALMANAC_BENCH_GROUP_COMMIT` asks: a number is the groups
    /// in flight at once, `off` appends every command on its own as before group commit (for
    /// before/after figures in the same conditions); unset, the handler's default.
    static func groupCommitSettings(_ context: BenchContext) -> GroupCommit.Settings {
        let given = ProcessInfo.processInfo.environment["ALMANAC_BENCH_GROUP_COMMIT"]
        let settings: GroupCommit.Settings
        switch given {
        case nil: settings = .init()
        // As many groups in flight as commands: none ever waits, so each goes alone.
        case "off": settings = .init(maximumInFlight: .max)
        case let text?: settings = .init(maximumInFlight: Int(text) ?? GroupCommit.Settings().maximumInFlight)
        }
        context.record("group commit (ALMANAC_BENCH_GROUP_COMMIT)", given == "off" ? "off" : "\(settings.maximumInFlight) groups in flight")
        return settings
    }

    func stop() async {
        serving.forEach { $0.cancel() }
        for task in serving { _ = await task.result }
        await http.shutdown()
        connections.forEach { $0.close() }
    }

    /// The app is listening once `/health` answers; until then connecting is refused. Waits at
    /// most 20 s, trying again every 20 ms.
    static func waitUntilServing(_ http: HTTPClient, baseURL: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        let url = URL(string: baseURL + "/health")!
        while true {
            if let answer = try? await http.execute(HTTPRequest(url: url, timeout: .seconds(2))), answer.status == 200 { return }
            guard ContinuousClock.now < deadline else { throw BenchError("booking-web did not answer \(url) within 20 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The site (every day 06:00–22:00, half-hour grid, a year ahead, no per-person limits), a
    /// building, `floors` floors and `resources` desks, through admin commands as an operator
    /// would send them. Returns the desk ids.
    static func seed(_ commands: CommandClient, plan: BookingBenchmark.Plan, context: BenchContext, mode: BookingSetting) async throws -> [ResourceID] {
        let admin = CommandRequest(name: "", idempotencyKey: "", actor: "bench-admin", actorRoles: [Access.Role.admin.rawValue], body: [])
        var sent = 0
        func send(_ command: BookingCommand) async throws {
            sent += 1
            let (name, body) = try BookingCommandCodec.encode(command)
            var request = admin
            request.name = name
            request.idempotencyKey = command.idempotencyKey
            request.body = body
            let reply = try await commands.send(request, timeout: .seconds(30))
            guard case .accepted = reply else { throw BenchError("seeding \(name) failed: \(reply)") }
        }
        func key() -> String { "bench-seed-\(sent + 1)" }
        let hours = Weekday.allCases.map { OpeningInterval(weekday: $0, opens: TimeOfDay(hour: 6)!, closes: TimeOfDay(hour: 22)!) }
        let policy = BookingPolicy(slotGranularityMinutes: 30, minimumDurationMinutes: 30, maximumDurationMinutes: 600,
                                   minimumNoticeToBookMinutes: 0, maximumAdvanceDays: 365)
        let progress = context.progress("\(mode.label) · seeding a site with \(plan.resources) desks", total: plan.resources, unit: "desks")
        do {
            try await send(.createSite(CreateSite(idempotencyKey: key(), siteId: siteId, name: "Bench Campus", country: "CH", timeZone: zone,
                                                  openingHours: hours, policy: policy)))
            try await send(.addBuilding(AddBuilding(idempotencyKey: key(), siteId: siteId, buildingId: "bench-main", name: "Main")))
            var desks: [ResourceID] = []
            for floor in 1...plan.floors {
                let floorId = "bench-main-\(floor)"
                try await send(.addFloor(AddFloor(idempotencyKey: key(), siteId: siteId, buildingId: "bench-main", floorId: floorId,
                                                  name: "Floor \(floor)", level: floor)))
                for _ in 0..<(plan.resources / plan.floors) {
                    let id = "bench-desk-\(String(format: "%04d", desks.count + 1))"
                    try await send(.addResource(AddResource(idempotencyKey: key(), siteId: siteId, resource: ResourceDefinition(
                        resourceId: id, floorId: floorId, name: "Desk \(desks.count + 1)", kind: .desk))))
                    desks.append(id)
                    progress.advance()
                }
            }
            progress.finish(done: desks.count)
            return desks
        } catch {
            progress.fail()
            throw error
        }
    }
}

/// Hands out free (desk, half-hour) pairs: the n-th booking of the run takes desk n mod
/// `resources` and that desk's next half-hour from tomorrow 06:00 on (32 a day, 06:00–22:00
/// in the site's zone). Concurrent bookers take consecutive n, so they hit different desks, as
/// people spread over a floor do.
final class SlotPlanner: Sendable {
    let resources: Int
    let firstDay: Date
    let calendar: Calendar
    static let slotsPerDay = 32
    private let next = Atomic<Int>(0)

    init(resources: Int, zone: String) {
        self.resources = resources
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        self.calendar = calendar
        firstDay = calendar.startOfDay(for: Date().addingTimeInterval(86_400))
    }

    /// The next free booking: desk index, start and end.
    func take() -> (resource: Int, start: Date, end: Date) {
        let n = next.add(1, ordering: .relaxed).oldValue
        let slot = n / resources
        let day = calendar.date(byAdding: .day, value: slot / Self.slotsPerDay, to: firstDay)!
        let start = calendar.date(bySettingHour: 6, minute: 0, second: 0, of: day)!.addingTimeInterval(Double(slot % Self.slotsPerDay) * 1800)
        return (n % resources, start, start.addingTimeInterval(1800))
    }
}
