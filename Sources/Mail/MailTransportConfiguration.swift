public import Foundation

/// Which mail transport a process uses, read from its environment:
///
///     ALMANAC_MAIL_TRANSPORT                 graph | smtp | outbox
///     graph:  ALMANAC_MAIL_GRAPH_TENANT_ID, ALMANAC_MAIL_GRAPH_CLIENT_ID,
///             ALMANAC_MAIL_GRAPH_CLIENT_SECRET or ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE,
///             ALMANAC_MAIL_GRAPH_SENDER (user id or principal name of the sending mailbox);
///             optional ALMANAC_MAIL_GRAPH_LOGIN_URL, ALMANAC_MAIL_GRAPH_API_URL,
///             ALMANAC_MAIL_GRAPH_MAX_CONCURRENCY (default 4), ALMANAC_MAIL_GRAPH_SAVE_TO_SENT_ITEMS
///     smtp:   ALMANAC_MAIL_SMTP_URL (smtp://host:587 or smtps://host:465); optional
///             ALMANAC_MAIL_SMTP_USERNAME, ALMANAC_MAIL_SMTP_PASSWORD or ..._PASSWORD_FILE,
///             ALMANAC_MAIL_SMTP_STARTTLS = required (default) | optional,
///             ALMANAC_MAIL_SMTP_CA_FILE
///     outbox: nothing more (the process's PostgreSQL database)
///
/// A `*_FILE` variable names a file holding the secret (a mounted Kubernetes secret); trailing
/// line breaks are ignored. Setting both a secret and its `_FILE` is an error.
public enum MailTransportConfiguration: Sendable {
    case graph(GraphConfiguration)
    case smtp(SMTPConfiguration)
    case outbox

    public enum Kind: String, Sendable, CaseIterable {
        case graph, smtp, outbox
    }

    public var kind: Kind {
        switch self {
        case .graph: .graph
        case .smtp: .smtp
        case .outbox: .outbox
        }
    }

    /// Reads the settings above. `defaultKind` applies when ALMANAC_MAIL_TRANSPORT is unset
    /// (`almanac dev` passes `.outbox`); nil makes it required.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        defaultKind: Kind? = nil,
        readFile: @escaping (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(MailConfigurationError) -> MailTransportConfiguration {
        let settings = Settings(environment: environment, readFile: readFile)
        let kindName = settings.value("ALMANAC_MAIL_TRANSPORT")
        guard let kind = kindName.map({ Kind(rawValue: $0.lowercased()) }) ?? defaultKind else {
            if let kindName {
                throw MailConfigurationError("ALMANAC_MAIL_TRANSPORT is \(kindName.debugDescription); expected graph, smtp or outbox")
            }
            throw MailConfigurationError("ALMANAC_MAIL_TRANSPORT is not set; expected graph, smtp or outbox")
        }
        switch kind {
        case .outbox:
            return .outbox
        case .graph:
            let needed = "(needed when ALMANAC_MAIL_TRANSPORT=graph)"
            let sender = try settings.required("ALMANAC_MAIL_GRAPH_SENDER", needed)
            guard !sender.contains("/"), !sender.contains("?"), !sender.contains("#") else {
                throw MailConfigurationError("ALMANAC_MAIL_GRAPH_SENDER \(sender.debugDescription) is not a user id or principal name")
            }
            var configuration = GraphConfiguration(
                tenantID: try settings.required("ALMANAC_MAIL_GRAPH_TENANT_ID", needed),
                clientID: try settings.required("ALMANAC_MAIL_GRAPH_CLIENT_ID", needed),
                clientSecret: try settings.requiredSecret("ALMANAC_MAIL_GRAPH_CLIENT_SECRET", needed),
                sender: sender
            )
            if let url = try settings.url("ALMANAC_MAIL_GRAPH_LOGIN_URL", schemes: ["https", "http"]) { configuration.loginBaseURL = url }
            if let url = try settings.url("ALMANAC_MAIL_GRAPH_API_URL", schemes: ["https", "http"]) { configuration.graphBaseURL = url }
            if let limit = try settings.integer("ALMANAC_MAIL_GRAPH_MAX_CONCURRENCY", in: 1...64) { configuration.maxConcurrentRequests = limit }
            if let save = try settings.boolean("ALMANAC_MAIL_GRAPH_SAVE_TO_SENT_ITEMS") { configuration.saveToSentItems = save }
            return .graph(configuration)
        case .smtp:
            let needed = "(needed when ALMANAC_MAIL_TRANSPORT=smtp)"
            guard let url = try settings.url("ALMANAC_MAIL_SMTP_URL", schemes: ["smtp", "smtps"]) else {
                throw MailConfigurationError("ALMANAC_MAIL_SMTP_URL is not set \(needed), e.g. smtp://mail.example.com:587")
            }
            let startTLS = settings.value("ALMANAC_MAIL_SMTP_STARTTLS")?.lowercased() ?? "required"
            guard ["required", "optional"].contains(startTLS) else {
                throw MailConfigurationError("ALMANAC_MAIL_SMTP_STARTTLS is \(startTLS.debugDescription); expected required or optional")
            }
            let username = settings.value("ALMANAC_MAIL_SMTP_USERNAME")
            let password = try settings.secret("ALMANAC_MAIL_SMTP_PASSWORD")
            if username != nil, password == nil {
                throw MailConfigurationError("ALMANAC_MAIL_SMTP_USERNAME is set but neither ALMANAC_MAIL_SMTP_PASSWORD nor ALMANAC_MAIL_SMTP_PASSWORD_FILE is")
            }
            let caFile = settings.value("ALMANAC_MAIL_SMTP_CA_FILE")
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw MailConfigurationError("ALMANAC_MAIL_SMTP_CA_FILE \(caFile.debugDescription) is not a readable file")
            }
            return .smtp(SMTPConfiguration(url: url, username: username, password: password, requireTLS: startTLS == "required", caBundlePath: caFile))
        }
    }
}

/// A missing or malformed mail setting; `description` is one line naming the variable.
public struct MailConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The environment with empty values treated as unset, and secrets read from `*_FILE`.
private struct Settings {
    let environment: [String: String]
    let readFile: (String) throws -> String

    func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingWhitespace, !value.isEmpty else { return nil }
        return value
    }

    func required(_ name: String, _ needed: String) throws(MailConfigurationError) -> String {
        guard let value = value(name) else { throw MailConfigurationError("\(name) is not set \(needed)") }
        return value
    }

    func secret(_ name: String) throws(MailConfigurationError) -> MailSecret? {
        // Secrets are taken as given (no trimming inside), but never logged or echoed.
        let direct = environment[name].flatMap { $0.isEmpty ? nil : $0 }
        let path = value("\(name)_FILE")
        switch (direct, path) {
        case (_?, _?):
            throw MailConfigurationError("both \(name) and \(name)_FILE are set; set one")
        case (let direct?, nil):
            return MailSecret(direct)
        case (nil, let path?):
            let text: String
            do {
                text = try readFile(path)
            } catch {
                throw MailConfigurationError("\(name)_FILE \(path.debugDescription) cannot be read")
            }
            var trimmed = Substring(text)
            while let last = trimmed.last, last == "\n" || last == "\r" { trimmed = trimmed.dropLast() }
            guard !trimmed.isEmpty else { throw MailConfigurationError("\(name)_FILE \(path.debugDescription) is empty") }
            return MailSecret(String(trimmed))
        case (nil, nil):
            return nil
        }
    }

    func requiredSecret(_ name: String, _ needed: String) throws(MailConfigurationError) -> MailSecret {
        guard let secret = try secret(name) else {
            throw MailConfigurationError("neither \(name) nor \(name)_FILE is set \(needed)")
        }
        return secret
    }

    func url(_ name: String, schemes: Set<String>) throws(MailConfigurationError) -> URL? {
        guard let text = value(name) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host?.isEmpty == false else {
            throw MailConfigurationError("\(name) \(text.debugDescription) is not a URL with scheme \(schemes.sorted().joined(separator: " or ")) and a host")
        }
        return url
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(MailConfigurationError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw MailConfigurationError("\(name) is \(text.debugDescription); expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func boolean(_ name: String) throws(MailConfigurationError) -> Bool? {
        guard let text = value(name)?.lowercased() else { return nil }
        switch text {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw MailConfigurationError("\(name) is \(text.debugDescription); expected true or false")
        }
    }
}
