import EventStore
import Foundation
import NATSClient
import PostgresClient

extension ProjectionRebuild {
    /// One reader of the fold path: fetches its range as raw batches (the next fetch always in
    /// flight), decodes each batch in a task of its own (only the event bodies, straight from
    /// libnats' buffers: a booking event costs no Swift copy of its subject, headers or payload),
    /// and folds the decoded batches in stream order, a chunk at a time, in a task that the next
    /// chunk's waits for. A fold over `budget` entries spills on the reader's connection.
    func fold(from consumer: PullConsumer, into fold: any RebuildFold, budget: Int, schema: String, start: UInt64, end: UInt64, until: Date?,
              skipping skipped: Set<UInt64>, counter: SharedCounter) async throws -> Loaded {
        var loaded = Loaded(last: start - 1, deferred: [])
        try await pool.withConnection { connection in
            var fetching: Task<RawMessageBatch, any Error>?
            var decoding: [Task<DecodedBatch, any Error>] = []
            var decodingCount = 0
            var folding: Task<FoldedChunk, any Error>?
            var finished = false
            do {
                while !finished {
                    let fetchStart = ContinuousClock.now
                    let batch = if let fetching { try await fetching.value } else { try await consumer.fetchRaw(batch: Self.fetchSize, expires: .seconds(1)) }
                    loaded.fetchWait += Self.seconds(since: fetchStart)
                    fetching = nil
                    // Nothing within a second, or the last message matching the filter: done.
                    let newest = batch.isEmpty ? nil : batch[batch.count - 1].position
                    if let newest, newest.pending > 0, newest.sequence < end, until.map({ newest.time <= $0 }) ?? true {
                        fetching = Task { try await consumer.fetchRaw(batch: Self.fetchSize, expires: .seconds(1)) }
                    } else {
                        finished = true
                    }
                    if !batch.isEmpty {
                        decoding.append(Task { try decode(batch, through: end, until: until, skipping: skipped) })
                        decodingCount += batch.count
                    }
                    // Folding is cheap: small chunks keep few decoded batches in memory.
                    if decodingCount >= min(chunkSize, 2 * Self.fetchSize) || (finished && !decoding.isEmpty) {
                        let waitStart = ContinuousClock.now
                        if let previous = try await folding?.value { loaded.record(previous, counter: counter) }
                        loaded.writeWait += Self.seconds(since: waitStart)
                        let chunk = decoding
                        folding = Task { try await self.fold(chunk, into: fold, budget: budget, schema: schema, connection: connection) }
                        decoding.removeAll(keepingCapacity: true)
                        decodingCount = 0
                    }
                }
                let waitStart = ContinuousClock.now
                if let previous = try await folding?.value { loaded.record(previous, counter: counter) }
                loaded.writeWait += Self.seconds(since: waitStart)
            } catch {
                // Never leave a spill running on the connection that goes back to the pool.
                _ = await fetching?.result
                _ = await folding?.result
                for task in decoding { _ = await task.result }
                throw error
            }
        }
        return loaded
    }

    /// A fetched batch's events within the range, decoded; the batch stays for the events the
    /// fold leaves to `apply`, which are decoded whole later.
    struct DecodedBatch: Sendable {
        let batch: RawMessageBatch
        var events: [(index: Int, sequence: UInt64, event: any Sendable)] = []
        /// The last sequence within the range (events skipped by the operator included).
        var last: UInt64?
        var seconds = 0.0
    }

    /// Decodes `batch` up to the first message past `end` or stored after `until`.
    private func decode(_ batch: RawMessageBatch, through end: UInt64, until: Date?, skipping skipped: Set<UInt64>) throws -> DecodedBatch {
        let started = ContinuousClock.now
        var decoded = DecodedBatch(batch: batch)
        decoded.events.reserveCapacity(batch.count)
        for index in 0..<batch.count {
            let message = batch[index]
            guard let position = message.position else { continue }
            if position.sequence > end || (until.map { position.time > $0 } ?? false) { break }
            decoded.last = position.sequence
            if skipped.contains(position.sequence) { continue }
            do {
                decoded.events.append((index, position.sequence, try projection.registry.decodeEvent(message)))
            } catch {
                throw ProjectionError.poisonEvent(PoisonEvent(
                    projection: projection.name, stream: projection.stream, sequence: position.sequence, subject: message.subject,
                    type: message.header(EventEnvelope.Header.type) ?? "(no type header)", reason: "cannot decode: \(error)"))
            }
        }
        decoded.seconds = Self.seconds(since: started)
        return decoded
    }

    /// What folding a chunk left: the events for `apply`, and how far it got.
    struct FoldedChunk: Sendable {
        var deferred: [RecordedEvent] = []
        var events = 0
        var last: UInt64?
        var decodeSeconds = 0.0
    }

    /// Folds a chunk's decoded batches in order; a chunk's task starts only after the one
    /// before it has finished, so the fold is used by one task at a time.
    private func fold(_ chunk: [Task<DecodedBatch, any Error>], into fold: any RebuildFold, budget: Int, schema: String,
                      connection: PostgresConnection) async throws -> FoldedChunk {
        var folded = FoldedChunk()
        for task in chunk {
            let decoded = try await task.value
            folded.decodeSeconds += decoded.seconds
            folded.last = decoded.last ?? folded.last
            for (index, sequence, event) in decoded.events {
                let taken: Bool
                do {
                    taken = try fold.add(event, sequence: sequence)
                } catch {
                    throw poison(try decode(decoded.batch[index].streamMessage), reason: "\(error)")
                }
                if !taken { folded.deferred.append(try decode(decoded.batch[index].streamMessage)) }
            }
            folded.events += decoded.events.count
        }
        if fold.count > budget { try await fold.spill(into: schema, connection: connection) }
        return folded
    }
}

extension ProjectionRebuild.Loaded {
    mutating func record(_ folded: ProjectionRebuild.FoldedChunk, counter: ProjectionRebuild.SharedCounter) {
        deferred += folded.deferred
        decode += folded.decodeSeconds
        guard let newest = folded.last else { return }
        counter.add(events: UInt64(folded.events), positions: newest - last)
        last = newest
    }
}
