internal import CLibPQ
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The libpq connection handle (PGconn). Thread-confined: created, used and freed on one
/// ConnectionThread, which is the only owner (through its ThreadContext).
final class LibPQConnection {
    private let raw: OpaquePointer
    private let owner: pthread_t
    private let notices: NoticeSink

    init(raw: OpaquePointer, logger: Logger) {
        self.raw = raw
        self.owner = pthread_self()
        self.notices = NoticeSink(logger: logger)
        // By default libpq prints NOTICE/WARNING messages to stderr; route them to the logger.
        // The receiver's `arg` stays valid because `notices` lives as long as the PGconn.
        PQsetNoticeReceiver(raw, { arg, result in
            guard let arg, let result else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(arg).takeUnretainedValue()
            let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
            sink.logger.debug("postgres notice", metadata: ["message": .string(message.oneLine)])
        }, Unmanaged.passUnretained(notices).toOpaque())
    }

    deinit {
        // PQfinish closes the connection and frees the PGconn, also after a failed connect.
        PQfinish(raw)
    }

    /// The PGconn, for use on the owning thread only.
    var pointer: OpaquePointer {
        assert(pthread_equal(owner, pthread_self()) != 0, "libpq connection used off its own thread")
        return raw
    }

    var socket: Int32 { PQsocket(pointer) }
    var isBad: Bool { PQstatus(pointer) == CONNECTION_BAD }

    var transactionStatus: TransactionState {
        switch PQtransactionStatus(pointer) {
        case PQTRANS_IDLE: .idle
        case PQTRANS_INTRANS: .inTransaction
        case PQTRANS_INERROR: .failedTransaction
        case PQTRANS_ACTIVE: .active
        default: .unknown
        }
    }

    /// The connection-level error text (PQerrorMessage), one line.
    var errorMessage: String {
        PQerrorMessage(pointer).map { String(cString: $0).oneLine } ?? "unknown libpq error"
    }

    /// PQcancel needs its own object; it may be used from any thread (see CancelToken).
    func makeCancelToken() -> CancelToken? {
        PQgetCancel(pointer).map(CancelToken.init)
    }
}

enum TransactionState: Sendable {
    case idle, inTransaction, failedTransaction, active, unknown
}

/// Holds the logger the C notice receiver writes to.
final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

/// A PGresult, cleared in deinit.
final class LibPQResult {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { PQclear(raw) }

    var status: ExecStatusType { PQresultStatus(raw) }

    func field(_ code: Character) -> String? {
        // PQresultErrorField(res, PG_DIAG_*): the PG_DIAG_* codes are single ASCII characters.
        PQresultErrorField(raw, Int32(code.asciiValue!)).map { String(cString: $0) }
    }
}

/// The PGcancel of a connection, for asking the server to cancel the running statement.
final class CancelToken: Sendable {
    // PGcancel is immutable after PQgetCancel; libpq documents PQcancel as safe to call from any
    // thread (even a signal handler), so sharing the pointer is sound.
    nonisolated(unsafe) private let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { PQfreeCancel(raw) }

    /// Sends a cancel request from a short-lived thread of its own: PQcancel opens a new
    /// connection to the server and blocks until it is delivered.
    func cancelInBackground(logger: Logger) {
        Thread.detachNewThread { [self] in
            var buffer = [CChar](repeating: 0, count: 256)
            if PQcancel(raw, &buffer, Int32(buffer.count)) == 0 {
                logger.debug("postgres cancel request failed", metadata: ["error": .string(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })])
            }
        }
    }
}
