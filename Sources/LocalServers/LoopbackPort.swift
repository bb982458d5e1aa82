import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ports on 127.0.0.1.
public enum LoopbackPort {
    /// A port nobody listens on right now: bind port 0, read what the kernel picked, close.
    /// Another process could take it before our server binds it; servers that fail with "address
    /// in use" are retried on a new port by their `start` functions.
    public static func free() throws -> Int {
        let socket = try LoopbackSocket.make()
        defer { close(socket) }
        var address = LoopbackSocket.address(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw LocalServersMisuse("cannot bind 127.0.0.1:0: \(LoopbackSocket.lastError)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether `port` can be bound on 127.0.0.1 right now.
    public static func isFree(_ port: Int) -> Bool {
        guard let socket = try? LoopbackSocket.make() else { return false }
        defer { close(socket) }
        var address = LoopbackSocket.address(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}

/// Small blocking TCP helpers for readiness probes. Callers run them on `LoopbackProbe.queue`.
enum LoopbackSocket {
    static func make() throws -> Int32 {
        #if canImport(Darwin)
        let socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #else
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard socket >= 0 else { throw LocalServersMisuse("socket() failed: \(lastError)") }
        // SO_REUSEADDR matches what servers set, so a port in TIME_WAIT still counts as free.
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        return socket
    }

    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static var lastError: String { String(cString: strerror(errno)) }
}
