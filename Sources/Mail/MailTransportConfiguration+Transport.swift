import HTTPClient
import Logging
public import PostgresClient

extension MailTransportConfiguration {
    /// The transport these settings describe. Graph and SMTP get an HTTPClient of their own
    /// (SMTP's trusts `caBundlePath`); the outbox writes through `pool`, which is required then.
    public func makeTransport(pool: PostgresPool?, logger: Logger = Logger(label: "almanac.mail")) throws -> any MailTransport {
        switch self {
        case .graph(let configuration):
            return GraphTransport(configuration: configuration, http: try HTTPClient(logger: logger), logger: logger)
        case .smtp(let configuration):
            let client = try HTTPClient(configuration: HTTPClientConfiguration(caBundlePath: configuration.caBundlePath), logger: logger)
            return SMTPTransport(configuration: configuration, client: client, logger: logger)
        case .outbox:
            guard let pool else {
                throw MailConfigurationError("the outbox mail transport needs the PostgreSQL database, and none is configured")
            }
            return OutboxTransport(pool: pool, logger: logger)
        }
    }
}
