/// One statement of a pipeline: SQL with `$n` placeholders and the values bound to them.
public struct PostgresStatement: Sendable {
    public var sql: String
    public var parameters: [any PostgresEncodable]

    public init(_ sql: String, _ parameters: [any PostgresEncodable] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension PostgresConnection {
    /// Runs `statements` in libpq pipeline mode: all are sent at once and answered in one round
    /// trip, which makes a batch of small writes (a projection's batch of events) much faster.
    /// Outside an explicit transaction the batch is atomic: the first error is thrown and none
    /// of the statements take effect. Returns one result per statement, in order.
    /// Keep batches to a few thousand statements.
    public func pipeline(_ statements: [PostgresStatement]) async throws -> [PostgresQueryResult] {
        guard !statements.isEmpty else { return [] }
        let encoded = try statements.map { (sql: $0.sql, parameters: try EncodedParameter.encode($0.parameters)) }
        return try await withLibPQ { try $0.executePipeline(encoded) }
    }
}

extension PostgresPool {
    /// `PostgresConnection.pipeline` on a pooled connection.
    public func pipeline(_ statements: [PostgresStatement]) async throws -> [PostgresQueryResult] {
        try await withConnection { try await $0.pipeline(statements) }
    }
}
