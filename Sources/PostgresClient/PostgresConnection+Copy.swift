extension PostgresConnection {
    /// Bulk-loads `rows` with `COPY table (columns) FROM STDIN`, streaming them to the server in
    /// chunks of about `chunkSize` bytes. Each row has one value per column; values are written
    /// in their text form (bytea as hex, so any bytes pass), NULL as `\N`. If anything fails,
    /// the COPY is aborted and nothing is loaded. Returns the number of rows copied.
    ///
    ///     try await connection.copyFrom(table: "bookings", columns: ["id", "starts_at"], rows: rows.map { [$0.id, $0.start] })
    @discardableResult
    public func copyFrom(
        table: String, schema: String? = nil, columns: [String],
        rows: some Sequence<[any PostgresEncodable]>, chunkSize: Int = 64 * 1024
    ) async throws -> Int {
        var iterator = rows.makeIterator()
        return try await copyIn(table: table, schema: schema, columns: columns, chunkSize: chunkSize) {
            iterator.next().map { $0.map { $0.postgresText } }
        }
    }

    /// Like `copyFrom(table:columns:rows:)` with rows already in text form (nil = NULL).
    @discardableResult
    public func copyFrom(
        table: String, schema: String? = nil, columns: [String],
        textRows: some Sequence<[String?]>, chunkSize: Int = 64 * 1024
    ) async throws -> Int {
        var iterator = textRows.makeIterator()
        return try await copyIn(table: table, schema: schema, columns: columns, chunkSize: chunkSize) { iterator.next() }
    }

    /// Like `copyFrom(table:columns:rows:)` with rows produced asynchronously (e.g. read from a
    /// stream while loading): only one chunk is held in memory at a time.
    @discardableResult
    public func copyFrom<Rows: AsyncSequence>(
        table: String, schema: String? = nil, columns: [String],
        rows: Rows, chunkSize: Int = 64 * 1024
    ) async throws -> Int where Rows.Element == [any PostgresEncodable] {
        var iterator = rows.makeAsyncIterator()
        return try await copyIn(table: table, schema: schema, columns: columns, chunkSize: chunkSize) {
            try await iterator.next().map { $0.map { $0.postgresText } }
        }
    }

    /// Like `copyFrom(table:columns:rows:)` with the rows written field by field: `writeRows`
    /// is called until it answers false, and each call writes whole rows (any number, each
    /// with one field per column, ended by `endRow`) into the encoder. For bulk writers whose
    /// values are not strings already: no `String` or array is made per row.
    @discardableResult
    public func copyFrom(
        table: String, schema: String? = nil, columns: [String], chunkSize: Int = 256 * 1024,
        writeRows: (inout CopyTextEncoder) throws -> Bool
    ) async throws -> Int {
        try await copyIn(table: table, schema: schema, columns: columns, chunkSize: chunkSize) { encoder in
            try writeRows(&encoder)
        }
    }

    private func copyIn(
        table: String, schema: String?, columns: [String], chunkSize: Int,
        nextRow: () async throws -> [String?]?
    ) async throws -> Int {
        try await copyIn(table: table, schema: schema, columns: columns, chunkSize: chunkSize) { encoder in
            guard let row = try await nextRow() else { return false }
            if !columns.isEmpty && row.count != columns.count {
                throw PostgresClientError(
                    .invalidArgument, "COPY row \(encoder.rowCount + 1) has \(row.count) values for \(columns.count) columns")
            }
            try encoder.append(row)
            return true
        }
    }

    private func copyIn(
        table: String, schema: String?, columns: [String], chunkSize: Int,
        write: (inout CopyTextEncoder) async throws -> Bool
    ) async throws -> Int {
        let target = try PostgresIdentifier.quote(qualified: (schema.map { [$0] } ?? []) + [table])
        let columnList = try columns.isEmpty ? "" : " (" + columns.map(PostgresIdentifier.quote).joined(separator: ", ") + ")"
        let statement = "COPY \(target)\(columnList) FROM STDIN"
        try await withLibPQ { try $0.beginCopyIn(statement) }

        var encoder = CopyTextEncoder(capacity: chunkSize + 4096)
        do {
            while try await write(&encoder) {
                if encoder.buffer.count >= chunkSize {
                    let chunk = encoder.takeChunk()
                    try await withLibPQ { try $0.putCopyData(chunk) }
                }
            }
            if !encoder.isEmpty {
                let chunk = encoder.takeChunk()
                try await withLibPQ { try $0.putCopyData(chunk) }
            }
            return try await withLibPQ { try $0.endCopyIn() }
        } catch {
            // Still in COPY IN if the failure was ours: make the server abort it and drain.
            let message = "aborted by the client: \(error)"
            _ = try? await withLibPQ(cancellable: false) { connection -> Int in
                guard connection.isCommandInProgress else { return 0 }
                return try connection.endCopyIn(abort: message)
            }
            throw error
        }
    }
}
