/// A key-value bucket in the standard JetStream layout (stream `KV_<bucket>`, subjects
/// `$KV.<bucket>.<key>`), so `nats kv` tools read it too. Revisions are stream sequences, and
/// `create`/`update` are compare-and-set through expected subject sequences.
public struct KeyValueBucket: Sendable {
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let value: [UInt8]
        public let revision: UInt64

        public init(key: String, value: [UInt8], revision: UInt64) {
            self.key = key
            self.value = value
            self.revision = revision
        }
    }

    public struct Config: Sendable {
        public var bucket: String
        public var history: Int64
        /// Entries older than this disappear (leases use it as their expiry).
        public var maxAge: Duration?
        public var replicas: Int
        public var storage: StreamConfig.Storage

        public init(bucket: String, history: Int64 = 1, maxAge: Duration? = nil, replicas: Int = 1, storage: StreamConfig.Storage = .file) {
            self.bucket = bucket
            self.history = history
            self.maxAge = maxAge
            self.replicas = replicas
            self.storage = storage
        }
    }

    public let jetStream: JetStream
    public let bucket: String

    var streamName: String { "KV_\(bucket)" }

    func subject(_ key: String) throws -> String {
        guard !key.isEmpty, key.utf8.allSatisfy({ byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 95 || byte == 61 || byte == 47 || byte == 46
        }), !key.hasPrefix("."), !key.hasSuffix("."), !key.contains("..") else {
            throw NATSError(kind: .invalidArgument, message: "invalid key \(String(reflecting: key))")
        }
        return "$KV.\(bucket).\(key)"
    }

    /// The current entry, or `nil` when the key was never set or is deleted.
    public func get(_ key: String) async throws -> Entry? {
        guard let message = try await jetStream.lastMessage(stream: streamName, subject: try subject(key)) else { return nil }
        if let operation = message.headers["KV-Operation"], operation == "DEL" || operation == "PURGE" { return nil }
        return Entry(key: key, value: message.payload, revision: message.sequence)
    }

    /// Sets `key` only if it has no value; returns the new revision. Throws `JetStreamError`
    /// 10071 when another writer holds the key.
    @discardableResult
    public func create(_ key: String, value: [UInt8]) async throws -> UInt64 {
        do {
            return try await jetStream.publish(try subject(key), payload: value, options: .init(expectedLastSubjectSequence: 0)).seq
        } catch let error as JetStreamError where error.isWrongLastSequence {
            // A deleted key may be created again: its last message is the delete marker.
            guard let last = try await jetStream.lastMessage(stream: streamName, subject: try subject(key)),
                  let operation = last.headers["KV-Operation"], operation == "DEL" || operation == "PURGE"
            else { throw error }
            return try await update(key, value: value, revision: last.sequence)
        }
    }

    /// Sets `key` only if its revision is still `revision`; returns the new revision.
    @discardableResult
    public func update(_ key: String, value: [UInt8], revision: UInt64) async throws -> UInt64 {
        try await jetStream.publish(try subject(key), payload: value, options: .init(expectedLastSubjectSequence: revision)).seq
    }

    @discardableResult
    public func put(_ key: String, value: [UInt8]) async throws -> UInt64 {
        try await jetStream.publish(try subject(key), payload: value).seq
    }

    /// Deletes `key`, optionally only if its revision is still `revision`.
    public func delete(_ key: String, revision: UInt64? = nil) async throws {
        _ = try await jetStream.publish(try subject(key), payload: [], headers: ["KV-Operation": "DEL"],
                                        options: .init(expectedLastSubjectSequence: revision))
    }
}

extension JetStream {
    /// Creates or updates a bucket and returns it.
    public func createKeyValue(_ config: KeyValueBucket.Config) async throws -> KeyValueBucket {
        _ = try SubjectToken(config.bucket)
        try await createOrUpdateStream(StreamConfig(
            name: "KV_\(config.bucket)", subjects: ["$KV.\(config.bucket).>"], storage: config.storage, discard: .new,
            maxAge: config.maxAge, maxMsgsPerSubject: config.history,
            // The server refuses a duplicate window longer than the entries live.
            duplicateWindow: min(.seconds(120), config.maxAge ?? .seconds(120)), replicas: config.replicas,
            allowDirect: true, allowRollup: true, denyDelete: true))
        return KeyValueBucket(jetStream: self, bucket: config.bucket)
    }

    public func keyValue(_ bucket: String) throws -> KeyValueBucket {
        _ = try SubjectToken(bucket)
        return KeyValueBucket(jetStream: self, bucket: bucket)
    }
}
