extension BenchReport {
    /// The figures as a plain-text table: value, raw limit, ratio, goal and PASS/MISS.
    func table() -> String {
        let header = ["group", "figure", "value", "raw limit (same run)", "ratio", "goal", "result"]
        var rows: [[String]] = []
        for figure in figures {
            let value = NumberText.value(figure.value, unit: figure.unit) + " " + figure.unit
            let raw = figure.rawLimit.map { "\(NumberText.value($0, unit: figure.unit)) \(figure.unit)  \(figure.rawLimitName ?? "")" } ?? "—"
            let ratio = figure.ratio.map(NumberText.ratio) ?? "—"
            rows.append([figure.group, figure.name, value, raw, ratio, figure.goalDescription ?? "", figure.resultText])
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                // Numbers right-aligned, words left-aligned.
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index == 2 || index == 4 ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var lines = ["\(benchmark): \(summary)" + (quick ? "  [--quick]" : ""), line(header),
                     line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        let missed = figures.filter { $0.meetsGoal == false }.count
        let met = figures.filter { $0.meetsGoal == true }.count
        let unjudged = figures.filter { $0.goal != nil && $0.meetsGoal == nil }.count
        lines.append("goals met: \(met)/\(met + missed + unjudged)" + (missed > 0 ? ", \(missed) MISS" : "")
                     + (unjudged > 0 ? ", \(unjudged) not judged (raw baseline failed)" : ""))
        lines += notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
