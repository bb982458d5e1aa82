/// A result column: its name and type.
public struct PostgresColumn: Sendable, Hashable {
    public let name: String
    public let type: PostgresDataType
}

/// The columns of a result, shared by all its rows.
public final class PostgresColumns: Sendable {
    public let columns: [PostgresColumn]
    private let indexByName: [String: Int]

    init(_ columns: [PostgresColumn]) {
        self.columns = columns
        var index: [String: Int] = [:]
        for (i, column) in columns.enumerated() where index[column.name] == nil { index[column.name] = i }
        self.indexByName = index
    }

    /// The first column with this name.
    public func index(of name: String) -> Int? { indexByName[name] }
}

/// One row of a result. Values are copied out of libpq, so a row outlives its result handle.
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    let values: [String?]

    public var count: Int { values.count }

    /// The raw cell at `index` (0-based).
    public func cell(at index: Int) -> PostgresCell {
        precondition(index >= 0 && index < values.count, "column index \(index) out of range 0..<\(values.count)")
        let column = columns.columns[index]
        return PostgresCell(text: values[index], type: column.type, columnName: column.name, columnIndex: index)
    }

    public func isNull(at index: Int) -> Bool { values[index] == nil }

    /// Decodes column `index` (0-based). NULL decodes only into an Optional.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard index >= 0 && index < values.count else {
            throw PostgresClientError(.invalidArgument, "column index \(index) out of range: the row has \(values.count) columns")
        }
        return try T(postgresCell: cell(at: index))
    }

    /// Decodes the column named `name` (the first one, if several share it).
    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        guard let index = columns.index(of: name) else {
            throw PostgresClientError(.invalidArgument, "no column named \"\(name)\" in the result")
        }
        return try T(postgresCell: cell(at: index))
    }

    /// Decodes the leading columns as a tuple: `let (id, name) = try row.decode(Int.self, String.self)`.
    public func decode<each T: PostgresDecodable>(_ types: repeat (each T).Type) throws -> (repeat each T) {
        var index = 0
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try decode(U.self, at: index)
        }
        return (repeat try next((each T).self))
    }
}

/// The outcome of one statement: rows (possibly none), the command tag and affected-row count.
public struct PostgresQueryResult: Sendable, RandomAccessCollection {
    public let columns: PostgresColumns
    public let rows: [PostgresRow]
    /// e.g. `INSERT 0 3`, `SELECT 2`, `CREATE TABLE`.
    public let commandTag: String
    /// Rows affected by INSERT/UPDATE/DELETE/MERGE/SELECT/COPY..., nil for commands without a count.
    public let affectedRows: Int?

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }

    /// Decodes column 0 of every row.
    public func decodeColumn<T: PostgresDecodable>(_ type: T.Type) throws -> [T] {
        try rows.map { try $0.decode(T.self, at: 0) }
    }

    /// Decodes column 0 of the single row, or nil when there is no row.
    public func singleValue<T: PostgresDecodable>(_ type: T.Type) throws -> T? {
        guard let first = rows.first else { return nil }
        return try first.decode(T.self, at: 0)
    }
}
