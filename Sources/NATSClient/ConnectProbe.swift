import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// libnats reports every failed connect as "no server available". To tell a person *why*
/// (refused, timed out, unknown host) one plain TCP connect is tried and its errno reported.
enum ConnectProbe {
    static func reason(for url: String) -> String {
        let withScheme = url.contains("://") ? url : "nats://\(url)"
        guard let components = URLComponents(string: withScheme), let host = components.host else {
            return "invalid URL"
        }
        let port = components.port ?? 4222
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &result)
        guard lookup == 0, let first = result else {
            return "unknown host \(host)"
        }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return String(cString: strerror(errno)).lowercased() }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 {
            return "the server accepted TCP but did not complete the NATS handshake (TLS or auth mismatch?)"
        }
        let code = errno
        if code == EINPROGRESS || code == EAGAIN || code == ETIMEDOUT { return "timed out" }
        return String(cString: strerror(code)).lowercased()
    }
}
