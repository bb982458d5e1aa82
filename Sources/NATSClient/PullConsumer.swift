import CNATS
import Foundation
import Synchronization

/// A durable pull consumer bound by name: fetch a batch, process, then ack each message.
/// Unacked messages come back after the consumer's `ack_wait`, also to another instance.
public final class PullConsumer: Sendable {
    public let stream: String
    public let name: String
    let connection: NATSConnection
    // jsCtx and natsSubscription are thread-safe per libnats; both are set once in `bind` and
    // destroyed in deinit, after every message (which keeps the consumer alive) is gone.
    nonisolated(unsafe) let context: OpaquePointer
    nonisolated(unsafe) let subscription: OpaquePointer
    /// libnats allows one fetch at a time per subscription.
    private let fetching = Mutex(false)

    private init(stream: String, name: String, connection: NATSConnection, context: OpaquePointer, subscription: OpaquePointer) {
        self.stream = stream
        self.name = name
        self.connection = connection
        self.context = context
        self.subscription = subscription
    }

    /// Binds to an existing durable consumer (create it first with `createOrUpdateConsumer`).
    public static func bind(_ jetStream: JetStream, stream: String, consumer: String) async throws -> PullConsumer {
        try Subject.validatePublish(stream)
        try Subject.validatePublish(consumer)
        let info = try await jetStream.consumerInfo(stream: stream, name: consumer)
        let filter = info.config.allFilterSubjects.count == 1 ? info.config.allFilterSubjects[0] : nil
        let connection = jetStream.connection
        return try await Offload.run {
            var context: OpaquePointer?
            var options = jsOptions()
            try check(jsOptions_Init(&options), "cannot initialise JetStream options")
            try check(natsConnection_JetStream(&context, connection.handle, &options), "cannot create JetStream context")
            var subscribeOptions = jsSubOptions()
            try check(jsSubOptions_Init(&subscribeOptions), "cannot initialise subscribe options")
            var sub: OpaquePointer?
            var errorCode = jsErrCode(0)
            let status = stream.withCString { streamName in
                consumer.withCString { consumerName in
                    // With Stream and Consumer set, js_PullSubscribe binds to the existing
                    // consumer instead of creating one; the subject must match its filter.
                    subscribeOptions.Stream = streamName
                    subscribeOptions.Consumer = consumerName
                    return js_PullSubscribe(&sub, context, filter, consumerName, &options, &subscribeOptions, &errorCode)
                }
            }
            guard status == NATS_OK, let sub else {
                jsCtx_Destroy(context)
                if errorCode.rawValue != 0 {
                    throw JetStreamError(code: 0, errorCode: Int(errorCode.rawValue), text: "cannot bind to consumer \(stream)/\(consumer)")
                }
                throw natsError(status, "cannot bind to consumer \(stream)/\(consumer)")
            }
            return PullConsumer(stream: stream, name: consumer, connection: connection, context: context!, subscription: sub)
        }
    }

    /// Up to `batch` messages; returns early with fewer when the stream has no more right now,
    /// and an empty array when nothing arrived within `expires`.
    public func fetch(batch: Int, expires: Duration = .seconds(5)) async throws -> [JetStreamMessage] {
        try await fetchHandles(batch: batch, expires: expires).map { JetStreamMessage(handle: $0.pointer, consumer: self) }
    }

    /// The fetched messages' handles, owned by the caller from here on.
    func fetchHandles(batch: Int, expires: Duration) async throws -> [UncheckedHandle] {
        let busy = fetching.withLock { busy in
            defer { busy = true }
            return busy
        }
        guard !busy else { throw NATSError(kind: .invalidArgument, message: "a fetch on \(stream)/\(name) is already running") }
        defer { fetching.withLock { $0 = false } }
        return try await Offload.run { [self] in
            var list = natsMsgList()
            var errorCode = jsErrCode(0)
            let status = natsSubscription_Fetch(&list, self.subscription, Int32(batch), Swift.max(1, expires.milliseconds), &errorCode)
            if status == NATS_TIMEOUT { return [UncheckedHandle]() }
            if status != NATS_OK {
                if errorCode.rawValue != 0 {
                    throw JetStreamError(code: 0, errorCode: Int(errorCode.rawValue), text: "fetch from \(stream)/\(name) failed")
                }
                throw natsError(status, "fetch from \(stream)/\(name) failed")
            }
            var handles: [UncheckedHandle] = []
            for index in 0..<Int(list.Count) {
                if let msg = list.Msgs[index] { handles.append(UncheckedHandle(pointer: msg)) }
                // Ownership moves to the caller (a JetStreamMessage or a RawMessageBatch);
                // natsMsgList_Destroy skips NULL entries
                // and frees only the array.
                list.Msgs[index] = nil
            }
            natsMsgList_Destroy(&list)
            return handles
        }
    }

    deinit {
        // Destroy (not Unsubscribe): the durable consumer stays on the server for the next
        // instance; libnats only drops its local interest.
        natsSubscription_Destroy(subscription)
        jsCtx_Destroy(context)
    }
}

/// Carries a C pointer out of a closure that produced it and hands it on at once.
struct UncheckedHandle: @unchecked Sendable {
    // @unchecked: moves a pointer between threads only where libnats documents the object
    // as thread-safe or where one owner at a time uses it.
    let pointer: OpaquePointer
}

/// A message from a pull consumer, which must be acked, naked or terminated.
public final class JetStreamMessage: Sendable {
    public let message: StreamMessage
    // natsMsg is owned by this object alone and freed in deinit; libnats serialises acks
    // internally, so ack calls from any thread are safe.
    nonisolated(unsafe) let handle: OpaquePointer
    /// Keeps the subscription (through which acks are sent) alive as long as the message.
    let consumer: PullConsumer

    init(handle: OpaquePointer, consumer: PullConsumer) {
        self.handle = handle
        self.consumer = consumer
        message = CMessage.streamMessage(handle)
    }

    public var subject: String { message.subject }
    public var sequence: UInt64 { message.sequence }

    /// Done with it: the server will not deliver it again.
    public func ack() throws {
        try check(natsMsg_Ack(handle, nil), "ack of \(consumer.stream) #\(sequence) failed")
    }

    /// Done with it, and wait until the server confirms (for when a lost ack matters).
    public func ackSync() async throws {
        try await Offload.run { [self] in
            var errorCode = jsErrCode(0)
            try check(natsMsg_AckSync(self.handle, nil, &errorCode), "ack of \(self.consumer.stream) #\(self.sequence) failed")
        }
    }

    /// Deliver it again, after `delay` when given.
    public func nak(delay: Duration? = nil) throws {
        if let delay {
            try check(natsMsg_NakWithDelay(handle, delay.milliseconds, nil), "nak of \(consumer.stream) #\(sequence) failed")
        } else {
            try check(natsMsg_Nak(handle, nil), "nak of \(consumer.stream) #\(sequence) failed")
        }
    }

    /// Never deliver it again (poison message).
    public func term() throws {
        try check(natsMsg_Term(handle, nil), "term of \(consumer.stream) #\(sequence) failed")
    }

    /// Still working on it: resets the ack-wait timer.
    public func inProgress() throws {
        try check(natsMsg_InProgress(handle, nil), "in-progress of \(consumer.stream) #\(sequence) failed")
    }

    deinit {
        natsMsg_Destroy(handle)
    }
}
