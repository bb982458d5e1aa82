import Flows
import Foundation

/// Values templates may use as `{{secrets.<name>}}` (API keys for HTTP steps). They are added
/// to the run's data only while rendering, and every rendered text that the trace keeps has
/// them replaced by `[redacted]`.
public struct FlowSecrets: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// `ALMANAC_FLOW_SECRET_<NAME>=value` → `secrets.<name>` (name lower-cased).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FlowSecrets {
        let prefix = "ALMANAC_FLOW_SECRET_"
        var values: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix(prefix) && key.count > prefix.count {
            values[String(key.dropFirst(prefix.count)).lowercased()] = value
        }
        return FlowSecrets(values)
    }

    public static let redacted = "[redacted]"

    /// `data` with `secrets` set, for rendering.
    func adding(to data: FlowValue) -> FlowValue {
        data.setting(.object(values.mapValues { .string($0) }), at: ["secrets"])
    }

    /// `text` with every secret value replaced.
    public func redact(_ text: String) -> String {
        values.values.filter { $0.count >= 4 }.sorted { $0.count > $1.count }.reduce(text) { text, secret in
            text.replacingOccurrences(of: secret, with: Self.redacted)
        }
    }

    public func redact(_ value: FlowValue) -> FlowValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .array(let items): .array(items.map(redact))
        case .object(let fields): .object(fields.mapValues(redact))
        default: value
        }
    }

    /// Header names whose values never appear in a trace, secret or not.
    static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]
}
