import CNATS
import Foundation
import Logging
import Synchronization

/// A connection to NATS, shared by everything in a process.
///
/// libnats reconnects by itself; disconnects and reconnects are logged. Requests (and with them
/// every JetStream API call and publish) go through one inbox subscription, so no request
/// blocks a thread while it waits for its answer.
public final class NATSConnection: Sendable {
    // natsConnection is documented as safe to use from several threads at once; the pointer
    // itself never changes after init.
    nonisolated(unsafe) let handle: OpaquePointer
    let logger: Logger
    let replies: ReplyRouter
    public let options: NATSConnectOptions
    private let sweeper: Mutex<Task<Void, Never>?> = Mutex(nil)

    private init(handle: OpaquePointer, options: NATSConnectOptions, replies: ReplyRouter, logger: Logger) {
        self.handle = handle
        self.options = options
        self.replies = replies
        self.logger = logger
    }

    /// Connects, or throws one clear line such as
    /// `cannot reach NATS at nats://127.0.0.1:4222: connection refused`.
    public static func connect(_ options: NATSConnectOptions, logger: Logger = Logger(label: "almanac.nats")) async throws -> NATSConnection {
        LibraryInit.once()
        let events = Unmanaged.passRetained(ConnectionEvents(logger: logger))
        let handle: OpaquePointer
        do {
            handle = try await Offload.run { UncheckedHandle(pointer: try openConnection(options, events: events)) }.pointer
        } catch {
            events.release()
            throw error
        }
        let replies: ReplyRouter
        do {
            replies = try ReplyRouter.start(on: handle)
        } catch {
            natsConnection_Destroy(handle)
            throw error
        }
        let connection = NATSConnection(handle: handle, options: options, replies: replies, logger: logger)
        connection.startSweeper()
        return connection
    }

    private static func openConnection(_ options: NATSConnectOptions, events: Unmanaged<ConnectionEvents>) throws -> OpaquePointer {
        var opts: OpaquePointer?
        try check(natsOptions_Create(&opts), "cannot create NATS options")
        defer { natsOptions_Destroy(opts) }
        let urls = options.urls.map { strdup($0) }
        defer { urls.forEach { free($0) } }
        var pointers = urls.map { UnsafePointer($0) }
        try check(pointers.withUnsafeMutableBufferPointer { natsOptions_SetServers(opts, $0.baseAddress, Int32($0.count)) }, "invalid NATS URL \(options.urls.joined(separator: ","))")
        try check(natsOptions_SetName(opts, options.name), "cannot set connection name")
        try check(natsOptions_SetTimeout(opts, options.connectTimeout.milliseconds), "cannot set timeout")
        try check(natsOptions_SetMaxReconnect(opts, Int32(options.maxReconnectAttempts ?? -1)), "cannot set reconnect attempts")
        try check(natsOptions_SetReconnectWait(opts, options.reconnectWait.milliseconds), "cannot set reconnect wait")
        try check(natsOptions_SetReconnectBufSize(opts, Int32(options.reconnectBufferBytes)), "cannot set reconnect buffer")
        try check(natsOptions_SetSendAsap(opts, options.sendImmediately), "cannot set send mode")
        if let file = options.credentialsFile {
            // With a single .creds file libnats reads both the user JWT and the seed from it.
            try check(natsOptions_SetUserCredentialsFromFiles(opts, file, nil), "cannot use NATS credentials \(file)")
        }
        if let tls = options.tls {
            try check(natsOptions_SetSecure(opts, true), "cannot enable TLS")
            if let ca = tls.caFile {
                try check(natsOptions_LoadCATrustedCertificates(opts, ca), "cannot load CA file \(ca)")
            }
            if let cert = tls.certificateFile, let key = tls.keyFile {
                try check(natsOptions_LoadCertificatesChain(opts, cert, key), "cannot load client certificate \(cert)")
            }
        }
        let closure = events.toOpaque()
        try check(natsOptions_SetDisconnectedCB(opts, { nc, closure in ConnectionEvents.from(closure).disconnected(nc) }, closure), "cannot set callback")
        try check(natsOptions_SetReconnectedCB(opts, { nc, closure in ConnectionEvents.from(closure).reconnected(nc) }, closure), "cannot set callback")
        try check(natsOptions_SetErrorHandler(opts, { _, _, status, closure in ConnectionEvents.from(closure).asyncError(status) }, closure), "cannot set callback")
        // The closed callback is the last one libnats invokes for a connection, so it is where
        // the callback context can be released.
        try check(natsOptions_SetClosedCB(opts, { _, closure in Unmanaged<ConnectionEvents>.fromOpaque(closure!).release() }, closure), "cannot set callback")

        var nc: OpaquePointer?
        let status = natsConnection_Connect(&nc, opts)
        if status == NATS_NO_SERVER || status == NATS_TIMEOUT || status == NATS_IO_ERROR {
            let target = options.urls.joined(separator: ",")
            throw NATSError(kind: .unreachable, status: Int32(bitPattern: status.rawValue),
                            message: "cannot reach NATS at \(target): \(ConnectProbe.reason(for: options.urls.first ?? target))")
        }
        try check(status, "cannot connect to NATS at \(options.urls.joined(separator: ","))")
        guard let nc else { throw NATSError(kind: .library, message: "natsConnection_Connect returned no connection") }
        return nc
    }

    /// The server the connection is talking to right now (changes after a reconnect).
    public var connectedURL: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard natsConnection_GetConnectedUrl(handle, &buffer, buffer.count) == NATS_OK else { return nil }
        return String(nulTerminated: buffer)
    }

    public var isClosed: Bool { natsConnection_IsClosed(handle) }

    /// How often libnats has reconnected this connection since it was opened.
    public var reconnects: UInt64 {
        var stats: OpaquePointer?
        guard natsStatistics_Create(&stats) == NATS_OK, let stats else { return 0 }
        defer { natsStatistics_Destroy(stats) }
        var reconnects: UInt64 = 0
        guard natsConnection_GetStats(handle, stats) == NATS_OK,
              natsStatistics_GetCounts(stats, nil, nil, nil, nil, &reconnects) == NATS_OK else { return 0 }
        return reconnects
    }

    /// Publishes without waiting (core NATS, at most once). Returns once libnats has buffered it.
    public func publish(_ subject: String, headers: NATSHeaders = [:], payload: [UInt8] = [], reply: String? = nil) throws {
        try Subject.validatePublish(subject)
        try headers.validate()
        let msg = try CMessage.make(subject: subject, reply: reply, headers: headers, payload: payload)
        defer { natsMsg_Destroy(msg) }
        try check(natsConnection_PublishMsg(handle, msg), "cannot publish to \(subject)")
    }

    /// Sends a request and waits for the first reply, without holding a thread while waiting.
    public func request(_ subject: String, headers: NATSHeaders = [:], payload: [UInt8] = [], timeout: Duration = .seconds(5)) async throws -> NATSMessage {
        try Subject.validatePublish(subject)
        try headers.validate()
        let reply = try await replies.send(subject: subject, headers: headers, payload: payload, on: handle, timeout: timeout)
        if reply.status == 503 {
            throw NATSError(kind: .noResponders, message: "no responders on \(subject)")
        }
        return reply
    }

    /// Sends a request answered by several messages and returns them all, up to and including
    /// the first for which `isLast` is true (e.g. a batched direct get's end-of-batch status).
    public func requestCollecting(_ subject: String, headers: NATSHeaders = [:], payload: [UInt8] = [], timeout: Duration = .seconds(5),
                                  until isLast: @escaping @Sendable (NATSMessage) -> Bool) async throws -> [NATSMessage] {
        try Subject.validatePublish(subject)
        try headers.validate()
        return try await replies.sendCollecting(subject: subject, headers: headers, payload: payload, on: handle, timeout: timeout, isLast: isLast)
    }

    /// Waits until the server has processed everything published so far.
    public func flush(timeout: Duration = .seconds(5)) async throws {
        try await Offload.run { [self] in
            try check(natsConnection_FlushTimeout(self.handle, timeout.milliseconds), "flush failed")
        }
    }

    /// Closes the connection; pending requests fail with `connectionClosed`.
    public func close() {
        sweeper.withLock { $0?.cancel(); $0 = nil }
        replies.close()
        natsConnection_Close(handle)
        replies.failAll(NATSError(kind: .connectionClosed, message: "connection closed"))
    }

    public var jetStream: JetStream { JetStream(connection: self) }

    private func startSweeper() {
        let replies = self.replies
        let task = Task.detached {
            // Request deadlines are checked here rather than with one timer per request: at
            // tens of thousands of requests per second a shared sweep is far cheaper.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                replies.expire(now: .now)
            }
        }
        sweeper.withLock { $0 = task }
    }

    deinit {
        sweeper.withLock { $0?.cancel() }
        replies.close()
        replies.failAll(NATSError(kind: .connectionClosed, message: "connection closed"))
        // natsConnection_Destroy closes the connection if needed and frees it.
        natsConnection_Destroy(handle)
    }
}

/// libnats callbacks for connection state, logged so operators see reconnects.
final class ConnectionEvents: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }

    static func from(_ closure: UnsafeMutableRawPointer?) -> ConnectionEvents {
        Unmanaged<ConnectionEvents>.fromOpaque(closure!).takeUnretainedValue()
    }

    func disconnected(_ nc: OpaquePointer?) {
        // libnats calls this on a deliberate close too; only an unplanned loss is news.
        if let nc, natsConnection_IsClosed(nc) { return }
        logger.warning("disconnected from NATS; reconnecting")
    }

    func reconnected(_ nc: OpaquePointer?) {
        var buffer = [CChar](repeating: 0, count: 256)
        let url = nc.flatMap { natsConnection_GetConnectedUrl($0, &buffer, buffer.count) == NATS_OK ? String(nulTerminated: buffer) : nil }
        logger.notice("reconnected to NATS", metadata: ["url": "\(url ?? "?")"])
    }

    func asyncError(_ status: natsStatus) {
        logger.error("NATS asynchronous error: \(String(cString: natsStatus_GetText(status)))")
    }
}

enum LibraryInit {
    private static let done: Bool = {
        // nats_Open: "-1 for the library default" lock spin count. Other calls would open the
        // library lazily too; doing it once up front keeps that off hot paths.
        nats_Open(-1) == NATS_OK
    }()

    static func once() { _ = done }
}

extension String {
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
