/// A password or client secret. Its description is always `<redacted>`, so putting one into a
/// log line, an error or a `dump` shows nothing; only `reveal()` hands out the text, at the
/// single place that sends it.
public struct MailSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
