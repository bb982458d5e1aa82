internal import CLibPQ

extension LibPQConnection {
    /// Sends `COPY ... FROM STDIN` and waits for the server to enter COPY IN.
    func beginCopyIn(_ sql: String) throws {
        guard PQsendQuery(pointer, sql) == 1 else { throw failure() }
        guard let raw = PQgetResult(pointer) else {
            throw PostgresClientError(.protocolViolation, "the server sent no result for COPY")
        }
        let result = LibPQResult(raw)
        if result.status == PGRES_COPY_IN { return }
        // Not in COPY IN (e.g. the table does not exist): read the rest, then report.
        let error = result.status == PGRES_FATAL_ERROR
            ? self.error(from: result)
            : PostgresClientError(.invalidArgument, "the statement did not start COPY FROM STDIN")
        _ = try? readResults()
        throw error
    }

    /// One chunk of COPY data. PQputCopyData: "Returns 1 if successful [...], 0 if it was not
    /// queued because of full buffers (this will only happen in nonblocking mode), or -1 if an
    /// error occurred." This connection is in blocking mode, so it waits for room instead.
    func putCopyData(_ bytes: [UInt8]) throws {
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 1 }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(pointer, $0, Int32(buffer.count))
            }
        }
        guard status == 1 else { throw failure() }
    }

    /// Ends COPY IN. With `abort` set the server fails the COPY with that message (and rolls it
    /// back). "After successfully calling PQputCopyEnd, call PQgetResult to obtain the final
    /// result status of the COPY command" (until it returns NULL). Returns the rows copied.
    func endCopyIn(abort: String? = nil) throws -> Int {
        guard PQputCopyEnd(pointer, abort) == 1 else { throw failure() }
        guard let result = try readResults() else { return 0 }
        return PQcmdTuples(result.raw).flatMap { Int(String(cString: $0)) } ?? 0
    }
}

extension LibPQConnection {
    /// True while a command is still in progress, as during COPY IN after a failure of ours and
    /// before PQputCopyEnd: libpq's PQtransactionStatus "returns PQTRANS_ACTIVE if a command is
    /// in progress".
    var isCommandInProgress: Bool { PQtransactionStatus(pointer) == PQTRANS_ACTIVE }
}
