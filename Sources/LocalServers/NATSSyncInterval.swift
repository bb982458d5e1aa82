/// How often nats-server fsyncs JetStream data (`jetstream { sync_interval }`).
public enum NATSSyncInterval: Sendable, Hashable, CustomStringConvertible {
    /// Every write is on disk before it is acknowledged (Almanac's default and production setting).
    case always
    /// Flush on a timer; acknowledged writes younger than this can be lost in a crash.
    case every(Duration)
    /// Leave nats-server's own default (2 minutes).
    case serverDefault

    /// The value for the config file, nil to leave the setting out.
    var configValue: String? {
        switch self {
        case .always: "always"
        case .every(let interval):
            "\(max(1, interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000))ms"
        case .serverDefault: nil
        }
    }

    public var description: String { configValue ?? "server default" }
}
