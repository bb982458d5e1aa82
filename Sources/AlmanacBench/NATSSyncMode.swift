import LocalServers

/// The two durability settings every figure is measured under (ARCHITECTURE.md, Durability).
enum NATSSyncMode: String, Sendable, CaseIterable {
    /// `sync_interval: always`: acknowledged means on disk; Almanac's default and production setting.
    case always
    /// nats-server's own default (fsync every 2 minutes).
    case serverDefault = "server-default"

    /// The group name in tables and plots.
    var label: String {
        switch self {
        case .always: "sync always"
        case .serverDefault: "sync default"
        }
    }

    var syncInterval: NATSSyncInterval {
        switch self {
        case .always: .always
        case .serverDefault: .serverDefault
        }
    }
}
