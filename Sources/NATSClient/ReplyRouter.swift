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

    private struct State {
        var next: UInt64 = 0
        var waiting: [UInt64: Waiter] = [:]
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
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        let message = try CMessage.make(subject: subject, reply: "\(prefix).\(id)", headers: headers, payload: payload)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                state.withLock {
                    $0.waiting[id] = Waiter(continuation: continuation, deadline: .now + timeout, subject: subject)
                }
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

    /// Unsubscribes the inbox; the router itself is released by the completion callback.
    func close() {
        guard let sub = subscription.withLock({ sub in defer { sub = nil }; return sub }) else { return }
        natsSubscription_Unsubscribe(sub.pointer)
        natsSubscription_Destroy(sub.pointer)
    }

    func deliver(_ message: NATSMessage) {
        guard let token = message.subject.split(separator: ".").last, let id = UInt64(token) else { return }
        let waiter = state.withLock { $0.waiting.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: message)
    }

    func fail(_ id: UInt64, _ error: any Error) {
        let waiter = state.withLock { $0.waiting.removeValue(forKey: id) }
        waiter?.continuation.resume(throwing: error)
    }

    func expire(now: ContinuousClock.Instant) {
        let expired = state.withLock { state -> [Waiter] in
            let ids = state.waiting.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.waiting.removeValue(forKey: $0) }
        }
        for waiter in expired {
            waiter.continuation.resume(throwing: NATSError(kind: .timeout, message: "no reply from \(waiter.subject) in time"))
        }
    }

    func failAll(_ error: any Error) {
        let all = state.withLock { state -> [Waiter] in
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        all.forEach { $0.continuation.resume(throwing: error) }
    }
}
