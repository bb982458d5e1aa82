import CNATS
import Foundation

/// Reads a stream (or the part matching a filter) in order from a start sequence, with no acks:
/// libnats' ordered consumer recreates the server-side consumer by itself when it detects a gap.
/// Iterating yields batches of whatever arrived; a slow reader holds back the delivery thread,
/// which holds back the server through flow control.
public final class OrderedConsumer: AsyncSequence, Sendable {
    public typealias Element = [StreamMessage]

    public enum Mode: Sendable {
        /// Stop once the messages that existed at the start are read.
        case untilCaughtUp
        /// Keep delivering new messages until cancelled.
        case live
    }

    private let channel: BoundedChannel<StreamMessage>

    private init(channel: BoundedChannel<StreamMessage>) {
        self.channel = channel
    }

    public static func start(_ jetStream: JetStream, stream: String, filter: String, from sequence: UInt64 = 1,
                             mode: Mode, bufferSize: Int = 4096) async throws -> OrderedConsumer {
        try Subject.validatePublish(stream)
        try Subject.validateFilter(filter)
        let connection = jetStream.connection
        let channel = BoundedChannel<StreamMessage>(capacity: bufferSize)
        let started = try await Offload.run { () -> DeliveryLoop in
            var context: OpaquePointer?
            var options = jsOptions()
            try check(jsOptions_Init(&options), "cannot initialise JetStream options")
            try check(natsConnection_JetStream(&context, connection.handle, &options), "cannot create JetStream context")
            var subscribeOptions = jsSubOptions()
            try check(jsSubOptions_Init(&subscribeOptions), "cannot initialise subscribe options")
            subscribeOptions.Ordered = true
            subscribeOptions.Config.DeliverPolicy = sequence <= 1 ? js_DeliverAll : js_DeliverByStartSequence
            subscribeOptions.Config.OptStartSeq = sequence <= 1 ? 0 : sequence
            var sub: OpaquePointer?
            var errorCode = jsErrCode(0)
            let status = stream.withCString { streamName in
                subscribeOptions.Stream = streamName
                return js_SubscribeSync(&sub, context, filter, &options, &subscribeOptions, &errorCode)
            }
            guard status == NATS_OK, let sub else {
                jsCtx_Destroy(context)
                if errorCode.rawValue != 0 {
                    throw JetStreamError(code: 0, errorCode: Int(errorCode.rawValue), text: "cannot read \(stream) (\(filter))")
                }
                throw natsError(status, "cannot read \(stream) (\(filter))")
            }
            // The server pushes up to its flow-control window (32 MiB) before it waits for the
            // reader, so libnats must be able to hold that much: a message-count limit would
            // turn a slow reader into a "slow consumer" that loses messages. Bytes bound it.
            natsSubscription_SetPendingLimits(sub, -1, 64 << 20)
            var nothingToRead = false
            if mode == .untilCaughtUp {
                // Nothing pending and nothing delivered: the read is empty and no message
                // with pending == 0 will ever arrive to say so.
                var info: UnsafeMutablePointer<jsConsumerInfo>?
                if natsSubscription_GetConsumerInfo(&info, sub, &options, &errorCode) == NATS_OK, let info {
                    nothingToRead = info.pointee.NumPending == 0 && info.pointee.Delivered.Consumer == 0
                    jsConsumerInfo_Destroy(info)
                }
            }
            return DeliveryLoop(subscription: sub, context: context!, channel: channel, mode: mode,
                                description: "\(stream) (\(filter))", finishedAtStart: nothingToRead)
        }
        started.run()
        return OrderedConsumer(channel: channel)
    }

    /// Stops delivery; the delivery thread cleans up the server-side consumer.
    public func stop() {
        channel.cancel()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Holds the consumer: `for try await` drops the sequence once it has the iterator, and
        /// the consumer's deinit stops delivery.
        let consumer: OrderedConsumer

        public mutating func next() async throws -> [StreamMessage]? {
            try await consumer.channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: self)
    }

    deinit {
        channel.cancel()
    }
}

/// The thread that pulls messages out of libnats and into the channel. All libnats calls on
/// the subscription after start happen on this one thread, including its destruction.
private final class DeliveryLoop: @unchecked Sendable {
    // @unchecked: after `run` the pointers are touched only by the delivery thread.
    let subscription: OpaquePointer
    let context: OpaquePointer
    let channel: BoundedChannel<StreamMessage>
    let mode: OrderedConsumer.Mode
    let description: String
    let finishedAtStart: Bool

    init(subscription: OpaquePointer, context: OpaquePointer, channel: BoundedChannel<StreamMessage>,
         mode: OrderedConsumer.Mode, description: String, finishedAtStart: Bool) {
        self.subscription = subscription
        self.context = context
        self.channel = channel
        self.mode = mode
        self.description = description
        self.finishedAtStart = finishedAtStart
    }

    /// Copies a delivered message into `batch` (destroying the C message); true when it was the
    /// last one of a read `untilCaughtUp`.
    private func take(_ msg: OpaquePointer, into batch: inout [StreamMessage]) -> Bool {
        let copy = CMessage.copy(msg)
        natsMsg_Destroy(msg)
        // Flow-control and heartbeat messages have no ack subject; libnats normally keeps
        // them, but anything without JetStream metadata is not a stream message.
        guard let position = copy.reply.flatMap(StreamPosition.init(ackSubject:)) else { return false }
        batch.append(StreamMessage(subject: copy.subject, headers: copy.headers, payload: copy.payload,
                                   sequence: position.sequence, time: position.time, pending: position.pending))
        return mode == .untilCaughtUp && position.pending == 0
    }

    func run() {
        let thread = Thread { [self] in loop() }
        thread.name = "almanac.ordered-consumer"
        thread.start()
    }

    private func loop() {
        defer {
            // Unsubscribe deletes the ephemeral consumer on the server instead of leaving it
            // to expire.
            natsSubscription_Unsubscribe(subscription)
            natsSubscription_Destroy(subscription)
            jsCtx_Destroy(context)
        }
        if finishedAtStart {
            channel.finish()
            return
        }
        var batch: [StreamMessage] = []
        batch.reserveCapacity(256)
        while !channel.isCancelled {
            var msg: OpaquePointer?
            // Short waits so a cancelled reader is noticed even when the stream is quiet.
            let status = natsSubscription_NextMsg(&msg, subscription, 250)
            if status == NATS_TIMEOUT { continue }
            guard status == NATS_OK, let msg else {
                channel.finish(throwing: natsError(status, "reading \(description) failed"))
                return
            }
            var caughtUp = take(msg, into: &batch)
            // Drain what libnats already holds, so the reader is woken once per batch rather
            // than once per message.
            var pending: Int32 = 0
            natsSubscription_GetPending(subscription, &pending, nil)
            while !caughtUp && pending > 0 && batch.count < 256 {
                var next: OpaquePointer?
                guard natsSubscription_NextMsg(&next, subscription, 1) == NATS_OK, let next else { break }
                caughtUp = take(next, into: &batch)
                pending -= 1
            }
            // Catching up, a reader that keeps pace would otherwise be woken for every message
            // or two, and the hand-over then costs more than the message: gather a few more
            // (waiting at most a millisecond for each) before waking it. Live reads skip this.
            while mode == .untilCaughtUp && !caughtUp && batch.count < 64 {
                var next: OpaquePointer?
                guard natsSubscription_NextMsg(&next, subscription, 1) == NATS_OK, let next else { break }
                caughtUp = take(next, into: &batch)
            }
            guard channel.put(contentsOf: batch) else { return }
            batch.removeAll(keepingCapacity: true)
            if caughtUp {
                channel.finish()
                return
            }
        }
    }
}
