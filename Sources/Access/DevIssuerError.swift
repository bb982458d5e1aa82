/// Why the dev issuer could not load its key or mint a token.
public struct DevIssuerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message.oneLine
    }

    public var description: String { message }
}
