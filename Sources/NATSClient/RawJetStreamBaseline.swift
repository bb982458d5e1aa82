import CNATS
import Foundation

/// The machine's raw JetStream limits, measured with libnats and nothing of Almanac on top
/// (no envelope, no Swift copies, no async bridging), so benchmarks can report their figures
/// as a ratio of what the same server allows in the same run.
public enum RawJetStreamBaseline {
    public struct PublishResult: Sendable {
        public let messages: Int
        public let seconds: Double
        /// Round-trip latency of each publish, in seconds, unordered.
        public let latencies: [Double]
        public var perSecond: Double { Double(messages) / seconds }
    }

    /// `threads` threads, each calling blocking `js_Publish` with `ExpectLastSubjectSeq` on its
    /// own share of `subjects` (so expectations never collide), `total` publishes in all.
    public static func publishWithExpectedSequence(url: String, subjects: [String], threads: Int, total: Int, payloadSize: Int) throws -> PublishResult {
        let connection = try open(url)
        defer { natsConnection_Destroy(connection.pointer) }
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: payloadSize)
        let perThread = total / threads
        let group = DispatchGroup()
        let results = ThreadResults(count: threads)
        let start = DispatchTime.now()
        for thread in 0..<threads {
            group.enter()
            let worker = Thread {
                defer { group.leave() }
                results.store(thread, Result { try publishLoop(connection.pointer, subjects: stride(from: thread, to: subjects.count, by: threads).map { subjects[$0] },
                                                              count: perThread, payload: payload) })
            }
            worker.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let latencies = try results.all().flatMap { $0 }
        return PublishResult(messages: latencies.count, seconds: seconds, latencies: latencies)
    }

    private static func publishLoop(_ connection: OpaquePointer, subjects: [String], count: Int, payload: [UInt8]) throws -> [Double] {
        var context: OpaquePointer?
        try check(natsConnection_JetStream(&context, connection, nil), "cannot create JetStream context")
        defer { jsCtx_Destroy(context) }
        // The subjects' current last sequences: the stream may hold earlier runs' messages.
        var expected = [UInt64](repeating: 0, count: subjects.count)
        for (index, subject) in subjects.enumerated() {
            var last: OpaquePointer?
            if js_GetLastMsg(&last, context, nil, subject, nil, nil) == NATS_OK, let last {
                expected[index] = natsMsg_GetSequence(last)
                natsMsg_Destroy(last)
            }
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        for index in 0..<count {
            let slot = index % subjects.count
            options.ExpectLastSubjectSeq = expected[slot]
            var ack: UnsafeMutablePointer<jsPubAck>?
            var errorCode = jsErrCode(0)
            let begin = DispatchTime.now().uptimeNanoseconds
            let status = payload.withUnsafeBytes { bytes in
                js_Publish(&ack, context, subjects[slot], bytes.baseAddress, Int32(bytes.count), &options, &errorCode)
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
            guard status == NATS_OK, let ack else {
                throw JetStreamError(code: 0, errorCode: Int(errorCode.rawValue), text: "raw publish failed: \(String(cString: natsStatus_GetText(status)))")
            }
            expected[slot] = ack.pointee.Sequence
            jsPubAck_Destroy(ack)
        }
        return latencies
    }

    public struct ConsumeResult: Sendable {
        public let messages: Int
        public let seconds: Double
        public var perSecond: Double { Double(messages) / seconds }
    }

    /// Creates a durable pull consumer on `stream` and fetches + acks `count` messages in
    /// batches, touching nothing but the pointers.
    public static func fetchAndAck(url: String, stream: String, count: Int, batch: Int = 256) throws -> ConsumeResult {
        let connection = try open(url)
        defer { natsConnection_Destroy(connection.pointer) }
        var context: OpaquePointer?
        try check(natsConnection_JetStream(&context, connection.pointer, nil), "cannot create JetStream context")
        defer { jsCtx_Destroy(context) }
        let durable = "raw_baseline_\(UInt32.random(in: 0...UInt32.max))"
        var subscribeOptions = jsSubOptions()
        jsSubOptions_Init(&subscribeOptions)
        var sub: OpaquePointer?
        var errorCode = jsErrCode(0)
        let status = stream.withCString { name in
            subscribeOptions.Stream = name
            subscribeOptions.Config.MaxAckPending = -1
            // js_PullSubscribe needs a subject even when binding by stream: ">" takes all.
            return js_PullSubscribe(&sub, context, ">", durable, nil, &subscribeOptions, &errorCode)
        }
        guard status == NATS_OK, let sub else { throw natsError(status, "cannot create raw pull consumer (\(errorCode.rawValue))") }
        defer {
            // Unsubscribe deletes the durable this function created.
            natsSubscription_Unsubscribe(sub)
            natsSubscription_Destroy(sub)
        }
        var received = 0
        let start = DispatchTime.now()
        while received < count {
            var list = natsMsgList()
            let fetched = natsSubscription_Fetch(&list, sub, Int32(min(batch, count - received)), 5000, &errorCode)
            if fetched == NATS_TIMEOUT { throw NATSError(kind: .timeout, message: "raw fetch stalled after \(received) messages") }
            try check(fetched, "raw fetch failed")
            for index in 0..<Int(list.Count) { natsMsg_Ack(list.Msgs[index], nil) }
            received += Int(list.Count)
            natsMsgList_Destroy(&list)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return ConsumeResult(messages: received, seconds: seconds)
    }

    /// Stores `count` messages fast (async publish, no expectations), for read benchmarks.
    public static func fill(url: String, subjects: [String], count: Int, headers: NATSHeaders, payload: [UInt8], progress: (Int) -> Void) throws {
        let connection = try open(url)
        defer { natsConnection_Destroy(connection.pointer) }
        var options = jsOptions()
        jsOptions_Init(&options)
        options.PublishAsync.MaxPending = 4096
        // The default 200 ms stall wait fails a fill on a busy machine; waiting longer is fine here.
        options.PublishAsync.StallWait = 10_000
        var context: OpaquePointer?
        try check(natsConnection_JetStream(&context, connection.pointer, &options), "cannot create JetStream context")
        defer { jsCtx_Destroy(context) }
        for index in 0..<count {
            var msg: OpaquePointer? = try CMessage.make(subject: subjects[index % subjects.count], reply: nil, headers: headers, payload: payload)
            // "the library takes ownership of the message and sets the pointer to NULL" on
            // success; on failure it is still ours to destroy.
            let status = js_PublishMsgAsync(context, &msg, nil)
            if status != NATS_OK {
                natsMsg_Destroy(msg)
                try check(status, "fill publish failed")
            }
            if index % 10_000 == 0 { progress(index) }
        }
        try check(js_PublishAsyncComplete(context, nil), "fill did not complete")
        progress(count)
    }

    private static func open(_ url: String) throws -> UncheckedHandle {
        LibraryInit.once()
        var connection: OpaquePointer?
        try check(natsConnection_ConnectTo(&connection, url), "cannot reach NATS at \(url)")
        return UncheckedHandle(pointer: connection!)
    }
}

/// Per-thread results of the raw publishers.
private final class ThreadResults: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one thread, and read after all have joined.
    private var results: [Result<[Double], any Error>?]
    private let lock = NSLock()

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: Result<[Double], any Error>) {
        lock.withLock { results[index] = result }
    }

    func all() throws -> [[Double]] {
        try lock.withLock { try results.map { try $0!.get() } }
    }
}
