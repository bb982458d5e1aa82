import Access
import AlmanacEvents
import Booking
import BookingService
import BookingWeb
import CommandBus
import EventStore
import Foundation
import HTTPClient
import Synchronization

extension BookingBenchmark {
    /// Where a booking's time goes: the same load through fewer and fewer layers, each at the
    /// same concurrency for about `secondsPerLayer`. The difference between two neighbouring
    /// layers is what the outer one adds.
    func profile(_ stack: BookingStack, plan: Plan, mode: BookingSetting, context: BenchContext) async throws -> [Figure] {
        let group = "where the time goes, \(plan.clients) concurrent, \(mode.label)"
        var figures: [Figure] = []
        func layer(_ name: String, unit: String, _ operation: @escaping TimedLoad.Operation) async throws {
            let progress = context.progress("\(mode.label) · profile · \(name)", total: nil, unit: unit)
            let (run, cpu) = try await ProcessCPUTime.measure {
                try await TimedLoad.run(tasks: plan.clients, seconds: plan.secondsPerLayer, progress: progress, operation)
            }
            progress.finish(done: run.appends)
            let latency = LatencyStatistics(seconds: run.latencies)
            figures += [
                .absolute("\(name): throughput", group: group, value: run.perSecond, unit: "\(unit)/s", higherIsBetter: true, goal: nil),
                .absolute("\(name): p50", group: group, value: latency.p50, unit: "ms", higherIsBetter: false, goal: nil),
                .absolute("\(name): p99", group: group, value: latency.p99, unit: "ms", higherIsBetter: false, goal: nil),
                .absolute("\(name): CPU per op", group: group, value: cpu / Double(max(run.appends, 1)) * 1e6, unit: "µs",
                          higherIsBetter: false, goal: nil),
            ]
        }

        // 1. HTTP alone: libcurl client + Hummingbird parse/route/answer, nothing behind it.
        let health = HTTPRequest(url: URL(string: stack.baseURL + "/health")!)
        try await layer("HTTP GET /health (client + server, no work)", unit: "requests") { _ in
            let answer = try await stack.http.execute(health)
            guard answer.status == 200 else { throw BenchError("/health answered \(answer.status)") }
        }

        // 2. Token verification alone, as the app's middleware does it: each client sends its
        //    own token again and again, so after the first the verified-token cache answers;
        //    then in full every time (signature, iss, aud, exp), as before that cache.
        let verifier = TokenVerifier(configuration: stack.issuer.verifierConfiguration, http: DevIssuerKeySource(stack.issuer))
        try await layer("token verification (cached)", unit: "tokens") { task in
            _ = try await verifier.verify(authorizationHeader: "Bearer \(stack.bookers[task].token)")
        }
        var uncached = stack.issuer.verifierConfiguration
        uncached.verifiedTokenCacheSize = 0
        let fullVerifier = TokenVerifier(configuration: uncached, http: DevIssuerKeySource(stack.issuer))
        try await layer("token verification (full, no cache)", unit: "tokens") { task in
            _ = try await fullVerifier.verify(authorizationHeader: "Bearer \(stack.bookers[task].token)")
        }

        // 3. The place command over NATS request/reply, as booking-web sends it, without HTTP.
        try await layer("place over NATS request (no HTTP)", unit: "bookings") { task in
            let command = stack.nextPlace(task: task)
            let (name, body) = try BookingCommandCodec.encode(command)
            let reply = try await stack.commands.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: stack.bookers[task].person,
                                                                     actorRoles: [Access.Role.booker.rawValue], body: body))
            guard case .accepted = reply else { throw BenchError("place over NATS: \(reply)") }
        }

        // 4. The handler called directly: load (cached), decide, atomic append, no request hop.
        try await layer("handler: decide + append (no NATS request)", unit: "bookings") { task in
            let reply = await stack.handler.handle(stack.nextPlace(task: task), actor: Booking.Principal(personId: stack.bookers[task].person, roles: [.booker]))
            guard case .accepted = reply else { throw BenchError("handler: \(reply)") }
        }

        // 5. The atomic append of a booking's two events with their expectations, nothing decided.
        let sequences = ExpectedSequences(tasks: plan.clients, resourcesPerTask: max(1, plan.resources / plan.clients))
        try await layer("atomic append of 2 events (no deciding)", unit: "appends") { task in
            let (resource, person) = sequences.next(task: task)
            let result = try await stack.store.append([
                EventStore.SubjectAppend(subject: resource.subject, events: [BookingEventExamples.placed], expecting: resource.expected),
                EventStore.SubjectAppend(subject: person.subject, events: [BookingEventExamples.personBookingAdded], expecting: person.expected),
            ], idempotencyKey: UUID().uuidString, metadata: EventMetadata(actor: "person:bench"))
            sequences.stored(task: task, resource: result.sequences[0], person: result.sequences[1])
        }

        // 6. For scale: one event on one subject with its expectation, the shape raw
        //    js_Publish has; the gap to layer 5 is the server's atomic-batch cost.
        let singles = ExpectedSequences(tasks: plan.clients, resourcesPerTask: max(1, plan.resources / plan.clients))
        try await layer("single-event append (no batch)", unit: "appends") { task in
            let (resource, _) = singles.next(task: task)
            let subject = resource.subject.replacingOccurrences(of: "bench-append-", with: "bench-single-")
            let result = try await stack.store.append([BookingEventExamples.placed], to: subject, expecting: resource.expected,
                                                      idempotencyKey: UUID().uuidString, metadata: EventMetadata(actor: "person:bench"))
            singles.stored(task: task, resource: result.lastSequence, person: 0)
        }

        // 7. Deciding alone, on one thread: the pure domain's share.
        figures.append(try await decideCost(stack, group: group))
        return figures
    }

    /// Microseconds per `BookingDecider.decide` of a place on a desk already holding bookings,
    /// for a person already holding many: the states as the handler has them in its cache.
    func decideCost(_ stack: BookingStack, group: String) async throws -> Figure {
        let aggregates = BookingAggregates(store: stack.store)
        let command = stack.nextPlace(task: 0)
        guard case .place(let place) = command else { throw BenchError("not a place command") }
        let person = stack.bookers[0].person
        let context = DecisionContext(actor: Booking.Principal(personId: person, roles: [.booker]), now: Date(),
                                      sites: [place.siteId: try await aggregates.site(place.siteId)],
                                      resources: [place.resourceId: try await aggregates.resource(place.resourceId)],
                                      persons: [person: try await aggregates.person(person)])
        let repetitions = 2000
        let start = DispatchTime.now().uptimeNanoseconds
        var accepted = 0
        for _ in 0..<repetitions {
            if case .success = BookingDecider.decide(command, context) { accepted += 1 }
        }
        let micros = secondsSince(start) / Double(repetitions) * 1e6
        guard accepted == repetitions else { throw BenchError("decide rejected the benchmark's place command") }
        return .absolute("decide alone (pure, one thread)", group: group, value: micros, unit: "µs", higherIsBetter: false, goal: nil)
    }
}

/// Per task: its own resource subjects (taken in turn) and person subject, with the last
/// sequence stored on each, so every append's expectation holds.
final class ExpectedSequences: Sendable {
    struct Slot: Sendable {
        let subject: String
        let expected: ExpectedVersion
    }

    private let resourcesPerTask: Int
    private let state: Mutex<[(turn: Int, resources: [UInt64], person: UInt64)]>

    init(tasks: Int, resourcesPerTask: Int) {
        self.resourcesPerTask = resourcesPerTask
        state = Mutex(Array(repeating: (0, [UInt64](repeating: 0, count: resourcesPerTask), 0), count: tasks))
    }

    func next(task: Int) -> (resource: Slot, person: Slot) {
        state.withLock { state in
            let index = state[task].turn % resourcesPerTask
            let resource = state[task].resources[index], person = state[task].person
            return (Slot(subject: "bookings.resource.bench-append-\(task)-\(index)", expected: resource == 0 ? .noStream : .sequence(resource)),
                    Slot(subject: "bookings.person.bench-append-\(task)", expected: person == 0 ? .noStream : .sequence(person)))
        }
    }

    func stored(task: Int, resource: UInt64, person: UInt64) {
        state.withLock { state in
            state[task].resources[state[task].turn % resourcesPerTask] = resource
            state[task].person = person
            state[task].turn += 1
        }
    }
}
