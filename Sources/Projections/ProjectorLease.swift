import Foundation
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
public final class ProjectorLease: Sendable {
    public let key: String
    public let instance: String
    let bucket: KeyValueBucket
    private let revision = LockedValue<UInt64?>(nil)

    init(bucket: KeyValueBucket, key: String, instance: String) {
        self.bucket = bucket
        self.key = key
        self.instance = instance
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

    public var isHeld: Bool { revision.value != nil }

    /// Takes the lease if nobody holds it (or this instance already does); true when held.
    func tryAcquire() async throws -> Bool {
        let value = Array(instance.utf8)
        if let current = try await bucket.get(key) {
            guard current.value == value else { return false }
            return try await renew(from: current.revision)
        }
        do {
            revision.value = try await bucket.create(key, value: value)
            return true
        } catch let error as JetStreamError where error.isWrongLastSequence {
            return false
        }
    }

    /// Extends the lease; false (and no longer held) when someone else has it now.
    func renew() async throws -> Bool {
        guard let held = revision.value else { return false }
        return try await renew(from: held)
    }

    private func renew(from held: UInt64) async throws -> Bool {
        do {
            revision.value = try await bucket.update(key, value: Array(instance.utf8), revision: held)
            return true
        } catch let error as JetStreamError where error.isWrongLastSequence {
            revision.value = nil
            return false
        }
    }

    /// Gives the lease up at once, so a standby need not wait for the expiry.
    func release() async {
        guard let held = revision.value else { return }
        revision.value = nil
        try? await bucket.delete(key, revision: held)
    }
}
