import Foundation
import Logging
import NATSClient

/// Who may run a projection: a key per projection in a NATS KV bucket whose entries expire
/// after `ttl` unless renewed. Taking and renewing are compare-and-set on the key's revision,
/// so two instances can never both believe they hold it from the bucket's point of view.
/// (A paused former holder is fenced off in PostgreSQL by the owner column, see `Projector`.)
public struct LeaseSettings: Sendable {
    public var bucket: String
    /// How long an entry lives without renewal: the longest a dead holder blocks a standby.
    public var ttl: Duration
    public var renewEvery: Duration
    /// How often a standby tries to take a lease it does not hold.
    public var standbyPoll: Duration

    public init(bucket: String = "projector_leases", ttl: Duration = .seconds(6), renewEvery: Duration = .seconds(2),
                standbyPoll: Duration = .milliseconds(500)) {
        self.bucket = bucket
        self.ttl = ttl
        self.renewEvery = renewEvery
        self.standbyPoll = standbyPoll
    }
}

/// One instance's hold on one projection's lease.
///
/// While active, a projector renews its lease from a task of its own (`keepRenewed`), not
/// between batches: a batch that takes longer than the ttl (a slow database, a busy machine at
/// start-up) must not let the entry expire under an instance that is still working. The hold
/// counts as lost when a renewal finds another revision, or when no renewal has succeeded
/// within the ttl (the entry may be gone and taken by now).
public final class ProjectorLease: Sendable {
    public let key: String
    public let instance: String
    let bucket: KeyValueBucket
    let ttl: Duration

    /// The entry's revision as this instance last wrote it, and when that write was sent.
    private struct Hold {
        var revision: UInt64
        var renewedAt: ContinuousClock.Instant
    }
    private let hold = LockedValue<Hold?>(nil)

    init(bucket: KeyValueBucket, key: String, instance: String, ttl: Duration) {
        self.bucket = bucket
        self.key = key
        self.instance = instance
        self.ttl = ttl
    }

    static func bucket(_ jetStream: JetStream, settings: LeaseSettings) async throws -> KeyValueBucket {
        try await jetStream.createKeyValue(.init(bucket: settings.bucket, history: 1, maxAge: settings.ttl))
    }

    /// The instance holding `key` now, if any.
    static func holder(_ bucket: KeyValueBucket, key: String) async throws -> String? {
        do {
            return try await bucket.get(key).map { String(decoding: $0.value, as: UTF8.self) }
        } catch let error as JetStreamError where error.errorCode == JetStreamError.streamNotFound {
            return nil  // no projector has started yet, so the bucket does not exist
        }
    }

    public var isHeld: Bool {
        guard let held = hold.value else { return false }
        return ContinuousClock.now - held.renewedAt < ttl
    }

    /// Takes the lease if nobody holds it (or this instance already does); true when held.
    func tryAcquire() async throws -> Bool {
        let value = Array(instance.utf8)
        if let current = try await bucket.get(key) {
            guard current.value == value else { return false }
            return try await renew(from: current.revision)
        }
        let sentAt = ContinuousClock.now
        do {
            hold.value = Hold(revision: try await bucket.create(key, value: value), renewedAt: sentAt)
            return true
        } catch let error as JetStreamError where error.isWrongLastSequence {
            return false
        }
    }

    /// Extends the lease; false (and no longer held) when someone else has it now.
    func renew() async throws -> Bool {
        guard let held = hold.value else { return false }
        return try await renew(from: held.revision)
    }

    private func renew(from revision: UInt64) async throws -> Bool {
        let sentAt = ContinuousClock.now
        do {
            hold.value = Hold(revision: try await bucket.update(key, value: Array(instance.utf8), revision: revision), renewedAt: sentAt)
            return true
        } catch let error as JetStreamError where error.isWrongLastSequence {
            hold.value = nil
            return false
        }
    }

    /// Renews every `interval` until cancelled or until the hold is lost. A renewal that fails
    /// for another reason (NATS unreachable for a moment) is tried again at the next tick; if
    /// none succeeds within the ttl, `isHeld` turns false on its own.
    func keepRenewed(every interval: Duration, logger: Logger) async {
        while isHeld {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled: the projector stopped working
            }
            do {
                guard try await renew() else { return }
            } catch {
                logger.warning("lease renewal failed, trying again in \(interval): \(error)")
            }
        }
    }

    /// Why the hold ended, for the log: taken by another instance, or expired before a renewal
    /// got through (then nobody else need hold it, and this instance may take it again).
    func lossDescription() async -> String {
        let holder = (try? await Self.holder(bucket, key: key)) ?? nil
        if let holder, holder != instance { return "lease taken by \(holder); standing by" }
        return "lease expired before a renewal got through (none succeeded within \(ttl)); taking it again when free"
    }

    /// Gives the lease up at once, so a standby need not wait for the expiry.
    func release() async {
        guard let held = hold.value else { return }
        hold.value = nil
        try? await bucket.delete(key, revision: held.revision)
    }
}
