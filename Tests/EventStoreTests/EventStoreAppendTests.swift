import EventStore
import Foundation
import NATSClient
import Testing

@Suite("Event store: append and read")
struct EventStoreAppendTests {
    let at = Date(timeIntervalSince1970: 1_800_000_000.250)

    @Test("Given no events, when two writers append with the same expectation, then exactly one wins and the other gets a typed conflict")
    func concurrentAppendsConflict() async throws {
        let scratch = try await ScratchStore.make("race")
        defer { scratch.nats.close() }
        let subject = scratch.subject("d1")
        let outcomes = await withTaskGroup(of: Result<EventStore.AppendResult, any Error>.self) { group in
            for person in ["ada", "grace"] {
                group.addTask {
                    await Result(catching: {
                        try await scratch.store.append([DeskReserved(deskId: "d1", person: person, source: "web", at: at)], to: subject, expecting: .noStream)
                    })
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let conflicts = outcomes.compactMap { outcome -> EventStoreError? in
            if case .failure(let error as EventStoreError) = outcome { error } else { nil }
        }
        #expect(outcomes.filter { if case .success = $0 { true } else { false } }.count == 1)
        #expect(conflicts.count == 1)
        if case .wrongExpectedVersion(let failedSubject, let expected, let actual)? = conflicts.first {
            #expect(failedSubject == subject)
            #expect(expected == .noStream)
            #expect(actual == 1)
        } else {
            Issue.record("expected wrongExpectedVersion, got \(conflicts)")
        }
        #expect(try await scratch.store.read(subject: subject).count == 1)
    }

    @Test("Given an append with an idempotency key, when it is retried, then nothing more is stored and the first sequences come back")
    func retriedAppendIsIdempotent() async throws {
        let scratch = try await ScratchStore.make("idem")
        defer { scratch.nats.close() }
        let subject = scratch.subject("d2")
        let single = try await scratch.store.append([DeskFreed(deskId: "d2")], to: subject, expecting: .any, idempotencyKey: "cmd-1")
        let singleAgain = try await scratch.store.append([DeskFreed(deskId: "d2")], to: subject, expecting: .any, idempotencyKey: "cmd-1")
        #expect(!single.isDuplicate)
        #expect(singleAgain.isDuplicate)
        #expect(singleAgain.sequences == single.sequences)

        // Two events: an atomic batch, whose retry the server refuses whole.
        let events: [any Sendable] = [DeskReserved(deskId: "d2", person: "ada", source: "web", at: at), DeskFreed(deskId: "d2")]
        let batch = try await scratch.store.append(events, to: subject, expecting: .sequence(single.lastSequence), idempotencyKey: "cmd-2")
        let batchAgain = try await scratch.store.append(events, to: subject, expecting: .sequence(single.lastSequence), idempotencyKey: "cmd-2")
        #expect(batch.sequences.count == 2)
        #expect(batchAgain.isDuplicate)
        #expect(batchAgain.sequences == batch.sequences)
        #expect(try await scratch.store.read(subject: subject).count == 3)
    }

    @Test("Given two subjects, when an atomic append has one stale expectation, then neither subject changes")
    func multiSubjectAppendIsAllOrNothing() async throws {
        let scratch = try await ScratchStore.make("multi")
        defer { scratch.nats.close() }
        let from = scratch.subject("from"), to = scratch.subject("to")
        let a = try await scratch.store.append([DeskReserved(deskId: "from", person: "ada", source: "web", at: at)], to: from, expecting: .noStream)
        _ = try await scratch.store.append([DeskFreed(deskId: "to")], to: to, expecting: .noStream)

        await #expect(throws: EventStoreError.self) {
            try await scratch.store.append([
                .init(subject: from, events: [DeskFreed(deskId: "from")], expecting: .sequence(a.lastSequence)),
                .init(subject: to, events: [DeskReserved(deskId: "to", person: "ada", source: "web", at: at)], expecting: .noStream),
            ])
        }
        #expect(try await scratch.store.read(subject: from).count == 1)
        #expect(try await scratch.store.read(subject: to).count == 1)

        let moved = try await scratch.store.append([
            .init(subject: from, events: [DeskFreed(deskId: "from")], expecting: .sequence(a.lastSequence)),
            .init(subject: to, events: [DeskReserved(deskId: "to", person: "ada", source: "web", at: at)], expecting: .any),
        ], idempotencyKey: "move-1")
        #expect(moved.sequences.count == 2)
        #expect(try await scratch.store.read(subject: to).last?.event(as: DeskReserved.self)?.person == "ada")
    }

    @Test("the envelope travels in headers and is read back with the event")
    func envelopeRoundTrip() async throws {
        let scratch = try await ScratchStore.make("envelope")
        defer { scratch.nats.close() }
        let subject = scratch.subject("d3")
        let metadata = EventMetadata(correlationId: "corr-1", causationId: "cause-1", actor: "person:ada", occurredAt: at)
        let event = DeskReserved(deskId: "d3", person: "ada", source: "web", at: at)
        let result = try await scratch.store.append([event], to: subject, expecting: .noStream, idempotencyKey: "key-9", metadata: metadata)
        let read = try #require(try await scratch.store.read(subject: subject).first)
        #expect(read.sequence == result.lastSequence)
        #expect(read.event(as: DeskReserved.self) == event)
        #expect(read.envelope == EventEnvelope(eventId: "key-9/0", type: "test.desk_reserved", version: 2, correlationId: "corr-1",
                                               causationId: "cause-1", actor: "person:ada", occurredAt: at))
        #expect(try await scratch.store.lastEvent(subject: subject)?.sequence == result.lastSequence)
        #expect(try await scratch.store.lastEvent(subject: scratch.subject("none")) == nil)
        #expect(try await scratch.store.read(subject: scratch.subject("none")).isEmpty)
    }

    @Test("Given a v1 event stored by an older build, when it is read, then it is upcast to v2")
    func upcastsOldVersions() async throws {
        let scratch = try await ScratchStore.make("upcast")
        defer { scratch.nats.close() }
        let subject = scratch.subject("old")
        let v1 = #"{"at":"2027-01-15T08:00:00.000Z","deskId":"old","person":"ada"}"#
        _ = try await scratch.nats.jetStream.publish(subject, payload: Array(v1.utf8), headers: [
            "Almanac-Event-Type": "test.desk_reserved", "Almanac-Event-Version": "1", "Almanac-Occurred-At": "2027-01-15T08:00:00.000Z",
        ])
        _ = try await scratch.nats.jetStream.publish(subject, payload: Array("{}".utf8), headers: [
            "Almanac-Event-Type": "test.something_new", "Almanac-Event-Version": "1", "Almanac-Occurred-At": "2027-01-15T08:00:00Z",
        ])
        let events = try await scratch.store.read(subject: subject)
        #expect(events[0].event(as: DeskReserved.self)?.source == "unknown")
        #expect(events[0].event(as: DeskReserved.self)?.person == "ada")
        #expect(events[1].event(as: UnknownEvent.self)?.type == "test.something_new")
    }

    @Test("bad appends are refused before anything reaches NATS")
    func badAppends() async throws {
        let scratch = try await ScratchStore.make("bad")
        defer { scratch.nats.close() }
        struct NotRegistered: Codable, Sendable {}
        await #expect(throws: EventStoreError.unregisteredType(String(reflecting: NotRegistered.self))) {
            try await scratch.store.append([NotRegistered()], to: scratch.subject("x"), expecting: .any)
        }
        await #expect(throws: EventStoreError.self) { try await scratch.store.append([], to: scratch.subject("x"), expecting: .any) }
        await #expect(throws: EventStoreError.self) { try await scratch.store.append([DeskFreed(deskId: "x")], to: "\(scratch.prefix).desk.*", expecting: .any) }
        await #expect(throws: EventStoreError.invalidAppend("no stream captures nowhere.desk.x")) {
            try await scratch.store.append([DeskFreed(deskId: "x")], to: "nowhere.desk.x", expecting: .any)
        }
        #expect(try await scratch.nats.jetStream.streamInfo(scratch.store.stream).state.messages == 0)
    }

    @Test("a subscription delivers what is stored, then what arrives")
    func catchUpThenLive() async throws {
        let scratch = try await ScratchStore.make("sub")
        defer { scratch.nats.close() }
        for index in 1...300 {
            try await scratch.store.append([DeskFreed(deskId: "d\(index)")], to: scratch.subject("d\(index)"), expecting: .noStream)
        }
        let subscription = try await scratch.store.subscribe(filter: "\(scratch.prefix).>", bufferSize: 32)
        defer { subscription.stop() }
        var seen: [UInt64] = []
        var appendedLive = false
        for try await batch in subscription {
            seen += batch.map(\.sequence)
            if seen.count >= 300 && !appendedLive {
                appendedLive = true
                try await scratch.store.append([DeskFreed(deskId: "late")], to: scratch.subject("late"), expecting: .noStream)
            }
            if seen.count == 301 { break }
        }
        #expect(seen == Array(1...301))
    }
}
