import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Just enough of the NATS text protocol to talk to JetStream's API in these tests (LocalServers
/// must not depend on NATSClient). Blocking socket I/O on a queue of its own.
final class RawNATSConnection: @unchecked Sendable {  // used by one test at a time, always on `queue`
    private let socket: Int32
    private var buffer: [UInt8] = []
    private var nextSubscription = 1
    private let queue = DispatchQueue(label: "raw-nats")

    static func connect(port: Int) async throws -> RawNATSConnection {
        let connection = try RawNATSConnection(port: port)
        try await connection.onQueue { try connection.handshake() }
        return connection
    }

    private init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw RawNATSError("connect to \(port) failed") }
    }

    deinit { close(socket) }

    /// Sends `payload` to `subject` and returns the reply's payload.
    func request(_ subject: String, _ payload: String) async throws -> String {
        try await onQueue { try self.requestBlocking(subject, payload) }
    }

    /// A request whose reply is JSON.
    func requestJSON(_ subject: String, _ payload: String) async throws -> [String: Any] {
        let reply = try await request(subject, payload)
        guard let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any] else {
            throw RawNATSError("not a JSON object: \(reply)")
        }
        if let error = object["error"] { throw RawNATSError("JetStream error: \(error)") }
        return object
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func handshake() throws {
        guard try readLine().hasPrefix("INFO ") else { throw RawNATSError("no INFO") }
        try send("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"protocol\":1}\r\nPING\r\n")
        while true {
            let line = try readLine()
            if line == "PONG" { return }
            if line.hasPrefix("-ERR") { throw RawNATSError(line) }
        }
    }

    private func requestBlocking(_ subject: String, _ payload: String) throws -> String {
        let id = nextSubscription
        nextSubscription += 1
        let inbox = "_INBOX.raw.\(id)"
        let body = Array(payload.utf8)
        try send("SUB \(inbox) \(id)\r\nPUB \(subject) \(inbox) \(body.count)\r\n\(payload)\r\n")
        while true {
            let line = try readLine()
            if line == "PING" { try send("PONG\r\n"); continue }
            if line.hasPrefix("-ERR") { throw RawNATSError(line) }
            let parts = line.split(separator: " ")
            if parts.first == "MSG", parts.count >= 4, let length = Int(parts.last!) {
                let reply = try readBytes(length + 2)
                try send("UNSUB \(id)\r\n")
                return String(decoding: reply.dropLast(2), as: UTF8.self)
            }
        }
    }

    private func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw RawNATSError("send failed") }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw RawNATSError("connection closed or timed out") }
        buffer += chunk[0..<count]
    }

    private func readLine() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                buffer.removeSubrange(...end)
                return line
            }
            try fill()
        }
    }

    private func readBytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }
}

struct RawNATSError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
