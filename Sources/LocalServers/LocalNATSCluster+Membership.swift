extension LocalNATSCluster {
    /// What makes a nats-server one node of a cluster: the cluster's name, the port its peers
    /// connect to, and the other nodes' cluster ports (every node routes to every other, so
    /// any two nodes alone still form a quorum).
    public struct Membership: Sendable, Hashable {
        public var name: String
        public var port: Int
        public var routePorts: [Int]

        public init(name: String, port: Int, routePorts: [Int]) {
            self.name = name
            self.port = port
            self.routePorts = routePorts
        }

        /// The `cluster { }` block of the server's config file.
        func configurationBlock(host: String) -> String {
            let routes = routePorts.map { "nats-route://\(host):\($0)" }.joined(separator: ", ")
            return """
                cluster {
                  name: \(LocalNATSServer.quoted(name))
                  listen: \(host):\(port)
                  routes: [\(routes)]
                }
                """
        }
    }
}
