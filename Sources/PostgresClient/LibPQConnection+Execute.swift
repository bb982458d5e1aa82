internal import CLibPQ
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parameter ready to cross to the connection thread: its type OID and text (nil = NULL).
struct EncodedParameter: Sendable {
    var oid: UInt32
    var text: String?

    static func encode(_ parameters: [any PostgresEncodable]) throws -> [EncodedParameter] {
        try parameters.enumerated().map { index, parameter in
            let text = parameter.postgresText
            // Text-format parameters are C strings: a NUL would silently cut the value short.
            // (PostgreSQL text cannot hold NUL anyway; bytea goes as hex and has none.)
            if let text, text.utf8.contains(0) {
                throw PostgresClientError(
                    .invalidArgument, "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot store")
            }
            return EncodedParameter(oid: type(of: parameter).postgresDataType.oid, text: text)
        }
    }
}

extension LibPQConnection {
    /// One statement with `$n` parameters (PQsendQueryParams), all results read.
    func execute(_ sql: String, _ parameters: [EncodedParameter]) throws -> PostgresQueryResult {
        let types: [Oid] = parameters.map { Oid($0.oid) }
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.text.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        // Text format for every parameter (paramFormats NULL) and for the result (resultFormat 0);
        // paramLengths are ignored for text parameters. Returns 1 if the command was dispatched.
        let sent = PQsendQueryParams(pointer, sql, Int32(parameters.count), types, values, nil, nil, 0)
        guard sent == 1 else { throw failure() }
        guard let result = try readResults() else {
            throw PostgresClientError(.protocolViolation, "the server sent no result for the statement")
        }
        return PostgresQueryResult(result)
    }

    /// Several `;`-separated statements without parameters (PQsendQuery: the simple query
    /// protocol). Stops at the first error, which is thrown.
    func executeScript(_ sql: String) throws {
        guard PQsendQuery(pointer, sql) == 1 else { throw failure() }
        _ = try readResults()
    }

    /// Reads every result of the command in flight. libpq: "PQgetResult must be called repeatedly
    /// until it returns a null pointer, indicating that the command is done." Returns the last
    /// successful result; throws the first error after draining (so the connection stays usable).
    func readResults() throws -> LibPQResult? {
        var last: LibPQResult?
        var firstError: (any Error)?
        while let raw = PQgetResult(pointer) {
            let result = LibPQResult(raw)
            switch result.status {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
                last = result
            case PGRES_COPY_IN:
                // A COPY FROM STDIN reached the plain query path: end it with an error so the
                // server rolls it back, then keep reading results until NULL.
                _ = PQputCopyEnd(pointer, "COPY FROM STDIN is only supported through copyFrom")
                firstError = firstError ?? PostgresClientError(
                    .invalidArgument, "COPY FROM STDIN must go through copyFrom(table:columns:rows:)")
            case PGRES_COPY_OUT:
                // Drain: PQgetCopyData returns -1 when the copy is done (then PQgetResult follows).
                var buffer: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(pointer, &buffer, 0) > 0 { PQfreemem(buffer) }
                firstError = firstError ?? PostgresClientError(.invalidArgument, "COPY TO STDOUT is not supported by query()")
            case PGRES_COPY_BOTH:
                firstError = firstError ?? PostgresClientError(.protocolViolation, "COPY BOTH (replication) is not supported")
                return nil
            default:
                firstError = firstError ?? error(from: result)
            }
            if isBad { break }
        }
        if let firstError { throw firstError }
        if isBad, last == nil { throw failure() }
        return last
    }

    /// The error carried by a failed result: a server error with its fields, or a lost connection.
    func error(from result: LibPQResult) -> any PostgresErrorProtocol {
        let message = result.field("M") ?? PQresultErrorMessage(result.raw).map { String(cString: $0) } ?? ""
        guard let code = result.field("C") else {
            // No SQLSTATE: libpq itself failed (e.g. "server closed the connection unexpectedly").
            return PostgresClientError(isBad ? .connectionLost : .libpq, message.isEmpty ? errorMessage : message)
        }
        return PostgresError(
            sqlState: PostgresSQLState(code),
            severity: result.field("V") ?? result.field("S") ?? "ERROR",
            message: message,
            detail: result.field("D"),
            hint: result.field("H"),
            schemaName: result.field("s"),
            tableName: result.field("t"),
            columnName: result.field("c"),
            constraintName: result.field("n"),
            position: result.field("P").flatMap { Int($0) })
    }

    /// The connection-level failure after a libpq call returned an error code.
    func failure() -> PostgresClientError {
        PostgresClientError(isBad ? .connectionLost : .libpq, errorMessage)
    }
}

extension PostgresQueryResult {
    /// Copies everything out of the PGresult (which is then cleared by its owner).
    init(_ result: LibPQResult) {
        let raw = result.raw
        let columnCount = Int(PQnfields(raw))
        let rowCount = Int(PQntuples(raw))
        var columns: [PostgresColumn] = []
        columns.reserveCapacity(columnCount)
        for c in 0..<columnCount {
            let name = PQfname(raw, Int32(c)).map { String(cString: $0) } ?? "?column?"
            columns.append(PostgresColumn(name: name, type: PostgresDataType(oid: UInt32(PQftype(raw, Int32(c))))))
        }
        let shared = PostgresColumns(columns)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                if PQgetisnull(raw, Int32(r), Int32(c)) == 1 {
                    values.append(nil)
                } else {
                    // PQgetvalue's storage belongs to the PGresult: copy it (length from PQgetlength).
                    let length = Int(PQgetlength(raw, Int32(r), Int32(c)))
                    let bytes = UnsafeRawPointer(PQgetvalue(raw, Int32(r), Int32(c))!).assumingMemoryBound(to: UInt8.self)
                    values.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
            rows.append(PostgresRow(columns: shared, values: values))
        }
        let tag = PQcmdStatus(raw).map { String(cString: $0) } ?? ""
        let tuples = PQcmdTuples(raw).map { String(cString: $0) } ?? ""
        self.init(columns: shared, rows: rows, commandTag: tag, affectedRows: Int(tuples))
    }
}
