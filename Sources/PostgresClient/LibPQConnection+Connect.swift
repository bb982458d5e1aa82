internal import CLibPQ
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LibPQConnection {
    /// Opens a session, waiting at most `configuration.connectTimeout`. Runs on the connection
    /// thread; blocking there is fine, and the non-blocking connect lets us keep our own deadline.
    static func connect(_ configuration: PostgresConfiguration, logger: Logger) throws -> LibPQConnection {
        let existingOptions = try parsedOption("options", in: configuration.conninfo)
        let options = [existingOptions, PostgresConfiguration.sessionOptions].compactMap { $0 }.joined(separator: " ")

        // Array order matters (PQconnectdbParams docs): the conninfo given as the first "dbname"
        // is expanded when expand_dbname is set; entries before it can be overridden by the
        // conninfo, entries after it override the conninfo.
        var pairs: [(String, String)] = [("fallback_application_name", "almanac"), ("dbname", configuration.conninfo)]
        pairs.append(("client_encoding", "UTF8"))
        pairs.append(("options", options))
        if let name = configuration.applicationName { pairs.append(("application_name", name)) }

        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        var keywordArray: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        var valueArray: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]

        // PQconnectStartParams: "Make a connection to the database server in a nonblocking manner."
        // It returns NULL only if libpq could not allocate a PGconn.
        guard let raw = PQconnectStartParams(&keywordArray, &valueArray, 1) else {
            throw PostgresClientError(.libpq, "libpq could not allocate a connection")
        }
        let connection = LibPQConnection(raw: raw, logger: logger)  // PQfinish in deinit, also on failure
        if PQstatus(raw) == CONNECTION_BAD { throw connection.connectFailure(configuration) }

        let deadline = ContinuousClock.now + configuration.connectTimeout
        // libpq's loop: "On the first iteration, i.e., if you have yet to call PQconnectPoll,
        // behave as if it last returned PGRES_POLLING_WRITING. [...] do not assume that the
        // socket remains the same across PQconnectPoll calls."
        var polling = PGRES_POLLING_WRITING
        while true {
            switch polling {
            case PGRES_POLLING_OK:
                return connection
            case PGRES_POLLING_FAILED:
                throw connection.connectFailure(configuration)
            default:
                let events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT
                let remaining = deadline - ContinuousClock.now
                let millis = max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
                var fd = pollfd(fd: PQsocket(raw), events: Int16(events), revents: 0)
                let ready = millis > 0 ? poll(&fd, 1, Int32(clamping: millis)) : 0
                if ready == 0 {
                    throw PostgresClientError(
                        .unreachable,
                        "cannot reach PostgreSQL at \(connection.endpoint(configuration)): timed out after \(configuration.connectTimeout.formatted)")
                }
                if ready < 0 && errno == EINTR { continue }
            }
            polling = PQconnectPoll(raw)
        }
    }

    /// One of the conninfo's settings as libpq parses it (URL or key=value), nil when unset.
    static func parsedOption(_ keyword: String, in conninfo: String) throws -> String? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let text = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresClientError(.invalidArgument, "invalid PostgreSQL connection string: \(text.oneLine)")
        }
        // The array ends with an entry whose keyword is NULL; free it with PQconninfoFree.
        defer { PQconninfoFree(options) }
        var index = 0
        while let key = options[index].keyword {
            if String(cString: key) == keyword, let value = options[index].val {
                let text = String(cString: value)
                return text.isEmpty ? nil : text
            }
            index += 1
        }
        return nil
    }

    /// `host:port` (or the Unix socket path) that libpq was trying.
    func endpoint(_ configuration: PostgresConfiguration) -> String {
        var host = PQhost(pointer).map { String(cString: $0) } ?? ""
        var port = PQport(pointer).map { String(cString: $0) } ?? ""
        if host.isEmpty { host = (try? Self.parsedOption("host", in: configuration.conninfo)) ?? nil ?? "localhost" }
        if port.isEmpty { port = (try? Self.parsedOption("port", in: configuration.conninfo)) ?? nil ?? "5432" }
        if host.hasPrefix("/") || host.hasPrefix("@") { return "\(host)/.s.PGSQL.\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Turns libpq's multi-line connect error into one line:
    /// `cannot reach PostgreSQL at 127.0.0.1:5432: connection refused`.
    func connectFailure(_ configuration: PostgresConfiguration) -> PostgresClientError {
        let raw = PQerrorMessage(pointer).map { String(cString: $0) } ?? ""
        return Self.connectFailure(message: raw, endpoint: endpoint(configuration))
    }

    static func connectFailure(message raw: String, endpoint: String) -> PostgresClientError {
        // libpq 15: `connection to server at "127.0.0.1", port 1 failed: Connection refused\n\tIs the server running...`
        let firstLine = raw.split(separator: "\n").first.map { String($0) } ?? raw
        var reason = firstLine
        if let range = firstLine.range(of: "failed: ") { reason = String(firstLine[range.upperBound...]) }
        for prefix in ["FATAL:  ", "ERROR:  ", "FATAL: ", "ERROR: "] where reason.hasPrefix(prefix) {
            reason = String(reason.dropFirst(prefix.count))
        }
        reason = reason.oneLine
        let chars = Array(reason)
        if chars.count > 1, chars[0].isUppercase, chars[1].isLowercase {
            reason = chars[0].lowercased() + String(chars.dropFirst())
        }
        if reason.isEmpty { reason = "unknown error" }
        let networkSigns = [
            "connection refused", "timeout expired", "could not translate host name", "no such file or directory",
            "network is unreachable", "no route to host", "connection reset", "connection timed out",
            "could not connect", "name or service not known", "temporary failure in name resolution",
        ]
        let lowered = reason.lowercased()
        if networkSigns.contains(where: { lowered.contains($0) }) {
            return PostgresClientError(.unreachable, "cannot reach PostgreSQL at \(endpoint): \(reason)")
        }
        return PostgresClientError(.connectionRejected, "cannot connect to PostgreSQL at \(endpoint): \(reason)")
    }
}

extension Duration {
    /// `5s`, `250ms`.
    var formatted: String {
        let (seconds, attos) = components
        if attos == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + attos / 1_000_000_000_000_000)ms"
    }
}
