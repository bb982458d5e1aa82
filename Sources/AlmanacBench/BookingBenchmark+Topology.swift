import EventStore
import Foundation
import LocalServers
import Logging
import NATSClient

/// Where the booking benchmark's JetStream runs: one nats-server with one-replica streams (as
/// `almanac dev` runs), or three nodes on this machine with three-replica streams (the
/// production topology, ARCHITECTURE.md "Replicas: 3 in a cluster, 1 locally"). The topology
/// matters for bookings: nats-server 2.15.1 stages an atomic batch of a one-replica file stream
/// in a fresh on-disk store, one batch at a time per stream, but in memory with replicas.
enum BookingTopology: String, Sendable, CaseIterable {
    case singleNode = "single-node"
    case cluster3 = "cluster-3"

    var replicas: Int {
        switch self {
        case .singleNode: 1
        case .cluster3: 3
        }
    }

    var label: String {
        switch self {
        case .singleNode: "1 node R1"
        case .cluster3: "3 nodes R3"
        }
    }
}

/// One measured setting of the booking benchmark: a topology and a sync mode.
struct BookingSetting: Sendable, CustomStringConvertible {
    let topology: BookingTopology
    let sync: NATSSyncMode

    /// The group name in tables and plots.
    var label: String { "\(topology.label), \(sync.label)" }
    /// For folder names.
    var description: String { "\(topology.rawValue)-\(sync.rawValue)" }

    /// Every sync mode on the single node (as before), then the cluster in the production
    /// setting first; its server-default run follows when there is time for it.
    static var all: [BookingSetting] {
        [.init(topology: .singleNode, sync: .always), .init(topology: .singleNode, sync: .serverDefault),
         .init(topology: .cluster3, sync: .always), .init(topology: .cluster3, sync: .serverDefault)]
    }
}

/// Runs `body` against this setting's JetStream (a fresh single server or cluster in `folder`)
/// with a connection to it; the URL given to `body` is the one every client of the run uses
/// (the cluster's first node: it routes to each stream's leader as a production client's node
/// would). Servers stop on every way out, and die with this process.
func withNATS<T>(_ setting: BookingSetting, in folder: URL,
                 _ body: (_ url: String, NATSConnection) async throws -> T) async throws -> T {
    switch setting.topology {
    case .singleNode:
        return try await withNATSServer(in: folder, syncMode: setting.sync) { server, connection in try await body(server.url, connection) }
    case .cluster3:
        var logger = Logger(label: "almanac.bench.nats-cluster")
        // Start and stop lines would interleave with the progress lines.
        logger.logLevel = .warning
        var configuration = LocalNATSCluster.Configuration(directory: folder, size: setting.topology.replicas, syncInterval: setting.sync.syncInterval)
        configuration.name = "almanac-bench"
        let cluster = try await LocalNATSCluster.start(configuration, logger: logger)
        let url = cluster.clientURLs[0]
        do {
            let connection = try await NATSConnection.connect(NATSConnectOptions(url: url, name: "almanac-bench"))
            do {
                let result = try await body(url, connection)
                connection.close()
                await cluster.stop()
                return result
            } catch {
                connection.close()
                throw error
            }
        } catch {
            await cluster.stop()
            throw error
        }
    }
}
