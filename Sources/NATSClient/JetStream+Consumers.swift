/// A consumer's configuration. Durations are nanoseconds, as on the wire.
public struct ConsumerConfig: Codable, Sendable, Equatable {
    public enum DeliverPolicy: String, Codable, Sendable {
        case all, last, new
        case byStartSequence = "by_start_sequence"
        case byStartTime = "by_start_time"
        case lastPerSubject = "last_per_subject"
    }

    public enum AckPolicy: String, Codable, Sendable { case none, all, explicit }

    public var durableName: String?
    public var name: String?
    public var description: String?
    public var deliverPolicy: DeliverPolicy
    public var optStartSeq: UInt64?
    public var ackPolicy: AckPolicy
    public var ackWait: Int64?
    public var maxDeliver: Int?
    public var backoff: [Int64]?
    public var filterSubject: String?
    public var filterSubjects: [String]?
    public var maxAckPending: Int?
    public var maxWaiting: Int?
    public var inactiveThreshold: Int64?
    public var replicas: Int?
    public var memoryStorage: Bool?

    public init(durableName: String? = nil, name: String? = nil, description: String? = nil, deliverPolicy: DeliverPolicy = .all,
                optStartSeq: UInt64? = nil, ackPolicy: AckPolicy = .explicit, ackWait: Duration? = nil, maxDeliver: Int? = nil,
                backoff: [Duration]? = nil, filterSubjects: [String] = [], maxAckPending: Int? = nil, maxWaiting: Int? = nil,
                inactiveThreshold: Duration? = nil, replicas: Int? = nil, memoryStorage: Bool? = nil) {
        self.durableName = durableName
        self.name = name ?? durableName
        self.description = description
        self.deliverPolicy = deliverPolicy
        self.optStartSeq = optStartSeq
        self.ackPolicy = ackPolicy
        self.ackWait = ackWait?.nanoseconds
        self.maxDeliver = maxDeliver
        self.backoff = backoff?.map(\.nanoseconds)
        // One filter goes in `filter_subject` so servers before 2.10 understand it too.
        if filterSubjects.count == 1 { self.filterSubject = filterSubjects[0] } else if !filterSubjects.isEmpty { self.filterSubjects = filterSubjects }
        self.maxAckPending = maxAckPending
        self.maxWaiting = maxWaiting
        self.inactiveThreshold = inactiveThreshold?.nanoseconds
        self.replicas = replicas
        self.memoryStorage = memoryStorage
    }

    public var allFilterSubjects: [String] { filterSubjects ?? filterSubject.map { [$0] } ?? [] }

    enum CodingKeys: String, CodingKey {
        case durableName = "durable_name", name, description, deliverPolicy = "deliver_policy", optStartSeq = "opt_start_seq"
        case ackPolicy = "ack_policy", ackWait = "ack_wait", maxDeliver = "max_deliver", backoff
        case filterSubject = "filter_subject", filterSubjects = "filter_subjects", maxAckPending = "max_ack_pending"
        case maxWaiting = "max_waiting", inactiveThreshold = "inactive_threshold", replicas = "num_replicas"
        case memoryStorage = "mem_storage"
    }
}

public struct SequenceInfo: Decodable, Sendable, Equatable {
    public let consumerSequence: UInt64
    public let streamSequence: UInt64
    enum CodingKeys: String, CodingKey { case consumerSequence = "consumer_seq", streamSequence = "stream_seq" }
}

public struct ConsumerInfo: Decodable, Sendable {
    public let streamName: String
    public let name: String
    public let config: ConsumerConfig
    public let delivered: SequenceInfo
    public let ackFloor: SequenceInfo
    public let numAckPending: Int
    public let numRedelivered: Int
    public let numWaiting: Int
    public let numPending: UInt64

    enum CodingKeys: String, CodingKey {
        case streamName = "stream_name", name, config, delivered, ackFloor = "ack_floor"
        case numAckPending = "num_ack_pending", numRedelivered = "num_redelivered"
        case numWaiting = "num_waiting", numPending = "num_pending"
    }
}

struct ConsumerCreateRequest: Encodable {
    let streamName: String
    let config: ConsumerConfig
    enum CodingKeys: String, CodingKey { case streamName = "stream_name", config }
}

struct ConsumerListPage: Decodable {
    let total: Int
    let consumers: [ConsumerInfo]?
}

extension JetStream {
    /// Creates a consumer or updates the mutable parts of an existing one with that name.
    @discardableResult
    public func createOrUpdateConsumer(stream: String, _ config: ConsumerConfig) async throws -> ConsumerInfo {
        try Subject.validatePublish(stream)
        let path: String
        if let name = config.name ?? config.durableName {
            try Subject.validatePublish(name)
            path = "CONSUMER.CREATE.\(stream).\(name)"
        } else {
            path = "CONSUMER.CREATE.\(stream)"
        }
        return try await api(path, ConsumerCreateRequest(streamName: stream, config: config))
    }

    public func consumerInfo(stream: String, name: String) async throws -> ConsumerInfo {
        try Subject.validatePublish(stream)
        try Subject.validatePublish(name)
        return try await api("CONSUMER.INFO.\(stream).\(name)")
    }

    public func consumers(stream: String) async throws -> [ConsumerInfo] {
        try Subject.validatePublish(stream)
        var all: [ConsumerInfo] = []
        while true {
            let page: ConsumerListPage = try await api("CONSUMER.LIST.\(stream)", Paging(offset: all.count))
            let consumers = page.consumers ?? []
            all += consumers
            if consumers.isEmpty || all.count >= page.total { return all }
        }
    }

    public func deleteConsumer(stream: String, name: String) async throws {
        try Subject.validatePublish(stream)
        try Subject.validatePublish(name)
        let _: DeleteResponse = try await api("CONSUMER.DELETE.\(stream).\(name)")
    }
}
