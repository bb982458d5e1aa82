import AlmanacEvents
import BookingReadModels
import EventStore
import Foundation
import NATSClient
import PostgresClient
import Projections
import Synchronization
import Testing
import TestSupport

/// Issue 4's acceptance with real `almanac` processes. Default sizes fit in `tools/test`;
/// `ALMANAC_ACCEPTANCE=full swift test --filter BookingReadModelProcessTests` runs the sizes.
@Suite("Booking read model processes", .serialized, .timeLimit(.minutes(30)))
struct BookingReadModelProcessTests {
    @Test("Given a booking load, when the projector process is killed -9 at random points and restarted, then after each catch-up the read model equals a fresh full rebuild")
    func givenLoadWhenProjectorKilledThenEqualsRebuild() async throws {
        let full = BookingReadModelHarness.isFullSize
        let rounds = full ? 10 : 2
        // Small by default: tools/test runs every suite at once on two shared cores, and the
        // command handlers' tests time out when this one hogs them.
        let perRound = full ? 20_000 : 1_000
        let harness = try await BookingReadModelHarness.make("rm_kill")
        var generation = 0
        func spawnProjector() async throws -> ChildProcess {
            generation += 1
            return try await BuiltProducts.spawn(
                "almanac", ["projector", BookingReadModel.name, "--instance", "k\(generation)", "--batch-size", "500"] + harness.serverArguments,
                environment: harness.environment, logFile: harness.logs.appendingPathComponent("projector-\(generation).log"))
        }
        var projector = try await spawnProjector()
        for round in 0..<rounds {
            var roundLoad = BookingReadModel.SyntheticLoad(events: perRound, resources: full ? 200 : 20)
            roundLoad.label = "r\(round)-"
            let load = roundLoad
            let first = try await harness.head() + 1
            let appending = Task { try await load.append(to: harness.store) }
            // A random point of this round's load: the kill comes once the projector got there.
            let killAt = first + UInt64.random(in: 0..<UInt64(perRound / 2))
            try await eventually("round \(round): the projector to pass #\(killAt)", within: .seconds(120)) {
                (try await harness.checkpoint()?.lastSequence ?? 0) >= killAt
            }
            _ = await projector.terminate(signal: SIGKILL, grace: .seconds(5))
            let killedAt = try await harness.checkpoint()?.lastSequence ?? 0
            let head = try await appending.value
            // The lease of the killed process expires before the new one can take over (≤ 10 s).
            projector = try await spawnProjector()
            try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: head, pool: harness.pool, timeout: .seconds(120))
            try await harness.expectLiveEqualsRebuild(through: head, "round \(round) (killed at #\(killedAt) of #\(first)...#\(head))")
        }
        _ = await projector.terminate(signal: SIGTERM, grace: .seconds(10))
        #expect(try await harness.pool.query("select count(*)::bigint from booking.bookings").singleValue(Int64.self) ?? 0 > Int64(rounds * perRound / 2))
        await harness.close()
    }

    @Test("Given an incrementally built booking read model, when `almanac replay booking` rebuilds it while a client queries continuously, then no query fails and the swapped-in tables equal the incremental ones")
    func givenReadModelWhenReplayedUnderQueriesThenNoQueryFails() async throws {
        let full = BookingReadModelHarness.isFullSize
        let count = full ? 1_000_000 : 3_000
        let harness = try await BookingReadModelHarness.make("rm_replay")
        let progress = ProgressLine("seeding \(count) booking events", total: count)
        let seedStart = ContinuousClock.now
        let head = try await BookingReadModel.SyntheticLoad(events: count, resources: full ? 2_000 : 20).append(to: harness.store) { progress.report($0) }
        let seeding = ContinuousClock.now - seedStart

        let projectStart = ContinuousClock.now
        let projector = try await BuiltProducts.spawn(
            "almanac", ["projector", BookingReadModel.name, "--instance", "live"] + harness.serverArguments,
            environment: harness.environment, logFile: harness.logs.appendingPathComponent("projector.log"))
        try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: head, pool: harness.pool, timeout: .seconds(full ? 1_200 : 120))
        let projecting = ContinuousClock.now - projectStart
        let incremental = try await harness.checksums(schema: BookingReadModel.name)

        // The client: the booking page's queries and the occupancy screen, one after another, until told to stop.
        let stop = LockedFlag()
        let client = Task { () -> (queries: Int, failures: [String]) in
            let queries = BookingReadModelQueries(pool: harness.pool)
            var done = 0
            var failures: [String] = []
            while !stop.isSet {
                do {
                    _ = try await queries.sites()
                    _ = try await queries.bookings(of: "person-\(done % 97)", endingAfter: Date(timeIntervalSince1970: 0))
                    _ = try await harness.pool.query(
                        "select resource_id, bookings from booking.occupancy_by_day where site_id = $1 and day = $2::date",
                        ["load-site", "2027-01-14"])
                    done += 1
                } catch {
                    failures.append("\(error)")
                }
            }
            return (done, failures)
        }
        var peakMegabytes = 0.0
        let replayStart = ContinuousClock.now
        let replay = try await BuiltProducts.spawn(
            "almanac", ["replay", BookingReadModel.name] + harness.serverArguments,
            environment: harness.environment, logFile: harness.logs.appendingPathComponent("replay.log"))
        // Sampled, not waited on: the replay's exit is what the test waits for.
        while replay.isRunning {
            peakMegabytes = max(peakMegabytes, Self.peakResidentMegabytes(of: replay.pid) ?? 0)
            try await Task.sleep(for: .milliseconds(100))
        }
        let status = await replay.terminate(signal: SIGTERM, grace: .seconds(1))
        let replaying = ContinuousClock.now - replayStart
        stop.set()
        let (queried, failures) = await client.value
        let log = (try? String(contentsOf: harness.logs.appendingPathComponent("replay.log"), encoding: .utf8)) ?? ""
        #expect(status == .exited(code: 0), "replay failed: \(log.suffix(2_000))")
        #expect(log.contains("swapped in booking"), "\(log.suffix(2_000))")
        #expect(failures.isEmpty, "\(failures.count) of \(queried + failures.count) queries failed: \(failures.prefix(3))")
        #expect(queried > 0)
        #expect(try await harness.checksums(schema: BookingReadModel.name) == incremental)
        FileHandle.standardError.write(Data("""
            replay acceptance: \(count) events; seeded in \(seeding), projected incrementally in \(projecting), replayed in \(replaying) \
            (peak RSS of the replay ≈ \(Int(peakMegabytes)) MB); \(queried) client rounds, \(failures.count) failed

            """.utf8))
        _ = await projector.terminate(signal: SIGTERM, grace: .seconds(10))
        await harness.close()
    }

    @Test("Given projector processes for booking and activity, when a booking event cannot be decoded, then booking stops naming the event and the command, activity keeps running, and `almanac projector skip` lets booking go on")
    func givenPoisonEventWhenProjectingThenStopsUntilSkippedByTheCLI() async throws {
        let harness = try await BookingReadModelHarness.make("rm_poison")
        let activity = "activity_bookings"
        let before = try await BookingReadModel.SyntheticLoad(events: 400, resources: 20).append(to: harness.store)
        let log = harness.logs.appendingPathComponent("projector.log")
        let projector = try await BuiltProducts.spawn(
            "almanac", ["projector", BookingReadModel.name, activity, "--instance", "poisoned"] + harness.serverArguments,
            environment: harness.environment, logFile: log)
        try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: before, pool: harness.pool, timeout: .seconds(60))

        // A `booking.placed` whose body is not a booking: what a buggy writer of an older build could leave behind.
        var registry = EventTypeRegistry()
        registry.register(MalformedPlacement.self, as: "booking.placed", version: 1)
        let writer = EventStore(jetStream: harness.nats.jetStream, stream: AlmanacStreams.bookings, registry: registry)
        let poison = try await writer.append([MalformedPlacement(bookingId: 42)], to: "bookings.resource.load-desk-1", expecting: .any).lastSequence
        var after = BookingReadModel.SyntheticLoad(events: 300, resources: 20)
        after.label = "after-"
        let head = try await after.append(to: harness.store)

        try await eventually("booking to stop at #\(poison)", within: .seconds(60)) {
            try await harness.checkpoint()?.poisonSequence == poison
        }
        let checkpoint = try #require(try await harness.checkpoint())
        #expect(checkpoint.lastSequence == poison - 1)
        #expect(checkpoint.poisonType == "booking.placed")
        let message = "projection booking stopped at poison event BOOKINGS #\(poison) (type booking.placed"
        try await eventually("the projector's log to name the poison event") {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.contains(message) && text.contains("almanac projector skip booking --seq \(poison)") && text.contains("cannot decode")
        }
        // The other projection in the same process is not held back.
        try await CheckpointWaiter.wait(for: activity, toReach: head, pool: harness.pool, timeout: .seconds(60))
        let lag = try await BuiltProducts.run("almanac", ["lag"] + harness.serverArguments, environment: harness.environment)
        #expect(lag.output.contains("#\(poison)"), "\(lag.output)")

        let skip = try await BuiltProducts.run("almanac", ["projector", "skip", BookingReadModel.name, "--seq", "\(poison)", "--database-url", harness.conninfo],
                                               environment: harness.environment)
        #expect(skip.output.contains("projection booking will skip #\(poison) and go on"), "\(skip.output) \(skip.errorOutput)")
        try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: head, pool: harness.pool, timeout: .seconds(60))
        #expect(try await harness.checkpoint()?.poisonSequence == nil)
        // A rebuild skips what the operator skipped, so it gives the same rows.
        try await harness.expectLiveEqualsRebuild(through: head, "after the skip")
        #expect(projector.isRunning)
        _ = await projector.terminate(signal: SIGTERM, grace: .seconds(10))
        await harness.close()
    }

    /// VmHWM of a running process, from /proc.
    static func peakResidentMegabytes(of pid: pid_t) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes / 1024
    }
}

/// Registered under `booking.placed` by the poison test: a body the booking decoder refuses.
struct MalformedPlacement: Codable, Sendable {
    let bookingId: Int
}

/// A flag set once by the test and read by its client task.
final class LockedFlag: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
