import CNATS
import Foundation
import Synchronization

/// A core NATS subscription (optionally in a queue group) as an async sequence of messages:
/// how request handlers such as the booking command handler receive `cmd.booking.*`.
///
/// Messages are handed over in batches through a bounded buffer: when the handler falls
/// behind, libnats' delivery thread waits, and beyond libnats' pending limits the server marks
/// the subscriber slow instead of this process growing without bound.
public final class NATSSubscription: AsyncSequence, Sendable {
    public typealias Element = NATSMessage

    public let subject: String
    public let queue: String?
    let connection: NATSConnection
    let channel: BoundedChannel<NATSMessage>
    private let handle: Mutex<UncheckedHandle?>

    init(subject: String, queue: String?, connection: NATSConnection, channel: BoundedChannel<NATSMessage>, handle: UncheckedHandle) {
        self.subject = subject
        self.queue = queue
        self.connection = connection
        self.channel = channel
        self.handle = Mutex(handle)
    }

    /// Stops receiving: the server stops sending, messages already buffered are still
    /// delivered, then iteration ends. What a graceful shutdown calls.
    public func drain() {
        guard let sub = handle.withLock({ sub in defer { sub = nil }; return sub }) else { return }
        // natsSubscription_Unsubscribe: "removes interest ... the subscription will no longer
        // receive messages"; the completion callback then finishes the channel.
        natsSubscription_Unsubscribe(sub.pointer)
        natsSubscription_Destroy(sub.pointer)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: NATSSubscription
        var buffered: [NATSMessage] = []

        public mutating func next() async throws -> NATSMessage? {
            if buffered.isEmpty {
                guard let batch = try await subscription.channel.next() else { return nil }
                buffered = batch.reversed()
            }
            return buffered.popLast()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(subscription: self)
    }

    deinit {
        drain()
        channel.cancel()
    }
}

/// What the libnats callback needs: the channel to put messages into. Retained for the
/// subscription's life and released by the completion callback, after the last delivery.
private final class SubscriptionSink: Sendable {
    let channel: BoundedChannel<NATSMessage>
    init(channel: BoundedChannel<NATSMessage>) { self.channel = channel }
}

extension NATSConnection {
    /// Subscribes to `subject` (wildcards allowed); with `queue`, each message goes to one
    /// member of the group, so handler replicas share the load.
    public func subscribe(to subject: String, queue: String? = nil, bufferSize: Int = 256) throws -> NATSSubscription {
        try Subject.validateFilter(subject)
        if let queue { try Subject.validatePublish(queue) }
        let channel = BoundedChannel<NATSMessage>(capacity: bufferSize)
        let sink = Unmanaged.passRetained(SubscriptionSink(channel: channel))
        let closure = sink.toOpaque()
        var sub: OpaquePointer?
        let callback: natsMsgHandler = { _, _, msg, closure in
            guard let msg else { return }
            let sink = Unmanaged<SubscriptionSink>.fromOpaque(closure!).takeUnretainedValue()
            let message = CMessage.copy(msg)
            natsMsg_Destroy(msg)
            // Blocks this libnats delivery thread while the handler is behind: back-pressure.
            _ = sink.channel.put(contentsOf: [message])
        }
        let status = queue.map { natsConnection_QueueSubscribe(&sub, handle, subject, $0, callback, closure) }
            ?? natsConnection_Subscribe(&sub, handle, subject, callback, closure)
        guard status == NATS_OK, let sub else {
            sink.release()
            throw natsError(status, "cannot subscribe to \(subject)")
        }
        // "invoked after the subscription is closed and the message handler has returned":
        // no more deliveries can come, so the sequence ends and the sink can go.
        natsSubscription_SetOnCompleteCB(sub, { closure in
            let sink = Unmanaged<SubscriptionSink>.fromOpaque(closure!)
            sink.takeUnretainedValue().channel.finish()
            sink.release()
        }, closure)
        return NATSSubscription(subject: subject, queue: queue, connection: self, channel: channel, handle: UncheckedHandle(pointer: sub))
    }

    /// Answers a request: publishes to its reply subject.
    public func respond(to request: NATSMessage, headers: NATSHeaders = [:], payload: [UInt8]) throws {
        guard let reply = request.reply else {
            throw NATSError(kind: .invalidArgument, message: "message on \(request.subject) expects no reply")
        }
        try publish(reply, headers: headers, payload: payload)
    }
}
