internal import CLibPQ
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LibPQConnection {
    /// Sends every statement, then one Sync, and reads the results: one round trip for the
    /// batch. Between the previous Sync and this one the server runs the statements as one
    /// implicit transaction (unless inside an explicit one): if one fails, the rest are skipped
    /// (PGRES_PIPELINE_ABORTED) and all of them roll back.
    func executePipeline(_ statements: [(sql: String, parameters: [EncodedParameter])]) throws -> [PostgresQueryResult] {
        // PQenterPipelineMode: "Causes a connection to enter pipeline mode if it is currently
        // idle or already in pipeline mode." Returns 1 for success.
        guard PQenterPipelineMode(pointer) == 1 else { throw failure() }
        defer { leavePipelineMode() }

        for statement in statements {
            let types: [Oid] = statement.parameters.map { Oid($0.oid) }
            let copies: [UnsafeMutablePointer<CChar>?] = statement.parameters.map { $0.text.flatMap { strdup($0) } }
            defer { copies.forEach { free($0) } }
            let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
            // libpq copies the parameters into its output buffer, so they may be freed at once.
            guard PQsendQueryParams(pointer, statement.sql, Int32(types.count), types, values, nil, nil, 0) == 1 else {
                throw failure()
            }
        }
        // PQpipelineSync marks the end of the batch and flushes it (blocking mode: libpq reads
        // the server's output while waiting to write, so a full socket cannot deadlock us).
        guard PQpipelineSync(pointer) == 1 else { throw failure() }

        var results: [PostgresQueryResult] = []
        var firstError: (any Error)?
        for _ in statements {
            // Each statement's results end with a NULL from PQgetResult, then the next begins.
            var last: LibPQResult?
            while let raw = PQgetResult(pointer) {
                let result = LibPQResult(raw)
                switch result.status {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    last = result
                case PGRES_PIPELINE_ABORTED:
                    firstError = firstError ?? PostgresClientError(.protocolViolation, "pipeline aborted before its failing statement")
                default:
                    firstError = firstError ?? error(from: result)
                }
            }
            if isBad { throw firstError ?? failure() }
            if let last { results.append(PostgresQueryResult(last)) }
        }
        // Then exactly one PGRES_PIPELINE_SYNC for our PQpipelineSync.
        var nulls = 0
        while true {
            guard let raw = PQgetResult(pointer) else {
                nulls += 1
                if isBad || nulls > 3 { throw firstError ?? failure() }
                continue
            }
            let result = LibPQResult(raw)
            if result.status == PGRES_PIPELINE_SYNC { break }
            firstError = firstError ?? error(from: result)
        }
        if let firstError { throw firstError }
        return results
    }

    private func leavePipelineMode() {
        // PQexitPipelineMode fails while results are pending: read them (until NULL) and retry.
        var tries = 0
        while PQexitPipelineMode(pointer) != 1 && tries < 100 && !isBad {
            while let raw = PQgetResult(pointer) { PQclear(raw) }
            tries += 1
        }
    }
}
