/// A stream's configuration, declared in code and applied with `createOrUpdateStream`.
/// Only fields Almanac uses are modelled; the server keeps its defaults for the rest.
public struct StreamConfig: Codable, Sendable, Equatable {
    public enum Retention: String, Codable, Sendable { case limits, interest, workqueue }
    public enum Storage: String, Codable, Sendable { case file, memory }
    public enum Discard: String, Codable, Sendable { case old, new }

    public var name: String
    public var description: String?
    public var subjects: [String]
    public var retention: Retention
    public var storage: Storage
    public var discard: Discard?
    /// Nanoseconds; 0 = forever.
    public var maxAge: Int64
    public var maxMsgs: Int64?
    public var maxBytes: Int64?
    public var maxMsgsPerSubject: Int64?
    /// Nanoseconds in which a repeated `Nats-Msg-Id` is recognised.
    public var duplicateWindow: Int64?
    public var replicas: Int
    public var allowAtomic: Bool?
    public var allowMsgTTL: Bool?
    public var allowMsgSchedules: Bool?
    public var allowDirect: Bool?
    public var allowRollup: Bool?
    public var denyDelete: Bool?
    public var denyPurge: Bool?

    public init(name: String, description: String? = nil, subjects: [String], retention: Retention = .limits,
                storage: Storage = .file, discard: Discard? = nil, maxAge: Duration? = nil, maxMsgs: Int64? = nil,
                maxBytes: Int64? = nil, maxMsgsPerSubject: Int64? = nil, duplicateWindow: Duration? = nil, replicas: Int = 1,
                allowAtomic: Bool? = nil, allowMsgTTL: Bool? = nil, allowMsgSchedules: Bool? = nil, allowDirect: Bool? = nil,
                allowRollup: Bool? = nil, denyDelete: Bool? = nil, denyPurge: Bool? = nil) {
        self.name = name
        self.description = description
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.discard = discard
        self.maxAge = maxAge?.nanoseconds ?? 0
        self.maxMsgs = maxMsgs
        self.maxBytes = maxBytes
        self.maxMsgsPerSubject = maxMsgsPerSubject
        self.duplicateWindow = duplicateWindow?.nanoseconds
        self.replicas = replicas
        self.allowAtomic = allowAtomic
        self.allowMsgTTL = allowMsgTTL
        self.allowMsgSchedules = allowMsgSchedules
        self.allowDirect = allowDirect
        self.allowRollup = allowRollup
        self.denyDelete = denyDelete
        self.denyPurge = denyPurge
    }

    enum CodingKeys: String, CodingKey {
        case name, description, subjects, retention, storage, discard
        case maxAge = "max_age", maxMsgs = "max_msgs", maxBytes = "max_bytes"
        case maxMsgsPerSubject = "max_msgs_per_subject", duplicateWindow = "duplicate_window"
        case replicas = "num_replicas", allowAtomic = "allow_atomic", allowMsgTTL = "allow_msg_ttl"
        case allowMsgSchedules = "allow_msg_schedules", allowDirect = "allow_direct"
        case allowRollup = "allow_rollup_hdrs", denyDelete = "deny_delete", denyPurge = "deny_purge"
    }
}

public struct StreamState: Decodable, Sendable, Equatable {
    public let messages: UInt64
    public let bytes: UInt64
    public let firstSequence: UInt64
    public let lastSequence: UInt64
    public let consumerCount: Int
    public let subjectCount: Int?

    enum CodingKeys: String, CodingKey {
        case messages, bytes, firstSequence = "first_seq", lastSequence = "last_seq"
        case consumerCount = "consumer_count", subjectCount = "num_subjects"
    }
}

public struct StreamInfo: Decodable, Sendable {
    public let config: StreamConfig
    public let state: StreamState
}

struct StreamListPage: Decodable {
    let total: Int
    let offset: Int
    let limit: Int
    let streams: [StreamInfo]?
}

struct Paging: Encodable {
    let offset: Int
}

struct DeleteResponse: Decodable {
    let success: Bool
}

extension JetStream {
    /// Creates the stream, or updates it when it exists with another configuration.
    @discardableResult
    public func createOrUpdateStream(_ config: StreamConfig) async throws -> StreamInfo {
        try Subject.validatePublish(config.name)
        do {
            return try await api("STREAM.CREATE.\(config.name)", config)
        } catch let error as JetStreamError where error.errorCode == JetStreamError.streamNameInUse {
            return try await api("STREAM.UPDATE.\(config.name)", config)
        }
    }

    public func streamInfo(_ name: String) async throws -> StreamInfo {
        try Subject.validatePublish(name)
        return try await api("STREAM.INFO.\(name)")
    }

    /// Every stream with its state, across API pages.
    public func streams() async throws -> [StreamInfo] {
        var all: [StreamInfo] = []
        while true {
            let page: StreamListPage = try await api("STREAM.LIST", Paging(offset: all.count))
            let streams = page.streams ?? []
            all += streams
            if streams.isEmpty || all.count >= page.total { return all }
        }
    }

    /// Names of the streams that capture `subject` (a filter may match several).
    public func streamNames(capturing subject: String) async throws -> [String] {
        try Subject.validateFilter(subject)
        struct Request: Encodable { let subject: String }
        struct Page: Decodable { let streams: [String]? }
        let page: Page = try await api("STREAM.NAMES", Request(subject: subject))
        return page.streams ?? []
    }

    public func deleteStream(_ name: String) async throws {
        try Subject.validatePublish(name)
        let _: DeleteResponse = try await api("STREAM.DELETE.\(name)")
    }
}
