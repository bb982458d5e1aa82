import CNATS
import Foundation

/// A message as received: subject, optional reply subject, headers and payload, copied out of
/// libnats so it can cross threads freely.
public struct NATSMessage: Sendable {
    public var subject: String
    public var reply: String?
    public var headers: NATSHeaders
    public var payload: [UInt8]

    public init(subject: String, reply: String? = nil, headers: NATSHeaders = [:], payload: [UInt8] = []) {
        self.subject = subject
        self.reply = reply
        self.headers = headers
        self.payload = payload
    }

    /// The NATS status of a control message (`503` no responders, `404` not found, `408`...).
    /// libnats exposes the status line as the pseudo-header `Status`.
    public var status: Int? { headers["Status"].flatMap { Int($0) } }
}

/// Conversions between `natsMsg` and Swift values. Every other file stays free of C types.
enum CMessage {
    /// Copies subject, reply, headers and payload out of a libnats message (which the caller
    /// still owns and must destroy).
    static func copy(_ msg: OpaquePointer) -> NATSMessage {
        let subject = String(cString: natsMsg_GetSubject(msg))
        let reply = natsMsg_GetReply(msg).map { String(cString: $0) }
        let length = Int(natsMsg_GetDataLength(msg))
        var payload = [UInt8]()
        if length > 0, let data = natsMsg_GetData(msg) {
            payload = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                Array(UnsafeBufferPointer(start: $0, count: length))
            }
        }
        return NATSMessage(subject: subject, reply: reply?.isEmpty == true ? nil : reply,
                           headers: headers(of: msg), payload: payload)
    }

    /// Copies a delivered JetStream message, with its place in the stream from its ack subject
    /// (sequence 0 and the current time when it has none).
    static func streamMessage(_ msg: OpaquePointer) -> StreamMessage {
        let copy = copy(msg)
        let position = copy.reply.flatMap(StreamPosition.init(ackSubject:))
        return StreamMessage(subject: copy.subject, headers: copy.headers, payload: copy.payload, sequence: position?.sequence ?? 0,
                             time: position?.time ?? Date(), pending: position?.pending, deliveries: position?.deliveries)
    }

    static func headers(of msg: OpaquePointer) -> NATSHeaders {
        var result = NATSHeaders()
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var keyCount: Int32 = 0
        // natsMsgHeader_Keys: "the array is allocated and must be freed by the user, but the
        // strings it points to are owned by the message". NATS_NOT_FOUND means no headers.
        guard natsMsgHeader_Keys(msg, &keys, &keyCount) == NATS_OK, let keys else { return result }
        defer { free(keys) }
        for index in 0..<Int(keyCount) {
            guard let key = keys[index] else { continue }
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(msg, key, &values, &valueCount) == NATS_OK, let values else { continue }
            let name = String(cString: key)
            for v in 0..<Int(valueCount) {
                if let value = values[v] { result.append(name, String(cString: value)) }
            }
            free(values)
        }
        return result
    }

    /// Builds a libnats message; the caller owns the result (`natsMsg_Destroy`).
    static func make(subject: String, reply: String?, headers: NATSHeaders, payload: [UInt8]) throws -> OpaquePointer {
        var msg: OpaquePointer?
        let status = payload.withUnsafeBufferPointer { buffer in
            natsMsg_Create(&msg, subject, reply, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                           Int32(buffer.count))
        }
        try check(status, "cannot create message for \(subject)")
        guard let msg else { throw NATSError(kind: .library, message: "natsMsg_Create returned no message") }
        for field in headers {
            let status = natsMsgHeader_Add(msg, field.name, field.value)
            if status != NATS_OK {
                natsMsg_Destroy(msg)
                try check(status, "cannot set header \(field.name)")
            }
        }
        return msg
    }
}

/// Turns a `natsStatus` into a thrown `NATSError` keeping the raw code.
func check(_ status: natsStatus, _ context: @autoclosure () -> String) throws {
    guard status != NATS_OK else { return }
    throw natsError(status, context())
}

func natsError(_ status: natsStatus, _ context: String) -> NATSError {
    let text = String(cString: natsStatus_GetText(status))
    let kind: NATSError.Kind
    switch status {
    case NATS_TIMEOUT: kind = .timeout
    case NATS_NO_RESPONDERS: kind = .noResponders
    case NATS_CONNECTION_CLOSED, NATS_CONNECTION_DISCONNECTED, NATS_DRAINING: kind = .connectionClosed
    case NATS_NO_SERVER: kind = .unreachable
    case NATS_INVALID_ARG, NATS_INVALID_SUBJECT: kind = .invalidArgument
    default: kind = .library
    }
    return NATSError(kind: kind, status: Int32(bitPattern: status.rawValue), message: "\(context): \(text.lowercased())")
}
