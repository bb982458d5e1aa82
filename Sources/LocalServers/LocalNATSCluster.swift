import Foundation
import Logging

/// N nats-servers on 127.0.0.1 forming one JetStream cluster, the production topology
/// ("Replicas: 3 in a cluster", ARCHITECTURE.md) on one machine: each node has its own folder
/// (config, log, store) under `directory`, server name, client, cluster and monitoring port,
/// and routes to all the others. Nodes are `LocalNATSServer`s, so they use its sync interval
/// default and die with this process; `nodes[i].kill()` / `start()` simulate a crash and a
/// recovery of one node.
public final class LocalNATSCluster: Sendable {
    public struct Configuration: Sendable {
        /// Holds one folder per node (`node-1`, `node-2`, ...).
        public var directory: URL
        /// At least 3 for a quorum that survives the loss of one node.
        public var size: Int
        public var syncInterval: NATSSyncInterval
        public var name = "almanac-local"
        /// How long all nodes may take to agree on a JetStream meta leader once they run.
        public var formTimeout: Duration = .seconds(60)

        public init(directory: URL, size: Int = 3, syncInterval: NATSSyncInterval = .always) {
            self.directory = directory
            self.size = size
            self.syncInterval = syncInterval
        }
    }

    public let configuration: Configuration
    public let nodes: [LocalNATSServer]

    /// Starts every node and waits until the cluster has a JetStream meta leader that all
    /// nodes know, so a stream with `replicas == size` can be created right away. Ports are
    /// chosen here (each node's routes name the others'), so one taken in between is retried
    /// with fresh ports, like `LocalNATSServer.start`.
    public static func start(_ configuration: Configuration,
                             logger: Logger = Logger(label: "almanac.localservers.nats-cluster")) async throws -> LocalNATSCluster {
        guard configuration.size >= 1 else {
            throw LocalServersMisuse("a NATS cluster needs at least one node, asked for \(configuration.size)")
        }
        var attempt = 1
        while true {
            let cluster = try LocalNATSCluster(configuration, logger: logger)
            do {
                try await cluster.startNodes()
                return cluster
            } catch let failure as ServerFailure where failure.isAddressInUse && attempt < 3 {
                await cluster.stop()
                attempt += 1
            } catch {
                await cluster.stop()
                throw error
            }
        }
    }

    private init(_ configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        let clusterPorts = try (0..<configuration.size).map { _ in try LoopbackPort.free() }
        nodes = try (0..<configuration.size).map { index in
            var node = LocalNATSServer.Configuration(
                directory: configuration.directory.appendingPathComponent("node-\(index + 1)", isDirectory: true),
                port: try LoopbackPort.free(), syncInterval: configuration.syncInterval)
            node.serverName = "\(configuration.name)-\(index + 1)"
            node.monitoringPort = try LoopbackPort.free()
            node.cluster = Membership(name: configuration.name, port: clusterPorts[index],
                                      routePorts: clusterPorts.enumerated().filter { $0.offset != index }.map(\.element))
            var nodeLogger = logger
            nodeLogger[metadataKey: "nats.node"] = "\(index + 1)"
            return try LocalNATSServer(node, logger: nodeLogger)
        }
    }

    /// Every node's client URL, for clients that should fail over to another node.
    public var clientURLs: [String] { nodes.map(\.url) }

    /// Stops every node (gracefully, SIGKILL after the node's stop timeout).
    public func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { await node.stop() } }
        }
    }

    private func startNodes() async throws {
        // Together: a node waits for its routes, and with a single node JetStream never forms.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.start() } }
            try await group.waitForAll()
        }
        try await waitForMetaLeader()
    }

    /// `/healthz` answers 200 only once a node is in contact with a JetStream meta leader and
    /// has caught up with it; before that (an election is running) it answers 503.
    private func waitForMetaLeader() async throws {
        let ports = nodes.compactMap(\.monitoringPort)
        let formed = try await Poll.until(timeout: configuration.formTimeout, every: .milliseconds(100)) {
            for port in ports where await LoopbackProbe.httpStatus(port: port, path: "/healthz") != 200 { return false }
            return true
        }
        guard formed else {
            throw ServerFailure(server: "nats-server cluster \(configuration.name)",
                                reason: "no JetStream meta leader after \(configuration.formTimeout) (see node-N/nats-server.log under \(configuration.directory.path))")
        }
    }
}
