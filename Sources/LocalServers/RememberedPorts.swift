import Foundation

/// The ports of the last run in a LocalServers folder, so `almanac dev` keeps its URLs.
struct RememberedPorts: Codable {
    var nats: Int?
    var natsMonitoring: Int?
    var postgres: Int?

    static func load(from directory: URL) -> RememberedPorts {
        guard let data = try? Data(contentsOf: file(in: directory)),
              let ports = try? JSONDecoder().decode(RememberedPorts.self, from: data)
        else { return RememberedPorts() }
        return ports
    }

    func save(in directory: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? encoder.encode(self).write(to: Self.file(in: directory), options: .atomic)
    }

    private static func file(in directory: URL) -> URL { directory.appendingPathComponent("ports.json") }
}
