import EventStore
import Foundation
import NATSClient
import TestSupport

/// Events of a made-up aggregate, so the store is tested without any real domain.
struct DeskReserved: Codable, Sendable, Equatable {
    var deskId: String
    var person: String
    /// Added in v2; v1 events are upcast with "unknown".
    var source: String
    var at: Date
}

struct DeskFreed: Codable, Sendable, Equatable {
    var deskId: String
}

enum TestCatalog {
    static let registry: EventTypeRegistry = {
        var registry = EventTypeRegistry()
        registry.register(DeskReserved.self, as: "test.desk_reserved", version: 2, examples: {
            [DeskReserved(deskId: "d-1", person: "ada", source: "web", at: Date(timeIntervalSince1970: 1_800_000_000))]
        })
        registry.register(DeskFreed.self, as: "test.desk_freed", examples: { [DeskFreed(deskId: "d-1")] })
        registry.upcast("test.desk_reserved", from: 1) { v1 in
            var v2 = v1
            v2["source"] = .string("unknown")
            return v2
        }
        return registry
    }()
}

struct ScratchStore {
    let nats: NATSConnection
    let store: EventStore
    let prefix: String

    static func make(_ label: String) async throws -> ScratchStore {
        let env = try await TestServers.shared()
        let nats = try await NATSConnection.connect(NATSConnectOptions(url: env.natsURL, name: "eventstore-test"))
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)
        let name = "ES_\(label.uppercased())_\(token)"
        let prefix = "es\(token)"
        try await nats.jetStream.createOrUpdateStream(StreamConfig(name: name, subjects: ["\(prefix).>"], duplicateWindow: .seconds(120), allowAtomic: true))
        return ScratchStore(nats: nats, store: EventStore(jetStream: nats.jetStream, stream: name, registry: TestCatalog.registry), prefix: prefix)
    }

    func subject(_ id: String) -> String { "\(prefix).desk.\(id)" }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
