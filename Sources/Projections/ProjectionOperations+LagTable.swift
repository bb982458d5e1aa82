import Foundation

extension ProjectionOperations {
    /// `almanac lag` output: a header and one aligned row per projection.
    public static func lagTable(_ lags: [Lag]) -> String {
        let header = ["PROJECTION", "STREAM", "STREAM SEQ", "CHECKPOINT", "LAG EVENTS", "LAG SECONDS", "ACTIVE INSTANCE", "STATE"]
        let rows = lags.map { lag in
            [lag.projection, lag.stream, String(lag.streamLastSequence), String(lag.checkpoint), String(lag.events),
             String(format: "%.1f", lag.seconds), lag.activeInstance ?? "none", lag.poison ?? "ok"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
