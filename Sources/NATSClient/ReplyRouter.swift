import CNATS
import Foundation
import Synchronization

/// Routes replies to waiting requests through one wildcard inbox subscription
/// (`_INBOX.<nuid>.<n>`), the way JetStream clients implement async publish.
final class ReplyRouter: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<NATSMessage, any Error>
        let deadline: ContinuousClock.Instant
        let subject: String
    }

    /// A request answered by several messages (a batched direct get): collected until `isLast`.
    private struct Collector {
        let continuation: CheckedContinuation<[NATSMessage], any Error>
        let deadline: ContinuousClock.Instant
        let subject: String
        let isLast: @Sendable (NATSMessage) -> Bool
        var messages: [NATSMessage] = []
    }

    private struct State {
        var next: UInt64 = 0
        var waiting: [UInt64: Waiter] = [:]
        var collecting: [UInt64: Collector] = [:]
    }

    let prefix: String
    private let state = Mutex(State())
    /// The inbox subscription: set once in `start`, destroyed exactly once in `close`.
    private let subscription = Mutex<UncheckedHandle?>(nil)

    private init(prefix: String) {
        self.prefix = prefix
    }

    static func start(on connection: OpaquePointer) throws -> ReplyRouter {
        var inbox: UnsafeMutablePointer<natsInbox>?
        try check(natsInbox_Create(&inbox), "cannot create inbox")
        defer { natsInbox_Destroy(inbox) }
        let router = ReplyRouter(prefix: String(cString: UnsafeRawPointer(inbox!).assumingMemoryBound(to: CChar.self)))
        let closure = Unmanaged.passRetained(router).toOpaque()
        var sub: OpaquePointer?
        let status = natsConnection_Subscribe(&sub, connection, router.prefix + ".*", { _, _, msg, closure in
            guard let msg else { return }
            let router = Unmanaged<ReplyRouter>.fromOpaque(closure!).takeUnretainedValue()
            router.deliver(CMessage.copy(msg))
            natsMsg_Destroy(msg)
        }, closure)
        guard status == NATS_OK, let sub else {
            Unmanaged<ReplyRouter>.fromOpaque(closure).release()
            throw natsError(status, "cannot subscribe to reply inbox")
        }
        // "invoked after the subscription is closed and the message handler has returned":
        // only then is it safe to drop the router the handler points at.
        natsSubscription_SetOnCompleteCB(sub, { closure in Unmanaged<ReplyRouter>.fromOpaque(closure!).release() }, closure)
        // Replies are small and many; lift the default pending limits so a burst of acks is
        // never dropped as a slow consumer (-1 = no limit).
        natsSubscription_SetPendingLimits(sub, -1, -1)
        router.subscription.withLock { $0 = UncheckedHandle(pointer: sub) }
        return router
    }

    /// Publishes a message with a fresh reply subject and waits for the reply, holding no
    /// thread meanwhile.
    func send(subject: String, headers: NATSHeaders, payload: [UInt8], on connection: OpaquePointer, timeout: Duration) async throws -> NATSMessage {
        try await request(subject: subject, headers: headers, payload: payload, on: connection) { state, id, continuation in
            state.waiting[id] = Waiter(continuation: continuation, deadline: .now + timeout, subject: subject)
        }
    }

    /// Unsubscribes the inbox; the router itself is released by the completion callback.
    func close() {
        guard let sub = subscription.withLock({ sub in defer { sub = nil }; return sub }) else { return }
        natsSubscription_Unsubscribe(sub.pointer)
        natsSubscription_Destroy(sub.pointer)
    }

    /// Publishes a request and collects its replies until one for which `isLast` is true.
    func sendCollecting(subject: String, headers: NATSHeaders, payload: [UInt8], on connection: OpaquePointer, timeout: Duration,
                        isLast: @escaping @Sendable (NATSMessage) -> Bool) async throws -> [NATSMessage] {
        try await request(subject: subject, headers: headers, payload: payload, on: connection) { state, id, continuation in
            state.collecting[id] = Collector(continuation: continuation, deadline: .now + timeout, subject: subject, isLast: isLast)
        }
    }

    /// Publishes with a fresh reply subject once `register` has recorded how the replies to it
    /// resume `continuation`; a failed publish or a cancellation fails it.
    private func request<Reply>(subject: String, headers: NATSHeaders, payload: [UInt8], on connection: OpaquePointer,
                                register: (inout State, UInt64, CheckedContinuation<Reply, any Error>) -> Void) async throws -> Reply {
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        let message = try CMessage.make(subject: subject, reply: "\(prefix).\(id)", headers: headers, payload: payload)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                state.withLock { register(&$0, id, continuation) }
                // natsConnection_PublishMsg copies the message into the outgoing buffer, so it
                // can be destroyed right away; the reply may already be on its way.
                let status = natsConnection_PublishMsg(connection, message)
                natsMsg_Destroy(message)
                if status != NATS_OK {
                    fail(id, natsError(status, "cannot publish to \(subject)"))
                }
            }
        } onCancel: {
            fail(id, CancellationError())
        }
    }

    func deliver(_ message: NATSMessage) {
        guard let token = message.subject.split(separator: ".").last, let id = UInt64(token) else { return }
        enum Delivery { case single(Waiter), collected(Collector), none }
        let delivery = state.withLock { state -> Delivery in
            if let waiter = state.waiting.removeValue(forKey: id) { return .single(waiter) }
            // Taken out while appending: a copy left in the dictionary would make every append
            // copy all the replies so far.
            guard var collector = state.collecting.removeValue(forKey: id) else { return .none }
            collector.messages.append(message)
            if collector.isLast(message) { return .collected(collector) }
            state.collecting[id] = collector
            return .none
        }
        switch delivery {
        case .single(let waiter): waiter.continuation.resume(returning: message)
        case .collected(let collector): collector.continuation.resume(returning: collector.messages)
        case .none: break
        }
    }

    func fail(_ id: UInt64, _ error: any Error) {
        let (waiter, collector) = state.withLock { ($0.waiting.removeValue(forKey: id), $0.collecting.removeValue(forKey: id)) }
        waiter?.continuation.resume(throwing: error)
        collector?.continuation.resume(throwing: error)
    }

    func expire(now: ContinuousClock.Instant) {
        let (expired, expiredCollectors) = state.withLock { state -> ([Waiter], [Collector]) in
            let ids = state.waiting.filter { $0.value.deadline <= now }.map(\.key)
            let collectorIds = state.collecting.filter { $0.value.deadline <= now }.map(\.key)
            return (ids.compactMap { state.waiting.removeValue(forKey: $0) }, collectorIds.compactMap { state.collecting.removeValue(forKey: $0) })
        }
        for waiter in expired {
            waiter.continuation.resume(throwing: NATSError(kind: .timeout, message: "no reply from \(waiter.subject) in time"))
        }
        for collector in expiredCollectors {
            collector.continuation.resume(throwing: NATSError(kind: .timeout, message: "no last reply from \(collector.subject) in time"))
        }
    }

    func failAll(_ error: any Error) {
        let (all, collectors) = state.withLock { state -> ([Waiter], [Collector]) in
            defer {
                state.waiting.removeAll()
                state.collecting.removeAll()
            }
            return (Array(state.waiting.values), Array(state.collecting.values))
        }
        all.forEach { $0.continuation.resume(throwing: error) }
        collectors.forEach { $0.continuation.resume(throwing: error) }
    }
}
