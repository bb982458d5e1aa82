import Foundation

extension BenchReport {
    /// Writes `<name>-<timestamp>.json` and a copy as `<name>-latest.json`; returns the first.
    func write(to folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(self)
        let file = folder.appendingPathComponent("\(benchmark)-\(timestamp).json")
        try data.write(to: file, options: .atomic)
        try data.write(to: folder.appendingPathComponent("\(benchmark)-latest.json"), options: .atomic)
        return file
    }
}
