import Foundation
import NATSClient

/// What `almanac streams` prints: each stream with its size and consumers, and how far each
/// consumer is behind.
public struct StreamsReport: Sendable {
    public struct Row: Sendable, Equatable {
        public let name: String
        public let subjects: String
        public let messages: UInt64
        public let bytes: UInt64
        public let lastSequence: UInt64
        public let consumers: [ConsumerRow]
    }

    public struct ConsumerRow: Sendable, Equatable {
        public let name: String
        public let pending: UInt64
        public let ackPending: Int
        public let redelivered: Int
        public let ackFloor: UInt64

        public init(name: String, pending: UInt64, ackPending: Int, redelivered: Int, ackFloor: UInt64) {
            self.name = name
            self.pending = pending
            self.ackPending = ackPending
            self.redelivered = redelivered
            self.ackFloor = ackFloor
        }
    }

    public let rows: [Row]

    public static func collect(_ jetStream: JetStream) async throws -> StreamsReport {
        var rows: [Row] = []
        for info in try await jetStream.streams().sorted(by: { $0.config.name < $1.config.name }) {
            let consumers = try await jetStream.consumers(stream: info.config.name).sorted { $0.name < $1.name }.map {
                ConsumerRow(name: $0.name, pending: $0.numPending, ackPending: $0.numAckPending, redelivered: $0.numRedelivered,
                            ackFloor: $0.ackFloor.streamSequence)
            }
            rows.append(Row(name: info.config.name, subjects: info.config.subjects.joined(separator: ","), messages: info.state.messages,
                            bytes: info.state.bytes, lastSequence: info.state.lastSequence, consumers: consumers))
        }
        return StreamsReport(rows: rows)
    }

    public func render() -> String {
        guard !rows.isEmpty else { return "no streams\n" }
        var table = TextTable(columns: ["STREAM", "SUBJECTS", "MESSAGES", "BYTES", "LAST SEQ", "CONSUMERS"])
        for row in rows {
            table.add([row.name, row.subjects, "\(row.messages)", ByteCount.format(row.bytes), "\(row.lastSequence)", "\(row.consumers.count)"])
        }
        var output = table.render()
        let consumers = rows.flatMap { row in row.consumers.map { (row.name, $0) } }
        if !consumers.isEmpty {
            var detail = TextTable(columns: ["STREAM", "CONSUMER", "PENDING", "ACK PENDING", "REDELIVERED", "ACK FLOOR"])
            for (stream, consumer) in consumers {
                detail.add([stream, consumer.name, "\(consumer.pending)", "\(consumer.ackPending)", "\(consumer.redelivered)", "\(consumer.ackFloor)"])
            }
            output += "\n" + detail.render()
        }
        return output
    }
}

/// A plain left-aligned text table for terminals; numbers stay readable without a library.
public struct TextTable: Sendable {
    let columns: [String]
    var rows: [[String]] = []

    public init(columns: [String]) {
        self.columns = columns
    }

    public mutating func add(_ row: [String]) {
        rows.append(row)
    }

    public func render() -> String {
        let widths = columns.indices.map { index in
            ([columns[index]] + rows.map { index < $0.count ? $0[index] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(columns)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

public enum ByteCount {
    public static func format(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
