import Foundation
import NATSClient
import TestSupport

/// A stream and subject prefix of the test's own, so tests running in parallel never meet.
struct ScratchStream {
    let name: String
    let prefix: String

    init(_ label: String) {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)
        name = "T_\(label.uppercased())_\(token)"
        prefix = "t\(token).\(label)"
    }

    func subject(_ suffix: String) -> String { "\(prefix).\(suffix)" }

    func config(allowAtomic: Bool = true) -> StreamConfig {
        StreamConfig(name: name, subjects: ["\(prefix).>"], duplicateWindow: .seconds(120), allowAtomic: allowAtomic,
                     allowMsgTTL: true, allowMsgSchedules: true, allowDirect: true)
    }
}

func connect(_ name: String = "test") async throws -> NATSConnection {
    let env = try await TestServers.shared()
    return try await NATSConnection.connect(NATSConnectOptions(url: env.natsURL, name: name))
}

extension Array where Element == UInt8 {
    static func text(_ string: String) -> [UInt8] { Array(string.utf8) }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
