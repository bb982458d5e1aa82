import Foundation

extension LocalServers {
    public struct Configuration: Sendable {
        public var directory: URL
        public var natsSyncInterval: NATSSyncInterval = .always
        public var postgresDurability: LocalPostgresServer.Durability
        /// Fixed ports; nil picks free ones (or the previous run's, with `reusesPorts`).
        public var natsPort: Int?
        public var natsMonitoringPort: Int?
        public var postgresPort: Int?
        /// Prefer the ports of the previous run in this folder when they are free.
        public var reusesPorts: Bool
        /// Databases created at start unless they exist.
        public var databases: [String] = []

        public init(directory: URL, postgresDurability: LocalPostgresServer.Durability, reusesPorts: Bool) {
            self.directory = directory
            self.postgresDurability = postgresDurability
            self.reusesPorts = reusesPorts
        }

        /// `almanac dev`: `.almanac/` in the current folder, durable, same ports as last time
        /// when free, an `almanac` database.
        public static func development(
            directory: URL = URL(fileURLWithPath: ".almanac", isDirectory: true)
        ) -> Configuration {
            var configuration = Configuration(directory: directory, postgresDurability: .durable, reusesPorts: true)
            configuration.databases = ["almanac"]
            return configuration
        }

        /// Tests: a throwaway folder, fresh free ports, PostgreSQL without fsync.
        public static func test(directory: URL) -> Configuration {
            Configuration(directory: directory, postgresDurability: .throwaway, reusesPorts: false)
        }
    }
}
