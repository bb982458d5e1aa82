/// How to reach and authenticate with a NATS server. Everything comes from configuration
/// (environment or files); nothing secret is compiled in.
public struct NATSConnectOptions: Sendable {
    public struct TLS: Sendable {
        /// PEM file of the CAs to trust; the system store when `nil`. Server verification is
        /// always on: there is deliberately no switch to turn it off.
        public var caFile: String?
        /// Client certificate chain and key (PEM) for mutual TLS.
        public var certificateFile: String?
        public var keyFile: String?

        public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public var urls: [String]
    /// Shown by the server in `connz`, so operators see which role a connection belongs to.
    public var name: String
    /// A `.creds` file (user JWT + nkey seed) as issued by `nsc`.
    public var credentialsFile: String?
    public var tls: TLS?
    public var connectTimeout: Duration
    /// `nil` retries forever: a role process should outlive a NATS restart.
    public var maxReconnectAttempts: Int?
    public var reconnectWait: Duration
    /// Bytes libnats buffers while reconnecting; publishes beyond it fail instead of blocking.
    public var reconnectBufferBytes: Int
    /// Write each publish to the socket from the calling thread instead of waking libnats'
    /// flusher thread: one thread hop less per request, which is what an append's latency is
    /// made of. Bulk publishers that want coalesced writes can turn it off.
    public var sendImmediately: Bool = true

    public init(
        urls: [String] = ["nats://127.0.0.1:4222"],
        name: String = "almanac",
        credentialsFile: String? = nil,
        tls: TLS? = nil,
        connectTimeout: Duration = .seconds(2),
        maxReconnectAttempts: Int? = nil,
        reconnectWait: Duration = .milliseconds(250),
        reconnectBufferBytes: Int = 8 << 20
    ) {
        self.urls = urls
        self.name = name
        self.credentialsFile = credentialsFile
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.maxReconnectAttempts = maxReconnectAttempts
        self.reconnectWait = reconnectWait
        self.reconnectBufferBytes = reconnectBufferBytes
    }

    public init(url: String, name: String = "almanac") {
        self.init(urls: url.split(separator: ",").map { String($0.trimmingSpaces()) }, name: name)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func nanoseconds(_ value: Int64) -> Duration { .init(secondsComponent: value / 1_000_000_000, attosecondsComponent: (value % 1_000_000_000) * 1_000_000_000) }
}
