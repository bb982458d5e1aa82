import CNATS
import Foundation

extension PullConsumer {
    /// Like `fetch`, for readers that need only a few parts of each message (a rebuild reads a
    /// million): the messages stay as libnats received them, and nothing is copied into Swift
    /// values until asked for (`RawMessage`). No acks: for consumers with `ackPolicy: .none`.
    public func fetchRaw(batch: Int, expires: Duration = .seconds(5)) async throws -> RawMessageBatch {
        RawMessageBatch(handles: try await fetchHandles(batch: batch, expires: expires).map(\.pointer), consumer: self)
    }
}

/// Fetched messages still owned by libnats, freed with the batch. One task at a time may read
/// a batch: libnats parses a message's headers into the message on first lookup.
public final class RawMessageBatch: @unchecked Sendable {
    // @unchecked: the natsMsg pointers are owned by this object alone and freed in deinit;
    // the batch moves between tasks but is read by one at a time (see above).
    private let handles: [OpaquePointer]
    /// Keeps the subscription the messages came through alive as long as they are.
    private let consumer: PullConsumer

    init(handles: [OpaquePointer], consumer: PullConsumer) {
        self.handles = handles
        self.consumer = consumer
    }

    public var count: Int { handles.count }
    public var isEmpty: Bool { handles.isEmpty }

    public subscript(index: Int) -> RawMessage { RawMessage(handle: handles[index], batch: self) }

    deinit {
        for handle in handles { natsMsg_Destroy(handle) }
    }
}

/// A view of one message of a `RawMessageBatch`, valid while the batch lives; the buffers it
/// hands to closures are libnats' own and must not escape them.
public struct RawMessage {
    let handle: OpaquePointer
    /// Keeps the message alive.
    let batch: RawMessageBatch

    /// Where the message sits in the stream, from its ack subject; nil when it has none.
    public var position: StreamPosition? {
        guard let reply = natsMsg_GetReply(handle) else { return nil }
        return reply.withMemoryRebound(to: UInt8.self, capacity: 1) { start in
            StreamPosition(ackSubject: UnsafeBufferPointer(start: start, count: strlen(reply)))
        }
    }

    public var subject: String { String(cString: natsMsg_GetSubject(handle)) }

    /// The first value of header `name`, or nil.
    public func header(_ name: String) -> String? {
        withHeader(name) { String(decoding: $0, as: UTF8.self) }
    }

    /// The first value of header `name` as bytes, passed to `body`; nil when absent.
    public func withHeader<Result>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result? {
        var value: UnsafePointer<CChar>?
        // natsMsgHeader_Get: "the returned string is owned by the library" (valid as long as
        // the message); NATS_NOT_FOUND when the key or all headers are absent.
        guard natsMsgHeader_Get(handle, name, &value) == NATS_OK, let value else { return nil }
        return try value.withMemoryRebound(to: UInt8.self, capacity: 1) { try body(UnsafeBufferPointer(start: $0, count: strlen(value))) }
    }

    /// The payload, in libnats' buffer.
    public func withPayload<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let length = Int(natsMsg_GetDataLength(handle))
        guard length > 0, let data = natsMsg_GetData(handle) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try data.withMemoryRebound(to: UInt8.self, capacity: length) { try body(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The whole message as a `StreamMessage` (all of it copied), for the rare message a reader
    /// needs completely.
    public var streamMessage: StreamMessage { CMessage.streamMessage(handle) }
}

/// What a delivered JetStream message's ack subject says about its place in the stream.
public struct StreamPosition: Sendable, Equatable {
    public let sequence: UInt64
    /// When the server stored it.
    public let time: Date
    /// Messages left in the consumer after this one.
    public let pending: UInt64
    public let deliveries: UInt64

    init?(ackSubject: String) {
        var subject = ackSubject
        guard let position = subject.withUTF8({ StreamPosition(ackSubject: $0) }) else { return nil }
        self = position
    }

    /// Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<nanos>.<pending>` (v1)
    /// or the v2 form with `<domain>.<account hash>` after `$JS.ACK` and a token at the end
    /// (ADR-15), on the bytes, without making strings.
    init?(ackSubject bytes: UnsafeBufferPointer<UInt8>) {
        var dots: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &dots) { raw in
            let dots = raw.bindMemory(to: Int.self)
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") {
                if count == dots.count { count += 1; break }
                dots[count] = index
                count += 1
            }
        }
        // Tokens = dots + 1: 9 (v1), 11 or 12 (v2).
        guard count == 8 || count == 10 || count == 11, bytes.starts(with: "$JS.ACK.".utf8) else { return nil }
        let base = count == 8 ? 2 : 4
        func number(_ token: Int) -> UInt64? {
            withUnsafeBytes(of: dots) { raw in
                let dots = raw.bindMemory(to: Int.self)
                let start = dots[token - 1] + 1
                let end = token < count ? dots[token] : bytes.count
                guard start < end else { return nil }
                var value: UInt64 = 0
                for byte in bytes[start..<end] {
                    guard byte >= 48 && byte <= 57 else { return nil }
                    value = value &* 10 &+ UInt64(byte - 48)
                }
                return value
            }
        }
        guard let delivered = number(base + 2), let sequence = number(base + 3), let nanos = number(base + 5),
              let pending = number(base + 6) else { return nil }
        self.sequence = sequence
        time = Date(timeIntervalSince1970: Double(nanos) / 1e9)
        self.pending = pending
        deliveries = delivered
    }
}
